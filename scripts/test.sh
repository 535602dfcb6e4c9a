#!/usr/bin/env bash
# Run every test: lint, the package's unit tests, every notebook under book/ with nbval,
# and the tests of the built book (which builds it first; unchanged chapters are not re-run).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ruff check .
jupyter-book build . -W --keep-going -q
python -m pytest tests book --nbval --nbval-current-env \
  --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout 120 -p no:cacheprovider "$@"
