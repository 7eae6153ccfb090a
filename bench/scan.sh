#!/usr/bin/env bash
# Eligibility scan (免申即享) benchmark: clusterdesk's policy engine against a minimal OpenFisca
# model of the same incentives (bench/peers/openfisca_scan.py), on the same facts, in the same
# run. Usage: bench/scan.sh [--smoke]
#   --smoke   2,000 enterprises, one run, debug build. Smoke and full runs alike need the
#             OpenFisca peer (python3 -m venv, so Debian's python3-venv, and pip's network)
#             and fail, saying why, without it.
# Full sizes: 20,000 and 200,000 enterprises, 5 runs each, median reported. Each side reads
# the same CSV facts (bench/peers/gen_scan_facts.py) and prints its counts, its total in fen
# and its milliseconds; the run fails unless both agree to the fen.
# Then the scan as users run it (`clusterdesk policy scan`, from the database: qualifications,
# revenue years, ledger and claims read by SQL, then the engine) over demo cities of the same
# sizes in SQLite (bench/out/scan-demo-N.db, made once with `clusterdesk demo`), and in
# PostgreSQL when CLUSTERDESK_TEST_PG is set.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0; [[ ${1:-} == --smoke ]] && smoke=1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$(pwd)/target}
if ((smoke)); then
  cargo build --quiet -p clusterdesk-cli
  BIN=$CARGO_TARGET_DIR/debug/clusterdesk
  sizes=(2000); runs=1
else
  cargo build --quiet --release -p clusterdesk-cli
  BIN=$CARGO_TARGET_DIR/release/clusterdesk
  sizes=(20000 200000); runs=5
fi
out=bench/out; mkdir -p "$out"

# The OpenFisca peer in its own virtualenv, pinned by bench/peers/requirements.txt.
venv=$out/openfisca-venv
peer=1
if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import openfisca_core' 2>/dev/null; then
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet -r bench/peers/requirements.txt; } >"$out/openfisca-install.log" 2>&1; then
    # No comparison is no benchmark, in a smoke run too: say why and fail.
    why="see $out/openfisca-install.log"
    python3 -c 'import ensurepip' 2>/dev/null ||
      why="python3 has no venv support: install Debian's python3-venv (apt-get install python3-venv)"
    echo "openfisca-core could not be installed ($why): the OpenFisca comparison cannot run" >&2
    exit 1
  fi
fi
today=$(date -u +%F)

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

printf '%-12s %-16s %12s %12s %10s %14s %8s\n' enterprises engine load_ms scan_ms eligible eligible_yuan unknown
for n in "${sizes[@]}"; do
  facts=$out/scan-facts-$n
  [[ -f $facts/enterprises.csv ]] || python3 bench/peers/gen_scan_facts.py "$n" "$facts" --seed 2022
  declare -A scan=() load=() summary=()
  for engine in clusterdesk ${peer:+openfisca}; do
    ((peer == 0)) && [[ $engine == openfisca ]] && continue
    ss=(); ls=()
    for ((r = 0; r < runs; r++)); do
      if [[ $engine == clusterdesk ]]; then
        j=$("$BIN" policy scan --facts "$facts")
      else
        j=$("$venv/bin/python" bench/peers/openfisca_scan.py "$facts" --to "$today")
      fi
      ss+=("$(field scan_ms <<<"$j")"); ls+=("$(field load_ms <<<"$j")")
    done
    scan[$engine]=$(printf '%s\n' "${ss[@]}" | median)
    load[$engine]=$(printf '%s\n' "${ls[@]}" | median)
    summary[$engine]=$(python3 -c "import json,sys; d=json.load(sys.stdin); print(d['eligible'], d['eligible_fen'], d['unknown'], json.dumps(d['by_policy_fen'], sort_keys=True))" <<<"$j")
    read -r el fen unk _ <<<"${summary[$engine]}"
    printf '%-12s %-16s %12.2f %12.2f %10s %14s %8s\n' "$n" "$engine" "${load[$engine]}" "${scan[$engine]}" "$el" \
      "$(python3 -c "print(f'{$fen/100:,.2f}')")" "$unk"
  done
  if ((peer)); then
    if [[ ${summary[clusterdesk]} != "${summary[openfisca]}" ]]; then
      echo "MISMATCH at $n enterprises:" >&2
      echo "  clusterdesk: ${summary[clusterdesk]}" >&2
      echo "  openfisca:   ${summary[openfisca]}" >&2
      exit 1
    fi
    python3 -c "
