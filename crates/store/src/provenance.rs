//! Where a figure comes from: the stored values behind it, who entered each and when, and the
//! change history of each (`change_log`); for an aggregate (a county, the city), the units it
//! adds up. Scoped like every read: a county opens only its own units.

use crate::{Actor, Result, Scope, Store, StoreError};
use clusterdesk_domain::Period;
use sqlx::Row;
use std::collections::HashMap;

/// One change of a stored value.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ValueChange {
    pub at: String,
    pub actor: String,
    pub actor_name: String,
    /// create, update or delete.
    pub action: String,
    /// Stored integers (or text) before and after, as kept in the change log.
    pub old: Option<String>,
    pub new: Option<String>,
}

/// One stored value of the unit and indicator.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ProvenanceRow {
    pub period: String,
    pub num_value: Option<i64>,
    pub text_value: Option<String>,
    pub updated_by: String,
    pub updated_by_name: String,
    pub updated_at: String,
    pub history: Vec<ValueChange>,
}

/// A unit an aggregate adds up, with its figure for the period.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Contributor {
    pub code: String,
    pub name: String,
    /// county, cluster or enterprise.
    pub kind: String,
    /// In stored units; `None` when the unit reported nothing for the period.
    pub value: Option<i64>,
    /// Stored values counted.
    pub rows: usize,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Provenance {
    pub unit: String,
    pub unit_name: String,
    /// city, county, cluster or enterprise.
    pub unit_kind: String,
    pub indicator: String,
    pub indicator_name: String,
    /// The indicator's unit (元, 家, %) and scale of the stored integers.
    pub indicator_unit: String,
    pub scale: u32,
    /// The period asked for (`2025`, `2025-03`), or empty for every period.
    pub period: String,
    pub rows: Vec<ProvenanceRow>,
    pub contributors: Vec<Contributor>,
    /// The sum of the contributors (sum indicators) or their average (rates).
    pub total: Option<i64>,
    /// How the figure is formed, for people.
    pub note: String,
}

/// Whether stored period `p` lies within `within` (a month within its quarter and year …).
fn inside(p: Period, within: Period) -> bool {
    let (a, b) = within.month_range();
    let (c, d) = p.month_range();
    p.year() == within.year() && c >= a && d <= b
}

/// One unit's figure for a period from its stored rows: flows take the period's own value if
/// stored, else the sum of its months, else of its quarters; stocks the latest value inside.
fn figure(rows: &[(Period, i64)], period: Period, stock: bool) -> Option<i64> {
    let ins: Vec<&(Period, i64)> = rows.iter().filter(|(p, _)| inside(*p, period)).collect();
    if stock {
        return ins.iter().max_by_key(|(p, _)| p.end_index()).map(|(_, v)| *v);
    }
    if let Some((_, v)) = ins.iter().find(|(p, _)| *p == period) {
        return Some(*v);
    }
    use clusterdesk_domain::period::PeriodType;
    for kind in [PeriodType::Month, PeriodType::Quarter] {
        let vs: Vec<i64> = ins
            .iter()
            .filter(|(p, _)| p.kind() == kind)
            .map(|(_, v)| *v)
            .collect();
        if !vs.is_empty() {
            return Some(vs.iter().sum());
        }
    }
    None
}

impl Store {
    /// A cluster's member enterprises at the end of the period's year with their figure for
    /// the period, largest first (enterprises without one left out).
    async fn member_contributors(
        &self,
        cluster: &str,
        indicator: &str,
        p: Period,
        stock: bool,
    ) -> Result<Vec<Contributor>> {
        let day_after = format!("{:04}-01-01", p.year() + 1);
        let by = self
            .unit_rows(
                indicator,
                "SELECT uscc FROM memberships WHERE cluster_code = $2",
                Some(cluster),
            )
            .await?;
        let members: Vec<(String, String, String, Option<String>)> = sqlx::query(
            "SELECT m.uscc, e.name, m.valid_from, m.valid_to FROM memberships m
             JOIN enterprises e ON e.uscc = m.uscc WHERE m.cluster_code = $1 ORDER BY e.name",
        )
        .bind(cluster)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect::<Result<_>>()?;
        let mut out = Vec::new();
        for (u, name, from, to) in members {
            // Members at the end of the period's year, as the metrics count them.
            if from.as_str() >= day_after.as_str() || to.as_deref().is_some_and(|t| t < day_after.as_str()) {
                continue;
            }
            let Some(r) = by.get(&u) else { continue };
            let Some(value) = figure(r, p, stock) else {
                continue;
            };
            out.push(Contributor {
                code: u,
                name,
                kind: "enterprise".into(),
                value: Some(value),
                rows: r.iter().filter(|(x, _)| inside(*x, p)).count(),
            });
        }
        out.sort_by(|a, b| b.value.cmp(&a.value).then(a.code.cmp(&b.code)));
        Ok(out)
    }

