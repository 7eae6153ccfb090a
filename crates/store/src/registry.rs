//! The org tree's clusters and the enterprise registry, scoped by the caller.

use crate::{Actor, Result, Scope, Store, StoreError};
use clusterdesk_domain::{IndustryCode, QualKind, Uscc};
use sqlx::Row;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ClusterRow {
    pub code: String,
    pub name: String,
    pub full_name: String,
    pub county_code: String,
    pub county_name: String,
    pub attachment: i64,
    pub industries: Vec<String>,
    pub enterprise_count: i64,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EnterpriseRow {
    pub uscc: String,
    pub name: String,
    pub county_code: String,
    pub county_name: String,
    pub industry_code: String,
    pub cluster_code: Option<String>,
    pub cluster_name: Option<String>,
    pub address: String,
    pub contact: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Membership {
    pub cluster_code: String,
    pub cluster_name: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Qualification {
    #[schema(value_type = String)]
    pub kind: QualKind,
    pub level: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EnterpriseDetail {
    #[serde(flatten)]
    #[schema(inline)]
    pub enterprise: EnterpriseRow,
    pub memberships: Vec<Membership>,
    pub qualifications: Vec<Qualification>,
}

/// What a form or an import row says about an enterprise; already validated field by field.
#[derive(Debug, Clone)]
pub struct EnterpriseInput {
    pub uscc: Uscc,
    pub name: String,
    pub county_code: String,
    pub industry: IndustryCode,
    pub cluster_code: Option<String>,
    /// When the enterprise joined `cluster_code`; today when not given.
    pub cluster_since: Option<String>,
    pub address: String,
    pub contact: String,
}

#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    pub q: Option<String>,
    pub county: Option<String>,
    pub cluster: Option<String>,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct WriteSummary {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// An import row that the store refused, with the 0-based index of the input it came from.
#[derive(Debug, Clone)]
pub struct RowError {
    pub rule: &'static str,
    pub index: usize,
    pub field: &'static str,
    pub message: String,
}

/// The rows with their name, address and contact as they will be stored (domain::text); a
/// field that cannot be is a row error on it, and its row keeps the text as given.
fn clean_texts(rows: &[EnterpriseInput], errors: &mut Vec<RowError>) -> Vec<EnterpriseInput> {
    use clusterdesk_domain::text::{ADDRESS, CONTACT, ENTERPRISE_NAME, clean};
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r = r.clone();
            for (field, rule, value) in [
                ("name", ENTERPRISE_NAME, &mut r.name),
                ("address", ADDRESS, &mut r.address),
                ("contact", CONTACT, &mut r.contact),
            ] {
                match clean(rule, value) {
                    Ok(v) => *value = v,
                    Err(e) => errors.push(RowError {
                        rule: "text",
                        index: i,
                        field,
                        message: e.to_string(),
                    }),
                }
            }
            r
        })
        .collect()
}

impl Store {
    pub(crate) fn county_name(&self, code: &str) -> String {
        self.plan()
            .org_unit(code)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    }

    fn cluster_from_row(&self, r: &sqlx::any::AnyRow) -> Result<ClusterRow> {
        let county: String = r.try_get("county_code")?;
        let industries: String = r.try_get("industries")?;
        Ok(ClusterRow {
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            full_name: r.try_get("full_name")?,
            county_name: self.county_name(&county),
            county_code: county,
            attachment: r.try_get("attachment")?,
            industries: industries
                .split(';')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            enterprise_count: r.try_get("enterprise_count")?,
        })
    }

    const CLUSTER_SELECT: &'static str = "SELECT c.code, c.name, c.full_name, c.county_code, c.attachment, c.industries,
        (SELECT COUNT(*) FROM memberships m WHERE m.cluster_code = c.code AND m.valid_to IS NULL) AS enterprise_count
        FROM clusters c";

    /// The clusters the actor may see, in attachment order.
    pub async fn list_clusters(&self, actor: &Actor) -> Result<Vec<ClusterRow>> {
        // The member counts are a COUNT per cluster: reused until the data changes.
        let scope = actor.scope();
        let key = format!("clusters|{scope:?}");
        self.cached(key, self.read_clusters(scope)).await
    }

    async fn read_clusters(&self, scope: Scope) -> Result<Vec<ClusterRow>> {
        let rows = match scope {
            Scope::City => {
                sqlx::query(&format!("{} ORDER BY c.attachment", Self::CLUSTER_SELECT)).fetch_all(self.pool()).await?
            }
            Scope::County(county) => {
                sqlx::query(&format!("{} WHERE c.county_code = $1 ORDER BY c.attachment", Self::CLUSTER_SELECT))
                    .bind(county)
                    .fetch_all(self.pool())
                    .await?
            }
            Scope::Enterprise(uscc) => {
                sqlx::query(&format!(
                    "{} WHERE c.code IN (SELECT cluster_code FROM memberships WHERE uscc = $1 AND valid_to IS NULL)
                     ORDER BY c.attachment",
                    Self::CLUSTER_SELECT
                ))
                .bind(uscc)
                .fetch_all(self.pool())
                .await?
            }
            Scope::Nothing => return Err(StoreError::Forbidden("该角色不能查看业务数据".into())),
        };
        rows.iter().map(|r| self.cluster_from_row(r)).collect()
    }

    pub async fn get_cluster(&self, actor: &Actor, code: &str) -> Result<ClusterRow> {
        let row = sqlx::query(&format!("{} WHERE c.code = $1", Self::CLUSTER_SELECT))
            .bind(code)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("集群“{code}”")))?;
        let c = self.cluster_from_row(&row)?;
        let allowed = match actor.scope() {
            Scope::Enterprise(uscc) => {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM memberships WHERE uscc = $1 AND cluster_code = $2 AND valid_to IS NULL",
                )
                .bind(uscc)
                .bind(code)
                .fetch_one(self.pool())
                .await?;
                n > 0
            }
            _ => actor.can_read_county(&c.county_code),
        };
        if !allowed {
            // The clusters are the plan's, published with it: refusing tells nothing new.
            return Err(StoreError::Forbidden(format!(
                "集群“{}”不属于您的管辖范围",
                c.full_name
            )));
        }
        Ok(c)
    }

    /// Check that the actor may read a county; 403 otherwise, 404 for a code not in the plan.
    pub fn check_county(&self, actor: &Actor, county: &str) -> Result<()> {
        match self.plan().org_unit(county) {
            Some(u) if u.kind.code() == "county" => {}
            _ => return Err(StoreError::NotFound(format!("县(市)“{county}”"))),
        }
        if !actor.can_read_county(county) {
            return Err(StoreError::Forbidden(format!(
                "“{}”不属于您的管辖范围",
                self.county_name(county)
            )));
        }
        Ok(())
    }

    const ENTERPRISE_SELECT: &'static str =
        "SELECT e.uscc, e.name, e.county_code, e.industry_code, e.address, e.contact,
        m.cluster_code, c.name AS cluster_name
        FROM enterprises e
        LEFT JOIN memberships m ON m.uscc = e.uscc AND m.valid_to IS NULL
        LEFT JOIN clusters c ON c.code = m.cluster_code";

    fn enterprise_from_row(&self, r: &sqlx::any::AnyRow) -> Result<EnterpriseRow> {
        let county: String = r.try_get("county_code")?;
        Ok(EnterpriseRow {
            uscc: r.try_get("uscc")?,
            name: r.try_get("name")?,
            county_name: self.county_name(&county),
            county_code: county,
            industry_code: r.try_get("industry_code")?,
            cluster_code: r.try_get("cluster_code")?,
            cluster_name: r.try_get("cluster_name")?,
            address: r.try_get("address")?,
            contact: r.try_get("contact")?,
        })
    }

    /// Search and page the enterprises the actor may see.
    pub async fn list_enterprises(&self, actor: &Actor, f: &EnterpriseFilter) -> Result<Page<EnterpriseRow>> {
        let mut filter = crate::filter::Filter::scoped(actor, "e.county_code", "e.uscc")?;
        if let Some(c) = f.county.as_deref().filter(|s| !s.is_empty()) {
            self.check_county(actor, c)?;
            filter.add("e.county_code = ?", c.to_string());
        }
        if let Some(c) = f.cluster.as_deref().filter(|s| !s.is_empty()) {
            self.get_cluster(actor, c).await?;
            filter.add("m.cluster_code = ?", c.to_string());
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let like = format!(
                "%{}%",
                q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
            );
            filter.add("(e.name LIKE ? ESCAPE '\\' OR e.uscc LIKE ? ESCAPE '\\')", like);
        }
        let per_page = f.per_page.clamp(1, 500);
        let page = f.page.max(1);
        // The scope and the filter decide the rows: the page is reused until the data changes.
        let key = format!("enterprises|{}|{page}|{per_page}", filter.key());
        self.cached(key, self.read_enterprises(filter, page, per_page))
            .await
    }

    async fn read_enterprises(
        &self,
        filter: crate::filter::Filter,
        page: u32,
        per_page: u32,
    ) -> Result<Page<EnterpriseRow>> {
        let where_ = filter.where_sql();
        let count_sql = format!(
            "SELECT COUNT(*) FROM enterprises e LEFT JOIN memberships m ON m.uscc = e.uscc AND m.valid_to IS NULL{where_}"
        );
        let total = filter.scalar(&count_sql).fetch_one(self.pool()).await?;
        let sql = format!(
            "{}{where_} ORDER BY e.county_code, e.name, e.uscc LIMIT {per_page} OFFSET {}",
            Self::ENTERPRISE_SELECT,
            (page as i64 - 1) * per_page as i64
        );
        let rows = filter.query(&sql).fetch_all(self.pool()).await?;
        let items = rows
            .iter()
            .map(|r| self.enterprise_from_row(r))
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    fn check_enterprise_access(&self, actor: &Actor, e: &EnterpriseRow) -> Result<()> {
        let ok = match actor.scope() {
            Scope::City => true,
            Scope::County(c) => c == e.county_code,
            Scope::Enterprise(u) => u == e.uscc,
            Scope::Nothing => false,
        };
        if ok {
            Ok(())
        } else {
            // The same answer as for a code that does not exist, naming only what was asked:
            // a refusal would tell that the enterprise exists, and its name.
            Err(StoreError::NotFound(format!("企业“{}”", e.uscc)))
        }
    }

    pub async fn get_enterprise(&self, actor: &Actor, uscc: &str) -> Result<EnterpriseDetail> {
        let row = sqlx::query(&format!("{} WHERE e.uscc = $1", Self::ENTERPRISE_SELECT))
            .bind(uscc)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("企业“{uscc}”")))?;
        let e = self.enterprise_from_row(&row)?;
        self.check_enterprise_access(actor, &e)?;
        let memberships = sqlx::query(
            "SELECT m.cluster_code, c.name, m.valid_from, m.valid_to FROM memberships m
             JOIN clusters c ON c.code = m.cluster_code WHERE m.uscc = $1 ORDER BY m.valid_from, m.id",
        )
        .bind(uscc)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Membership {
                cluster_code: r.try_get(0)?,
                cluster_name: r.try_get(1)?,
                valid_from: r.try_get(2)?,
                valid_to: r.try_get(3)?,
            })
        })
        .collect::<Result<_>>()?;
        let qualifications = self.qualifications_of(uscc).await?;
        Ok(EnterpriseDetail {
            enterprise: e,
            memberships,
            qualifications,
        })
    }

    pub async fn qualifications_of(&self, uscc: &str) -> Result<Vec<Qualification>> {
        sqlx::query(
            "SELECT kind, level, valid_from, valid_to, detail FROM qualifications WHERE uscc = $1
             ORDER BY valid_from, id",
        )
        .bind(uscc)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let kind: String = r.try_get(0)?;
            Ok(Qualification {
                kind: QualKind::parse(&kind).map_err(|e| StoreError::Invalid(e.message))?,
                level: r.try_get(1)?,
                valid_from: r.try_get(2)?,
                valid_to: r.try_get(3)?,
                detail: r.try_get(4)?,
            })
        })
        .collect()
    }

    /// Create or update enterprises, all or nothing. Rows the actor may not write, or that
    /// break a rule the store knows (cluster outside the county), come back as row errors
    /// and nothing is written.
    pub async fn upsert_enterprises(
        &self,
        actor: &Actor,
        rows: &[EnterpriseInput],
        dry_run: bool,
    ) -> Result<std::result::Result<WriteSummary, Vec<RowError>>> {
        let mut errors = Vec::new();
        let rows = clean_texts(rows, &mut errors);
        let rows = rows.as_slice();
        for (i, r) in rows.iter().enumerate() {
            match self.plan().org_unit(&r.county_code) {
                Some(u) if u.kind.code() == "county" => {}
                _ => errors.push(RowError {
                    rule: "county_unknown",
                    index: i,
                    field: "county",
                    message: format!("县(市)代码“{}”不在本方案的组织机构中", r.county_code),
                }),
            }
            if !actor.can_write_county(&r.county_code) {
                errors.push(RowError {
                    rule: "forbidden",
                    index: i,
                    field: "county",
                    message: format!("无权为“{}”登记企业", self.county_name(&r.county_code)),
                });
            }
            if let Some(cc) = &r.cluster_code {
                match self.plan().cluster(cc) {
                    None => errors.push(RowError {
                        rule: "cluster_unknown",
                        index: i,
                        field: "cluster",
                        message: format!("集群代码“{cc}”不存在"),
                    }),
                    Some(c) if c.county != r.county_code => errors.push(RowError {
                        rule: "cluster_county",
                        index: i,
                        field: "cluster",
                        message: format!(
                            "集群“{}”属于{},与企业所在县(市)不符",
                            c.full_name,
                            self.county_name(&c.county)
                        ),
                    }),
                    _ => {}
                }
            }
            if r.name.is_empty() {
                errors.push(RowError {
                    rule: "required",
                    index: i,
                    field: "name",
                    message: "企业名称不能为空".into(),
                });
            }
        }
        let mut seen = std::collections::HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            if let Some(first) = seen.insert(r.uscc.as_str().to_string(), i) {
                errors.push(RowError {
                    rule: "duplicate",
                    index: i,
                    field: "uscc",
                    message: format!("统一社会信用代码“{}”与第{}条重复", r.uscc, first + 1),
                });
            }
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let mut tx = self.begin_write().await?;
        let mut summary = WriteSummary::default();
        let ts = self.now();
        for (i, r) in rows.iter().enumerate() {
            let existing = sqlx::query(&format!("{} WHERE e.uscc = $1", Self::ENTERPRISE_SELECT))
                .bind(r.uscc.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let existing = existing.map(|row| self.enterprise_from_row(&row)).transpose()?;
            let new_json = serde_json::json!({
                "name": r.name, "county_code": r.county_code, "industry_code": r.industry.to_string(),
                "cluster_code": r.cluster_code, "address": r.address, "contact": r.contact,
            });
            // A new enterprise is inserted; a known one updated. Both bind the same parameters.
            let (sql, action, old_json) = match &existing {
                None => (
                    "INSERT INTO enterprises (uscc, name, county_code, industry_code, address, contact, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                    "create",
                    None,
                ),
                Some(e) => {
                    // An enterprise may only be moved by someone who may write its present county too.
                    if !actor.can_write_county(&e.county_code) {
                        tx.rollback().await?;
                        return Ok(Err(vec![RowError {
                            rule: "forbidden",
                            index: i,
                            field: "uscc",
                            message: format!("企业“{}”登记在{},无权修改", e.name, e.county_name),
                        }]));
                    }
                    let old_json = serde_json::json!({
                        "name": e.name, "county_code": e.county_code, "industry_code": e.industry_code,
                        "cluster_code": e.cluster_code, "address": e.address, "contact": e.contact,
                    });
                    if old_json == new_json {
                        summary.unchanged += 1;
                        continue;
                    }
                    (
                        "UPDATE enterprises SET name = $2, county_code = $3, industry_code = $4, address = $5,
                         contact = $6, updated_at = $7 WHERE uscc = $1",
                        "update",
                        Some(old_json.to_string()),
                    )
                }
            };
            sqlx::query(sql)
                .bind(r.uscc.as_str())
                .bind(&r.name)
                .bind(&r.county_code)
                .bind(r.industry.to_string())
                .bind(&r.address)
                .bind(&r.contact)
                .bind(&ts)
                .execute(&mut *tx)
                .await?;
            self.log_change(
                &mut tx,
                actor,
                "enterprise",
                r.uscc.as_str(),
                action,
                old_json,
                Some(new_json.to_string()),
            )
            .await?;
            if existing.is_some() {
                summary.updated += 1;
            } else {
                summary.created += 1;
            }
            let current = existing.as_ref().and_then(|e| e.cluster_code.clone());
            if current != r.cluster_code {
                let since = r
                    .cluster_since
                    .clone()
                    .unwrap_or_else(|| self.today().to_string());
                if current.is_some() {
                    sqlx::query("UPDATE memberships SET valid_to = $2 WHERE uscc = $1 AND valid_to IS NULL")
                        .bind(r.uscc.as_str())
                        .bind(&since)
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some(cc) = &r.cluster_code {
                    sqlx::query(
                        "INSERT INTO memberships (uscc, cluster_code, valid_from) VALUES ($1, $2, $3)",
                    )
                    .bind(r.uscc.as_str())
                    .bind(cc)
                    .bind(&since)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        crate::write::finish(tx, dry_run).await?;
        Ok(Ok(summary))
    }

    /// Add a dated qualification to an enterprise the actor may write.
    pub async fn add_qualification(&self, actor: &Actor, uscc: &str, q: &Qualification) -> Result<()> {
        let e = self.get_enterprise(actor, uscc).await?.enterprise;
        if !actor.can_write_county(&e.county_code) {
            return Err(StoreError::Forbidden(format!("无权修改企业“{}”", e.name)));
        }
        let detail =
            clusterdesk_domain::text::clean(clusterdesk_domain::text::Field::line("说明", 500), &q.detail)?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO qualifications (uscc, kind, level, valid_from, valid_to, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uscc)
        .bind(q.kind.code())
        .bind(&q.level)
        .bind(&q.valid_from)
        .bind(q.valid_to.clone())
        .bind(&detail)
        .execute(&mut *tx)
        .await?;
        let new = serde_json::to_string(q).expect("serialisable");
        self.log_change(&mut tx, actor, "qualification", uscc, "create", None, Some(new))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The fields of a cluster's own plan (四(二)), with their Chinese labels, in the text's order.
pub const CLUSTER_PLAN_FIELDS: [(&str, &str); 7] = [
    ("status_quo", "集群现状"),
    ("problems", "存在问题"),
    ("solutions", "解决途径"),
    ("levers", "具体抓手"),
    ("responsibility_list", "责任清单"),
    ("target_list", "目标清单"),
    ("measure_list", "措施清单"),
];

impl Store {
    /// The cluster's own plan as (label, text) pairs; scoped like the cluster.
    pub async fn cluster_plan(&self, actor: &Actor, code: &str) -> Result<Vec<(&'static str, String)>> {
        self.get_cluster(actor, code).await?;
        let cols: Vec<&str> = CLUSTER_PLAN_FIELDS.iter().map(|(c, _)| *c).collect();
        let row = sqlx::query(&format!(
            "SELECT {} FROM cluster_plans WHERE cluster_code = $1",
            cols.join(", ")
        ))
        .bind(code)
        .fetch_optional(self.pool())
        .await?;
        let mut out = Vec::new();
        for (i, (_, label)) in CLUSTER_PLAN_FIELDS.iter().enumerate() {
            let v: String = match &row {
                Some(r) => r.try_get(i)?,
                None => String::new(),
            };
            out.push((*label, v));
        }
        Ok(out)
    }

    /// Replace the cluster's own plan fields; the county operator of its county or the bureau.
    pub async fn update_cluster_plan(&self, actor: &Actor, code: &str, values: &[String; 7]) -> Result<()> {
        let c = self.get_cluster(actor, code).await?;
        if !actor.can_write_county(&c.county_code) {
            return Err(StoreError::Forbidden(format!(
                "无权修改“{}”的工作方案",
                c.full_name
            )));
        }
        // Each field is a paragraph of the county's plan, read by the bureau.
        let mut cleaned = Vec::with_capacity(values.len());
        for ((_, label), v) in CLUSTER_PLAN_FIELDS.iter().zip(values.iter()) {
            cleaned.push(clusterdesk_domain::text::clean(
                clusterdesk_domain::text::Field::note(label, 5000),
                v,
            )?);
        }
        let values = cleaned;
        let old = self.cluster_plan(actor, code).await?;
        let old_json: serde_json::Map<_, _> = old
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(v.clone())))
            .collect();
        let new_json: serde_json::Map<_, _> = CLUSTER_PLAN_FIELDS
            .iter()
            .zip(values.iter())
            .map(|((_, label), v)| (label.to_string(), serde_json::Value::from(v.as_str())))
            .collect();
        if old_json == new_json {
            return Ok(());
        }
        let sets: Vec<String> = CLUSTER_PLAN_FIELDS
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{c} = ${}", i + 2))
            .collect();
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "UPDATE cluster_plans SET {}, updated_by = $9, updated_at = $10 WHERE cluster_code = $1",
            sets.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(code);
        for v in &values {
            q = q.bind(v.as_str());
        }
        q.bind(&actor.username).bind(self.now()).execute(&mut *tx).await?;
        self.log_change(
            &mut tx,
            actor,
            "cluster_plan",
            code,
            "update",
            Some(serde_json::Value::Object(old_json).to_string()),
            Some(serde_json::Value::Object(new_json).to_string()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The largest member enterprises of a cluster by one yearly indicator. An enterprise
    /// account gets only its own row: the others' figures are not its to see.
    pub async fn top_enterprises(
        &self,
        actor: &Actor,
        cluster: &str,
        indicator: &str,
        period: &str,
        limit: i64,
    ) -> Result<Vec<(String, String, i64)>> {
        self.get_cluster(actor, cluster).await?;
        let rows = sqlx::query(
            "SELECT e.uscc, e.name, v.num_value FROM memberships m
             JOIN enterprises e ON e.uscc = m.uscc
             JOIN data_values v ON v.unit_code = e.uscc AND v.indicator_code = $2 AND v.period = $3
             WHERE m.cluster_code = $1 AND m.valid_to IS NULL AND v.num_value IS NOT NULL
               AND ($5 = '' OR e.uscc = $5)
             ORDER BY v.num_value DESC LIMIT $4",
        )
        .bind(cluster)
        .bind(indicator)
        .bind(period)
        .bind(limit)
        .bind(match actor.scope() {
            Scope::Enterprise(own) => own,
            _ => String::new(),
        })
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    /// The latest month for which any cluster reported this indicator, e.g. `2026-10`.
    pub async fn latest_month(&self, indicator: &str) -> Result<Option<String>> {
        // The largest month is the first one met walking the (indicator, period) index down from
        // its end; MAX(period) with LIKE would read every period of the indicator.
        Ok(sqlx::query_scalar(
            "SELECT period FROM data_values WHERE indicator_code = $1 AND period LIKE '____-__'
             ORDER BY period DESC LIMIT 1",
        )
        .bind(indicator)
        .fetch_optional(self.pool())
        .await?)
    }
}
