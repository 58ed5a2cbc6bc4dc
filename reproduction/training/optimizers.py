"""Adam, the optimizer of every training loop (the authors' code uses Adam throughout), with two
implementations of one update behind one seam, `Adam.minimize`; `RunConfig.adam` (`--adam`) chooses.

- `keras`: Keras's public `optimizer.apply_gradients`. Keras 3 updates a sparse gradient's moments (an
  embedding lookup's) only on the rows looked up, yet moves every row by its stale moment.
- `fused` (the default): TensorFlow's fused `ResourceApplyAdam` kernel, one call per variable, on the Keras
  optimizer's own slot variables and step counter: the same formula as Keras's Adam
  (m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2); w -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps)) and
  the same global-norm clipping, in one pass over memory per variable instead of about eight elementwise
  ops: for the discriminator's 7 million parameters, a third of a training step (`make bench`). Sparse
  gradients are made dense first, so every row's moments decay at every step, as in TF1's `AdamOptimizer`
  that the authors used. On dense gradients the two implementations agree to float rounding (tested).

The fused path reads four private attributes of `keras.optimizers.Adam` (`_clip_gradients`,
`_get_variable_index`, `_momentums`, `_velocities`). `check_fused_adam` runs once per process before the
first fused optimizer is used: it checks they exist and that two fused steps equal two Keras steps on a small
problem. If a Keras upgrade broke them, the run stops at start with a message naming `--adam keras`; it never
trains differently in silence.

`epsilon` (`RunConfig.adam_epsilon`, `train --adam-epsilon`) is Keras's default 1e-7 unless asked otherwise; the
authors' TF1 `AdamOptimizer` used 1e-8. It matters where gradients are small: the policy gradient once the
discriminator's rewards fall to about 0.001 (tests/test_policy_gradient.py, docs/deviations.md).

Checkpoints key every variable by its path (training/checkpoint.py). The Keras optimizer built here,
`NamedAdam`, gives each slot variable a stable name derived from the variable it belongs to,
"momentum/PATH" and "velocity/PATH" with PATH that variable's Keras path (e.g.
"momentum/discriminator/highway_gate/kernel"), whatever name Keras itself gives the slot (its scheme has changed
between Keras releases). It is keras.optimizers.Adam in every other respect: the same update, bit for bit.
"""

from __future__ import annotations

import functools

import keras
import numpy as np
import tensorflow as tf

from reproduction.config import ADAM_IMPLEMENTATIONS, KERAS_ADAM_EPSILON
from reproduction.errors import UserError

_PRIVATE_API = ("_clip_gradients", "_get_variable_index", "_momentums", "_velocities")


class NamedAdam(keras.optimizers.Adam):
    """keras.optimizers.Adam whose slot variables have stable names: `slot_names()` maps each (by id) to
    "SLOT/PATH", SLOT being Keras's name for it (momentum, velocity) and PATH the path of the variable it belongs
    to. The update is Keras's, untouched."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._slot_names: dict[int, str] = {}

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):  # type: ignore[override]
        variable = super().add_variable_from_reference(reference_variable, name=name, initializer=initializer)
        self._slot_names[id(variable)] = f"{name or 'var'}/{reference_variable.path}"
        return variable

    def slot_names(self) -> dict[int, str]:
        """id(slot variable) -> its stable name, for every slot variable built so far."""
        return dict(self._slot_names)


class Adam:
    """The Adam optimizer of one model: `minimize(tape, loss)` inside a training step's `tf.function`.
    `optimizer` is the Keras optimizer, whose variables (step counter, moments) go into checkpoints."""

    def __init__(self, model: keras.Model, learning_rate: float, implementation: str = "fused",
                 global_clipnorm: float | None = None, name: str = "adam", epsilon: float = KERAS_ADAM_EPSILON):
        if implementation not in ADAM_IMPLEMENTATIONS:
            raise UserError(f"unknown Adam implementation {implementation!r}: choose one of "
                            f"{', '.join(ADAM_IMPLEMENTATIONS)}")
        if implementation == "fused":
            check_fused_adam()
        self.model, self.implementation = model, implementation
        self.optimizer = NamedAdam(learning_rate, epsilon=epsilon, global_clipnorm=global_clipnorm, name=name)
        self.optimizer.build(model.trainable_variables)

    def minimize(self, tape: tf.GradientTape, loss: tf.Tensor) -> None:
        """One update of the model's trainable variables on `loss`."""
        variables = self.model.trainable_variables
        gradients = tape.gradient(loss, variables)
        if self.implementation == "fused":
            apply_fused(self.optimizer, gradients, variables)
        else:
            self.optimizer.apply_gradients(zip(gradients, variables, strict=True))


def apply_fused(optimizer: keras.optimizers.Adam, gradients: list, variables: list) -> None:
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


@functools.cache
def check_fused_adam() -> None:
    """Fail loudly (once, at start) if this Keras no longer supports the fused update exactly."""
    hint = (f"the fused Adam update does not work with Keras {keras.__version__} ({{}}); rerun with --adam keras "
            "(the public API, same update on dense gradients), or install the versions in requirements.txt")
    rng = np.random.default_rng(0)
    start, grads = rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(2, 3, 4)).astype(np.float32)
    results = []
    for fused in (True, False):
        variable = keras.Variable(start)
        optimizer = keras.optimizers.Adam(0.01, global_clipnorm=1.0)
        optimizer.build([variable])
        for g in grads:
            try:
                if fused:
                    apply_fused(optimizer, [tf.constant(g)], [variable])
                else:
                    optimizer.apply_gradients([(tf.constant(g), variable)])
            except Exception as e:  # any failure of the private API (_PRIVATE_API)
                raise UserError(hint.format(f"{type(e).__name__}: {e}")) from e
        results.append(np.asarray(variable))
    if not np.allclose(results[0], results[1], rtol=1e-5, atol=1e-6):
        raise UserError(hint.format("its result differs from keras.optimizers.Adam.apply_gradients"))
