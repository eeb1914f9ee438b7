#!/usr/bin/env bash
# Whole-process speed and peak memory of pagetree against the serde_json baseline and the
# Python peer (issue 8), on generated ~30 MB and ~300 MB responses, all measured in one run so
# that the ratios hold on whatever machine runs it.
#
#   scripts/bench.sh [--json FILE] [--repeat N]
#
# Environment:
#   BENCH_PAGES_SMALL  pages of the small response (default 2000, about 31 MB)
#   BENCH_PAGES_LARGE  pages of the large response (default 20000, about 310 MB); 0 skips it
#   BENCH_FILES        responses in the folder case (default 2000; 0 skips it): a folder of
#                      that many generated responses of BENCH_FILE_PAGES pages (default 10)
#                      each, about 300 MB, the shape of a collection of saved responses
#   BENCH_REPEAT       runs per measurement, the median is reported (default 3)
#   BENCH_DIR          where inputs and outputs go (default: a temp dir, removed at the end);
#                      inputs already there are reused, since the generator is deterministic
#   BENCH_OUT          where outputs go instead (e.g. /dev/shm, to take the file system's cost
#                      of creating thousands of table files out of the figures)
#   BENCH_PEER         the Python peer script (default ../shared/bench/py_md.py)
#   BENCH_TIMER        gnu-time, python3 or wall-only (default: the first that works here)
#   BENCH_CHUNK_ROWS   chunk cost: rows of the one-table response at 4x (default 150000; 0
#                      skips it), chunked with --max-tokens 500 at 1x, 2x and 4x
#   BENCH_CHUNK_KB     chunk cost: KB of the one-paragraph response at 4x (default 300; 0
#                      skips it), chunked with --max-tokens 8000 at 1x, 2x and 4x
#   BENCH_TABLE_COLS   columns of the wide-table shape at 1x (default 10000; 0 skips it): one
#                      table of 10 rows, `quality` timed at 1x, 2x and 4x the columns
#   BENCH_TABLE_ROWS   rows of the tall-table shape at 1x (default 50000; 0 skips it): one
#                      table of 3 columns, timed at 1x, 2x and 4x the rows. Linear cost shows
#                      as a time ratio of about 2 and 4 (quadratic: 4 and 16)
#   BENCH_ITEM_MB      MB of the one-paragraph item of the huge-item shape (default 50; 0
#                      skips it): `chunks` and `elements` timed, with peak memory per MB of item
#
# A quick run: BENCH_PAGES_SMALL=200 BENCH_PAGES_LARGE=2000 scripts/bench.sh
#
# Contenders are one line each in `contenders` below; `pagetree markdown` and `pagetree convert`
# join automatically once the binary has those subcommands.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
json_out=""
repeat=${BENCH_REPEAT:-3}
while [[ $# -gt 0 ]]; do
    case $1 in
        --json) json_out=${2:?--json needs a file}; shift 2 ;;
        --repeat) repeat=${2:?--repeat needs a number}; shift 2 ;;
        -h | --help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
pages_small=${BENCH_PAGES_SMALL:-2000}
pages_large=${BENCH_PAGES_LARGE:-20000}
files=${BENCH_FILES:-2000}
file_pages=${BENCH_FILE_PAGES:-10}
peer=${BENCH_PEER:-$root/../shared/bench/py_md.py}

if [[ -n ${BENCH_DIR:-} ]]; then
    dir=$BENCH_DIR
    mkdir -p "$dir"
else
    dir=$(mktemp -d "${TMPDIR:-/tmp}/pagetree-bench.XXXXXX")
    trap 'rm -rf "$dir"' EXIT
fi

echo "building release binaries..." >&2
(cd "$root" && cargo build --release --quiet -p pagetree-synth --example synth --example shapes --example parse_value --example parse_typed --example big_table \
    && cargo build --release --quiet --bin pagetree)
