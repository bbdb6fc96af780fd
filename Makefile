# Two commands for a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
# Where `make install` puts the command when pipx is not there (on most systems on PATH).
PREFIX ?= $(HOME)/.local

.PHONY: run test bench install clean

$(BIN)/python:
	@echo "Setting up $(VENV) (first run only, about a minute)..." >&2
	@$(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	@$(BIN)/pip install -q -e .
	@touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	@$(BIN)/pip install -q -e '.[dev]'
	@touch $@ $(STAMP)

# Starts the Discord (or Slack) bot when a token is configured, else the local console.
# The command itself is $(BIN)/seminar-bot (see README, "The command line").
run: $(STAMP)
	@$(BIN)/seminar-bot run

test: $(DEVSTAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy bot
	$(BIN)/python -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo 'no tests collected'; exit 0; fi; exit $$rc

bench: $(DEVSTAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python -m bench.run

# `seminar-bot` on PATH: with pipx its own isolated install, otherwise a link to this
# checkout's $(BIN)/seminar-bot in $(PREFIX)/bin.
install: $(STAMP)
	@if command -v pipx >/dev/null 2>&1; then \
		pipx install --force . ; \
	else \
		mkdir -p $(PREFIX)/bin && ln -sf "$(CURDIR)/$(BIN)/seminar-bot" $(PREFIX)/bin/seminar-bot && \
		echo "linked $(PREFIX)/bin/seminar-bot -> $(CURDIR)/$(BIN)/seminar-bot"; \
		case ":$$PATH:" in *":$(PREFIX)/bin:"*) ;; \
			*) echo "add $(PREFIX)/bin to PATH to type seminar-bot anywhere";; esac; \
	fi

clean:
	rm -rf $(VENV) seminar.db seminar.db-wal seminar.db-shm
