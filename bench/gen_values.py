#!/usr/bin/env python3
"""Raw enterprise values for the progress/dashboard benchmark (bench/progress.sh).

Usage: gen_values.py DB [--from 2020-01] [--months 72] [--seed 2025]

Reads the enterprises of a clusterdesk SQLite database (made by `clusterdesk demo`) and inserts
into its data_values one row per (enterprise, indicator, month) for ten indicators an enterprise
reports monthly: unit_code, indicator_code, period, num_value (integers in the indicator's stored
scale: money in fen, 吨标准煤/亩/percent ×100). Deterministic for a given seed and database.

The rows go straight into the database in primary-key order (enterprises by USCC, then
indicator, then period), a transaction per thousand enterprises, without a journal: no CSV or
temporary table is written, so the province scale (144M values) needs only the database's own
space. This is data preparation, not a measured load (bench/reporting.sh measures loads).
"""
import argparse
import random
import sqlite3

SEASON = [0.62, 0.78, 1.02, 1.0, 1.03, 1.05, 0.98, 0.99, 1.04, 1.06, 1.1, 1.33]
INDICATORS = [
    "revenue", "value_added", "tax_paid", "energy_consumption", "employees",
    "rd_expense", "invention_patents", "land_area", "digitalization_rate", "standards",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--from", dest="start", default="2020-01")
    ap.add_argument("--months", type=int, default=72)
    ap.add_argument("--seed", type=int, default=2025)
    a = ap.parse_args()
    y0, m0 = map(int, a.start.split("-"))
    periods = []
    for k in range(a.months):
        y, m = y0 + (m0 - 1 + k) // 12, (m0 - 1 + k) % 12 + 1
        periods.append((f"{y:04d}-{m:02d}", k, m))
    con = sqlite3.connect(a.db, isolation_level=None)
    usccs = [r[0] for r in con.execute("SELECT uscc FROM enterprises ORDER BY uscc")]
    # A crash leaves a broken file, which bench/progress.sh then remakes (no `.ready` marker).
    con.execute("PRAGMA journal_mode = DELETE")
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA cache_size = -1000000")
    # The demo already holds the enterprises' last two years (monthly values from January of
    # the year before its last month); the generated values take their place.
    insert = ("INSERT OR REPLACE INTO data_values (unit_code, indicator_code, period, num_value, text_value, "
              "updated_by, updated_at) VALUES (?, ?, ?, ?, NULL, 'bench', '2026-01-01T00:00:00Z')")
    rng = random.Random(a.seed)
    n = 0
    for start in range(0, len(usccs), 1000):
        batch = []
        for u in usccs[start:start + 1000]:
            # Yearly revenue in fen: log-uniform from 2 million to 2 billion yuan.
            base = int(10 ** rng.uniform(8.3, 11.3))
            growth = rng.uniform(-0.02, 0.12)
            rd = rng.uniform(0.005, 0.04)
            energy = rng.uniform(0.05, 1.5)
            patents0 = int(base / 2e9)
            land = max(5000, int(base / 3e8 * 100))
            digital = rng.uniform(3000, 5000)
            rows = []
            for p, k, m in periods:
                g = (1 + growth) ** (k / 12)
                rev = int(base / 12 * SEASON[m - 1] * g * rng.uniform(0.9, 1.1))
                vals = {
                    "revenue": rev,
                    "value_added": rev * 24 // 100,
                    "tax_paid": rev * 35 // 1000,
                    "energy_consumption": int(rev / 1e6 * energy * 100),
                    "employees": max(5, rev // 7_000_000),
                    "rd_expense": int(rev * rd),
                    "invention_patents": patents0 + k // 6,
                    "land_area": land,
                    "digitalization_rate": min(9000, int(digital + 30 * k)),
                    "standards": 1 if rng.random() < 0.002 else 0,
                }
                for ind in INDICATORS:
                    rows.append((u, ind, p, vals[ind]))
            # Primary-key order (unit, indicator, period): the index grows at its end.
            rows.sort()
            batch.extend(rows)
        con.execute("BEGIN")
        con.executemany(insert, batch)
        con.execute("COMMIT")
        n += len(batch)
    con.execute("PRAGMA journal_mode = WAL")
    con.close()
    print(n)


if __name__ == "__main__":
    main()