target=${CARGO_TARGET_DIR:-$root/target}
synth=$target/release/examples/synth
shapes=$target/release/examples/shapes
big_table=$target/release/examples/big_table
parse_value=$target/release/examples/parse_value
parse_typed=$target/release/examples/parse_typed
pagetree=$target/release/pagetree

# --- the timer: GNU time for peak RSS, else a python3 wrapper, else wall time only ---------
if [[ -n ${BENCH_TIMER:-} ]]; then
    timer=$BENCH_TIMER # for testing the fallbacks
elif /usr/bin/time -f '%M' -o /dev/null true 2>/dev/null; then
    timer=gnu-time
elif command -v python3 >/dev/null; then
    timer=python3
else
    timer=wall-only
fi

# Seconds between two `date +%s%N` readings, to the microsecond.
seconds() {
    local us=$(( ($2 - $1) / 1000 ))
    printf '%d.%06d' $(( us / 1000000 )) $(( us % 1000000 ))
}

# Runs a command; prints "SECONDS RSS_KIB" (RSS "null" when unknown). Its output goes to $log.
run_timed() {
    local log=$1
    shift
    case $timer in
        gnu-time)
            local t0 t1 rc=0
            t0=$(date +%s%N)
            /usr/bin/time -f '%M' -o "$dir/.rss" "$@" >"$log" 2>&1 || rc=$?
            t1=$(date +%s%N)
            [[ $rc -eq 0 ]] || return $rc
            echo "$(seconds "$t0" "$t1") $(tail -n 1 "$dir/.rss")"
            ;;
        python3)
            python3 - "$@" 2>"$log" <<'EOF'
import resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=sys.stderr).returncode
wall = time.perf_counter() - t
if rc:
    sys.exit(rc)
# ru_maxrss of the (single) waited-for child, in KiB on Linux.
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
            ;;
        wall-only)
            local t0 t1
            t0=$(date +%s%N)
            "$@" >"$log" 2>&1 || return $?
            t1=$(date +%s%N)
            echo "$(seconds "$t0" "$t1") null"
            ;;
    esac
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# --- contenders: a name and a command with {FILE} and {OUT} placeholders ---------------------
# The first one is the baseline every ratio divides by.
contenders=()
add() { contenders+=("$1"$'\t'"$2"); }
add baseline "$(printf %q "$parse_value") {FILE}"
# Parse and write the value back: a reference for `convert`, which writes more than it reads.
add serde-rewrite "$(printf %q "$parse_value") {FILE} {OUT}.json"
# A floor for any converter built on serde_json: the fields `convert` reads parsed into derived
# structs that borrow their strings, a page at a time, on one thread, and nothing else.
add typed-floor "$(printf %q "$parse_typed") {FILE}"
if [[ -f $peer ]] && command -v python3 >/dev/null; then
    add python-json "python3 $(printf %q "$peer") json {FILE} {OUT}.md"
    if python3 -c 'import orjson' 2>/dev/null; then
        add python-orjson "python3 $(printf %q "$peer") orjson {FILE} {OUT}.md"
        # The tuned peer: no cyclic GC passes while the tree is built (the strongest Python).
        add python-orjson-nogc "python3 $(printf %q "$peer") orjson-nogc {FILE} {OUT}.md"
    fi
else
    echo "note: no Python peer ($peer or python3 missing); skipping it" >&2
