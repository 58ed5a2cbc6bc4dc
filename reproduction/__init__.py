"""SeqGAN (Yu et al., AAAI 2017) reproduced in TensorFlow 2 / Keras 3. Run `python -m reproduction --help`."""

__version__ = "0.1.0"


def quiet_tensorflow() -> None:
    """Call before TensorFlow's first import: no C++ info logs, and Keras 3 on the TensorFlow backend."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
