# Entry points: run, test, train, evaluate, bench. Everything installs into .venv from
# two locks, so two installs a month apart run the same code: requirements.lock (what the
# service, the batch and training run; all the Docker image installs) and
# requirements-dev.lock (tests, bench, profiling, dask: the rest of .venv).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SOAK_REQUESTS ?= 20000
STAMP := $(VENV)/.installed
LOCKS := requirements.lock requirements-dev.lock

.PHONY: install run test train evaluate bench soak lock clean demo

$(BIN)/python:
	$(shell command -v $(PYTHON) || echo python3) -m venv $(VENV)

$(STAMP): $(BIN)/python $(LOCKS) pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/tagger serve --port $(PORT)

test: install
	$(BIN)/python -m pytest -q

# Long load and crash runs (tests marked soak); figures printed and kept in reports/soak.json.
soak: install
	mkdir -p reports && rm -f reports/soak.json
	SOAK_REQUESTS=$(SOAK_REQUESTS) RELIABILITY_REPORT=reports/soak.json $(BIN)/python -m pytest -q -s -m soak tests/reliability

train: install
	$(BIN)/tagger train

evaluate: install
	$(BIN)/tagger evaluate

bench: install
	$(BIN)/python -m bench

# The README's trends report: tag the ~113,000 news-feed items of 2025-08..2026-04 into a Parquet
# folder (--resume: a stopped run goes on; after a model change remove reports/pool_recent.parquet),
# then count them (docs/report.md). Exit 2 of `tagger tag` (a few records not tagged, listed in
# reports/pool_recent.parquet.errors.jsonl) does not stop it. Output under reports/, not committed.
DEMO_INPUT ?= ../shared/data/pool_recent.jsonl.gz
DEMO_JOBS ?= 2
demo: install
	mkdir -p reports
	$(BIN)/tagger tag $(DEMO_INPUT) -o reports/pool_recent.parquet --jobs $(DEMO_JOBS) --resume || [ $$? -eq 2 ]  # 2: a few items have no text
	$(BIN)/tagger report reports/pool_recent.parquet -o reports/pool_recent

# Freeze .venv again: the runtime lock is what pyproject's dependencies pull into a fresh
# venv (at .venv's versions), the dev lock is everything else .venv holds.
lock:
	set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp" build' EXIT; \
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > "$$tmp/all.txt"; \
	$(BIN)/python -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install --quiet -c "$$tmp/all.txt" .; \
	"$$tmp/venv/bin/python" -m pip freeze --exclude vn-tech-tagger > requirements.lock; \
	grep -vxiFf requirements.lock "$$tmp/all.txt" > requirements-dev.lock

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
