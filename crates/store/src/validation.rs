//! Validation rules of the reporting data sets (`plan/validation.yaml`) run over one county's
//! period: errors block the submission, warnings need the submitter's explanation, which is
//! kept per submission round and shown to the county leader and the city.
//!
//! One run reads the period's values (and, for outlier rules, up to six years of history) and
//! the enterprise sums of the clusters in a few queries; the rules are judged in
//! `clusterdesk_analytics::validation`.

use crate::values::Value;
use crate::{Actor, Result, Store, StoreError};
use clusterdesk_analytics::validation::{self, Cell, Key};
use clusterdesk_domain::Period;
use clusterdesk_plan::datasets::RowUnit;
use clusterdesk_plan::validation::Rule;
use sqlx::Row;
use std::collections::HashMap;

/// Years of history an outlier rule reads (five years of changes and their bases).
const HISTORY_YEARS: i32 = 6;

pub use clusterdesk_analytics::validation::{
    CumulativeIssue, Finding, cumulative_step, earlier_in_year, show_plain,
};

/// The submitter's explanation of one warning.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct WarningComment {
    pub rule_id: String,
    pub unit_code: String,
    #[serde(default)]
    pub indicator: String,
    pub comment: String,
}

/// An explanation as kept: who gave it and in which submission round (`at` is the time of the
/// submission it came with).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct StoredComment {
    pub rule_id: String,
    pub unit_code: String,
    pub indicator: String,
    pub comment: String,
    #[sqlx(rename = "commented_by")]
    pub by: String,
    pub at: String,
}

impl Store {
    /// Run the data set's validation rules over one county's period as stored.
    pub async fn validate(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
    ) -> Result<Vec<Finding>> {
        // Every view of the reporting page runs the rules (history reads for the outliers):
        // reused until the data changes.
        self.check_reporting_scope(actor, dataset, county)?;
        let key = format!("validate|{:?}|{dataset}|{county}|{period}", actor.scope());
        self.cached(key, self.validate_with(actor, dataset, county, period, &[]))
            .await
    }

