#!/usr/bin/env python3
"""Deterministic facts for the eligibility-scan benchmark: N enterprises with dated
qualifications and a ledger of earlier payouts, as three CSV files that both clusterdesk
(`clusterdesk policy scan --facts DIR`) and the OpenFisca peer (openfisca_scan.py) read.

Usage: gen_scan_facts.py N OUT_DIR [--seed S]
"""
import argparse
import os
import random

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
COUNTIES = ["130921", "130922", "130923", "130924", "130925", "130926", "130927",
            "130928", "130929", "130930", "130981", "130982", "130983", "130984"]
BOARDS = ["main_board", "main_board", "star_market", "chinext", "bse", "neeq", "neeq", "overseas"]


def check_char(first17: str) -> str:
    """GB 32100 check character (weights 3^i mod 31), as crates/domain/src/uscc.rs."""
    s, w = 0, 1
    for c in first17:
        s += CHARSET.index(c) * w
        w = w * 3 % 31
    return CHARSET[(31 - s % 31) % 31]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=2022)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    seen = set()

    def date(lo, hi):
        return f"{rng.randint(lo, hi)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    def later(d):
        # A payout some weeks after the event (never on the event date itself).
        y, m, dd = map(int, d.split("-"))
        m += 2
        if m > 12:
            y, m = y + 1, m - 12
        return f"{y}-{m:02d}-{dd:02d}"

    with open(os.path.join(a.out, "enterprises.csv"), "w") as fe, \
            open(os.path.join(a.out, "quals.csv"), "w") as fq, \
            open(os.path.join(a.out, "ledger.csv"), "w") as fl:
        fe.write("uscc,county,first_data_year\n")
        fq.write("uscc,kind,level,valid_from\n")
        fl.write("uscc,policy,paid_date,paid_yuan\n")
        for _ in range(a.n):
            county = rng.choice(COUNTIES)
            while True:
                body = "91" + county + "".join(rng.choice(CHARSET) for _ in range(9))
                code = body + check_char(body)
                if code not in seen:
                    seen.add(code)
                    break
            r = rng.random()
            first = "2021" if r < 0.85 else ("" if r < 0.9 else str(rng.randint(2022, 2025)))
            fe.write(f"{code},{county},{first}\n")

            def paid(policy, event, yuan):
                if rng.random() < 0.15:
                    fl.write(f"{code},{policy},{later(event)},{yuan}\n")

            if rng.random() < 0.30:
                since = f"{rng.randint(2019, 2026)}-01-01"
                fq.write(f"{code},above_scale,,{since}\n")
                if rng.random() < 0.5:
                    paid("small_to_above_scale", since, "10000")
                else:
                    paid("new_above_scale", since, "20000")
            if rng.random() < 0.01:
                d = date(2021, 2026)
                level = "national_key" if rng.random() < 0.3 else "national"
                fq.write(f"{code},little_giant,{level},{d}\n")
                if level == "national_key":
                    paid("little_giant", d, "1000000")
            if rng.random() < 0.015:
                d = date(2021, 2026)
                level = "national" if rng.random() < 0.3 else "provincial"
                fq.write(f"{code},green_factory,{level},{d}\n")
                paid(f"green_factory_{level}", d, "500000" if level == "national" else "300000")
            if rng.random() < 0.002:
                d = date(2021, 2026)
                fq.write(f"{code},well_known_trademark,,{d}\n")
                paid("well_known_trademark", d, "200000")
            if rng.random() < 0.005:
                d = date(2020, 2026)
                board = rng.choice(BOARDS)
                fq.write(f"{code},listed,{board},{d}\n")
                if board not in ("neeq", "overseas"):
                    paid("listing_a_share_counselling", d, "1000000")
            if rng.random() < 0.02:
                fl.write(f"{code},informatization,{date(2023, 2025)},{rng.randint(1, 100000)}.{rng.randint(0, 99):02d}\n")


if __name__ == "__main__":
    main()