c, o = ${scan[clusterdesk]}, ${scan[openfisca]}
lc, lo = ${load[clusterdesk]}, ${load[openfisca]}
print(f'{$n:<12} ratio            engine: OpenFisca/clusterdesk = {o/c:.2f}x; load+engine: {(lo+o)/(lc+c):.2f}x; results identical to the fen')"
  fi
  unset scan load summary
done

# --- the scan from the database, as `clusterdesk policy scan` runs it.
printf '\n%-12s %-16s %12s %12s %10s\n' enterprises database load_ms scan_ms findings
export CLUSTERDESK_DEMO_PASSWORD='Bench-Pass-2026!'
for n in "${sizes[@]}"; do
  db=$out/scan-demo-$n.db
  if [[ ! -f $db ]]; then
    "$BIN" --db "$db.tmp" demo --enterprises "$n" --seed 7 >/dev/null
    mv "$db.tmp" "$db"; rm -f "$db.tmp-wal" "$db.tmp-shm"
  fi
  ss=(); ls=()
  for ((r = 0; r < runs; r++)); do
    line=$("$BIN" --db "$db" policy scan --timing 2>&1 >/dev/null | grep '^scan:')
    ls+=("$(sed -E 's/.*load ([0-9.]+) ms.*/\1/' <<<"$line")")
    ss+=("$(sed -E 's/.*engine ([0-9.]+) ms.*/\1/' <<<"$line")")
    found=$(sed -E 's/.*, ([0-9]+) findings.*/\1/' <<<"$line")
  done
  printf '%-12s %-16s %12s %12s %10s\n' "$n" sqlite "$(printf '%s\n' "${ls[@]}" | median)" \
    "$(printf '%s\n' "${ss[@]}" | median)" "$found"
  # PostgreSQL too when CLUSTERDESK_TEST_PG names a server (the one scripts/test starts); the
  # database cdscan_bench_N is made once and kept.
  if [[ -n ${CLUSTERDESK_TEST_PG:-} ]]; then
    pg=$CLUSTERDESK_TEST_PG; name=cdscan_bench_$n; url=${pg%/*}/$name
    if [[ -z $(psql -qtA "$pg" -c "SELECT 1 FROM pg_database WHERE datname = '$name'") ]]; then
      psql -q "$pg" -c "CREATE DATABASE $name" >/dev/null
      if ! "$BIN" --db "$url" demo --enterprises "$n" --seed 7 >/dev/null; then
        psql -q "$pg" -c "DROP DATABASE $name" >/dev/null; exit 1
      fi
    fi
    ss=(); ls=()
    for ((r = 0; r < runs; r++)); do
      line=$("$BIN" --db "$url" policy scan --timing 2>&1 >/dev/null | grep '^scan:')
      ls+=("$(sed -E 's/.*load ([0-9.]+) ms.*/\1/' <<<"$line")")
      ss+=("$(sed -E 's/.*engine ([0-9.]+) ms.*/\1/' <<<"$line")")
      found=$(sed -E 's/.*, ([0-9]+) findings.*/\1/' <<<"$line")
    done
    printf '%-12s %-16s %12s %12s %10s\n' "$n" postgres "$(printf '%s\n' "${ls[@]}" | median)" \
      "$(printf '%s\n' "${ss[@]}" | median)" "$found"
  fi
done
