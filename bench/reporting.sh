#!/usr/bin/env bash
# Reporting benchmarks (issue #3 item 9), each against its peer in the same run:
#   import  one month of 企业月报 (N enterprises × 10 indicators) through `clusterdesk import`, one
#           template file per county, all checks on  vs  sqlite3 .import / psql \copy of the
#           same values as stored, into the same table of a copy of the same database.
#   bulk    five years × 12 months × N enterprises × 10 indicators through `clusterdesk values
#           load`  vs  sqlite3 ".import --csv" / psql \copy of the same rows.
# Both databases must hold the same row count and sum afterwards, or the run fails.
# Usage: bench/reporting.sh [--smoke] [import|bulk]   (BIN=… to use a given binary)
#   N=20000 enterprises, RUNS=3 runs (BULK_RUNS for the bulk load), YEARS=5 by default;
#   --smoke: N=300, one run, one year. PostgreSQL rows when CLUSTERDESK_TEST_PG is set.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
smoke=0; [[ ${1:-} == --smoke ]] && { smoke=1; shift; }
only=${1:-all}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$(pwd)/target}
if [[ -z ${BIN:-} ]]; then
  if ((smoke)); then
    cargo build --quiet -p clusterdesk-cli; BIN=$CARGO_TARGET_DIR/debug/clusterdesk
  else
    cargo build --quiet --release -p clusterdesk-cli; BIN=$CARGO_TARGET_DIR/release/clusterdesk
  fi
fi
command -v sqlite3 >/dev/null || { echo "bench/reporting.sh needs the sqlite3 command-line tool" >&2; exit 1; }
if ((smoke)); then N=${N:-300}; RUNS=1; BULK_RUNS=1; YEARS=${YEARS:-1}
else N=${N:-20000}; RUNS=${RUNS:-3}; BULK_RUNS=${BULK_RUNS:-$RUNS}; YEARS=${YEARS:-5}; fi
pg=${CLUSTERDESK_TEST_PG:-}
export PGOPTIONS='-c client_min_messages=warning'
out=bench/out/reporting; rm -rf "$out"; mkdir -p "$out"
export CLUSTERDESK_DEMO_PASSWORD='Bench-Pass-2026!'
PERIOD=2026-03

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); python3 -c "print(f'{$t1-$t0:.3f}')"; }
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
# count|sum of the values a workload wrote
totals() { # engine db where
  local q="SELECT COUNT(*) || '|' || COALESCE(SUM(num_value), 0) FROM data_values WHERE $3"
  if [[ $1 == sqlite ]]; then sqlite3 "$2" "$q"; else psql -qtA "$2" -c "$q"; fi
}
same() { # label a b
  [[ $2 == "$3" ]] || { echo "FAIL $1: clusterdesk has $2, the peer has $3 (count|sum)" >&2; exit 1; }
}

# --- the base: N enterprises registered (the demo city of 2025 only: its monthly enterprise
#     figures start in 2025-01, after the bulk load's years and before the imported month, so
#     they never collide with what is loaded here), one per engine; each run works on a copy.
base_sqlite=$out/base.db
"$BIN" --db "$base_sqlite" demo --enterprises "$N" --seed 7 --from 2025-01 --to 2025-12 >/dev/null
sqlite3 "$base_sqlite" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
sqlite3 -csv "$base_sqlite" "SELECT uscc, county_code FROM enterprises ORDER BY county_code, uscc" >"$out/enterprises.csv"
pgbase=
if [[ -n $pg ]]; then
  pgbase=cdbench_base_$$
  psql -q "$pg" -c "CREATE DATABASE $pgbase" >/dev/null
  "$BIN" --db "${pg%/*}/$pgbase" demo --enterprises "$N" --seed 7 --from 2025-01 --to 2025-12 >/dev/null
  trap 'psql -q "$pg" -c "DROP DATABASE IF EXISTS $pgbase" >/dev/null' EXIT
