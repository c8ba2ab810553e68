# Two set-up commands: `make dev` runs a dev server, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
# command:package pairs the tests (and benchmarks) need from Debian/Ubuntu.
TEST_TOOLS := gpg:gnupg openssl:openssl age:age age-keygen:age curl:curl jq:jq slapd:slapd slapadd:slapd
BENCH_TOOLS := wrk:wrk

.PHONY: .venv dev test test-fast lint system-deps bench-deps bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

.venv: $(VENV)/.installed

dev: .venv
	$(BIN)/sealbox server -dev

define install_missing
	@missing=""; for pair in $(1); do cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
endef

system-deps:
	$(call install_missing,$(TEST_TOOLS))
	@# The PostgreSQL server (tests start their own cluster with initdb; none runs as a service).
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }
	@# MariaDB for the database engine's MySQL plugin tests (started by the fixtures, not as a service).
	@command -v mariadb-install-db >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server; }
	@# gcloud for the GCP door's tests: google-cloud-cli from the distribution's (or Google's) apt
	@# repository; where no repository has it, those tests skip and say why.
	@command -v gcloud >/dev/null 2>&1 || { $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  google-cloud-cli || echo "google-cloud-cli unavailable: the gcloud tests will be skipped"; }

bench-deps:
	$(call install_missing,$(BENCH_TOOLS))

lint: .venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	PYTHONPATH=src $(BIN)/lint-imports

test: .venv system-deps lint
	$(BIN)/pytest -q

# Local loop: skips the slow compatibility suites (CI runs everything through `make test`).
test-fast: .venv
	$(BIN)/pytest -q -m "not slow"

bench: .venv bench-deps
	$(BIN)/python bench/kv_bench.py
	$(BIN)/python bench/sops_bench.py
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	$(BIN)/python bench/scan_bench.py
	$(BIN)/python bench/pki_bench.py
	$(BIN)/python bench/aws_bench.py
	$(BIN)/python bench/transit_bench.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
