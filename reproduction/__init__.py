"""SeqGAN (Yu et al., AAAI 2017) reproduced in TensorFlow 2 / Keras 3. Run `python -m reproduction --help`."""

__version__ = "0.1.0"
