# Entry points: run, test, train, evaluate, bench. Everything installs into .venv
# from requirements.lock, so two installs a month apart run the same code.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SOAK_REQUESTS ?= 20000
STAMP := $(VENV)/.installed

.PHONY: install run test train evaluate bench soak lock clean demo

$(BIN)/python:
	$(shell command -v $(PYTHON) || echo python3) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
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

lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
