# SeqGAN reproduction. `make install reproduce` runs the main job; `make test` runs the checks.
PROFILE ?= quick
SEEDS ?= 0 1 2
RANDOM_SEEDS ?= 0
METHODS ?= mle ss ss-authors pgbleu pgbleu-authors seqgan seqgan-shuffled seqgan-constant seqgan-frozen-d self-imitation seqgan-baseline seqgan-baseline-shuffled
STRATEGIES ?= a b c d
DATASETS ?= poems obama nottingham coco
REAL_SEEDS ?= 0 1 2
SPREAD_METHOD ?= ss-authors
ORACLE_SEEDS ?= 1 2 3
DATA_MIRROR ?=
RUNS ?= runs
EXECUTOR ?= local
RAY_ADDRESS ?=
ADAM ?= fused
ADAM_EPSILON ?= 1e-7
RESULTS ?= results
RETRAIN ?=
VENV ?= .venv
PY := $(VENV)/bin/python
MIRROR_ARG := $(if $(DATA_MIRROR),--data-mirror $(DATA_MIRROR),)
RAY_ARG := $(if $(RAY_ADDRESS),--ray-address $(RAY_ADDRESS),)
ADAM_ARGS := --adam $(ADAM) --adam-epsilon $(ADAM_EPSILON)
RETRAIN_ARG := $(if $(RETRAIN),--retrain,)

.PHONY: install test lint reproduce status in-progress oracle-spread precision-check bench clean-runs

install: $(VENV)/.installed

# The project itself goes in editable, without dependencies: `.venv/bin/seqgan` and `python -m reproduction` then work
# from any folder and always run this checkout's code.
$(VENV)/.installed: requirements.txt requirements-ray.txt pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-ray.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

lint: install
	$(VENV)/bin/ruff check .

test: install lint
	$(PY) -m pytest

reproduce: install
	$(PY) -m reproduction reproduce --profile $(PROFILE) --seeds $(SEEDS) --random-seeds $(RANDOM_SEEDS) --methods $(METHODS) --strategies $(STRATEGIES) --datasets $(DATASETS) --real-seeds $(REAL_SEEDS) $(ADAM_ARGS) $(MIRROR_ARG) --runs $(RUNS) --results $(RESULTS) --executor $(EXECUTOR) $(RAY_ARG) $(RETRAIN_ARG)

status: install  # where `make reproduce` (same variables) stands: every run, finished or not, and the hours left
	$(PY) -m reproduction reproduce --status --profile $(PROFILE) --seeds $(SEEDS) --random-seeds $(RANDOM_SEEDS) --methods $(METHODS) --strategies $(STRATEGIES) --datasets $(DATASETS) --real-seeds $(REAL_SEEDS) $(ADAM_ARGS) $(MIRROR_ARG) --runs $(RUNS) --results $(RESULTS)

in-progress: install  # Figure 2 of `make reproduce`'s runs (same variables) as far as they have got, beside the authors' log
	$(PY) -m reproduction reproduce --in-progress --profile $(PROFILE) --seeds $(SEEDS) --random-seeds $(RANDOM_SEEDS) --methods $(METHODS) --strategies $(STRATEGIES) --datasets $(DATASETS) --real-seeds $(REAL_SEEDS) $(ADAM_ARGS) $(MIRROR_ARG) --runs $(RUNS) --results $(RESULTS)

oracle-spread: install  # one Table 1 row (SPREAD_METHOD) on random oracles ORACLE_SEEDS: how far it moves with the oracle
	$(PY) -m reproduction oracle-spread --profile $(PROFILE) --method $(SPREAD_METHOD) --oracle-seeds $(ORACLE_SEEDS) $(ADAM_ARGS) $(MIRROR_ARG) --runs $(RUNS) --results $(RESULTS)

precision-check: install  # SeqGAN with a bfloat16 discriminator against float32 on SEEDS: within the seed spread?
	$(PY) -m reproduction precision-check --profile $(PROFILE) --seeds $(SEEDS) $(ADAM_ARGS) $(MIRROR_ARG) --runs $(RUNS) --results $(RESULTS)

bench: install
	$(PY) -m reproduction bench --profile paper --out results/bench.md

clean-runs:
	rm -rf runs
