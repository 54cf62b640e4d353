# The two commands: `make demo` and `make test`. Each creates .venv, installs the package with
# its dev tools, builds the Java launcher and plugin with Maven (the plugin build generates the
# gml.* procedure classes from the registry), and starts what it needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install demo test lint format bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Also writes the pipeline JSON Schema for editors (the examples' yaml-language-server lines point
# at it); it is derived from the procedure specs and not committed.
install: $(VENV)/.installed
	$(PY) -m neo4j_gml.cli enrich --schema > neo4j_gml/pipeline/pipeline.schema.json.tmp
	mv neo4j_gml/pipeline/pipeline.schema.json.tmp neo4j_gml/pipeline/pipeline.schema.json

demo: install
	$(PY) examples/demo.py
	$(PY) examples/demo_pipeline.py demo-output

# The tests start the service themselves (GML_WITH_SERVICE=0): the fault tests kill it.
test: install
	GML_WITH_SERVICE=0 bash scripts/with-neo4j.sh $(PY) -m pytest -q -p no:cacheprovider

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy neo4j_gml

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	bash scripts/with-neo4j.sh $(PY) -m benchmarks.bench_io

clean:
	-$(PY) -m neo4j_gml.cli neo4j stop
	rm -rf $(VENV) plugin/*/target .neo4j-home neo4j_gml/pipeline/pipeline.schema.json
