# osce-stance: every stage is a real file whose prerequisites are its inputs and
# the modules that make it, so a second run does nothing and editing a stage re-runs it.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

ARTICLE_FILES := $(shell find seeds data/raw -name '*.txt' -not -path '*/.*' 2>/dev/null | sort)
INGEST := pipeline/ingest.py pipeline/tokenize.py pipeline/segment.py pipeline/names.py pipeline/native.py pipeline/lexicon.py pipeline/files.py pipeline/paths.py

SENTENCES := data/interim/sentences.jsonl
ARTICLES := data/interim/articles.jsonl
GOLD := $(wildcard data/gold/*.jsonl) data/gold/splits.json
LABELS := data/processed/labels.jsonl
LABEL_SRC := pipeline/label.py pipeline/lexicon.py pipeline/target.py pipeline/names.py pipeline/native.py pipeline/segment.py pipeline/gold.py pipeline/metrics.py
MODEL := models/stance/manifest.json
TRAIN_SRC := pipeline/train.py pipeline/features.py pipeline/lexicon.py pipeline/names.py pipeline/native.py pipeline/core.py pipeline/metrics.py
SCORES := data/processed/scores.csv
SCORE_SRC := pipeline/score.py pipeline/api.py pipeline/core.py pipeline/_native.c pipeline/features.py pipeline/lexicon.py pipeline/target.py \
	pipeline/cli.py pipeline/distribute.py $(INGEST)

.PHONY: help setup browser tokens tokenize labels train score report screenshots real holdout test bench hostile scale fuzz lint clean

help: ## list the targets
	@grep -E '^[a-zA-Z_ -]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml setup.py pipeline/_native.c
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(STAMP) ## create .venv and install the package with its dev tools

$(ARTICLES) $(SENTENCES) &: $(ARTICLE_FILES) $(INGEST) | $(STAMP)
	$(PY) -m pipeline tokenize

tokens tokenize: $(SENTENCES) ## ingest + split seeds/ and data/raw/ into data/interim/*.jsonl

$(LABELS) reports/labelling.md reports/lf_summary.csv &: $(SENTENCES) $(ARTICLES) $(GOLD) $(LABEL_SRC) | $(STAMP)
	$(PY) -m pipeline label

labels: $(LABELS) ## weak labels for every sentence + reports/labelling.md, reports/lf_summary.csv

$(MODEL) models/stance/weights.npz reports/training.md reports/metrics.json &: $(LABELS) $(SENTENCES) $(GOLD) $(TRAIN_SRC) | $(STAMP)
	$(PY) -m pipeline train

train: $(MODEL) ## fit the classifier -> models/stance/ + reports/training.md

$(SCORES) data/processed/scores.jsonl reports/stance_timeline.png &: $(ARTICLE_FILES) $(MODEL) $(SCORE_SRC) | $(STAMP)
	$(PY) -m pipeline score --save || [ $$? -eq 1 ]  # 1: some inputs skipped (named on stderr), the rest scored

score: $(SCORES) ## score every article in seeds/ and data/raw/ -> data/processed/scores.*, reports/stance_timeline.png

REPORT_SRC := pipeline/report.py pipeline/places.py $(wildcard pipeline/templates/*.j2)
reports/site/index.html: $(ARTICLE_FILES) $(MODEL) $(SCORE_SRC) $(REPORT_SRC) | $(STAMP)
	$(PY) -m pipeline report --out reports/site || [ $$? -eq 1 ]  # 1: some inputs skipped (named on stderr)

report: reports/site/index.html ## the HTML evidence report of seeds/ and data/raw/ -> reports/site/index.html (open it in a browser)

screenshots: $(STAMP) browser ## README's pictures of the report (of the seeds) -> reports/report_index.png, reports/report_article.png
	$(PY) -m pipeline report seeds --out reports/site-seeds
	$(PY) scripts/report_screenshots.py reports/site-seeds 003_4756800a9e27d77f.html reports

real: $(MODEL) | $(STAMP) ## the shipped model on the real-news yardstick (texts cached in data/real/cache/, not in git) -> reports/real.md
	$(PY) scripts/real_news.py evaluate

holdout: $(MODEL) | $(STAMP) ## the shipped model on round six, held out (team-written, in real news's registers, never trained on) -> reports/holdout.md
	$(PY) scripts/holdout.py

browser: ## install Debian's Chromium for the browser tests, when absent
	bash scripts/install_chromium.sh

test: $(STAMP) browser ## run the test suite (installs Chromium for the browser tests when absent)
	$(PY) -m pytest

reports/bench.md: $(SCORE_SRC) $(MODEL) tests/bench/test_bench.py scripts/bench_report.py | $(STAMP)
	BENCH_FULL=1 $(PY) -m pytest tests/bench --benchmark-enable --benchmark-json=reports/bench.json -p no:cacheprovider
	$(PY) scripts/bench_report.py

bench: reports/bench.md ## benchmark the core against scikit-learn, VADER and the floor -> reports/bench.md

SCALE_ARTICLES ?= 100000
reports/scale.md: $(SCORE_SRC) $(MODEL) scripts/scale_bench.py scripts/generate.py | $(STAMP)
	$(PY) scripts/scale_bench.py $(SCALE_ARTICLES)

scale: reports/scale.md ## 100,000 articles: one process vs --jobs 2 vs --dask local:2 -> reports/scale.md (~35 min)

reports/hostile.md: $(SCORE_SRC) $(MODEL) scripts/hostile.py tests/bench/test_hostile_bench.py | $(STAMP)
	HOSTILE_FULL=1 $(PY) -m pytest tests/bench/test_hostile_bench.py --benchmark-enable --benchmark-json=reports/hostile.json -p no:cacheprovider
	$(PY) scripts/hostile.py report

hostile: reports/hostile.md ## seconds per MB of every hostile-input family, 10 KB to 5 MB -> reports/hostile.md

fuzz: $(STAMP) ## the property tests with 3,000 examples each instead of 150
	FUZZ_EXAMPLES=3000 $(PY) -m pytest tests/test_robustness.py tests/test_hostile.py -k "never_crash or well_formed or hostile_mixed or invisible" -p no:cacheprovider

lint: $(STAMP) ## ruff
	$(PY) -m ruff check pipeline tests

clean: ## remove generated data (keeps the committed model)
	rm -rf data/interim data/processed .pytest_cache reports/site reports/site-seeds
