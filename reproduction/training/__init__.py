"""The training core: Algorithm 1 (adversarial.py), its rewards (Eq. 4 and the controls), the policy gradient
(Eq. 8), MLE and scheduled sampling, the discriminator's training (Eq. 5), one evaluation path, and the driver
that runs a configuration's phases with checkpoints and resume. One run at a time; sweeps/ runs many."""
