"""SeqGAN (Yu et al., AAAI 2017) reproduced in TensorFlow 2 / Keras 3. Run `python -m reproduction --help`."""

from __future__ import annotations

import os
import re
import sys
import tempfile

__version__ = "0.1.0"

# What TensorFlow prints at start-up on a CPU-only machine, which tells a CPU user nothing: absl's notice, the
# oneDNN notice, and the CUDA probes. Written to file descriptor 2 before absl's logging is set up, so
# TF_CPP_MIN_LOG_LEVEL does not reach them.
STARTUP_NOISE = re.compile(r"All log messages before absl::InitializeLog|oneDNN custom operations are on|"
                           r"cudart_stub\.cc|failed call to cuInit|Unable to register cu(DNN|FFT|BLAS) factory|"
                           r"computation_placer\.cc|This TensorFlow binary is optimized")


def quiet_tensorflow() -> None:
    """Start TensorFlow without its start-up lines: call before its first import (after it, only the last step
    below is done). Keras 3 on the TensorFlow backend, no C++ info logs; the start-up lines are caught on file
    descriptor 2 while TensorFlow loads and probes its devices, and every line that is not STARTUP_NOISE is
    printed again; TensorFlow's Python logger passes errors only."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "tensorflow" not in sys.modules:
        _load_tensorflow_quietly()
    import tensorflow as tf

    # Each run builds new models, whose compiled functions trace once each: in a sweep of many runs, TensorFlow's
    # Python logger calls that "retracing" and warns, which asks nothing of a user. Its errors still print.
    tf.get_logger().setLevel("ERROR")


def _load_tensorflow_quietly() -> None:
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            import keras  # noqa: F401  (with TensorFlow under it)
            import tensorflow as tf

            tf.config.list_physical_devices()  # the CUDA probe happens here, inside the window
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            kept = [line for line in caught.read().decode(errors="replace").splitlines(keepends=True)
                    if line.strip() and not STARTUP_NOISE.search(line)]
            sys.stderr.write("".join(kept))
