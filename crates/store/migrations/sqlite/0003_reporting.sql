-- The reporting workflow of 四(四): one submission per (data set, county, period), and every
-- transition kept.
CREATE TABLE submissions (
    dataset TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units(code),
    period TEXT NOT NULL,
    status TEXT NOT NULL,
    submitted_at TEXT,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (dataset, county_code, period)
);

CREATE TABLE submission_events (
    id INTEGER PRIMARY KEY,
    dataset TEXT NOT NULL,
    county_code TEXT NOT NULL,
    period TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX submission_events_key ON submission_events(dataset, county_code, period);
