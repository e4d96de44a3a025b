# make demo: create .venv, install neuroflow, train the lesson's Iris network end to end.
# make test: install what the tests need and run them.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
NF := $(VENV)/bin/neuroflow
SHARED_MNIST := ../shared/data/mnist

.PHONY: demo test venv install install-test lint bench bench-scaling clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# torch first and pinned, so nothing else can pull a CUDA build.
$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e .
	$(PY) -m compileall -q src  # bytecode now, as a non-editable install has (so it is there even under PYTHONDONTWRITEBYTECODE)
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	rm -rf demo-out
	$(NF) doctor
	$(NF) neuron --inputs 0 0.5 1 --weights -1 -0.5 0.5 --bias 1 --activation relu
	$(NF) train iris --model iris-mlp --out demo-out/iris
	$(NF) evaluate demo-out/iris
	$(NF) predict demo-out/iris examples/iris_new.csv
	$(PY) -c "import neuroflow as nf; m = nf.load('demo-out/iris'); print('reloaded:', m)"

test: install-test
	$(PY) -m ruff check --no-cache src tests benchmarks
	$(PY) -m pytest -q -p no:cacheprovider

lint: install-test
	$(PY) -m ruff check --no-cache src tests benchmarks
	$(PY) -m ruff format --check src tests benchmarks

bench: install
	$(PY) -m benchmarks --data-dir $(SHARED_MNIST)

# 2 processes pinned to a core each against 1 (torch.distributed, gloo): a section of RESULTS.md.
bench-scaling: install
	$(PY) -m benchmarks.scaling --data-dir $(SHARED_MNIST)

clean:
	rm -rf $(VENV) demo-out .pytest_cache
