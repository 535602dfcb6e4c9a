#!/usr/bin/env bash
# Build the HTML book (executing every chapter) with warnings as errors.
# The book lands in _build/html; open _build/html/index.html.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
jupyter-book build . -W --keep-going "$@"
echo "The book is at $ROOT/_build/html/index.html"
