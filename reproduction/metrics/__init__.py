"""The measurements of the paper and of the real-text benchmark: NLL-oracle and NLL-test (Section 4), BLEU
and Self-BLEU under both smoothing rules (Section 5), real-data rows and MSE for melodies, the significance tests
and intervals, and Texygen's two scoring protocols for COCO captions. Pure functions of tokens and models."""
