-- 催报: reminders the city bureau sends to a county about one (data set, period), kept with
-- who sent them and when.
CREATE TABLE reminders (
    id BIGSERIAL PRIMARY KEY,
    dataset TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units(code),
    period TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    sent_by TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX reminders_county ON reminders(county_code, sent_at);

-- Which inbox items an organisation (a county, or an enterprise by USCC) has read: one read
-- counts for everyone of that organisation.
CREATE TABLE inbox_reads (
    org_code TEXT NOT NULL,
    item_key TEXT NOT NULL,
    read_by TEXT NOT NULL,
    read_at TEXT NOT NULL,
    PRIMARY KEY (org_code, item_key)
);

-- A snapshot of a period's values at every submit and every unlock, so that any two versions
-- can be compared even when values were written in bulk without a change-log entry.
CREATE TABLE submission_revisions (
    id BIGSERIAL PRIMARY KEY,
    dataset TEXT NOT NULL,
    county_code TEXT NOT NULL,
    period TEXT NOT NULL,
    revision BIGINT NOT NULL,
    event TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    value_count BIGINT NOT NULL,
    snapshot TEXT NOT NULL,
    UNIQUE (dataset, county_code, period, revision)
);
