#!/usr/bin/env python3
"""Deterministic 企业月报 figures for the reporting benchmarks (bench/reporting.sh).

Usage:
  gen_monthly.py bulk   ENTERPRISES.csv OUTDIR FROM TO   # history FROM..TO (months)
  gen_monthly.py import ENTERPRISES.csv OUTDIR PERIOD    # one month, with the months before it

ENTERPRISES.csv: `uscc,county_code` lines (no header), as the database lists them.

bulk writes   values.csv      unit_code,indicator_code,period,value (header; `clusterdesk values load`)
              peer.csv        the same rows as all seven columns of data_values (no header; sqlite3
                              .import / psql \\copy)
import writes history.csv     the months of the year before PERIOD, for `values load` (setup)
              import-C.csv    per county C, the 企业月报 template of PERIOD as an operator fills it:
                              1–N月累计 figures, money in 万元 (`clusterdesk import`)
              peer.csv        PERIOD's values as stored (当月 = cumulative minus earlier months)

Every stored value is an integer in the indicator's scale: money in fen (whole yuan here),
吨标准煤 ×100, 万千瓦时 ×10^4, persons. Seeded, so every run writes the same files.
"""
import random
import sys

# The ten indicators of plan/datasets.yaml's enterprise_monthly: code, kind, share of revenue.
INDICATORS = [
    ("revenue", "money", 1.0),
    ("operating_cost", "money", 0.82),
    ("value_added", "money", 0.25),
    ("industrial_output", "money", 1.05),
    ("sales_output", "money", 1.0),
    ("export_delivery_value", "money", 0.12),
    ("tax_paid", "money", 0.04),
    ("energy_consumption", "energy", 0.0),  # 吨标准煤, scale 2
    ("electricity_consumption", "power", 0.0),  # 万千瓦时, scale 4
    ("employees", "count", 0.0),  # stock: 期末人数
]
WHO, WHEN = "peer", "2026-11-25T00:00:00.000Z"


def months(first, last):
    y, m = map(int, first.split("-"))
    ly, lm = map(int, last.split("-"))
    while (y, m) <= (ly, lm):
        yield f"{y:04d}-{m:02d}"
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def enterprises(path):
    with open(path, encoding="utf-8") as f:
        return [tuple(l.strip().split(",")[:2]) for l in f if l.strip()]


def own_values(rng, size):
    """One month's own-period values of one enterprise, in stored integers."""
    revenue_yuan = size * rng.uniform(0.8, 1.2)
    out = []
    for code, kind, share in INDICATORS:
        if kind == "money":
            v = int(revenue_yuan * share * rng.uniform(0.9, 1.1)) * 100
        elif kind == "energy":
            v = int(revenue_yuan / 10_000 * rng.uniform(0.5, 1.5))  # hundredths of a tonne
        elif kind == "power":
            v = int(revenue_yuan * rng.uniform(0.5, 1.5))  # 万千瓦时 ×10^4 = kWh
        else:
            v = max(8, int(size / 40_000 * rng.uniform(0.95, 1.05)))
        out.append((code, kind, v))
    return out


def entered(kind, v):
    """A cumulative stored integer as an operator types it (money in 万元)."""
    if kind == "money":
        return f"{v // 1_000_000}.{v % 1_000_000:06d}"
    if kind == "energy":
        return f"{v // 100}.{v % 100:02d}"
    if kind == "power":
        return f"{v // 10_000}.{v % 10_000:04d}"
    return str(v)


def bulk(ents, out, first, last):
    rng = random.Random(2026)
    periods = list(months(first, last))
    with open(f"{out}/values.csv", "w", encoding="utf-8") as a, open(f"{out}/peer.csv", "w", encoding="utf-8") as b:
        a.write("unit_code,indicator_code,period,value\n")
        for uscc, _county in ents:
            size = rng.lognormvariate(15.5, 1.2)  # yuan of revenue a month
            rows_a, rows_b = [], []
            for p in periods:
                for code, _kind, v in own_values(rng, size):
                    rows_a.append(f"{uscc},{code},{p},{v}\n")
                    rows_b.append(f"{uscc},{code},{p},{v},,{WHO},{WHEN}\n")
            a.write("".join(rows_a))
            b.write("".join(rows_b))


def import_month(ents, out, period):
    rng = random.Random(2027)
    year, month = map(int, period.split("-"))
    before = [f"{year:04d}-{m:02d}" for m in range(1, month)]
    counties = {}
    with open(f"{out}/history.csv", "w", encoding="utf-8") as h, open(f"{out}/peer.csv", "w", encoding="utf-8") as peer:
        h.write("unit_code,indicator_code,period,value\n")
        for uscc, county in ents:
            size = rng.lognormvariate(15.5, 1.2)
            cum = {}
            for p in before:
                for code, kind, v in own_values(rng, size):
                    h.write(f"{uscc},{code},{p},{v}\n")
                    cum[code] = cum.get(code, 0) + v
            row = [uscc, ""]
            for code, kind, v in own_values(rng, size):
                peer.write(f"{uscc},{code},{period},{v},,{WHO},{WHEN}\n")
                # Flows are reported 1–N月累计; employees is the stock at the month's end.
                row.append(entered(kind, v if kind == "count" else cum.get(code, 0) + v))
            counties.setdefault(county, []).append(",".join(row))
    for county, rows in counties.items():
        with open(f"{out}/import-{county}.csv", "w", encoding="utf-8") as f:
            f.write(f"企业月报 {county} {period}\n")
            f.write(f"数据集,enterprise_monthly,县(市),{county},期间,{period}\n")
            f.write("统一社会信用代码,企业名称," + ",".join(c for c, _, _ in INDICATORS) + "\n")
            f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    mode, ents_path, out = sys.argv[1:4]
    ents = enterprises(ents_path)
    if mode == "bulk":
        bulk(ents, out, sys.argv[4], sys.argv[5])
    elif mode == "import":
        import_month(ents, out, sys.argv[4])
    else:
        sys.exit(f"unknown mode {mode}")
