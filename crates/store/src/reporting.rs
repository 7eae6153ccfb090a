//! The rows of the reporting workflow of 四(四). Who may take which step from which state is
//! decided in `clusterdesk_domain::workflow::submission`; the store reads the state, asks,
//! and writes the step compare-and-set.

use crate::{Actor, Result, Store, StoreError};
use clusterdesk_domain::Period;
use clusterdesk_domain::workflow::{Refusal, submission};
use sqlx::Row;

/// How often a submission is checked again when its values change between the submit gate
/// and the write lock (another import of the same period landing meanwhile).
const SUBMIT_TRIES: usize = 3;
const VALUES_CHANGING: &str = "该期数据正在被修改,请稍后核对后重新提交";

// The states and steps are the domain's; the store keeps its short names for them.
pub use clusterdesk_domain::workflow::submission::{SubmissionAction as Action, SubmissionStatus as Status};

impl From<Refusal> for StoreError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Forbidden(m) => StoreError::Forbidden(m),
            Refusal::Conflict(m) => StoreError::Conflict(m),
            Refusal::Invalid(m) => StoreError::Invalid(m),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Submission {
    pub dataset: String,
    pub county_code: String,
    pub period: String,
    pub status: Status,
    pub submitted_at: Option<String>,
    pub updated_by: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Event {
    pub from: Status,
    pub to: Status,
    pub actor: String,
    pub at: String,
    pub comment: String,
}

/// The caller as the workflow sees them: the role, and whether it is the county's own.
fn who(actor: &Actor, county: &str) -> submission::Who {
    submission::Who {
        role: actor.role,
        own_county: actor.org_code == county,
    }
}

/// A stored state; one the workflow does not know is a broken row, not a draft.
fn stored_status(code: &str) -> Result<Status> {
    Status::parse(code).ok_or_else(|| StoreError::Invalid(format!("未知的填报状态“{code}”")))
}

/// The day the data of `period` are due: `deadline_day` of the month after the period
/// (clamped to the month's length).
pub fn deadline(period: Period, deadline_day: u32) -> chrono::NaiveDate {
    let (y, m) = match period {
        Period::Month { year, month: 12 } => (year + 1, 1),
        Period::Month { year, month } => (year, month + 1),
        Period::Quarter { year, quarter: 4 } => (year + 1, 1),
        Period::Quarter { year, quarter } => (year, quarter * 3 + 1),
        Period::Year { year } => (year + 1, 1),
    };
    let mut d = deadline_day;
    loop {
        if let Some(date) = chrono::NaiveDate::from_ymd_opt(y, m, d) {
            return date;
        }
        d -= 1;
    }
}

impl Store {
    pub(crate) fn check_reporting_scope(&self, actor: &Actor, dataset: &str, county: &str) -> Result<()> {
        if !self.plan().datasets.iter().any(|d| d.code == dataset) {
            return Err(StoreError::NotFound(format!("数据集“{dataset}”")));
        }
        self.check_county(actor, county)
    }

    /// The state of one (data set, county, period); a period never submitted is a draft.
    pub async fn submission(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
    ) -> Result<Submission> {
        self.check_reporting_scope(actor, dataset, county)?;
        let row = sqlx::query(
            "SELECT status, submitted_at, updated_by, updated_at FROM submissions
             WHERE dataset = $1 AND county_code = $2 AND period = $3",
        )
        .bind(dataset)
        .bind(county)
        .bind(period)
        .fetch_optional(self.pool())
        .await?;
        Ok(match row {
            Some(r) => Submission {
                dataset: dataset.into(),
                county_code: county.into(),
                period: period.into(),
                status: Status::parse(&r.try_get::<String, _>(0)?).unwrap_or(Status::Draft),
                submitted_at: r.try_get(1)?,
                updated_by: r.try_get(2)?,
                updated_at: r.try_get(3)?,
            },
            None => Submission {
                dataset: dataset.into(),
                county_code: county.into(),
                period: period.into(),
                status: Status::Draft,
                submitted_at: None,
                updated_by: String::new(),
                updated_at: String::new(),
            },
        })
    }

    pub async fn submission_events(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
    ) -> Result<Vec<Event>> {
        self.check_reporting_scope(actor, dataset, county)?;
        let rows = sqlx::query(
            "SELECT from_status, to_status, actor, at, comment FROM submission_events
             WHERE dataset = $1 AND county_code = $2 AND period = $3 ORDER BY id",
        )
        .bind(dataset)
        .bind(county)
        .bind(period)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Event {
                    from: stored_status(&r.try_get::<String, _>(0)?)?,
                    to: stored_status(&r.try_get::<String, _>(1)?)?,
                    actor: r.try_get(2)?,
                    at: r.try_get(3)?,
                    comment: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// Refuse changes to a period that is submitted or locked.
    pub async fn check_editable(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
    ) -> Result<()> {
        let s = self.submission(actor, dataset, county, period).await?;
        if !s.status.is_editable() {
            return Err(self.not_editable(county, s.status));
        }
        Ok(())
    }

    pub(crate) fn not_editable(&self, county: &str, status: Status) -> StoreError {
        StoreError::Conflict(format!(
            "{}的该期数据状态为“{}”,不能修改;请先退回或由市工信局解锁",
            self.plan()
                .org_unit(county)
                .map(|u| u.name.as_str())
                .unwrap_or(county),
            status.label()
        ))
    }

    /// The actions the actor may take on a submission now.
    pub fn allowed_actions(&self, actor: &Actor, s: &Submission) -> Vec<Action> {
        submission::allowed(s.status, who(actor, &s.county_code))
    }

    /// Move a submission along the workflow, keeping who, when and why.
    pub async fn transition(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
        action: Action,
        comment: &str,
    ) -> Result<Submission> {
        self.transition_with_comments(actor, dataset, county, period, action, comment, &[])
            .await
    }

    /// As [`Store::transition`]; a submission carries the explanations of its validation
    /// warnings, and is refused while an error or an unexplained warning remains.
    #[allow(clippy::too_many_arguments)]
    pub async fn transition_with_comments(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
        action: Action,
        comment: &str,
        warning_comments: &[crate::validation::WarningComment],
    ) -> Result<Submission> {
        let comment = clusterdesk_domain::text::clean(clusterdesk_domain::text::COMMENT, comment)?;
        let key = (dataset, county, period);
        for _ in 0..SUBMIT_TRIES {
            if let Some(s) = self
                .try_transition(actor, key, action, comment.as_str(), warning_comments)
                .await?
            {
                return Ok(s);
            }
        }
        Err(StoreError::Conflict(VALUES_CHANGING.into()))
    }

    /// One try of a workflow step. `None`: a submission whose values changed between the
    /// submit gate and the write lock, so what was checked is not what would be kept.
    async fn try_transition(
        &self,
        actor: &Actor,
        key: crate::write::PeriodKey<'_>,
        action: Action,
        comment: &str,
        warning_comments: &[crate::validation::WarningComment],
    ) -> Result<Option<Submission>> {
        let (dataset, county, period) = key;
        let cur = self.submission(actor, dataset, county, period).await?;
        let to = submission::transition(cur.status, action, who(actor, county))?;
        submission::check_reason(action, comment)?;
        // The values the submit gate judges; they must still be the stored ones under the lock.
        let gated = if action == Action::Submit {
            let mut conn = self.pool().acquire().await?;
            let values = crate::revisions::read_values(&mut conn, self, dataset, county, period).await?;
            if values.is_empty() {
                return Err(StoreError::Invalid("该期尚无数据,不能提交".into()));
            }
            Some(values)
        } else {
            None
        };
        let warnings = if action == Action::Submit {
            self.submit_gate(actor, dataset, county, period, warning_comments)
                .await?
        } else {
            Vec::new()
        };
        let ts = self.now();
        let submitted_at = if action == Action::Submit {
            Some(ts.clone())
        } else {
            cur.submitted_at.clone()
        };
        let mut tx = self.begin_write().await?;
        self.write_transition(&mut tx, actor, key, cur.status, to, submitted_at, &ts)
            .await
            .map_err(crate::write::busy_to_conflict)?;
        // The values a submit or an unlock keeps, read once under the lock.
        let kept = match action {
            Action::Submit | Action::Unlock => {
                crate::revisions::read_values(&mut tx, self, dataset, county, period).await?
            }
            _ => Default::default(),
        };
        if gated.is_some_and(|g| g != kept) {
            return Ok(None);
        }
        sqlx::query(
            "INSERT INTO submission_events (dataset, county_code, period, from_status, to_status, actor, at, comment)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(dataset)
        .bind(county)
        .bind(period)
        .bind(cur.status.code())
        .bind(to.code())
        .bind(&actor.username)
        .bind(&ts)
        .bind(comment)
        .execute(&mut *tx)
        .await?;
        self.snapshot_revision(&mut tx, actor, key, action, &kept).await?;
        // Submissions, approvals, acceptances, returns and unlocks are in the audit trail.
        let e = crate::audit::AuditEntry::new(
            &actor.username,
            "submission",
            format!("{dataset}/{county}/{period}"),
        )
        .with(serde_json::json!({"from": cur.status.code(), "to": to.code(), "comment": comment}));
        self.audit_in(&mut tx, e).await?;
        crate::validation::save_comments(&mut tx, actor, key, &warnings, warning_comments, &ts).await?;
        tx.commit()
            .await
            .map_err(|e| crate::write::busy_to_conflict(e.into()))?;
        self.submission(actor, dataset, county, period).await.map(Some)
    }

    /// Compare-and-set: move `key` from `from` to `to` only if it is still in `from` inside
    /// this transaction, so that of two steps sent together from one state only one succeeds.
    #[allow(clippy::too_many_arguments)]
    async fn write_transition(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        key: crate::write::PeriodKey<'_>,
        from: Status,
        to: Status,
        submitted_at: Option<String>,
        ts: &str,
    ) -> Result<()> {
        let (dataset, county, period) = key;
        let now = self.lock_period(&mut *conn, key).await?;
        let changed = || StoreError::Conflict(crate::write::CHANGED_MESSAGE.into());
        if now.unwrap_or(Status::Draft) != from {
            return Err(changed());
        }
        let done = if now.is_some() {
            sqlx::query(
                "UPDATE submissions SET status = $4, submitted_at = $5, updated_by = $6, updated_at = $7
                 WHERE dataset = $1 AND county_code = $2 AND period = $3 AND status = $8",
            )
            .bind(dataset)
            .bind(county)
            .bind(period)
            .bind(to.code())
            .bind(submitted_at)
            .bind(&actor.username)
            .bind(ts)
            .bind(from.code())
            .execute(&mut *conn)
            .await?
        } else {
            // A first step: whoever inserted the row first wins; the other inserts nothing.
            sqlx::query(
                "INSERT INTO submissions (dataset, county_code, period, status, submitted_at, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (dataset, county_code, period) DO NOTHING",
            )
            .bind(dataset)
            .bind(county)
            .bind(period)
            .bind(to.code())
            .bind(submitted_at)
            .bind(&actor.username)
            .bind(ts)
            .execute(&mut *conn)
            .await?
        };
        if done.rows_affected() != 1 {
            return Err(changed());
        }
        Ok(())
    }

    /// Every county's submission for each period of a data set, for the completeness matrix.
    pub async fn submissions_for(
        &self,
        actor: &Actor,
        dataset: &str,
        periods: &[String],
    ) -> Result<Vec<Submission>> {
        // One read per county and period (168 for the status matrix): reused until the data
        // changes.
        let key = format!("submissions|{:?}|{dataset}|{}", actor.scope(), periods.join(","));
        self.cached(key, self.read_submissions_for(actor, dataset, periods))
            .await
    }

    async fn read_submissions_for(
        &self,
        actor: &Actor,
        dataset: &str,
        periods: &[String],
    ) -> Result<Vec<Submission>> {
        let mut out = Vec::new();
        for c in self.plan().counties().filter(|c| actor.can_read_county(&c.code)) {
            for p in periods {
                out.push(self.submission(actor, dataset, &c.code, p).await?);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_fall_in_the_month_after() {
        let d = |p: &str, day| deadline(Period::parse(p).unwrap(), day).to_string();
        assert_eq!(d("2025-03", 10), "2025-04-10");
        assert_eq!(d("2025-12", 10), "2026-01-10");
        assert_eq!(d("2025Q1", 15), "2025-04-15");
        assert_eq!(d("2025Q4", 15), "2026-01-15");
        assert_eq!(d("2025", 31), "2026-01-31");
        // 31 in a 30-day month is its last day.
        assert_eq!(d("2025-03", 31), "2025-04-30");
    }
}
