-- The bureau's decisions on the county assessment (考核).
--
-- 三(二)2: each county's yearly target of net new above-scale enterprises as issued by 市工信局.
-- A row overrides the plan file's working figure (assessment.yaml, 示例数) for that county and
-- year; without a row the plan file's figure applies. Every change is in change_log
-- (entity `above_scale_target`, key `year/county`).
CREATE TABLE above_scale_targets (
    year BIGINT NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units(code),
    target BIGINT NOT NULL CHECK (target >= 0),
    note TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (year, county_code)
);

-- 三(二)1: the zero-sum county transfer on the park-entry ranking, finalized (定稿) once a year
-- by the bureau: one row per county with its place, its park entries and the signed amount in
-- fen (+ received, − paid). A revocation deletes the year's rows and keeps them, with the
-- written reason, in change_log (entity `county_transfer`, key the year, action `revoke`).
CREATE TABLE county_transfers (
    year BIGINT NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units(code),
    rank BIGINT NOT NULL,
    entries BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    clause TEXT NOT NULL,
    policy_id TEXT NOT NULL,
    finalized_by TEXT NOT NULL,
    finalized_at TEXT NOT NULL,
    PRIMARY KEY (year, county_code)
);
