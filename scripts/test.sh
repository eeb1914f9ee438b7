#!/usr/bin/env bash
# The whole test suite, as CI runs it (after fmt and clippy, in .ci/run). Other test runners
# (Python, browser) add their steps here so that one command runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked "$@"
