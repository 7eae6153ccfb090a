-- Edited yearly milestones of the plan's targets (二): the phasing of a target for the city
-- (county_code '') or one county. A county's milestone for the deadline year is its share of
-- the city's target (the county split). Values are in the target's stored scale (counts; fen;
-- percent × 100). Without a row the default phasing applies (compound for growth targets,
-- linear otherwise; the county split by baseline weight).
CREATE TABLE target_milestones (
    target_id TEXT NOT NULL,
    county_code TEXT NOT NULL DEFAULT '',
    year BIGINT NOT NULL,
    value BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (target_id, county_code, year)
);
