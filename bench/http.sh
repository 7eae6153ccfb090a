#!/usr/bin/env bash
# W5 (issue #14): every page and JSON route of the navigation over HTTP with wrk, beside
# /healthz in the same run. The server is pinned to core 0 and wrk to core 1; every request
# asks for gzip; a session cookie per reader (the city leader and 泊头's operator; the administrator signs in with a second factor).
# Usage: [SECS=10] [CONNS="16 64"] bench/http.sh [--smoke] [DB]
#   DB       a database to serve (default: a demo city built here, 20,000 enterprises;
#            300 with --smoke). Built once under bench/out and reused.
#   --smoke  1 s per route at 4 connections (CI): proves the workload runs, measures nothing.
# Prints one line per (reader, route, connections): req/s, p50, p99, errors, and the ratio to
# /healthz's req/s; then the server's RssAnon under load and a minute after it (not in smoke).
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0; [[ ${1:-} == --smoke ]] && { smoke=1; shift; }
: "${BIN:?BIN: the clusterdesk binary}"
command -v wrk >/dev/null || { echo "wrk is needed (Debian package wrk)" >&2; exit 2; }
out=bench/out; mkdir -p "$out"
export CLUSTERDESK_DEMO_PASSWORD=${CLUSTERDESK_DEMO_PASSWORD:-'Bench-Pass-2026!'}
if ((smoke)); then n=300; secs=1; conns=(4); else n=20000; secs=${SECS:-10}; conns=(${CONNS:-16 64}); fi
db=${1:-$out/http-demo-$n.db}
if [[ ! -f $db ]]; then
  echo "building the demo city ($n enterprises) into $db"
  "$BIN" --db "$db" demo --enterprises "$n" --seed 7 >/dev/null
fi

port=$((20000 + RANDOM % 20000))
base=http://127.0.0.1:$port
cpus=$(nproc)
pin_server=(); pin_load=()
if ((cpus >= 2)) && command -v taskset >/dev/null; then pin_server=(taskset -c 0); pin_load=(taskset -c 1); fi
"${pin_server[@]}" "$BIN" --db "$db" serve --bind "127.0.0.1:$port" >"$out/http-serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

# A session cookie for `user`.
login() {
  local jar; jar=$(mktemp)
  curl -fs -c "$jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$CLUSTERDESK_DEMO_PASSWORD\"}" "$base/api/v1/login" >/dev/null
  awk '$6 == "cd_session" { print $7 }' "$jar"; rm -f "$jar"
}

rss_anon() { awk '/^RssAnon/ { print $2 / 1024 " MB" }' "/proc/$server/status"; }

# req/s, p50, p99, errors (non-2xx/3xx, socket errors and timeouts) of one wrk run.
measure() {
  local cookie=$1 path=$2 c=$3 txt
  txt=$("${pin_load[@]}" wrk -t1 -c"$c" -d"${secs}s" --timeout 10s --latency \
    -H "Cookie: cd_session=$cookie" -H 'Accept-Encoding: gzip' "$base$path" 2>&1)
  python3 - "$txt" <<'PY'
import re, sys
t = sys.argv[1]
rps = re.search(r"Requests/sec:\s+([\d.]+)", t)
def lat(p):
    m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\b", t, re.M)
    if not m: return "-"
    v = float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3}[m.group(2)]
    return f"{v:.1f}"
errs = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", t))
m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
errs += int(m.group(1)) if m else 0
print(f"{float(rps.group(1)) if rps else 0:.0f} {lat(50)} {lat(99)} {errs}")
PY
}

routes=(/ /progress /clusters/metrics /assessment /reporting /reporting/status /enterprises
  /policies /claims /scan /ledger /api/v1/me /api/v1/progress /api/v1/cluster-metrics
  /api/v1/assessment)
bad=()
printf '%-8s %-26s %5s %9s %8s %8s %6s %8s\n' reader route conns 'req/s' 'p50 ms' 'p99 ms' errors 'of hz'
for reader in leader botou; do
  cookie=$(login "$reader")
  [[ -n $cookie ]] || { echo "could not sign in as $reader" >&2; exit 1; }
  for c in "${conns[@]}"; do
    read -r hz hz50 hz99 hzerr < <(measure "$cookie" /healthz "$c")
    printf '%-8s %-26s %5s %9s %8s %8s %6s %8s\n' "$reader" /healthz "$c" "$hz" "$hz50" "$hz99" "$hzerr" 100%
    for path in "${routes[@]}"; do
      # Warm once (the first view computes; the benchmark measures the views after it); a
      # route the reader may not open is left out.
      code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: cd_session=$cookie" "$base$path")
      if [[ $code != 200 ]]; then
        printf '%-8s %-26s %5s %s\n' "$reader" "$path" "$c" "not measured: HTTP $code"
        continue
      fi
      read -r rps p50 p99 errs < <(measure "$cookie" "$path" "$c")
      share=$(python3 -c "print(f'{100 * $rps / max($hz, 1):.1f}%')")
      printf '%-8s %-26s %5s %9s %8s %8s %6s %8s\n' "$reader" "$path" "$c" "$rps" "$p50" "$p99" "$errs" "$share"
      [[ $errs == 0 && $rps != 0 ]] || bad+=("$reader $path")
    done
  done
  ((smoke)) || echo "server RssAnon under load: $(rss_anon)"
done
if ((!smoke)); then
  sleep 60
  echo "server RssAnon a minute after the load: $(rss_anon)"
fi
if ((${#bad[@]})); then
  printf 'errors or no completed request: %s\n' "${bad[@]}" >&2
  exit 1
fi
