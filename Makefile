# osce-stance: every stage is a real file whose prerequisites are its inputs and
# the modules that make it, so a second run does nothing and editing a stage re-runs it.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

ARTICLE_FILES := $(shell find seeds data/raw -name '*.txt' -not -path '*/.*' 2>/dev/null | sort)
INGEST := pipeline/ingest.py pipeline/tokenize.py pipeline/files.py pipeline/paths.py

SENTENCES := data/interim/sentences.jsonl
ARTICLES := data/interim/articles.jsonl

.PHONY: help setup tokens tokenize score test lint clean

help: ## list the targets
	@grep -E '^[a-zA-Z_ -]+:.*## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(STAMP) ## create .venv and install the package with its dev tools

$(ARTICLES) $(SENTENCES) &: $(ARTICLE_FILES) $(INGEST) | $(STAMP)
	$(PY) -m pipeline tokenize

tokens tokenize: $(SENTENCES) ## ingest + split seeds/ and data/raw/ into data/interim/*.jsonl

score: tokens ## run the whole pipeline on the shipped seeds and data/raw

test: $(STAMP) ## run the test suite
	$(PY) -m pytest

lint: $(STAMP) ## ruff
	$(PY) -m ruff check pipeline tests

clean: ## remove generated data (keeps the committed model)
	rm -rf data/interim data/processed .pytest_cache
