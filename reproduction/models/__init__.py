"""The networks: the generator (the authors' LSTM, Section 4), the discriminator (the highway CNN of
Section 3 and the appendix) and the vectorised Monte Carlo rollout policy (Eq. 4). No training here."""
