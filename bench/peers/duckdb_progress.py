#!/usr/bin/env python3
"""The DuckDB peer of the progress/dashboard benchmark (bench/progress.sh).

  duckdb_progress.py prepare SQLITE_DB OUT.duckdb   (once, not timed)
  duckdb_progress.py run OUT.duckdb --as-of 2025-12 [--runs 5] [--plan plan]

`prepare` copies the tables the questions read (data_values, clusters, enterprises,
memberships, qualifications) out of a clusterdesk SQLite database with the sqlite3 CLI as CSV
through a named pipe and loads them into a DuckDB file: DuckDB's sqlite extension is not bundled with the wheel and
cannot be downloaded here.

`run` answers the same two questions as `clusterdesk progress --bench-runs` (see
BENCHMARKS.md), each from the raw values table with SQL alone, 2 threads, and prints JSON:
{"progress_ms": [...], "dashboard_ms": [...], "progress": {target: [[period, stored int]...]},
"dashboard": {...}}. Only December as-of months (complete years) are answered.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time

import duckdb

TABLES = {
    "data_values": ("unit_code, indicator_code, period, num_value",
                    "unit_code VARCHAR, indicator_code VARCHAR, period VARCHAR, num_value BIGINT"),
    "clusters": ("code, county_code", "code VARCHAR, county_code VARCHAR"),
    "enterprises": ("uscc, name, county_code", "uscc VARCHAR, name VARCHAR, county_code VARCHAR"),
    "memberships": ("uscc, cluster_code, valid_from, valid_to",
                    "uscc VARCHAR, cluster_code VARCHAR, valid_from VARCHAR, valid_to VARCHAR"),
    "qualifications": ("uscc, kind, level, valid_from, valid_to",
                       "uscc VARCHAR, kind VARCHAR, level VARCHAR, valid_from VARCHAR, valid_to VARCHAR"),
}


def prepare(src, out):
    # Each table streams from the sqlite3 CLI through a named pipe into DuckDB, so that the
    # province scale (144M values) needs no CSV copy on disk.
    tmp = out + ".fifo.d"
    os.makedirs(tmp, exist_ok=True)
    if os.path.exists(out):
        os.remove(out)
    con = duckdb.connect(out)
    for t, (cols, types) in TABLES.items():
        f = os.path.join(tmp, t + ".csv")
        os.mkfifo(f)
        writer = subprocess.Popen(["sh", "-c", f'exec sqlite3 -csv "$1" "SELECT {cols} FROM {t}" > "$2"',
                                   "sh", src, f])
        spec = "{" + ", ".join(f"'{c.split()[0]}': '{c.split()[1]}'" for c in types.split(", ")) + "}"
        con.execute(f"CREATE TABLE {t} AS SELECT * FROM read_csv('{f}', header=false, columns={spec}, "
                    "nullstr='', quote='\"')")
        if writer.wait() != 0:
            sys.exit(f"sqlite3 failed reading {t} from {src}")
        os.remove(f)
    con.close()
    os.rmdir(tmp)


def cluster_years(con, ind, y_lo, y_hi):
    """(cluster, year) → the year's flow: its own yearly value, else its months, else its quarters."""
    rows = con.execute("""
        WITH v AS (SELECT v.unit_code c, v.period p, v.num_value x FROM data_values v
                   WHERE v.indicator_code = $ind AND v.num_value IS NOT NULL
                     AND v.unit_code IN (SELECT code FROM clusters)
                     AND CAST(substr(v.period, 1, 4) AS INT) BETWEEN $lo AND $hi),
             y AS (SELECT c, CAST(p AS INT) yr, x FROM v WHERE length(p) = 4),
             m AS (SELECT c, CAST(substr(p, 1, 4) AS INT) yr, sum(x) x FROM v
                   WHERE length(p) = 7 AND substr(p, 5, 1) = '-' GROUP BY ALL),
             q AS (SELECT c, CAST(substr(p, 1, 4) AS INT) yr, sum(x) x FROM v
                   WHERE substr(p, 5, 1) = 'Q' GROUP BY ALL),
             k AS (SELECT c, yr FROM y UNION SELECT c, yr FROM m UNION SELECT c, yr FROM q)
        SELECT k.c, k.yr, coalesce(y.x, m.x, q.x) FROM k
        LEFT JOIN y USING (c, yr) LEFT JOIN m USING (c, yr) LEFT JOIN q USING (c, yr)""",
        {"ind": ind, "lo": y_lo, "hi": y_hi}).fetchall()
    out = {}
    for c, yr, x in rows:
        out.setdefault(yr, {})[c] = x
    return out


