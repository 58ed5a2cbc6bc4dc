"""The speed benchmark (`python -m reproduction bench`, `make bench`): each hot path of the paper's schedule
timed beside a straightforward reference implementation and against this machine's floor, in one run.

  flops.py      the floating-point work of each step, and this machine's matmul throughput (the floor)
  reference.py  the reference implementations (the authors' loop structure, Keras fit/predict, nltk)
  suite.py      the timed rows, ours and reference, medians over repeats
  report.py     bench.md: the table, the targets, the projected wall time of each profile
"""
