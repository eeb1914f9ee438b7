#!/usr/bin/env bash
# The whole test suite, as CI runs it (after fmt and clippy, in .ci/run). Other test runners
# (Python, browser) add their steps here so that one command runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked "$@"
# `pagetree view` in headless Chromium (installed when missing; skipped with a notice when no
# browser can be had, failing under CI=true).
scripts/browser-test.sh
# The Python package (crates/python, python/): its own virtual environment under target/.
scripts/python-test.sh
