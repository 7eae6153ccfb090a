#!/usr/bin/env python3
"""The same incentives as clusterdesk's eligibility scan, as a minimal OpenFisca model.

Reads the CSV facts written by gen_scan_facts.py, builds one simulation with one entity per
enterprise, computes every reward (integer fen, so that totals are exact) and prints a JSON
summary comparable with `clusterdesk policy scan --facts DIR`:
{"engine", "enterprises", "eligible", "eligible_fen", "unknown", "by_policy_fen", "load_ms", "scan_ms"}.

Semantics (as crates/policy/src/scan.rs and plan/policies/*.yaml):
- an event counts when its date is in [FROM, TO] (the plan's issue date to today by default);
- every reward is once per enterprise: an earlier payout of the same policy in the ledger
  (and, for 新建入统/小升规, of the other one) stops it;
- 小升规 1万 when the enterprise reported figures for a year before the one it crossed the
  line; otherwise unknown (新建入统 or 小升规);
- 小巨人 100万 for national_key only; green factory 30万 / 50万 by level; 驰名商标 20万;
- A-share listing (star_market, chinext, bse): counselling 100万 + accepted 200万;
  main_board: counselling 100万, accepted unknown (exchange); overseas: both stages unknown.

Usage: openfisca_scan.py DIR [--from YYYY-MM-DD] [--to YYYY-MM-DD]
"""
import argparse
import csv
import datetime
import json
import os
import time

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import YEAR
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

Enterprise = build_entity(key="enterprise", plural="enterprises", label="企业", is_person=True)

ISSUE = "2022-08-10"  # 沧政办规〔2022〕13号 issued; every amount below is in force from then.
AMOUNTS_FEN = {  # clause: 三(二)2, 三(五)1, 三(四)1, 三(六)1, 三(五)2
    "small_to_above_scale": 1_000_000,
    "little_giant": 100_000_000,
    "green_factory_provincial": 30_000_000,
    "green_factory_national": 50_000_000,
    "well_known_trademark": 20_000_000,
    "listing_a_share_counselling": 100_000_000,
    "listing_a_share_accepted": 200_000_000,
}

BOOL_INPUTS = [
    "above_scale_event", "little_giant_key_event", "green_provincial_event", "green_national_event",
    "trademark_event", "a_share_known_event", "a_share_main_board_event", "overseas_event",
    "paid_small_to_above_scale", "paid_new_above_scale", "paid_little_giant",
    "paid_green_factory_provincial", "paid_green_factory_national", "paid_well_known_trademark",
    "paid_listing_a_share_counselling", "paid_listing_a_share_accepted",
    "paid_listing_overseas_accepted", "paid_listing_overseas_approved",
]
INT_INPUTS = ["above_scale_year", "first_data_year"]


def input_variable(name, vtype):
    return type(name, (Variable,), {
        "value_type": vtype, "entity": Enterprise, "definition_period": YEAR,
        "label": name, "default_value": False if vtype is bool else 0,
    })


def reward(name, policy, condition):
    def formula(enterprise, period, parameters):
        amount = parameters(period).incentives[policy]
        return np.where(condition(enterprise, period), amount, 0)
    return type(name, (Variable,), {
        "value_type": int, "entity": Enterprise, "definition_period": YEAR,
        "label": name, "formula": formula,
    })


def flag(name, condition):
    def formula(enterprise, period):
        return condition(enterprise, period)
    return type(name, (Variable,), {
        "value_type": bool, "entity": Enterprise, "definition_period": YEAR,
        "label": name, "formula": formula,
    })


def grew_from_small(e, p):
    first = e("first_data_year", p)
    return (first > 0) & (first < e("above_scale_year", p) - 1)


def above_scale_open(e, p):
    return e("above_scale_event", p) & ~e("paid_small_to_above_scale", p) & ~e("paid_new_above_scale", p)


REWARDS = {
    "small_to_above_scale": lambda e, p: above_scale_open(e, p) & grew_from_small(e, p),
    "little_giant": lambda e, p: e("little_giant_key_event", p) & ~e("paid_little_giant", p),
    "green_factory_provincial": lambda e, p: e("green_provincial_event", p) & ~e("paid_green_factory_provincial", p),
    "green_factory_national": lambda e, p: e("green_national_event", p) & ~e("paid_green_factory_national", p),
    "well_known_trademark": lambda e, p: e("trademark_event", p) & ~e("paid_well_known_trademark", p),
    "listing_a_share_counselling": lambda e, p: (e("a_share_known_event", p) | e("a_share_main_board_event", p))
    & ~e("paid_listing_a_share_counselling", p),
    "listing_a_share_accepted": lambda e, p: e("a_share_known_event", p) & ~e("paid_listing_a_share_accepted", p),
}
UNKNOWNS = {
    "above_scale_unknown": lambda e, p: above_scale_open(e, p) & ~grew_from_small(e, p),
    "a_share_accepted_unknown": lambda e, p: e("a_share_main_board_event", p) & ~e("paid_listing_a_share_accepted", p),
    "overseas_accepted_unknown": lambda e, p: e("overseas_event", p) & ~e("paid_listing_overseas_accepted", p),
    "overseas_approved_unknown": lambda e, p: e("overseas_event", p) & ~e("paid_listing_overseas_approved", p),
}


