#!/usr/bin/env bash
# Builds the Python package into a virtual environment under target/ (never committed) and
# runs its tests (python/tests): byte-for-byte agreement with the CLI on the real responses,
# located errors, the LangChain and LlamaIndex adapters, the lazy iterator's memory, and a
# Dask LocalCluster conversion against `pagetree convert`.
#
# Needs CPython 3.9+ with venv and pip, and Rust. PYTHON picks the interpreter (python3).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=target/python-venv

if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
    # Debian and Ubuntu ship venv's pip separately.
    if command -v apt-get >/dev/null 2>&1; then
        ver=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        echo "python-test: installing python${ver}-venv" >&2
        apt-get update -qq
        apt-get install -y -qq "python${ver}-venv" || apt-get install -y -qq python3-venv
    else
        echo "python-test: $PYTHON has no venv/ensurepip module; install it" >&2
        exit 2
    fi
fi

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
# A hash of the pins: reinstall only when they change.
stamp="$VENV/.requirements-$(sha256sum python/requirements-test.txt | cut -c1-16)"
if [ ! -e "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -r python/requirements-test.txt
    touch "$stamp"
fi

export VIRTUAL_ENV="$PWD/$VENV"
export PATH="$VIRTUAL_ENV/bin:$PATH"
# The extension in the release profile, as users get it (the memory and Dask tests convert
# generated responses of several MB). The CLI it is compared with is the debug binary that
# `cargo test --workspace` has already built: the same code, and no second release build.
maturin develop --release --locked --quiet
cargo build --locked --quiet --bin pagetree
export PAGETREE_BIN="${PAGETREE_BIN:-$PWD/target/debug/pagetree}"

set +e
python -m pytest python/tests -q -p no:cacheprovider "$@"
code=$?
set -e
# pytest's 5 means no test ran: a failure here, never a pass.
if [ "$code" -eq 5 ]; then
    echo "python-test: pytest ran no tests" >&2
    exit 1
fi
exit "$code"
