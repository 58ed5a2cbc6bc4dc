"""The one place where gradients are applied: every training step (MLE, policy gradient, discriminator)
computes its loss under a GradientTape and hands it here."""

from __future__ import annotations

import keras
import tensorflow as tf


def descend(optimizer: keras.optimizers.Optimizer, tape: tf.GradientTape, loss: tf.Tensor, model: keras.Model) -> None:
    """One optimizer step on `loss` for the trainable variables of `model`."""
    variables = model.trainable_variables
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
