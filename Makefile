# Set-up and the everyday commands. `make demo` and `make test` work on a fresh Debian machine:
# they install the missing system packages (apt-get), create .venv and install the project.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
OUT ?= out
APT_PACKAGES := libgl1 libegl1 libegl-mesa0 libgl1-mesa-dri libxkbcommon-x11-0 libxcb-cursor0 \
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 \
  libxcb-xkb1 xvfb mosquitto
PYTEST_ARGS ?=

.PHONY: setup system test-tools demo test check bench view clean

setup: $(STAMP)

# Debian packages the engine needs (OpenGL/EGL for off-screen rendering, Qt's X11 libraries,
# Xvfb for GUI tests, mosquitto for feed tests, node and npm for the glTF validator); only the
# missing ones are installed. Node counts as present when its npm command is (a Node.js from
# another source, e.g. NodeSource's package, already brings npm).
system:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || missing="$$missing python3-venv"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml | system
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

# Checkers the export tests run that are not Python dependencies of the engine, under tools/
# (ignored by git): the Khronos glTF validator (npm) and py3dtiles, installed without its
# dependencies because it pins numba and numpy below the engine's versions (only its tileset
# reader is used, which needs none of the pinned parts).
TOOLS := tools
test-tools: setup
	@[ -d $(TOOLS)/node_modules/gltf-validator ] || npm install --prefix $(TOOLS) --no-audit --no-fund gltf-validator@2.0.0-dev.3.10
	@$(PY) -c "import py3dtiles" 2>/dev/null || $(PY) -m pip install -q --no-deps "py3dtiles==12.1.1"

# Import the shipped sample cities and describe them; results go to $(OUT)/.
demo: setup
	mkdir -p $(OUT)
	$(VENV)/bin/twin import --sample delft -o $(OUT)/delft.twin
	$(VENV)/bin/twin import --sample helsinki -o $(OUT)/helsinki.twin
	$(VENV)/bin/twin info $(OUT)/delft.twin --json > $(OUT)/delft-summary.json
	$(VENV)/bin/twin info $(OUT)/helsinki.twin --json > $(OUT)/helsinki-summary.json
	$(VENV)/bin/twin map $(OUT)/delft.twin -o $(OUT)/delft-map.png
	$(VENV)/bin/twin map $(OUT)/helsinki.twin -o $(OUT)/helsinki-map.png
	$(VENV)/bin/twin render $(OUT)/delft.twin -o $(OUT)/delft-3d.png
	$(VENV)/bin/twin render $(OUT)/helsinki.twin -o $(OUT)/helsinki-3d.png
	for s in helsinki_baseline helsinki_2035 helsinki_mannerheimintie_closure delft_baseline delft_deep_retrofit; do \
		$(VENV)/bin/twin run scenarios/$$s.toml -o $(OUT)/$$s.h5 || exit 1; done
	$(VENV)/bin/twin render $(OUT)/helsinki_2035.h5 -o $(OUT)/helsinki_2035-traffic.png --time 08:00 --color-by traffic.speed
	$(VENV)/bin/twin compare $(OUT)/helsinki_baseline.h5 $(OUT)/helsinki_2035.h5 -o $(OUT)/report-helsinki_2035.html
	$(VENV)/bin/twin compare $(OUT)/helsinki_baseline.h5 $(OUT)/helsinki_mannerheimintie_closure.h5 -o $(OUT)/report-helsinki_closure.html
	$(VENV)/bin/twin compare $(OUT)/delft_baseline.h5 $(OUT)/delft_deep_retrofit.h5 -o $(OUT)/report-delft_retrofit.html
	@echo "demo results in $(OUT)/: delft.twin, helsinki.twin, their summaries, maps and 3D views;"
	@echo "scenario results (*.h5) and comparison reports (report-*.html)"

# The whole test suite (unit, validation, integration) after the checks: import-direction
# contracts, lint and types.
test: setup test-tools check
	$(PY) -m pytest $(PYTEST_ARGS)

# The import-direction contracts, the linter and the type checker.
check: setup
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# Slow benchmarks, kept out of CI; each prints its figures as ratios against a peer.
bench: setup
	$(PY) -m pip install -q -e ".[test,bench]"
	$(PY) tests/bench/bench_cityjson_import.py
	$(PY) tests/bench/bench_mobility.py
	$(PY) tests/bench/bench_energy.py
	$(PY) tests/bench/bench_energy_city.py
	$(PY) tests/bench/bench_shading.py
	$(PY) tests/bench/bench_vs_sumo.py
	$(PY) tests/bench/bench_liechtenstein_vs_sumo.py
	$(PY) tests/bench/bench_viewer.py
	$(PY) tests/bench/bench_feeds.py
	$(PY) tests/bench/bench_batch.py
	$(PY) tests/bench/bench_startup.py

# The desktop viewer on the Delft sample (imported first if needed).
view: setup
	@[ -d $(OUT)/delft.twin ] || $(VENV)/bin/twin import --sample delft -o $(OUT)/delft.twin
	$(VENV)/bin/twin view $(OUT)/delft.twin


clean:
	rm -rf $(OUT) .pytest_cache
