# slogen: two commands do everything on a fresh Debian machine.
#   make generate   create the venv, install slogen, write generated/ from specs/
#   make test       lint, type-check, and run the tests with the real promtool/amtool
#
# promtool, amtool and the prometheus and alertmanager servers (for end-to-end tests
# on loopback) come from Debian's prometheus and prometheus-alertmanager packages.
# When they are not on PATH, `make tools` unpacks those packages into .tools/: no
# daemons are installed or started. The `victoria-metrics` server and `vmalert` (for
# the tests of docs/engines.md) are checked separately and unpacked the same way from
# Debian's victoria-metrics package. Outside the checkout only apt's package lists
# (refreshed if a download needs it) and alertmanager's templates (see AM_TEMPLATES)
# change.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SPECS ?= specs
OUT ?= generated
TOOLS := $(CURDIR)/.tools
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export PATH := $(TOOLS)/usr/bin:$(PATH)

.PHONY: generate check-generated ci-regenerate bench schema test lint typecheck pytest tools clean

$(BIN)/slogen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

generate: $(BIN)/slogen
	$(BIN)/slogen generate $(SPECS) -o $(OUT)

check-generated: $(BIN)/slogen
	$(BIN)/slogen generate $(SPECS) -o $(OUT) --check

# The CI recipe (examples/ci/): regenerate, prove with promtool and amtool, and
# commit $(OUT) when it changed (COMMIT=0 only checks).
ci-regenerate: $(BIN)/slogen tools
	SLOGEN=$(BIN)/slogen examples/ci/regenerate.sh $(SPECS) $(OUT)

# Every benchmarks/bench_*.py, one after another (figures vary with machine load).
bench: $(BIN)/slogen
	@set -e; for bench in benchmarks/bench_*.py; do \
		echo "== $$bench"; $(BIN)/python $$bench; \
	done

schema: $(BIN)/slogen
	$(BIN)/slogen schema service > docs/schema/service.schema.json
	$(BIN)/slogen schema defaults > docs/schema/defaults.schema.json
	$(BIN)/slogen schema routing > docs/schema/routing.schema.json

# Debian's alertmanager reads its built-in notification templates from this fixed
# directory; when the binary comes from an unpacked package, they are put there.
AM_TEMPLATES := /usr/share/prometheus/alertmanager

tools:
	@if command -v promtool >/dev/null && command -v amtool >/dev/null \
		&& command -v prometheus >/dev/null && command -v prometheus-alertmanager >/dev/null; then \
		echo "promtool, amtool, prometheus, alertmanager: $$(dirname $$(command -v promtool))"; \
	else \
		set -e; scratch=$$(mktemp -d); cd $$scratch; \
		apt-get download prometheus prometheus-alertmanager 2>/dev/null \
			|| { $(SUDO) apt-get update -qq && apt-get download prometheus prometheus-alertmanager; }; \
		mkdir -p $(TOOLS); for deb in *.deb; do dpkg-deb -x $$deb $(TOOLS); done; \
		cd /; rm -rf $$scratch; \
		$(TOOLS)/usr/bin/promtool --version | head -1; $(TOOLS)/usr/bin/amtool --version 2>&1 | head -1; \
	fi
	@if command -v victoria-metrics >/dev/null && command -v vmalert >/dev/null; then \
		echo "victoria-metrics, vmalert: $$(dirname $$(command -v vmalert))"; \
	else \
		set -e; scratch=$$(mktemp -d); cd $$scratch; \
		apt-get download victoria-metrics 2>/dev/null \
			|| { $(SUDO) apt-get update -qq && apt-get download victoria-metrics; }; \
		mkdir -p $(TOOLS); dpkg-deb -x victoria-metrics_*.deb $(TOOLS); \
		cd /; rm -rf $$scratch; \
		$(TOOLS)/usr/bin/vmalert -version >/dev/null; $(TOOLS)/usr/bin/victoria-metrics -version >/dev/null; \
		echo "victoria-metrics, vmalert: $(TOOLS)/usr/bin (Debian's victoria-metrics package)"; \
	fi
	@if [ -d $(TOOLS)$(AM_TEMPLATES) ] && ! cmp -s $(TOOLS)$(AM_TEMPLATES)/email.tmpl \
		$(AM_TEMPLATES)/email.tmpl; then \
		$(SUDO) mkdir -p $(AM_TEMPLATES); \
		$(SUDO) cp $(TOOLS)$(AM_TEMPLATES)/*.tmpl $(AM_TEMPLATES)/; \
		echo "installed $(AM_TEMPLATES)/*.tmpl from the prometheus-alertmanager package"; \
	fi

lint: $(BIN)/slogen
	$(BIN)/ruff check slogen tests benchmarks examples
	$(BIN)/ruff format --check slogen tests benchmarks examples

typecheck: $(BIN)/slogen
	$(BIN)/mypy slogen

# Two workers: the end-to-end tests spend minutes waiting on real servers, and the
# proofs keep a core busy meanwhile (17 min -> 10.5 min on 2 cores). PYTEST_WORKERS=0
# runs in one process.
PYTEST_WORKERS ?= 2
pytest: $(BIN)/slogen tools
	$(BIN)/pytest -n $(PYTEST_WORKERS)

test: lint typecheck pytest

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache *.egg-info
