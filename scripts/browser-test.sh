#!/usr/bin/env bash
# Browser tests of `pagetree view`: every fixture, every real response in ../shared/realdata
# (when that folder exists) and a generated 300-page response are opened in headless Chromium
# and checked as a person would see them (scripts/browser_test.py). Screenshots of each first
# page and the generated files go to target/browser-test/.
#
# Chromium comes from the distribution (`apt-get install chromium`), installed here when
# missing and possible; nothing is downloaded otherwise. Without a browser the tests are
# skipped with a notice, and fail under CI=true. So is a missing realdata folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

find_chromium() { command -v chromium || command -v chromium-browser || true; }
chromium=$(find_chromium)
if [ -z "$chromium" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing chromium (apt-get) for the browser tests..." >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 || true
    chromium=$(find_chromium)
fi
if [ -z "$chromium" ]; then
    msg="browser tests skipped: no chromium, and it could not be installed (apt-get install chromium)"
    if [ "${CI:-}" = true ]; then echo "error: $msg" >&2; exit 1; fi
    echo "notice: $msg" >&2
    exit 0
fi

cargo build --quiet --bin pagetree
target=${CARGO_TARGET_DIR:-$root/target}
out=$target/browser-test
mkdir -p "$out"

inputs=(testdata/v2_full.json testdata/v2_messy.json testdata/v2_failed_pages.json
        testdata/v2_merged_tables.json testdata/v2_sdk_dump.json testdata/v1_result.json
        testdata/quality_values.json testdata/quality_structure.json testdata/tables_spans.json)

# REALDATA points elsewhere when the repository is not checked out beside ../shared.
realdata=${REALDATA:-$root/../shared/realdata}
if [ -d "$realdata" ]; then
    for f in "$realdata"/*.json; do inputs+=("$f"); done
elif [ "${CI:-}" = true ]; then
    echo "error: $realdata is missing (the real-response browser tests need it)" >&2
    exit 1
else
    echo "notice: $realdata not found; real responses not tested in the browser" >&2
fi

pages=${VIEW_TEST_PAGES:-300}
synth=$out/synth-${pages}p.json
if [ ! -s "$synth" ]; then
    cargo run --quiet -p pagetree-synth --example synth -- "$pages" "$synth" --markdown --text
fi
inputs+=("$synth")

python3 scripts/browser_test.py --bin "$target/debug/pagetree" --out "$out" --chromium "$chromium" "${inputs[@]}"
