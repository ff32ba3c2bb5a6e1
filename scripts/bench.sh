#!/usr/bin/env bash
# Prints every performance figure of oauthdeck next to its baseline, measured
# in the same run, and whether each goal is met. Needs go, valgrind, tmux and
# curl; takes a few minutes. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./scripts/bench "$@"
