#!/usr/bin/env bash
# Progress and dashboard benchmark (issue #4, item 9): clusterdesk's store against DuckDB on the
# same raw values, in the same run. Usage: bench/progress.sh [--smoke]
#   --smoke   300 enterprises, 3 runs, debug build. Smoke and full runs alike need the DuckDB
#             peer (python3 -m venv, so Debian's python3-venv, and pip's network) and fail,
#             saying why, without it.
# Full: 20,000 enterprises (the city scale: 14.4M enterprise values) and the sizes in
# PROGRESS_SIZES (e.g. PROGRESS_SIZES="20000 60000"), 9 runs each inside one process, median
# reported. The questions are defined in BENCHMARKS.md; both sides print their answers in
# stored units and the run fails unless they are identical.
# Data, made once per size and kept in bench/out (delete progress-N.* to remake):
#   1. `clusterdesk demo --enterprises N --seed 7 --from 2020-01 --to 2025-12` (the real schema
#      after every migration: plan, clusters, enterprises, dated memberships and qualifications,
#      yearly enterprise figures, monthly cluster figures);
#   2. bench/gen_values.py: N enterprises × 72 months × 10 indicators of raw monthly values,
#      inserted straight into data_values (no CSV: the province scale is 144M values);
#   3. the same tables copied into a DuckDB file for the peer (not timed).
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0; [[ ${1:-} == --smoke ]] && smoke=1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$(pwd)/target}
if ((smoke)); then
  cargo build --quiet -p clusterdesk-cli
  BIN=$CARGO_TARGET_DIR/debug/clusterdesk
  sizes=(300); runs=3
else
  cargo build --quiet --release -p clusterdesk-cli
  BIN=$CARGO_TARGET_DIR/release/clusterdesk
  read -r -a sizes <<<"${PROGRESS_SIZES:-20000}"; runs=9
fi
out=bench/out; mkdir -p "$out"
export CLUSTERDESK_DEMO_PASSWORD='Bench-Pass-2026!'
as_of=2025-12

# The DuckDB peer in its own virtualenv, pinned by bench/peers/requirements-duckdb.txt.
venv=$out/duckdb-venv
peer=1
if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet -r bench/peers/requirements-duckdb.txt; } >"$out/duckdb-install.log" 2>&1; then
    # No comparison is no benchmark, in a smoke run too: say why and fail.
    why="see $out/duckdb-install.log"
    python3 -c 'import ensurepip' 2>/dev/null ||
      why="python3 has no venv support: install Debian's python3-venv (apt-get install python3-venv)"
    echo "duckdb could not be installed ($why): the DuckDB comparison cannot run" >&2
    exit 1
  fi
fi

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); python3 -c "print(f'{$t1-$t0:.1f}')"; }

for n in "${sizes[@]}"; do
  db=$out/progress-$n.db
  ((smoke)) && rm -f "$db" "$db-wal" "$db-shm" "$db.ready" "$out/progress-$n.duckdb"
  if [[ ! -f $db.ready ]]; then
    rm -f "$db" "$db-wal" "$db-shm" "$out/progress-$n.duckdb"
    # About 170 bytes a value with its indexes and the DuckDB copy on top: refuse rather than
    # fill a disk that other work shares.
    need_kb=$((n * 72 * 10 * 190 / 1024))
    free_kb=$(df -Pk "$out" | awk 'NR == 2 {print $4}')
    if ((free_kb < need_kb + 4 * 1024 * 1024)); then
      echo "not enough free disk for $n enterprises: $((free_kb / 1024)) MiB free, about $((need_kb / 1024 + 4096)) MiB wanted" >&2
      exit 1
    fi
    echo "making $db: demo $(seconds "$BIN" --db "$db" demo --enterprises "$n" --seed 7 --from 2020-01 --to 2025-12) s"
    t0=$(date +%s.%N)
    generated=$(python3 bench/gen_values.py "$db" --from 2020-01 --months 72 --seed 2025) \
      || { echo "bench/gen_values.py failed on $db" >&2; rm -f "$db"; exit 1; }
    echo "  generated $generated raw values" \
      "into data_values in $(python3 -c "import time; print(f'{time.time()-$t0:.1f}')") s;" \
      "it now holds $(sqlite3 "$db" 'SELECT COUNT(*) FROM data_values') rows, $(du -h "$db" | cut -f1)"
    touch "$db.ready"
  fi
  if ((peer)) && [[ ! -f $out/progress-$n.duckdb ]]; then
    echo "  copied into DuckDB (not timed) in $(seconds "$venv/bin/python" bench/peers/duckdb_progress.py prepare "$db" "$out/progress-$n.duckdb") s"
  fi
  "$BIN" --db "$db" progress --as-of $as_of --bench-runs $runs >"$out/progress-clusterdesk-$n.json"
  if ((peer)); then
    "$venv/bin/python" bench/peers/duckdb_progress.py run "$out/progress-$n.duckdb" --as-of $as_of --runs $runs \
      >"$out/progress-duckdb-$n.json"
  fi
  python3 - "$n" "$out/progress-clusterdesk-$n.json" ${peer:+"$out/progress-duckdb-$n.json"} <<'PY'
import json, statistics, sys
n, files = sys.argv[1], sys.argv[2:]
rs = [json.load(open(f)) for f in files]
med = lambda xs: statistics.median(xs)
print(f"{'enterprises':>11} {'engine':<14} {'progress_ms':>11} {'cpu_ms':>8} {'dashboard_ms':>12} {'cpu_ms':>8}"
      "  wall range (progress | dashboard)")
for r in rs:
    p, d = r["progress_ms"], r["dashboard_ms"]
    print(f"{n:>11} {r['engine']:<14} {med(p):11.1f} {med(r['progress_cpu_ms']):8.1f} {med(d):12.1f}"
          f" {med(r['dashboard_cpu_ms']):8.1f}  {min(p):.1f}–{max(p):.1f} | {min(d):.1f}–{max(d):.1f}")
if len(rs) == 2:
    a, b = rs
    for q in ("progress", "dashboard"):
        if a[q] != b[q]:
            print(f"MISMATCH in {q} at {n} enterprises:", file=sys.stderr)
            for k in sorted(set(a[q]) | set(b[q])):
                if a[q].get(k) != b[q].get(k):
                    print(f"  {k}: clusterdesk {a[q].get(k)}  duckdb {b[q].get(k)}", file=sys.stderr)
            sys.exit(1)
    print(f"answers identical ({len(a['progress'])} targets' series; dashboard of {a['dashboard']['latest_month']}, "
          f"{len(a['dashboard']['clusters'])} clusters, top {len(a['dashboard']['top'])});"
          f" DuckDB time ÷ clusterdesk time (wall): progress {med(b['progress_ms']) / med(a['progress_ms']):.2f}×,"
          f" dashboard {med(b['dashboard_ms']) / med(a['dashboard_ms']):.2f}×")
PY
done