fi
has_subcommand() { "$pagetree" "$1" --help >/dev/null 2>&1; }
# On a folder, `{FILE}` is the folder and `{FILES}` its `*.json`; `{OUT}.md` a folder too.
has_subcommand markdown && add pagetree-markdown "$(printf %q "$pagetree") markdown {FILES} -o {OUT}.md"
has_subcommand convert && add pagetree-convert "$(printf %q "$pagetree") convert {FILE} -o {OUT}.d"
# Every other command, for its peak memory (issue 19: every command in bounded memory). Single
# responses only: these are the commands' own outputs, not a comparison with the baseline.
pt=$(printf %q "$pagetree")
has_subcommand text && add pagetree-text "$pt text {FILE} -o {OUT}.md"
has_subcommand elements && add pagetree-elements "$pt elements {FILE} -o {OUT}.json"
has_subcommand chunks && add pagetree-chunks "$pt chunks {FILE} -o {OUT}.json"
has_subcommand tables && add pagetree-tables "$pt tables {FILE} -o {OUT}.d"
has_subcommand quality && add pagetree-quality "$pt quality --format json {FILE} -o {OUT}.json"
# Every output of one run: the five of the first pass, then the chunk pass (quality's report
# is held until the end of the document; the chunker holds the pages back to its last cut).
has_subcommand convert && "$pagetree" convert --help 2>/dev/null | grep -q quality &&
    add pagetree-convert-all "$pt convert --to markdown,text,tables,elements,quality,chunks {FILE} -o {OUT}.d"
has_subcommand inspect && add pagetree-inspect "sh -c '$pt inspect --json \"\$0\" >/dev/null' {FILE}"

sizes=("small:$pages_small")
[[ $pages_large -gt 0 ]] && sizes+=("large:$pages_large")
[[ $files -gt 0 ]] && sizes+=("folder:$files")

failed=0
json_files=()
printf '%-6s %-18s %10s %9s %9s %10s\n' file contender MB/s ratio "RSS MiB" "median s"
for size in "${sizes[@]}"; do
    label=${size%%:*}
    pages=${size#*:}
    if [[ $label == folder ]]; then
        # N responses of a few pages, each with its own seed; `pages` counts them all.
        input=$dir/synth-${pages}x${file_pages}p
        if [[ ! -s $input/done ]]; then
            echo "generating $pages responses of $file_pages pages..." >&2
            mkdir -p "$input"
            for ((f = 1; f <= pages; f++)); do
                "$synth" "$file_pages" "$(printf '%s/r%05d.json' "$input" "$f")" --seed "$f" 2>/dev/null
            done
            echo "$pages" >"$input/done"
        fi
        bytes=$(cat "$input"/*.json | wc -c)
        pages=$((pages * file_pages))
    else
        input=$dir/synth-${pages}p-seed42.json
        if [[ ! -s $input ]]; then
            echo "generating $pages pages..." >&2
            "$synth" "$pages" "$input" 2>/dev/null
        fi
        bytes=$(wc -c <"$input")
    fi
    # Rounds: every contender once per round, so a change in the machine's load (it is shared)
    # shifts all of them alike instead of one contender's whole series.
    n=${#contenders[@]}
    walls=() rsss=() oks=()
    for ((k = 0; k < n; k++)); do walls[k]="" rsss[k]="" oks[k]=1; done
    for ((i = 0; i < repeat; i++)); do
        for ((k = 0; k < n; k++)); do
            [[ ${oks[k]} -eq 1 ]] || continue
            c=${contenders[k]}
            name=${c%%$'\t'*}
            cmd=${c#*$'\t'}
            # The Python peer reads one file per process, serde-rewrite writes one file and
            # typed-floor reads one: none has a folder form.
            if [[ $label == folder && ( $name == python-* || $name == serde-rewrite || $name == typed-floor ) ]] ||
                [[ $label == folder && $name == pagetree-* && $name != pagetree-markdown && $name != pagetree-convert ]]; then
                oks[k]=2
                continue
            fi
            out=${BENCH_OUT:-$dir}/out-$name
            if [[ $label == folder ]]; then
                cmd=${cmd//\{FILES\}/$(printf %q "$input")/*.json}
            else
                cmd=${cmd//\{FILES\}/$(printf %q "$input")}
            fi
            cmd=${cmd//\{FILE\}/$(printf %q "$input")}
            cmd=${cmd//\{OUT\}/$(printf %q "$out")}
            rm -rf "$out.md" "$out.d" "$out.json"
            if ! m=$(eval "run_timed $(printf %q "$dir/$name.log") $cmd"); then
                echo "error: $name failed on $input; last output:" >&2
                tail -n 5 "$dir/$name.log" >&2
                oks[k]=0
                failed=1
            else
                walls[k]+=" ${m%% *}"
                rsss[k]+=" ${m#* }"
            fi
            rm -rf "$out.md" "$out.d" "$out.json"
        done
    done
    base_s=""
    json_rows=()
    for ((k = 0; k < n; k++)); do
        name=${contenders[k]%%$'\t'*}
        [[ ${oks[k]} -eq 2 ]] && continue # no form for this input
        if [[ ${oks[k]} -eq 0 ]]; then
            json_rows+=("{\"contender\":\"$name\",\"failed\":true}")
            continue
        fi
        s=$(echo "${walls[k]}" | median)
        [[ -n $base_s ]] || base_s=$s
        if [[ ${rsss[k]} == *null* ]]; then rss_mib=null; else
            rss_mib=$(echo "${rsss[k]}" | median | awk '{printf "%.1f", $1 / 1024}')
        fi
        mbs=$(awk -v b="$bytes" -v s="$s" 'BEGIN {printf "%.1f", b / 1e6 / s}')
        ratio=$(awk -v b="$base_s" -v s="$s" 'BEGIN {printf "%.2f", b / s}')
        printf '%-6s %-18s %10s %8sx %9s %10.3f\n' "$label" "$name" "$mbs" "$ratio" "$rss_mib" "$s"
        runs=$(echo "${walls[k]}" | awk '{for (i = 1; i <= NF; i++) printf "%s%.4f", (i > 1 ? "," : ""), $i}')
        json_rows+=("{\"contender\":\"$name\",\"median_s\":$(printf '%.4f' "$s"),\"mb_per_s\":$mbs,\"ratio_to_baseline\":$ratio,\"peak_rss_mib\":$rss_mib,\"runs_s\":[$runs]}")
    done
    rows=$(IFS=,; echo "${json_rows[*]}")
    json_files+=("{\"file\":\"$label\",\"pages\":$pages,\"bytes\":$bytes,\"results\":[$rows]}")
done

# --- chunk cost: the shapes that made chunking quadratic, at 1x, 2x and 4x -------------------
# Linear cost shows as the time doubling with the size.
chunk_rows=${BENCH_CHUNK_ROWS:-150000}
chunk_kb=${BENCH_CHUNK_KB:-300}
chunk_json=()
for shape in "rows:$chunk_rows:500" "paragraph:$chunk_kb:8000"; do
    IFS=: read -r kind full tokens <<<"$shape"
    [[ $full -gt 0 ]] || continue
    for part in 4 2 1; do
        size=$((full / part))
        input=$dir/shape-$kind-$size.json
        [[ -s $input ]] || "$shapes" "$kind" "$size" "$input"
        walls=""
        for ((i = 0; i < repeat; i++)); do
            m=$(run_timed "$dir/chunks.log" "$pagetree" chunks --max-tokens "$tokens" "$input" -o "$dir/out.chunks.jsonl")
            walls+=" ${m%% *}"
        done
        s=$(echo "$walls" | median)
        printf 'chunks %-10s %8s --max-tokens %-5s %10.3f s\n' "$kind" "$size" "$tokens" "$s"
        chunk_json+=("{\"shape\":\"$kind\",\"size\":$size,\"max_tokens\":$tokens,\"median_s\":$(printf '%.4f' "$s")}")
    done
done
rm -f "$dir/out.chunks.jsonl"

# --- table shapes: `quality` on one large table, at 1x, 2x and 4x its columns or rows ---------
table_cols=${BENCH_TABLE_COLS:-10000}
table_rows=${BENCH_TABLE_ROWS:-50000}
shape_rows=()
table_shapes=()
[[ $table_cols -gt 0 ]] && table_shapes+=("wide:10:$table_cols")
[[ $table_rows -gt 0 ]] && table_shapes+=("tall:$table_rows:3")
[[ ${#table_shapes[@]} -gt 0 ]] && printf '\n%-6s %-8s %8s %8s %10s %7s\n' shape scale rows cols "median s" "x 1x"
for shape in "${table_shapes[@]}"; do
    IFS=: read -r label rows0 cols0 <<<"$shape"
    base_s=""
    for scale in 1 2 4; do
        rows=$rows0 cols=$cols0
        if [[ $label == wide ]]; then cols=$((cols0 * scale)); else rows=$((rows0 * scale)); fi
        input=$dir/table-${rows}x${cols}.json
        [[ -s $input ]] || "$big_table" "$rows" "$cols" "$input"
        walls=""
        for ((i = 0; i < repeat; i++)); do
            if ! m=$(run_timed "$dir/quality-$label.log" "$pagetree" quality --format json "$input"); then
                echo "error: quality failed on $input" >&2
                tail -n 5 "$dir/quality-$label.log" >&2
                failed=1
                continue 2
            fi
            walls+=" ${m%% *}"
        done
        s=$(echo "$walls" | median)
        [[ -n $base_s ]] || base_s=$s
        ratio=$(awk -v b="$base_s" -v s="$s" 'BEGIN {printf "%.2f", s / b}')
        printf '%-6s %-8s %8s %8s %10.3f %6sx\n' "$label" "${scale}x" "$rows" "$cols" "$s" "$ratio"
        shape_rows+=("{\"shape\":\"$label\",\"scale\":$scale,\"rows\":$rows,\"cols\":$cols,\"median_s\":$(printf '%.4f' "$s"),\"ratio_to_1x\":$ratio}")
    done
done

# --- one huge item: a response whose one paragraph is BENCH_ITEM_MB MB (its md and its text,
# so the file is twice that), through `chunks` and `elements`; peak memory should stay a small
# multiple of the item (it was 32x for chunks and 11x for elements on 50 MB) ----------------
item_mb=${BENCH_ITEM_MB:-50}
if [[ $item_mb -gt 0 ]]; then
    input=$dir/shape-item-${item_mb}mb.json
    [[ -s $input ]] || "$shapes" paragraph "$((item_mb * 1000))" "$input"
    printf '\n%-18s %8s %10s %10s %9s\n' "one item" "item MB" "median s" "peak MiB" "x item"
    for c in chunks elements; do
        walls="" rsss=""
        for ((i = 0; i < repeat; i++)); do
            m=$(run_timed "$dir/item.log" "$pagetree" "$c" "$input" -o "$dir/out.item") || { failed=1; continue 2; }
            walls+=" ${m%% *}" rsss+=" ${m#* }"
        done
        s=$(echo "$walls" | median)
        if [[ $rsss == *null* ]]; then mib=null x=null; else
            mib=$(echo "$rsss" | median | awk '{printf "%.1f", $1 / 1024}')
            x=$(awk -v m="$mib" -v i="$item_mb" 'BEGIN {printf "%.1f", m * 1.048576 / i}')
        fi
        printf '%-18s %8s %10.3f %10s %8sx\n' "pagetree-$c" "$item_mb" "$s" "$mib" "$x"
    done
    rm -f "$dir/out.item"
fi

if [[ -n $json_out ]]; then
    files=$(IFS=,; echo "${json_files[*]}")
    tables=$(IFS=,; echo "${shape_rows[*]}")
    printf '{"schema":"pagetree-bench","version":1,"timer":"%s","cores":%s,"repeat":%s,"files":[%s],"table_shapes":[%s]}\n' \
        "$timer" "$(nproc 2>/dev/null || echo null)" "$repeat" "$files" "$tables" >"$json_out"
    chunk_rows_json=$(IFS=,; echo "${chunk_json[*]:-}")
    # The chunk cost rows, beside the throughput files.
    python3 - "$json_out" "[$chunk_rows_json]" <<'PY' 2>/dev/null || true
import json, sys
path, rows = sys.argv[1], json.loads(sys.argv[2])
doc = json.load(open(path))
doc["chunk_cost"] = rows
json.dump(doc, open(path, "w"))
PY
    echo "wrote $json_out" >&2
fi
exit $failed