fi
copy_sqlite() { rm -f "$1" "$1-wal" "$1-shm"; cp "$base_sqlite" "$1"; }
new_pg() { psql -q "$pg" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 TEMPLATE $pgbase" >/dev/null; echo "${pg%/*}/$1"; }
drop_pg() { psql -q "$pg" -c "DROP DATABASE IF EXISTS $1" >/dev/null; }
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $(sqlite3 --version | cut -d' ' -f1) sqlite3 CLI"

# --- import: one month of 企业月报 ---------------------------------------------------------------
if [[ $only == all || $only == import ]]; then
  d=$out/import; mkdir -p "$d"
  python3 bench/peers/gen_monthly.py import "$out/enterprises.csv" "$d" "$PERIOD"
  files=("$d"/import-*.csv)
  # The months before PERIOD, so that 1–N月累计 figures are turned into monthly values.
  prep_sqlite() { copy_sqlite "$1"; "$BIN" --db "$1" values load "$d/history.csv" >/dev/null; }
  import_all() { local f; for f in "${files[@]}"; do "$BIN" --db "$1" import --dataset enterprise_monthly "$f"; done; }
  where="period = '$PERIOD'"
  printf '%-10s %-12s %8s %10s %s\n' engine tool values seconds runs
  for engine in sqlite ${pg:+postgres}; do
    ours=(); peer=()
    for ((r = 0; r < RUNS; r++)); do
      if [[ $engine == sqlite ]]; then
        a=$d/ours.db; b=$d/peer.db; prep_sqlite "$a"; prep_sqlite "$b"
        ours+=("$(seconds import_all "$a")")
        peer+=("$(seconds sqlite3 "$b" ".import --csv $d/peer.csv data_values")")
      else
        a=$(new_pg cdbench_imp_a_$$); b=$(new_pg cdbench_imp_b_$$)
        "$BIN" --db "$a" values load "$d/history.csv" >/dev/null; "$BIN" --db "$b" values load "$d/history.csv" >/dev/null
        ours+=("$(seconds import_all "$a")")
        peer+=("$(seconds psql -q "$b" -c "\\copy data_values FROM '$d/peer.csv' WITH (FORMAT csv)")")
      fi
      ta=$(totals $engine "$a" "$where"); tb=$(totals $engine "$b" "$where")
      same "import $engine" "$ta" "$tb"
      [[ ${ta%|*} == $((N * 10)) ]] || { echo "FAIL import $engine: $ta values, want $((N * 10))" >&2; exit 1; }
      [[ $engine == postgres ]] && { drop_pg cdbench_imp_a_$$; drop_pg cdbench_imp_b_$$; }
    done
    peername=$([[ $engine == sqlite ]] && echo "sqlite3 .import" || echo "psql \\copy")
    printf '%-10s %-12s %8s %10s %s\n' "$engine" clusterdesk "${ta%|*}" "$(median "${ours[@]}")" "${ours[*]}"
    printf '%-10s %-12s %8s %10s %s\n' "$engine" "$peername" "${tb%|*}" "$(median "${peer[@]}")" "${peer[*]}"
    echo "import $engine: clusterdesk/peer time ratio $(ratio "$(median "${ours[@]}")" "$(median "${peer[@]}")"), same count|sum $ta"
  done
fi

# --- bulk: YEARS × 12 months of history -------------------------------------------------------
if [[ $only == all || $only == bulk ]]; then
  d=$out/bulk; mkdir -p "$d"
  python3 bench/peers/gen_monthly.py bulk "$out/enterprises.csv" "$d" "$((2025 - YEARS))-01" 2024-12
  want=$((N * 10 * 12 * YEARS))
  where="period LIKE '____-__' AND period BETWEEN '$((2025 - YEARS))-01' AND '2024-12' AND unit_code IN (SELECT uscc FROM enterprises)"
  printf '%-10s %-12s %10s %10s %s\n' engine tool values seconds runs
  for engine in sqlite ${pg:+postgres}; do
    ours=(); peer=()
    for ((r = 0; r < BULK_RUNS; r++)); do
      if [[ $engine == sqlite ]]; then
        a=$d/ours.db; b=$d/peer.db; copy_sqlite "$a"; copy_sqlite "$b"
        ours+=("$(seconds "$BIN" --db "$a" values load "$d/values.csv")")
        peer+=("$(seconds sqlite3 "$b" ".import --csv $d/peer.csv data_values")")
      else
        a=$(new_pg cdbench_blk_a_$$); b=$(new_pg cdbench_blk_b_$$)
        ours+=("$(seconds "$BIN" --db "$a" values load "$d/values.csv")")
        peer+=("$(seconds psql -q "$b" -c "\\copy data_values FROM '$d/peer.csv' WITH (FORMAT csv)")")
      fi
      ta=$(totals $engine "$a" "$where"); tb=$(totals $engine "$b" "$where")
      same "bulk $engine" "$ta" "$tb"
      [[ ${ta%|*} == "$want" ]] || { echo "FAIL bulk $engine: $ta values, want $want" >&2; exit 1; }
      if [[ $engine == sqlite ]]; then rm -f "$a"* "$b"*; else drop_pg cdbench_blk_a_$$; drop_pg cdbench_blk_b_$$; fi
    done
    peername=$([[ $engine == sqlite ]] && echo "sqlite3 .import" || echo "psql \\copy")
    printf '%-10s %-12s %10s %10s %s\n' "$engine" clusterdesk "${ta%|*}" "$(median "${ours[@]}")" "${ours[*]}"
    printf '%-10s %-12s %10s %10s %s\n' "$engine" "$peername" "${tb%|*}" "$(median "${peer[@]}")" "${peer[*]}"
    echo "bulk $engine: clusterdesk/peer time ratio $(ratio "$(median "${ours[@]}")" "$(median "${peer[@]}")"), same count|sum $ta"
  done
  rm -f "$d"/values.csv "$d"/peer.csv
fi
echo "median of the runs; all runs listed; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