    async fn user_names(&self) -> Result<HashMap<String, String>> {
        let mut m = HashMap::new();
        for r in sqlx::query("SELECT username, display_name FROM users")
            .fetch_all(self.pool())
            .await?
        {
            m.insert(r.try_get(0)?, r.try_get(1)?);
        }
        Ok(m)
    }

    /// Rows (unit, period, value) of an indicator on the given units.
    async fn unit_rows(
        &self,
        indicator: &str,
        units_sql: &str,
        bind: Option<&str>,
    ) -> Result<HashMap<String, Vec<(Period, i64)>>> {
        let sql = format!(
            "SELECT unit_code, period, num_value FROM data_values
             WHERE indicator_code = $1 AND num_value IS NOT NULL AND unit_code IN ({units_sql})"
        );
        let mut q = sqlx::query(&sql).bind(indicator);
        if let Some(b) = bind {
            q = q.bind(b);
        }
        let rows = q.fetch_all(self.pool()).await?;
        let mut m: HashMap<String, Vec<(Period, i64)>> = HashMap::new();
        for r in rows {
            let p: String = r.try_get(1)?;
            if let Ok(p) = Period::parse(&p) {
                m.entry(r.try_get(0)?).or_default().push((p, r.try_get(2)?));
            }
        }
        Ok(m)
    }

    /// The values behind one unit's figure of an indicator for a period (every period when
    /// `period` is None). See the module documentation.
    pub async fn provenance(
        &self,
        actor: &Actor,
        unit: &str,
        indicator: &str,
        period: Option<Period>,
    ) -> Result<Provenance> {
        let plan = self.plan();
        let ind = plan
            .indicator(indicator)
            .ok_or_else(|| StoreError::NotFound(format!("指标“{indicator}”")))?;
        let (kind, unit_name) = if let Some(c) = plan.cluster(unit) {
            self.check_unit_read(actor, unit).await?;
            ("cluster", c.full_name.clone())
        } else if let Some(u) = plan.org_unit(unit) {
            match u.kind {
                clusterdesk_plan::OrgKind::County => self.check_county(actor, unit)?,
                clusterdesk_plan::OrgKind::City if actor.scope() == Scope::City => {}
                clusterdesk_plan::OrgKind::City => {
                    return Err(StoreError::Forbidden("全市汇总数据只对市级用户开放".into()));
                }
                _ => return Err(StoreError::NotFound(format!("单位“{unit}”的填报数据"))),
            }
            (u.kind.code(), u.name.clone())
        } else {
            let name: Option<String> = sqlx::query_scalar("SELECT name FROM enterprises WHERE uscc = $1")
                .bind(unit)
                .fetch_optional(self.pool())
                .await?;
            let Some(name) = name else {
                return Err(StoreError::NotFound(format!("单位“{unit}”")));
            };
            self.check_unit_read(actor, unit).await?;
            ("enterprise", name)
        };
        let names = self.user_names().await?;
        let name_of = |u: &str| names.get(u).cloned().unwrap_or_else(|| u.to_string());

        // The unit's own stored values, with their history.
        let mut rows = Vec::new();
        for r in sqlx::query(
            "SELECT period, num_value, text_value, updated_by, updated_at FROM data_values
             WHERE unit_code = $1 AND indicator_code = $2 ORDER BY period",
        )
        .bind(unit)
        .bind(indicator)
        .fetch_all(self.pool())
        .await?
        {
            let p: String = r.try_get(0)?;
            if let Some(want) = period
                && !Period::parse(&p).is_ok_and(|x| inside(x, want))
            {
                continue;
            }
            let by: String = r.try_get(3)?;
            rows.push(ProvenanceRow {
                period: p,
                num_value: r.try_get(1)?,
                text_value: r.try_get(2)?,
                updated_by_name: name_of(&by),
                updated_by: by,
                updated_at: r.try_get(4)?,
                history: Vec::new(),
            });
        }
        for row in &mut rows {
            let key = format!("{unit}/{indicator}/{}", row.period);
            for r in sqlx::query(
                "SELECT at, actor, action, old_value, new_value FROM change_log
                 WHERE entity = 'value' AND entity_key = $1 ORDER BY id",
            )
            .bind(&key)
            .fetch_all(self.pool())
            .await?
            {
                let a: String = r.try_get(1)?;
                row.history.push(ValueChange {
                    at: r.try_get(0)?,
                    actor_name: name_of(&a),
                    actor: a,
                    action: r.try_get(2)?,
                    old: r.try_get(3)?,
                    new: r.try_get(4)?,
                });
            }
        }

        // What an aggregate adds up: the city its counties, a county its clusters, a cluster
        // its member enterprises (when the figure is reported per enterprise).
        let stock = ind.is_stock();
        let average = ind.aggregation == clusterdesk_plan::Aggregation::Average;
        let qual_based = matches!(
            indicator,
            "innovation_platforms"
                | "high_tech_enterprises"
                | "innovative_specialized_smes"
                | "listed_or_quoted"
                | "listed_main_board"
                | "well_known_trademarks"
        );
        let mut contributors = Vec::new();
        if let Some(p) = period.filter(|_| !qual_based) {
            match kind {
                "city" | "county" => {
                    let by = self
                        .unit_rows(indicator, "SELECT code FROM clusters", None)
                        .await?;
                    for c in &plan.clusters {
                        if kind == "county" && c.county != unit {
                            continue;
                        }
                        let r = by.get(&c.code).map(Vec::as_slice).unwrap_or(&[]);
                        contributors.push(Contributor {
                            code: c.code.clone(),
                            name: c.full_name.clone(),
                            kind: "cluster".into(),
                            value: figure(r, p, stock),
                            rows: r.iter().filter(|(x, _)| inside(*x, p)).count(),
                        });
                    }
                    // Reported per enterprise (e.g. 发明专利): each cluster is the sum of its
                    // member enterprises' figures.
                    if contributors.iter().all(|c| c.value.is_none()) && ind.level.includes_enterprise() {
                        for c in &mut contributors {
                            let m = self.member_contributors(&c.code, indicator, p, stock).await?;
                            let vals: Vec<i64> = m.iter().filter_map(|x| x.value).collect();
                            c.value = combine(&vals, average);
                            c.rows = m.iter().map(|x| x.rows).sum();
                        }
                    }
                    if kind == "city" {
                        // Roll the clusters up to their counties: the city lists counties.
                        let mut out = Vec::new();
                        for county in plan.counties() {
                            let mine: Vec<&Contributor> = contributors
                                .iter()
                                .filter(|x| plan.cluster(&x.code).is_some_and(|c| c.county == county.code))
                                .collect();
                            let vals: Vec<i64> = mine.iter().filter_map(|x| x.value).collect();
                            out.push(Contributor {
                                code: county.code.clone(),
                                name: county.name.clone(),
                                kind: "county".into(),
                                value: combine(&vals, average),
                                rows: mine.iter().map(|x| x.rows).sum(),
                            });
                        }
                        contributors = out;
                    }
                }
                "cluster" => {
                    contributors = self.member_contributors(unit, indicator, p, stock).await?;
                }
                _ => {}
            }
        }
        let vals: Vec<i64> = contributors.iter().filter_map(|c| c.value).collect();
        let note = if qual_based {
            "该指标按企业资质(认定)记录计数,不由填报值汇总:明细见企业名录中各企业的资质。".to_string()
        } else {
            match kind {
                "city" => "全市数 = 各县(市)集群数之和;点击县(市)查看其集群。".into(),
                "county" => "县(市)数 = 所属各集群数之和(比率类指标为简单平均);点击集群查看报送值。".into(),
                "cluster" => {
                    "集群数以集群报送值为准(年值;无年值时为各月合计);下表另列期末成员企业的报送值。".into()
                }
                _ => "企业报送值。".into(),
            }
        };
        Ok(Provenance {
            unit: unit.to_string(),
            unit_name,
            unit_kind: kind.to_string(),
            indicator: indicator.to_string(),
            indicator_name: ind.name_zh.clone(),
            indicator_unit: ind.unit.clone(),
            scale: ind.scale,
            period: period.map(|p| p.to_string()).unwrap_or_default(),
            rows,
            total: combine(&vals, average),
            contributors,
            note,
        })
    }
}

