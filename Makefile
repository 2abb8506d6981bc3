# The two commands a newcomer types: `make demo` (main job on the embedded sample data) and `make test`.
# Both create .venv on first use: a CPU build of torch where there is no GPU, then xstress with its test extras.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.xstress-installed
OUT    ?= demo-out
PYTEST_ARGS ?=

.PHONY: setup demo study test clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	@# torch first, so that the `torch` requirement of the package is already met: a plain `torch` from PyPI
	@# is a multi-GB CUDA build. Without a GPU we take the CPU build (2.13.0 is the wheel on our machines;
	@# elsewhere PyTorch's CPU index).
	@if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then \
		$(PY) -m pip install -q "torch>=2.2"; \
	else \
		$(PY) -m pip install -q "torch==2.13.0" 2>/dev/null || \
		$(PY) -m pip install -q torch --index-url https://download.pytorch.org/whl/cpu; \
	fi
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/xstress demo --out $(OUT)

study: $(STAMP)
	$(VENV)/bin/xstress study --config examples/study/study.yaml --out study-out

test: $(STAMP)
	@# One OpenMP thread per test process: two xdist workers already fill both cores, and a process forked after
	@# torch used a multi-threaded OpenMP pool can hang in libgomp (engine workers of lex.mlm tests).
	OMP_NUM_THREADS=1 $(PY) -m pytest -q -n 2 -rs $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis
