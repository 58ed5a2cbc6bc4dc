"""The data layer: the oracle's synthetic data (paper Section 4: 10,000 sequences of length 20 drawn from
the oracle LSTM), the real corpora of Section 5 (Chinese quatrains, Obama speeches, Nottingham melodies) and COCO
captions as Texygen used them, each downloaded once from its public address (sha256-checked, or read from a
mirror folder) and tokenised into a cached `Corpus`. Imports only the base modules and `oracle`."""
