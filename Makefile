# make demo: create .venv, install neuroflow, train the lesson's Iris network end to end.
# make test: install what the tests need and run them.
# make lessons: build the lesson notebooks (lessons/*.ipynb) from their jupytext files; open them with jupyter lab lessons/.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
NF := $(VENV)/bin/neuroflow
SHARED_MNIST := ../shared/data/mnist

.PHONY: demo test venv install install-test install-notebooks lessons lint bench bench-scaling clean

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

$(VENV)/.installed-notebooks: $(VENV)/.installed
	$(PIP) install -q -e '.[notebooks]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-notebooks: $(VENV)/.installed-notebooks

# The lessons as notebooks: lessons/NN_*.py (jupytext percent files) -> lessons/NN_*.ipynb
lessons: install-notebooks
	$(PY) -m jupytext --update --to ipynb lessons/[0-9][0-9]_*.py

demo: install
	rm -rf demo-out
	$(NF) doctor
	$(NF) neuron --inputs 0 0.5 1 --weights -1 -0.5 0.5 --bias 1 --activation relu
	$(NF) train iris --model iris-mlp --out demo-out/iris
	$(NF) evaluate demo-out/iris
	$(NF) predict demo-out/iris examples/iris_new.csv
	$(PY) -c "import neuroflow as nf; m = nf.load('demo-out/iris'); print('reloaded:', m)"

test: install-test
	$(PY) -m ruff check --no-cache src tests benchmarks lessons
	$(VENV)/bin/lint-imports --no-cache  # the layers of docs/architecture.md, contracts in pyproject.toml
	$(PY) -m pytest -q -rs -p no:cacheprovider  # -rs: the reason for every skip is shown

lint: install-test
	$(PY) -m ruff check --no-cache src tests benchmarks lessons
	$(PY) -m ruff format --check src tests benchmarks

bench: install
	$(PY) -m benchmarks --data-dir $(SHARED_MNIST)

# 2 processes pinned to a core each against 1 (torch.distributed, gloo): a section of RESULTS.md.
bench-scaling: install
	$(PY) -m benchmarks.scaling --data-dir $(SHARED_MNIST)

clean:
	rm -rf $(VENV) demo-out .pytest_cache