MEMBER = """EXISTS (SELECT 1 FROM memberships m WHERE m.uscc = q.uscc AND m.valid_from < {d}
            AND (m.valid_to IS NULL OR m.valid_to >= {d}))"""

QUAL = {
    "innovation_platforms": (["innovation_platform"], ["provincial", "national"], True),
    "high_tech_enterprises": (["high_tech"], [], False),
    "innovative_specialized_smes": (["innovative_sme", "specialized_sme", "little_giant"], [], False),
    "listed_or_quoted": (["listed"], [], False),
    "listed_main_board": (["listed"], ["main_board"], False),
}


def fen(yuan):
    return None if yuan in ("", None) else int(round(float(yuan) * 100))


def progress(con, targets, base_default, as_of_year):
    out = {}
    years = range(min(int(t["baseline_year"] or base_default) for t in targets), as_of_year + 1)
    cache = {}

    def cy(ind):
        if ind not in cache:
            cache[ind] = cluster_years(con, ind, years.start, years.stop - 1)
        return cache[ind]

    for t in targets:
        ind, b = t["indicator"], int(t["baseline_year"] or base_default)
        ys = range(b, min(as_of_year, int(t["deadline_year"])) + 1)
        series = []
        if t["measure"] == "count_of_clusters_above":
            lo, hi = fen(t["threshold_low_yuan"]), fen(t["threshold_high_yuan"])
            lo_inc, hi_inc = t["low_inclusive"] == "true", t["high_inclusive"] == "true"
            for y in ys:
                vals = cy(ind).get(y, {})
                if vals:
                    n = sum(1 for v in vals.values()
                            if (lo is None or (v >= lo if lo_inc else v > lo))
                            and (hi is None or (v <= hi if hi_inc else v < hi)))
                    series.append((y, n))
        elif ind == "invention_patents":
            rows = dict(con.execute("""
                SELECT CAST(v.period AS INT) yr, sum(v.num_value) FROM data_values v
                JOIN memberships m ON m.uscc = v.unit_code
                WHERE v.indicator_code = 'invention_patents' AND v.num_value IS NOT NULL
                  AND length(v.period) = 4
                  AND m.valid_from < CAST(CAST(v.period AS INT) + 1 AS VARCHAR) || '-01-01'
                  AND (m.valid_to IS NULL OR m.valid_to >= CAST(CAST(v.period AS INT) + 1 AS VARCHAR) || '-01-01')
                GROUP BY 1""").fetchall())
            series = [(y, int(rows[y])) for y in ys if y in rows]
        elif ind in QUAL:
            kinds, levels, all_rows = QUAL[ind]
            what = "count(*)" if all_rows else "count(DISTINCT q.uscc)"
            for y in ys:
                d = f"'{y + 1}-01-01'"
                lv = f"AND q.level IN ({', '.join(repr(x) for x in levels)})" if levels else ""
                n = con.execute(f"""SELECT {what} FROM qualifications q
                    WHERE q.kind IN ({', '.join(repr(k) for k in kinds)}) {lv}
                      AND q.valid_from < {d} AND (q.valid_to IS NULL OR q.valid_to >= {d})
                      AND {MEMBER.format(d=d)}""").fetchone()[0]
                series.append((y, n))
        elif ind == "well_known_trademarks":
            for y in ys:
                n = con.execute(f"""SELECT count(*) FROM qualifications q
                    WHERE q.kind = 'well_known_trademark' AND q.valid_from >= '{b + 1}-01-01'
                      AND q.valid_from < '{y + 1}-01-01'
                      AND {MEMBER.format(d="strftime(CAST(q.valid_from AS DATE) + 1, '%Y-%m-%d')")}""").fetchone()[0]
                series.append((y, n))
        elif t["measure"] == "flow_since_baseline":
            by_year = cy(ind)
            for y in ys:
                series.append((y, sum(sum(by_year.get(k, {}).values()) for k in range(b + 1, y + 1))))
        elif ind == "digitalization_rate":
            # The clusters' yearly values (no cluster reports it monthly), simple average half away from zero.
            for y in ys:
                vals = list(cy(ind).get(y, {}).values())
                if vals:
                    s, n = sum(vals), len(vals)
                    series.append((y, (2 * s + n) // (2 * n) if s >= 0 else -((-2 * s + n) // (2 * n))))
        else:
            for y in ys:
                vals = cy(ind).get(y, {})
                if vals:
                    series.append((y, sum(vals.values())))
        out[t["id"]] = [[str(y), int(v)] for y, v in series]
    return out


def dashboard(con):
    m = con.execute("SELECT max(period) FROM data_values WHERE indicator_code = 'revenue' "
                    "AND period LIKE '____-__'").fetchone()[0]
    full_year = int(m[:4]) if m.endswith("-12") else int(m[:4]) - 1
    prev = str(int(m[:4]) - 1)
    rows = con.execute("""
        SELECT c.code, c.county_code,
               sum(v.num_value) FILTER (WHERE v.period = $m),
               sum(v.num_value) FILTER (WHERE v.period BETWEEN $jan AND $m AND v.period LIKE '____-__'),
               sum(v.num_value) FILTER (WHERE v.period BETWEEN $pjan AND $pm AND v.period LIKE '____-__')
        FROM data_values v JOIN clusters c ON c.code = v.unit_code
        WHERE v.indicator_code = 'revenue' AND v.num_value IS NOT NULL
          AND (v.period BETWEEN $jan AND $m OR v.period BETWEEN $pjan AND $pm)
        GROUP BY ALL""", {"m": m, "jan": m[:4] + "-01", "pm": prev + m[4:], "pjan": prev + "-01"}).fetchall()
    clusters = {c: [x or 0, ytd or 0, py or 0] for c, _, x, ytd, py in rows}
    counties = {}
    for c, k, x, ytd, py in rows:
        a = counties.setdefault(k, [0, 0, 0])
        a[0] += x or 0
        a[1] += ytd or 0
        a[2] += py or 0
    top = con.execute("""
        SELECT e.uscc, v.num_value FROM data_values v JOIN enterprises e ON e.uscc = v.unit_code
        WHERE v.indicator_code = 'revenue' AND v.period = $y AND v.num_value IS NOT NULL
        ORDER BY v.num_value DESC, e.uscc LIMIT 10""", {"y": str(full_year)}).fetchall()
    return {
        "latest_month": m,
        "month_total": sum(v[0] for v in clusters.values()),
        "ytd_total": sum(v[1] for v in clusters.values()),
        "ytd_prev_total": sum(v[2] for v in clusters.values()),
        "counties": dict(sorted(counties.items())),
        "clusters": dict(sorted(clusters.items())),
        "top_year": str(full_year),
        "top": [[u, int(v)] for u, v in top],
    }


def run(db, as_of, runs, plan):
    y, mo = map(int, as_of.split("-"))
    if mo != 12:
        sys.exit("the DuckDB peer answers December as-of months only")
    base = 2021
    for line in open(os.path.join(plan, "plan.yaml"), encoding="utf-8"):
        if line.startswith("baseline_year:"):
            base = int(line.split(":")[1])
    targets = list(csv.DictReader(open(os.path.join(plan, "targets.csv"), encoding="utf-8")))
    con = duckdb.connect(db, read_only=True)
    con.execute("SET threads = 2")
    pms, dms, pcpu, dcpu = [], [], [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        p = progress(con, targets, base, y)
        pms.append((time.perf_counter() - t0) * 1000)
        pcpu.append((time.process_time() - c0) * 1000)
        t0, c0 = time.perf_counter(), time.process_time()
        d = dashboard(con)
        dms.append((time.perf_counter() - t0) * 1000)
        dcpu.append((time.process_time() - c0) * 1000)
    print(json.dumps({"engine": "duckdb " + duckdb.__version__, "progress_ms": pms, "dashboard_ms": dms,
                      "progress_cpu_ms": pcpu, "dashboard_cpu_ms": dcpu, "progress": p, "dashboard": d}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("src")
    p.add_argument("out")
    r = sub.add_parser("run")
    r.add_argument("db")
    r.add_argument("--as-of", required=True)
    r.add_argument("--runs", type=int, default=5)
    r.add_argument("--plan", default="plan")
    a = ap.parse_args()
    if a.cmd == "prepare":
        prepare(a.src, a.out)
    else:
        run(a.db, a.as_of, a.runs, a.plan)


if __name__ == "__main__":
    main()
