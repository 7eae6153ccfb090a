//! Overdue counties, the bureau's 催报 reminders, and each county's inbox: the reminders plus
//! items computed from the state of its submissions (due soon, overdue, returned, unlocked).
//! Items are computed on every read, so they can never disagree with the workflow; only the
//! reminders and which items were read are stored.

use crate::reporting::{Status, deadline};
use crate::{Actor, Result, Scope, Store, StoreError};
use chrono::NaiveDate;
use clusterdesk_domain::{Period, Role, period::PeriodType};
use clusterdesk_plan::datasets::{Dataset, RowUnit};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// What the bureau writes to the counties it reminds.
const REMINDER_MESSAGE: clusterdesk_domain::text::Field =
    clusterdesk_domain::text::Field::note("催报说明", 500);

/// Items due within this many days are shown as due soon.
pub const DUE_SOON_DAYS: i64 = 7;
/// How far back (by deadline) the overdue list and the inbox look.
const WINDOW_DAYS: i64 = 365;

/// One (data set, county, period) past its deadline and not submitted.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Overdue {
    pub dataset: String,
    pub dataset_name: String,
    pub county_code: String,
    pub county_name: String,
    pub period: String,
    /// YYYY-MM-DD
    pub deadline: String,
    pub days_overdue: i64,
    /// `not_submitted`, or `returned` when it was submitted once and sent back (or unlocked).
    pub state: String,
    pub reminders: i64,
    pub last_reminded_at: Option<String>,
}

/// A 催报 reminder as sent.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Reminder {
    pub id: i64,
    pub dataset: String,
    pub county_code: String,
    pub period: String,
    pub message: String,
    pub sent_by: String,
    pub sent_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Reminder,
    DueSoon,
    Overdue,
    Returned,
    Unlocked,
}

impl ItemKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            ItemKind::Reminder => "催报",
            ItemKind::DueSoon => "即将到期",
            ItemKind::Overdue => "已逾期",
            ItemKind::Returned => "被退回",
            ItemKind::Unlocked => "已解锁",
        }
    }
}

/// One entry of an inbox.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct InboxItem {
    /// Stable key, used to mark it read: `reminder:7`, `overdue:cluster_monthly:2025-03`, …
    pub key: String,
    pub kind: ItemKind,
    pub dataset: String,
    pub dataset_name: String,
    pub county_code: String,
    pub period: String,
    /// Reminders and events: when they happened (RFC 3339); due and overdue: the deadline.
    pub at: String,
    pub deadline: String,
    /// Days to the deadline (due soon) or past it (overdue); 0 otherwise.
    pub days: i64,
    /// The bureau's message, or the reason given to return or unlock.
    pub message: String,
    /// Who sent, returned or unlocked; empty for computed items.
    pub by: String,
    pub read: bool,
}

impl InboxItem {
    /// An unread item with nothing yet said of when, by whom or why.
    fn new(kind: ItemKind, dataset: &str, dataset_name: String, county: &str, period: &str) -> Self {
        InboxItem {
            key: String::new(),
            kind,
            dataset: dataset.to_string(),
            dataset_name,
            county_code: county.to_string(),
            period: period.to_string(),
            at: String::new(),
            deadline: String::new(),
            days: 0,
            message: String::new(),
            by: String::new(),
            read: false,
        }
    }
}

/// The periods of a kind whose deadline falls within the window ending `DUE_SOON_DAYS` after
/// `today`, newest first, from the data set's first period on.
fn window(ds: &Dataset, today: NaiveDate) -> Vec<(Period, NaiveDate)> {
    let month = Period::month(
        today.format("%Y").to_string().parse().unwrap_or(2000),
        today.format("%m").to_string().parse().unwrap_or(1),
    );
    let mut p = match ds.period_type {
        PeriodType::Month => month,
        PeriodType::Quarter => Period::Quarter {
            year: month.year(),
            quarter: month.month_range().0.div_ceil(3),
        },
        PeriodType::Year => Period::Year { year: month.year() },
    };
    let mut out = Vec::new();
    loop {
        let due = deadline(p, ds.deadline_day);
        if (today - due).num_days() > WINDOW_DAYS {
            return out;
        }
        // Nothing is owed before the data set's first period (a year before the plan).
        if !ds.owes(p) {
            return out;
        }
        if (due - today).num_days() <= DUE_SOON_DAYS {
            out.push((p, due));
        }
        p = p.prev();
    }
}