/// Sum, or the average half away from zero for rates; `None` for nothing.
fn combine(vals: &[i64], average: bool) -> Option<i64> {
    if vals.is_empty() {
        return None;
    }
    let s: i128 = vals.iter().map(|v| *v as i128).sum();
    Some(if average {
        clusterdesk_analytics::progress::div_round(s, vals.len() as i128) as i64
    } else {
        s as i64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    #[test]
    fn figures_of_a_period() {
        let rows = [
            (p("2025-01"), 3),
            (p("2025-02"), 4),
            (p("2025Q1"), 100),
            (p("2024-12"), 50),
        ];
        // A year with months and a quarter: the months (3 + 4); the year's own value wins.
        assert_eq!(figure(&rows, p("2025"), false), Some(7));
        let mut with_year = rows.to_vec();
        with_year.push((p("2025"), 90));
        assert_eq!(figure(&with_year, p("2025"), false), Some(90));
        // A stock takes the latest value inside: the quarter ends in March, after February.
        assert_eq!(figure(&rows, p("2025"), true), Some(100));
        assert_eq!(figure(&rows, p("2025-02"), false), Some(4));
        assert_eq!(figure(&rows, p("2023"), false), None);
        assert!(inside(p("2025-03"), p("2025Q1")) && !inside(p("2025-04"), p("2025Q1")));
        assert_eq!(combine(&[1, 2], true), Some(2));
        assert_eq!(combine(&[], false), None);
    }
}
