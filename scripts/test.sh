#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine, then run every check:
# ruff, mypy, the rule packs' own examples and lint, and pytest (engine, server, real-browser e2e).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${NOTALONE_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "== installing Debian's chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "!! /usr/bin/chromium is missing: install Debian's 'chromium' package for the e2e tests" >&2
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
echo "== installing notalone and test tools into $VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e ".[test]"

echo "== ruff";        "$VENV/bin/ruff" check engine server tests bench
echo "== mypy";        "$VENV/bin/mypy"
echo "== rules test";  "$VENV/bin/notalone" rules test
echo "== rules lint";  "$VENV/bin/notalone" rules lint
echo "== pytest";      "$VENV/bin/python" -m pytest -q "$@"