impl Store {
    fn dataset_name(&self, code: &str) -> String {
        self.plan()
            .datasets
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| code.to_string())
    }

    /// Status of every stored submission, keyed by (data set, county, period).
    async fn statuses(&self, county: Option<&str>) -> Result<HashMap<(String, String, String), Status>> {
        let rows = sqlx::query(
            "SELECT dataset, county_code, period, status FROM submissions
             WHERE $1 = '' OR county_code = $1",
        )
        .bind(county.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        let mut out = HashMap::new();
        for r in rows {
            let st = Status::parse(&r.try_get::<String, _>(3)?).unwrap_or(Status::Draft);
            out.insert((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?), st);
        }
        Ok(out)
    }

    /// Periods past their deadline (within the last year) that a county has not submitted,
    /// longest overdue first. `dataset` narrows to one data set. The city sees every county,
    /// a county itself.
    pub async fn overdue(
        &self,
        actor: &Actor,
        today: NaiveDate,
        dataset: Option<&str>,
    ) -> Result<Vec<Overdue>> {
        let county = match actor.scope() {
            Scope::City => None,
            Scope::County(c) => Some(c),
            _ => return Err(StoreError::Forbidden("您的角色不能查看报送情况".into())),
        };
        let statuses = self.statuses(county.as_deref()).await?;
        let mut reminded: HashMap<(String, String, String), (i64, String)> = HashMap::new();
        for r in sqlx::query(
            "SELECT dataset, county_code, period, CAST(COUNT(*) AS BIGINT), MAX(sent_at) FROM reminders
             GROUP BY dataset, county_code, period",
        )
        .fetch_all(self.pool())
        .await?
        {
            reminded.insert(
                (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?),
                (r.try_get(3)?, r.try_get(4)?),
            );
        }
        let mut out = Vec::new();
        for ds in self
            .plan()
            .datasets
            .iter()
            .filter(|d| dataset.is_none_or(|x| x == d.code))
        {
            for (p, due) in window(ds, today) {
                if due >= today {
                    continue;
                }
                for c in self.plan().counties() {
                    if county.as_ref().is_some_and(|x| *x != c.code) {
                        continue;
                    }
                    let key = (ds.code.clone(), c.code.clone(), p.to_string());
                    let state = match statuses.get(&key) {
                        None => "not_submitted",
                        Some(Status::Draft) => "returned",
                        Some(_) => continue,
                    };
                    let (reminders, last) = reminded
                        .get(&key)
                        .map(|(n, at)| (*n, Some(at.clone())))
                        .unwrap_or((0, None));
                    out.push(Overdue {
                        dataset: ds.code.clone(),
                        dataset_name: ds.name.clone(),
                        county_code: c.code.clone(),
                        county_name: c.name.clone(),
                        period: p.to_string(),
                        deadline: due.to_string(),
                        days_overdue: (today - due).num_days(),
                        state: state.into(),
                        reminders,
                        last_reminded_at: last,
                    });
                }
            }
        }
        let plan = self.plan();
        let order = |c: &str| plan.counties().position(|x| x.code == c).unwrap_or(usize::MAX);
        out.sort_by(|a, b| {
            b.days_overdue
                .cmp(&a.days_overdue)
                .then(order(&a.county_code).cmp(&order(&b.county_code)))
                .then(a.dataset.cmp(&b.dataset))
        });
        Ok(out)
    }

    /// The bureau sends a 催报 reminder for each (data set, county, period); all or none.
    pub async fn send_reminders(
        &self,
        actor: &Actor,
        targets: &[(String, String, String)],
        message: &str,
    ) -> Result<Vec<Reminder>> {
        if actor.role != Role::CityAdmin {
            return Err(StoreError::Forbidden("只有市工信局可以催报".into()));
        }
        if targets.is_empty() {
            return Err(StoreError::Invalid("没有需要催报的县(市)".into()));
        }
        let message = clusterdesk_domain::text::clean(REMINDER_MESSAGE, message)?;
        let message = message.as_str();
        for (ds, county, period) in targets {
            let kind = self
                .plan()
                .datasets
                .iter()
                .find(|d| &d.code == ds)
                .map(|d| d.period_type);
            if kind.is_none() {
                return Err(StoreError::NotFound(format!("数据集“{ds}”")));
            }
            self.check_county(actor, county)?;
            match Period::parse(period) {
                Ok(p) if Some(p.kind()) == kind => {}
                _ => {
                    return Err(StoreError::Invalid(format!(
                        "期间“{period}”不是数据集“{}”的报送期",
                        self.dataset_name(ds)
                    )));
                }
            }
        }
        let ts = self.now();
        let mut tx = self.begin_write().await?;
        let mut out = Vec::new();
        for (ds, county, period) in targets {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO reminders (dataset, county_code, period, message, sent_by, sent_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(ds)
            .bind(county)
            .bind(period)
            .bind(message)
            .bind(&actor.username)
            .bind(&ts)
            .fetch_one(&mut *tx)
            .await?;
            self.log_change(
                &mut tx,
                actor,
                "reminder",
                &format!("{ds}/{county}/{period}"),
                "create",
                None,
                Some(message.to_string()),
            )
            .await?;
            out.push(Reminder {
                id,
                dataset: ds.clone(),
                county_code: county.clone(),
                period: period.clone(),
                message: message.to_string(),
                sent_by: actor.username.clone(),
                sent_at: ts.clone(),
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The reminders sent, newest first: to every county for the city, to its own for a county.
    pub async fn reminders_sent(&self, actor: &Actor, limit: i64) -> Result<Vec<Reminder>> {
        let county = match actor.scope() {
            Scope::City => String::new(),
            Scope::County(c) => c,
            _ => return Err(StoreError::Forbidden("您的角色不能查看催报记录".into())),
        };
        Ok(sqlx::query_as(
            "SELECT id, dataset, county_code, period, message, sent_by, sent_at FROM reminders
             WHERE $1 = '' OR county_code = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(&county)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// The organisation whose inbox the actor reads: a county user's county, an enterprise's
    /// USCC; the city may look at any county's. Anyone else is refused.
    pub fn inbox_org(&self, actor: &Actor, asked: Option<&str>) -> Result<String> {
        let own = match actor.scope() {
            Scope::County(c) => Some(c),
            Scope::Enterprise(e) => Some(e),
            Scope::City => None,
            Scope::Nothing => return Err(StoreError::Forbidden("您的角色没有催报提醒".into())),
        };
        match (own, asked.filter(|a| !a.is_empty())) {
            (Some(o), None) => Ok(o),
            (Some(o), Some(a)) if a == o => Ok(o),
            (Some(_), Some(_)) => Err(StoreError::Forbidden("不能查看其他单位的提醒".into())),
            (None, Some(a)) => {
                self.check_county(actor, a)?;
                Ok(a.to_string())
            }
            (None, None) => Err(StoreError::Invalid("请选择县(市)".into())),
        }
    }

    /// The inbox of a county (or of an enterprise, for its own monthly report), newest first.
    pub async fn inbox(&self, actor: &Actor, org: Option<&str>, today: NaiveDate) -> Result<Vec<InboxItem>> {
        let org = self.inbox_org(actor, org)?;
        let read: HashSet<String> =
            sqlx::query_scalar("SELECT item_key FROM inbox_reads WHERE org_code = $1")
                .bind(&org)
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .collect();
        let mut items = if actor.role == Role::Enterprise {
            self.enterprise_items(&org, today).await?
        } else {
            self.county_items(&org, today).await?
        };
        for i in &mut items {
            i.read = read.contains(&i.key);
        }
        items.sort_by(|a, b| b.at.cmp(&a.at).then(a.key.cmp(&b.key)));
        Ok(items)
    }

    /// How many items of the actor's own inbox are unread (0 for anyone without an inbox).
    pub async fn inbox_unread(&self, actor: &Actor, today: NaiveDate) -> Result<usize> {
        if matches!(actor.scope(), Scope::City | Scope::Nothing) {
            return Ok(0);
        }
        // Every page a county or an enterprise opens shows this count beside 催报提醒:
        // reused until the data changes or the day turns.
        let key = format!("inbox_unread|{:?}|{:?}|{today}", actor.role, actor.scope());
        self.cached(key, async {
            Ok(self
                .inbox(actor, None, today)
                .await?
                .iter()
                .filter(|i| !i.read)
                .count())
        })
        .await
    }

    /// Mark items of the actor's own inbox read; `keys` empty marks every current item.
    pub async fn mark_read(&self, actor: &Actor, keys: &[String], today: NaiveDate) -> Result<usize> {
        if matches!(actor.scope(), Scope::City) {
            return Err(StoreError::Forbidden("只有本单位可以标记提醒为已读".into()));
        }
        let items = self.inbox(actor, None, today).await?;
        let org = self.inbox_org(actor, None)?;
        let chosen: Vec<&InboxItem> = items
            .iter()
            .filter(|i| !i.read && (keys.is_empty() || keys.contains(&i.key)))
            .collect();
        if let Some(k) = keys.iter().find(|k| !items.iter().any(|i| &i.key == *k)) {
            return Err(StoreError::NotFound(format!("提醒“{k}”")));
        }
        let ts = self.now();
        let mut tx = self.begin_write().await?;
        for i in &chosen {
            sqlx::query(
                "INSERT INTO inbox_reads (org_code, item_key, read_by, read_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (org_code, item_key) DO NOTHING",
            )
            .bind(&org)
            .bind(&i.key)
            .bind(&actor.username)
            .bind(&ts)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(chosen.len())
    }

    async fn county_items(&self, county: &str, today: NaiveDate) -> Result<Vec<InboxItem>> {
        let cutoff = (today - chrono::Duration::days(WINDOW_DAYS)).to_string();
        let item =
            |kind, ds: &str, period: &str| InboxItem::new(kind, ds, self.dataset_name(ds), county, period);
        let mut out = Vec::new();
        let rows: Vec<Reminder> = sqlx::query_as(
            "SELECT id, dataset, county_code, period, message, sent_by, sent_at FROM reminders
             WHERE county_code = $1 AND sent_at >= $2",
        )
        .bind(county)
        .bind(&cutoff)
        .fetch_all(self.pool())
        .await?;
        for r in rows {
            let mut i = item(ItemKind::Reminder, &r.dataset, &r.period);
            i.key = format!("reminder:{}", r.id);
            i.at = r.sent_at;
            i.message = r.message;
            i.by = r.sent_by;
            out.push(i);
        }
        // Returned by the county leader or the bureau, or unlocked by the bureau.
        let rows = sqlx::query(
            "SELECT id, dataset, period, from_status, actor, at, comment FROM submission_events
             WHERE county_code = $1 AND to_status = 'draft' AND at >= $2",
        )
        .bind(county)
        .bind(&cutoff)
        .fetch_all(self.pool())
        .await?;
        for r in rows {
            let from: String = r.try_get(3)?;
            let kind = if from == Status::Accepted.code() {
                ItemKind::Unlocked
            } else {
                ItemKind::Returned
            };
            let mut i = item(kind, &r.try_get::<String, _>(1)?, &r.try_get::<String, _>(2)?);
            i.key = format!("event:{}", r.try_get::<i64, _>(0)?);
            i.by = r.try_get(4)?;
            i.at = r.try_get(5)?;
            i.message = r.try_get(6)?;
            out.push(i);
        }
        let statuses = self.statuses(Some(county)).await?;
        for ds in &self.plan().datasets {
            for (p, due) in window(ds, today) {
                let key = (ds.code.clone(), county.to_string(), p.to_string());
                if statuses.get(&key).is_some_and(|s| *s != Status::Draft) {
                    continue;
                }
                out.push(due_item(
                    item(ItemKind::DueSoon, &ds.code, &p.to_string()),
                    due,
                    today,
                ));
            }
        }
        Ok(out)
    }

    /// An enterprise's own monthly report: due soon or overdue while it has entered nothing
    /// for the period and its county has not submitted it.
    async fn enterprise_items(&self, uscc: &str, today: NaiveDate) -> Result<Vec<InboxItem>> {
        let county: Option<String> =
            sqlx::query_scalar("SELECT county_code FROM enterprises WHERE uscc = $1")
                .bind(uscc)
                .fetch_optional(self.pool())
                .await?;
        let Some(county) = county else {
            return Ok(vec![]);
        };
        let entered: HashSet<String> =
            sqlx::query_scalar("SELECT DISTINCT period FROM data_values WHERE unit_code = $1")
                .bind(uscc)
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .collect();
        let statuses = self.statuses(Some(&county)).await?;
        let mut out = Vec::new();
        for ds in self
            .plan()
            .datasets
            .iter()
            .filter(|d| d.level == RowUnit::Enterprise && d.entered_by == "enterprise")
        {
            for (p, due) in window(ds, today) {
                let key = (ds.code.clone(), county.clone(), p.to_string());
                if entered.contains(&p.to_string()) || statuses.get(&key).is_some_and(|s| *s != Status::Draft)
                {
                    continue;
                }
                let i = InboxItem::new(
                    ItemKind::DueSoon,
                    &ds.code,
                    ds.name.clone(),
                    &county,
                    &p.to_string(),
                );
                out.push(due_item(i, due, today));
            }
        }
        Ok(out)
    }
}

/// A computed item: due soon until the deadline has passed, overdue after. The key names the
/// state, so an item read while due soon comes back unread once it is overdue.
fn due_item(mut i: InboxItem, due: NaiveDate, today: NaiveDate) -> InboxItem {
    let (kind, days) = if due < today {
        (ItemKind::Overdue, (today - due).num_days())
    } else {
        (ItemKind::DueSoon, (due - today).num_days())
    };
    let word = if kind == ItemKind::Overdue {
        "overdue"
    } else {
        "due"
    };
    i.key = format!("{word}:{}:{}", i.dataset, i.period);
    i.kind = kind;
    i.days = days;
    i.deadline = due.to_string();
    i.at = due.to_string();
    i
}
