//! The demo's reporting history, as it stands on the demo's today.

use crate::Result;
use crate::reporting::Status;
use clusterdesk_domain::Period;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The county whose operator and leader are the demo's county accounts: it has not sent the
/// latest due monthly cluster report, so the 催报 path (overdue list, reminder, inbox) has a case.
const BEHIND: &str = "130981";
/// The newest monthly cluster report that could have been sent waits for 任丘's leader and
/// 河间's is approved by the county and waits for the city, whatever the date.
const AWAITING_LEADER: &str = "130982";
const AWAITING_CITY: &str = "130984";

/// The last month of a demo made on `today` (Beijing): the month before, whose reports are
/// being sent now.
pub fn last_month(today: chrono::NaiveDate) -> Period {
    use chrono::Datelike;
    Period::month(today.year(), today.month()).prev()
}

/// One data set's reporting history for every county, as it stands on `today`: periods whose
/// deadline has passed are accepted (6% of them late), except [`BEHIND`]'s latest monthly
/// reports; periods still open are not yet sent, submitted, or approved by the county. Nothing
/// is dated on or after `today`.
pub(super) async fn history(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    rng: &mut ChaCha8Rng,
    ds: &clusterdesk_plan::datasets::Dataset,
    periods: &[Period],
    today: chrono::NaiveDate,
    plan: &clusterdesk_plan::Plan,
) -> Result<()> {
    use crate::reporting::deadline;
    let day = chrono::Duration::days;
    let yesterday = today - day(1);
    // A period can be sent from the day after it ends.
    let opens = |p: Period| deadline(p, 1);
    let monthly = ds.code == "cluster_monthly";
    // The newest period that was due before today, and the newest that could be sent by now.
    let latest_due = periods
        .iter()
        .rev()
        .find(|p| deadline(**p, ds.deadline_day) < today)
        .copied();
    let newest_open = periods.iter().rev().find(|p| opens(**p) <= yesterday).copied();
    for county in plan.counties() {
        for p in periods {
            let due = deadline(*p, ds.deadline_day);
            let open = opens(*p);
            let roll: f64 = rng.gen_range(0.0..1.0);
            if monthly && county.code == BEHIND && latest_due.is_some_and(|l| *p >= l) {
                continue;
            }
            let forced = match (monthly && Some(*p) == newest_open, county.code.as_str()) {
                (true, AWAITING_LEADER) => Some(Status::Submitted),
                (true, AWAITING_CITY) => Some(Status::CountyApproved),
                _ => None,
            };
            if open > yesterday {
                continue; // it ended today or later: nobody could have sent it yet
            }
            // The last day it could have been sent on time, as far as today allows.
            let last = due.min(yesterday);
            let (status, sent) = if let Some(status) = forced {
                (status, between(rng, (last - day(2)).max(open), last))
            } else if due >= today {
                // Still open: a quarter not yet sent, the rest sent between its opening and yesterday.
                let status = match roll {
                    r if r < 0.25 => continue,
                    r if r < 0.6 => Status::Submitted,
                    _ => Status::CountyApproved,
                };
                (status, between(rng, open, yesterday))
            } else if roll < 0.06 {
                (
                    Status::Accepted,
                    between(rng, due + day(1), due + day(11)).min(yesterday),
                )
            } else {
                (Status::Accepted, between(rng, (due - day(7)).max(open), due))
            };
            let at = format!("{sent}T01:30:00.000Z");
            sqlx::query(
                "INSERT INTO submissions (dataset, county_code, period, status, submitted_at, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 'demo', $5)",
            )
            .bind(&ds.code)
            .bind(&county.code)
            .bind(p.to_string())
            .bind(status.code())
            .bind(&at)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// A day from `first` to `last`, both included, drawn.
fn between(rng: &mut ChaCha8Rng, first: chrono::NaiveDate, last: chrono::NaiveDate) -> chrono::NaiveDate {
    first + chrono::Duration::days(rng.gen_range(0..=(last - first).num_days().max(0)))
}
