# Dasbor ILP — the README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB ?= data/ilp.duckdb

.PHONY: run test test-fast lint demo clean-db install install-dev browser system-deps java bench bench-browser bytecode

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-run: requirements.txt | $(PY)
	$(PY) -m pip install -q uv || true
	if [ -x $(VENV)/bin/uv ]; then VIRTUAL_ENV=$(VENV) $(VENV)/bin/uv pip install -q --compile-bytecode -r requirements.txt; \
	else $(PY) -m pip install -q -r requirements.txt; fi
	touch $@

$(VENV)/.stamp-dev: requirements-dev.txt | $(PY)
	$(PY) -m pip install -q uv || true
	if [ -x $(VENV)/bin/uv ]; then VIRTUAL_ENV=$(VENV) $(VENV)/bin/uv pip install -q --compile-bytecode -r requirements-dev.txt; \
	else $(PY) -m pip install -q -r requirements-dev.txt; fi
	touch $@ $(VENV)/.stamp-run

# Bytecode, written when the packages are installed and for this tree before each run. uv writes none by
# itself, and a machine that sets PYTHONDONTWRITEBYTECODE (CI images do) never writes any: then every
# process compiles each module from source, about 5 s more for the server's first page and for every
# process the tests start (bench/README.md, "Bytecode"). Python reads it whatever that variable says.
$(VENV)/.stamp-bytecode: $(VENV)/.stamp-run
	$(PY) -m compileall -q -j 0 $(VENV)/lib > /dev/null 2>&1 || true
	touch $@

bytecode: $(VENV)/.stamp-bytecode
	$(PY) -m compileall -q ilp_metrics pages tests bench dashboard.py app.py > /dev/null

install: $(VENV)/.stamp-run
install-dev: $(VENV)/.stamp-dev

$(DB): | $(VENV)/.stamp-run
	$(PY) -m ilp_metrics demo --db $(DB)

demo: $(VENV)/.stamp-run
	$(PY) -m ilp_metrics demo --db $(DB) --force

run: $(VENV)/.stamp-run bytecode $(DB)
	$(VENV)/bin/streamlit run app.py --server.port 8501 --server.headless true --browser.gatherUsageStats false

# Debian's chromium for the browser tests (never a browser download of Playwright's own).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  elif sudo -n true 2>/dev/null; then sudo apt-get update -q && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "chromium not installed and no root: browser tests will be skipped (CI installs it)"; fi; fi

# Debian packages for the exports and their tests (issue 7): DejaVu fonts for the PDF report, poppler's
# pdftoppm and LibreOffice Impress to turn the exports into PNG artefacts. Installed only when missing and
# root (or passwordless sudo); otherwise the tests that need them skip and say why.
SYSTEM_DEPS_CHECK = [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && command -v pdftoppm >/dev/null && command -v soffice >/dev/null
system-deps:
	@if ! ( $(SYSTEM_DEPS_CHECK) ); then \
	  pkgs="fonts-dejavu-core poppler-utils libreoffice-impress"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$pkgs; \
	  elif sudo -n true 2>/dev/null; then sudo apt-get update -q && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$pkgs; \
	  else echo "missing $$pkgs and no root: the PDF export needs fonts-dejavu-core; image tests will be skipped"; fi; fi

# Debian's Java runtime for the Spark equality test (tests/test_scale.py; pyspark runs Spark in local mode).
java:
	@if ! command -v java >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jre-headless; \
	  elif sudo -n true 2>/dev/null; then sudo apt-get update -q && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jre-headless; \
	  else echo "java not installed and no root: the Spark test will be skipped (CI installs it)"; fi; fi

# Benchmark suite (bench/README.md): SIZES=1M,10M by default.
SIZES ?= 1M,10M
bench: $(VENV)/.stamp-dev
	$(PY) -m bench.run --sizes $(SIZES)

# Only the pages in chromium at 10 M, on the database kept in bench/data/10M/ (made once, about 8 minutes).
bench-browser: $(VENV)/.stamp-dev
	$(PY) -m bench.run --sizes 10M --browser-only --runs 2

# The checks that keep the code in order (settings in pyproject.toml): ruff's rules and formatting over the
# tree, mypy strict over ilp_metrics, pages/ and dashboard.py. .pre-commit-config.yaml runs the same three before a commit.
lint: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The tests run in JOBS worker processes (pytest-xdist); worksteal lets an idle worker take the queued tests
# of a busy one. The demo databases are built once per run whatever JOBS is (tests/fixtures/built_once.py).
JOBS ?= 2
XDIST = -n $(JOBS) --dist worksteal

# The lint, then every test: the browser tests (tests/e2e, marker e2e), the export images and the Spark test
# included; chromium, the export tools and Java are installed first. The 25 slowest tests are listed at the
# end, to keep the whole suite within 20 minutes on 2 cores.
test: $(VENV)/.stamp-dev bytecode lint browser system-deps java
	$(PY) -m pytest $(XDIST) --durations=25

# The quick loop while editing: everything but the browser, Spark and slow tests (pytest.ini markers).
test-fast: $(VENV)/.stamp-dev bytecode
	$(PY) -m pytest $(XDIST) -m "not e2e and not spark and not slow"

clean-db:
	rm -f $(DB) $(DB).wal
