"""The one place where gradients are applied: every training step (MLE, policy gradient, discriminator)
computes its loss under a GradientTape and hands it here.

Adam (the optimizer of every loop; the authors' code uses Adam throughout) is applied as TensorFlow's fused
`ResourceApplyAdam` kernel, one call per variable, on the Keras optimizer's own slot variables and step
counter: the same formula as `keras.optimizers.Adam.update_step` (m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
w -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps)), the same global-norm clipping (Keras's own
`_clip_gradients`), but one pass over memory per variable instead of about eight elementwise ops. For the
discriminator's 7 million parameters that is a third of a training step (`make bench`); a test checks the
result equals Keras's `apply_gradients` to float rounding. Any optimizer or setting the fused path does not
cover goes through Keras's `apply_gradients`.

Sparse gradients (the discriminator's embedding lookup) are made dense first, so every row's moments decay at
every step, as in TF1's `AdamOptimizer` that the authors used. Keras 3's Adam differs there: it updates the
moments of the looked-up rows only, yet moves every row by its stale moment. Runs before commit "fused Adam"
(the committed `quick` results except Figure 3's, see the README) used Keras's behaviour for that variable.
"""

from __future__ import annotations

import keras
import tensorflow as tf


def descend(optimizer: keras.optimizers.Optimizer, tape: tf.GradientTape, loss: tf.Tensor, model: keras.Model) -> None:
    """One optimizer step on `loss` for the trainable variables of `model`."""
    variables = model.trainable_variables
    gradients = tape.gradient(loss, variables)
    if fusable(optimizer):
        apply_adam(optimizer, gradients, variables)
    else:
        optimizer.apply_gradients(zip(gradients, variables, strict=True))


def fusable(optimizer: keras.optimizers.Optimizer) -> bool:
    """A plain, built Adam: no AMSGrad, weight decay, EMA, per-variable clipping, accumulation or loss scaling."""
    return (type(optimizer) is keras.optimizers.Adam and optimizer.built and not optimizer.amsgrad
            and not optimizer.weight_decay and not optimizer.use_ema and not optimizer.clipnorm
            and not optimizer.clipvalue and not optimizer.gradient_accumulation_steps)


def apply_adam(optimizer: keras.optimizers.Adam, gradients: list, variables: list) -> None:
    """Keras Adam's update of `variables`, one fused kernel per variable (see the module docstring)."""
    gradients = optimizer._clip_gradients([tf.convert_to_tensor(g) for g in gradients])
    step = tf.cast(optimizer.iterations + 1, tf.float32)
    beta_1, beta_2 = tf.constant(optimizer.beta_1, tf.float32), tf.constant(optimizer.beta_2, tf.float32)
    shared = {"beta1_power": tf.pow(beta_1, step), "beta2_power": tf.pow(beta_2, step), "beta1": beta_1,
              "beta2": beta_2, "lr": tf.cast(optimizer.learning_rate, tf.float32),
              "epsilon": tf.constant(optimizer.epsilon, tf.float32)}
    for variable, gradient in zip(variables, gradients, strict=True):
        index = optimizer._get_variable_index(variable)
        tf.raw_ops.ResourceApplyAdam(var=_handle(variable), m=_handle(optimizer._momentums[index]),
                                     v=_handle(optimizer._velocities[index]), grad=gradient, **shared)
    optimizer.iterations.assign_add(1)


def _handle(variable: keras.Variable) -> tf.Tensor:
    return variable.value.handle