def system():
    tbs = TaxBenefitSystem([Enterprise])
    for v in BOOL_INPUTS:
        tbs.add_variable(input_variable(v, bool))
    for v in INT_INPUTS:
        tbs.add_variable(input_variable(v, int))
    for policy, cond in REWARDS.items():
        tbs.add_variable(reward(f"reward_{policy}", policy, cond))
    for name, cond in UNKNOWNS.items():
        tbs.add_variable(flag(name, cond))
    tbs.parameters = ParameterNode("", data={"incentives": {
        k: {"values": {ISSUE: {"value": v}}} for k, v in AMOUNTS_FEN.items()
    }})
    return tbs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--from", dest="frm", default=ISSUE)
    ap.add_argument("--to", default=datetime.datetime.now(datetime.timezone.utc).date().isoformat())
    a = ap.parse_args()
    tbs = system()
    t0 = time.perf_counter()
    with open(os.path.join(a.dir, "enterprises.csv")) as f:
        rows = list(csv.reader(f))[1:]
    n = len(rows)
    index = {r[0]: i for i, r in enumerate(rows)}
    arrays = {v: np.zeros(n, dtype=bool) for v in BOOL_INPUTS}
    ints = {v: np.zeros(n, dtype=np.int32) for v in INT_INPUTS}
    ints["first_data_year"][:] = [int(r[2]) if r[2] else 0 for r in rows]
    seen = set()  # once per enterprise and kind of event: the earliest stands (files are in date order per enterprise)
    with open(os.path.join(a.dir, "quals.csv")) as f:
        for uscc, kind, level, valid_from in list(csv.reader(f))[1:]:
            if not (a.frm <= valid_from <= a.to):
                continue
            i = index[uscc]
            if kind == "above_scale":
                key = "above_scale_event"
                if (i, key) not in seen:
                    ints["above_scale_year"][i] = int(valid_from[:4])
            elif kind == "little_giant" and level == "national_key":
                key = "little_giant_key_event"
            elif kind == "green_factory":
                key = f"green_{level}_event"
            elif kind == "well_known_trademark":
                key = "trademark_event"
            elif kind == "listed" and level in ("star_market", "chinext", "bse"):
                key = "a_share_known_event"
            elif kind == "listed" and level == "main_board":
                key = "a_share_main_board_event"
            elif kind == "listed" and level == "overseas":
                key = "overseas_event"
            else:
                continue
            seen.add((i, key))
            arrays[key][i] = True
    with open(os.path.join(a.dir, "ledger.csv")) as f:
        for uscc, policy, _date, _paid in list(csv.reader(f))[1:]:
            key = f"paid_{policy}"
            if key in arrays and uscc in index:
                arrays[key][index[uscc]] = True
    period = a.to[:4]
    sim = SimulationBuilder().build_default_simulation(tbs, count=n)
    for v, arr in arrays.items():
        sim.set_input(v, period, arr)
    for v, arr in ints.items():
        sim.set_input(v, period, arr)
    load_ms = (time.perf_counter() - t0) * 1000
    t1 = time.perf_counter()
    by_policy, eligible, unknown = {}, 0, 0
    for policy in REWARDS:
        r = sim.calculate(f"reward_{policy}", period).astype(np.int64)
        eligible += int((r > 0).sum())
        if r.sum():
            by_policy[policy] = int(r.sum())
    for name in UNKNOWNS:
        unknown += int(sim.calculate(name, period).sum())
    scan_ms = (time.perf_counter() - t1) * 1000
    print(json.dumps({
        "engine": "openfisca-core",
        "enterprises": n,
        "from": a.frm,
        "to": a.to,
        "eligible": eligible,
        "eligible_fen": sum(by_policy.values()),
        "unknown": unknown,
        "by_policy_fen": dict(sorted(by_policy.items())),
        "load_ms": load_ms,
        "scan_ms": scan_ms,
    }))


if __name__ == "__main__":
    main()
