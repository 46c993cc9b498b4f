# The two commands of the README:  `make demo`  and  `make test`.
# Each does all of its own set-up on a fresh machine (virtualenv, install, provisioning).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
export PREFECT_HOME ?= $(CURDIR)/data/prefect
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test setup provision es-stop es-cluster-stop pg-stop bench clean

$(BIN)/.installed: pyproject.toml nlp/_dag_route.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# earlier releases used the pure-Python reimplementation, which installs the same `opencc` module
	$(BIN)/pip uninstall -q -y opencc-python-reimplemented 2>/dev/null || true
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

# Main job on embedded defaults: sample data, fixture sites on 127.0.0.1, the whole pipeline.
demo: setup
	mkdir -p $(PREFECT_HOME)
	SUQIU_HOME=$${SUQIU_HOME:-$(CURDIR)/data/demo} $(BIN)/suqiu demo

# Whole test suite against real servers: Elasticsearch (one node, and a two-node cluster for the
# resilience test) and PostgreSQL, each started here or reused when already healthy.
provision: setup
	mkdir -p $(PREFECT_HOME)
	tests/provision/elasticsearch.sh start
	tests/provision/elasticsearch.sh cluster-start
	tests/provision/postgresql.sh start >/dev/null
	tests/provision/chromium.sh
	tests/provision/libreoffice.sh

test: provision
	SUQIU_TEST_ES_URL=$${SUQIU_TEST_ES_URL:-http://127.0.0.1:9200} \
	SUQIU_TEST_ES_CLUSTER_URLS=$${SUQIU_TEST_ES_CLUSTER_URLS:-$$(tests/provision/elasticsearch.sh cluster-urls)} \
	SUQIU_TEST_PG_URL=$${SUQIU_TEST_PG_URL:-$$(tests/provision/postgresql.sh url)} \
	$(BIN)/pytest

es-stop:
	tests/provision/elasticsearch.sh stop

es-cluster-stop:
	tests/provision/elasticsearch.sh cluster-stop

pg-stop:
	tests/provision/postgresql.sh stop

bench: setup
	for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) data
