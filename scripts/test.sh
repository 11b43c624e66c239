#!/usr/bin/env bash
# Run the whole test suite (unit, end-to-end with real engines on generated audio).
# Needs scripts/setup.sh to have run. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  echo "voice-guide tests: run 'bash scripts/setup.sh' first" >&2
  exit 1
fi
exec .venv/bin/python -m pytest -q "$@"
