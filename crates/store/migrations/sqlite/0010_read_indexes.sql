-- Covering index for the progress and dashboard reads of yearly values (issue #4, item 9): a
-- year's enterprise stocks summed over members (二.2b) and the largest enterprises of a year are
-- read from this index alone, in value order, never from the table rows. Partial: only yearly
-- periods ('2025'), a small share of the rows once enterprises report monthly (20,000
-- enterprises × 72 months × 10 indicators is 14.4M rows), and no query on months or on cluster
-- units can be drawn to it away from the primary key. A query uses it by saying
-- `length(period) = 4`, as the index does.
CREATE INDEX data_values_yearly ON data_values(indicator_code, period, num_value, unit_code)
    WHERE length(period) = 4;
-- Memberships by enterprise with their dates and cluster: "a member on day D" without the rows.
CREATE INDEX memberships_uscc_dates ON memberships(uscc, valid_from, valid_to, cluster_code);
DROP INDEX memberships_uscc;
