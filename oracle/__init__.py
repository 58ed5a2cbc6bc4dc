"""The synthetic "true" distribution G_oracle (paper Section 4): an LSTM with fixed weights, never trained."""