    /// As [`Store::validate`], on the state the period would have with `overlay` written (an
    /// import checks what it is about to write, dry run or not).
    pub async fn validate_with(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
        overlay: &[Value],
    ) -> Result<Vec<Finding>> {
        self.check_reporting_scope(actor, dataset, county)?;
        let plan = self.plan();
        let ds = plan.datasets.iter().find(|d| d.code == dataset).expect("checked");
        let at = Period::parse(period).map_err(|e| StoreError::Invalid(e.message))?;
        if at.kind() != ds.period_type {
            return Err(StoreError::Invalid(format!(
                "期间“{period}”与数据集“{}”的填报周期不符",
                ds.name
            )));
        }
        let period = at.to_string();
        let rules: Vec<&Rule> = plan
            .validation_rules
            .iter()
            .filter(|r| r.dataset == dataset)
            .collect();
        if rules.is_empty() {
            return Ok(Vec::new());
        }
        let enterprises = ds.level == RowUnit::Enterprise;
        let units: Vec<(String, String)> = if enterprises {
            self.enterprises_of_county(actor, county).await?
        } else {
            plan.clusters_of(county)
                .iter()
                .map(|c| (c.code.clone(), c.name.clone()))
                .collect()
        };
        let unit_sql = if enterprises {
            "SELECT uscc FROM enterprises WHERE county_code = $1"
        } else {
            "SELECT code FROM clusters WHERE county_code = $1"
        };

        // The values: this year's periods for every indicator of the data set, and the history
        // of the indicators outlier rules judge.
        let mut values: HashMap<Key, Cell> = HashMap::new();
        let outlier_inds = validation::outlier_indicators(&rules);
        let first_of_year = match at {
            Period::Month { year, .. } => Period::Month { year, month: 1 },
            Period::Quarter { year, .. } => Period::Quarter { year, quarter: 1 },
            y @ Period::Year { .. } => y,
        };
        let mut reads: Vec<(Period, Vec<&str>)> =
            vec![(first_of_year, ds.indicators.iter().map(String::as_str).collect())];
        if !outlier_inds.is_empty() {
            let mut from = first_of_year;
            for _ in 0..HISTORY_YEARS {
                from = from.same_period_last_year();
            }
            reads.push((from, outlier_inds.iter().copied().collect()));
        }
        for (from, inds) in reads {
            let marks: Vec<String> = (0..inds.len()).map(|i| format!("${}", i + 5)).collect();
            let sql = format!(
                "SELECT unit_code, indicator_code, period, num_value, text_value FROM data_values
                 WHERE unit_code IN ({unit_sql}) AND period >= $2 AND period <= $3 AND LENGTH(period) = $4
                 AND indicator_code IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql)
                .bind(county)
                .bind(from.to_string())
                .bind(period.clone())
                .bind(period.len() as i64);
            for i in &inds {
                q = q.bind(i.to_string());
            }
            for r in q.fetch_all(self.pool()).await? {
                values.insert(
                    (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?),
                    Cell {
                        num_value: r.try_get(3)?,
                        text_value: r.try_get(4)?,
                    },
                );
            }
        }
        for v in overlay {
            values.insert(
                (v.unit_code.clone(), v.indicator_code.clone(), v.period.clone()),
                Cell {
                    num_value: v.num_value,
                    text_value: v.text_value.clone(),
                },
            );
        }

        // Enterprise sums per cluster, by the membership valid on the period's last day.
        let mut aggs: HashMap<(String, String), i64> = HashMap::new();
        let agg_inds = validation::aggregate_indicators(&rules);
        if !agg_inds.is_empty() && !enterprises {
            let (y, (_, last_month)) = (at.year(), at.month_range());
            let last_day = crate::reporting::deadline(Period::month(y, last_month), 1)
                .pred_opt()
                .expect("a day");
            let marks: Vec<String> = (0..agg_inds.len()).map(|i| format!("${}", i + 4)).collect();
            let sql = format!(
                "SELECT m.cluster_code, v.indicator_code, CAST(SUM(v.num_value) AS BIGINT)
                 FROM data_values v JOIN memberships m ON m.uscc = v.unit_code
                 JOIN clusters c ON c.code = m.cluster_code
                 WHERE c.county_code = $1 AND v.period = $2 AND v.num_value IS NOT NULL
                 AND m.valid_from <= $3 AND (m.valid_to IS NULL OR m.valid_to > $3)
                 AND v.indicator_code IN ({})
                 GROUP BY m.cluster_code, v.indicator_code",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql)
                .bind(county)
                .bind(period.clone())
                .bind(last_day.to_string());
            for i in &agg_inds {
                q = q.bind(i.clone());
            }
            for r in q.fetch_all(self.pool()).await? {
                let s: Option<i64> = r.try_get(2)?;
                if let Some(s) = s {
                    aggs.insert((r.try_get(0)?, r.try_get(1)?), s);
                }
            }
        }

        Ok(validation::judge(
            plan,
            &ds.indicators,
            &rules,
            at,
            &units,
            &values,
            &aggs,
        ))
    }
    /// What keeps the period from being submitted: every error, and every warning without a
    /// non-empty explanation in `comments`.
    pub async fn submit_blockers(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
        comments: &[WarningComment],
    ) -> Result<Vec<Finding>> {
        let findings = self.validate(actor, dataset, county, period).await?;
        Ok(findings
            .into_iter()
            .filter(|f| f.is_error() || !explained(f, comments))
            .collect())
    }

    /// The check a submission passes: refused with every blocker listed, or the warnings
    /// (all explained) whose explanations the submission keeps.
    pub(crate) async fn submit_gate(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
        comments: &[WarningComment],
    ) -> Result<Vec<Finding>> {
        let findings = self.validate(actor, dataset, county, period).await?;
        let blockers: Vec<Finding> = findings
            .iter()
            .filter(|f| f.is_error() || !explained(f, comments))
            .cloned()
            .collect();
        if !blockers.is_empty() {
            return Err(StoreError::Invalid(describe_blockers(&blockers)));
        }
        Ok(findings)
    }

    /// The explanations given for a period's warnings, oldest round first; the current round's
    /// `at` is the submission's `submitted_at`.
    pub async fn validation_comments(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
    ) -> Result<Vec<StoredComment>> {
        self.check_reporting_scope(actor, dataset, county)?;
        Ok(sqlx::query_as(
            "SELECT rule_id, unit_code, indicator, comment, commented_by, at FROM validation_comments
             WHERE dataset = $1 AND county_code = $2 AND period = $3 ORDER BY at, id",
        )
        .bind(dataset)
        .bind(county)
        .bind(period)
        .fetch_all(self.pool())
        .await?)
    }
}

fn explained(f: &Finding, comments: &[WarningComment]) -> bool {
    comments.iter().any(|c| {
        (c.rule_id.as_str(), c.unit_code.as_str(), c.indicator.as_str()) == f.key()
            && !c.comment.trim().is_empty()
    })
}

/// The Chinese refusal of a submission, listing what is to be done.
pub fn describe_blockers(blockers: &[Finding]) -> String {
    let errors = blockers.iter().filter(|f| f.is_error()).count();
    let warnings = blockers.len() - errors;
    let mut head = Vec::new();
    if errors > 0 {
        head.push(format!("{errors}项校验错误须先改正"));
    }
    if warnings > 0 {
        head.push(format!("{warnings}项警告须逐项填写说明"));
    }
    let items: Vec<String> = blockers
        .iter()
        .take(20)
        .map(|f| {
            format!(
                "[{}] {} {}:{}",
                f.importance_label, f.unit_name, f.indicator_name, f.message
            )
        })
        .collect();
    let more = if blockers.len() > 20 {
        format!(";另有{}项", blockers.len() - 20)
    } else {
        String::new()
    };
    format!("不能提交:{}。{}{more}", head.join(","), items.join(";"))
}

/// Keep the explanations of the warnings of a submission, in its transaction. Only comments
/// on a current warning are kept.
pub(crate) async fn save_comments(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    key: (&str, &str, &str),
    warnings: &[Finding],
    comments: &[WarningComment],
    at: &str,
) -> Result<()> {
    for c in comments {
        let comment = clusterdesk_domain::text::clean(clusterdesk_domain::text::COMMENT, &c.comment)?;
        if comment.is_empty()
            || !warnings
                .iter()
                .any(|f| (c.rule_id.as_str(), c.unit_code.as_str(), c.indicator.as_str()) == f.key())
        {
            continue;
        }
        sqlx::query(
            "INSERT INTO validation_comments (dataset, county_code, period, rule_id, unit_code, indicator, comment, commented_by, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(key.0)
        .bind(key.1)
        .bind(key.2)
        .bind(&c.rule_id)
        .bind(&c.unit_code)
        .bind(&c.indicator)
        .bind(&comment)
        .bind(&actor.username)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
