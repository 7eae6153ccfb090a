//! Overdue counties and 催报 reminders, each organisation's inbox, and revision comparison.

use crate::AppState;
use crate::access::{Access, Api};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, WebError};
use axum::Json;
use axum::extract::{Query, State};
use clusterdesk_store::Actor;
use clusterdesk_store::reminders::{InboxItem, Overdue, Reminder};
use clusterdesk_store::revisions::{DiffRow, RevisionInfo, Side};
use utoipa_axum::routes;

/// The module's operations, each routed at the path of its `#[utoipa::path]`.
/// The operations of this feature, each with its access rule.
pub fn routes() -> Api {
    Api::new()
        .route(Access::CITY_OR_COUNTY, routes!(overdue))
        .route(Access::CITY_OR_COUNTY, routes!(sent))
        .route(Access::CITY_ADMIN, routes!(send))
        .route(Access::BUSINESS, routes!(inbox))
        .route(Access::BUSINESS, routes!(read))
        .route(Access::CITY_OR_COUNTY, routes!(revisions))
        .route(Access::CITY_OR_COUNTY, routes!(compare))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct OverdueQuery {
    /// A data set code; every data set when absent.
    pub dataset: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reporting/overdue", params(OverdueQuery),
    responses((status = 200, body = Vec<Overdue>, description = "近一年内过截止日未报送的期次,逾期最久的在前"),
        (status = 403, body = super::ErrorBody)))]
pub async fn overdue(
    State(st): State<AppState>,
    u: CurrentUser,
    Query(q): Query<OverdueQuery>,
) -> ApiResult<Json<Vec<Overdue>>> {
    let ds = q.dataset.as_deref().filter(|d| !d.is_empty());
    if let Some(d) = ds
        && !st.store.plan().datasets.iter().any(|x| x.code == d)
    {
        return Err(WebError::new(
            axum::http::StatusCode::NOT_FOUND,
            "not_found",
            format!("未知数据集“{d}”"),
        ));
    }
    Ok(Json(st.store.overdue(&u.actor, st.store.today(), ds).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Target {
    pub dataset: String,
    pub county: String,
    pub period: String,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct RemindIn {
    /// The (data set, county, period) to remind; all or none are sent.
    pub targets: Vec<Target>,
    #[serde(default)]
    pub message: String,
}

#[utoipa::path(post, path = "/api/v1/reporting/reminders", request_body = RemindIn,
    responses((status = 200, body = Vec<Reminder>), (status = 403, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody)))]
pub async fn send(
    State(st): State<AppState>,
    u: CurrentUser,
    Json(b): Json<RemindIn>,
) -> ApiResult<Json<Vec<Reminder>>> {
    let targets: Vec<(String, String, String)> = b
        .targets
        .into_iter()
        .map(|t| (t.dataset, t.county, t.period))
        .collect();
    Ok(Json(
        st.store.send_reminders(&u.actor, &targets, &b.message).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/reporting/reminders",
    responses((status = 200, body = Vec<Reminder>, description = "最近发送的200条催报"), (status = 403, body = super::ErrorBody)))]
pub async fn sent(State(st): State<AppState>, u: CurrentUser) -> ApiResult<Json<Vec<Reminder>>> {
    Ok(Json(st.store.reminders_sent(&u.actor, 200).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct InboxQuery {
    /// The county (city users only); a county's or enterprise's own inbox when absent.
    pub county: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/inbox", params(InboxQuery),
    responses((status = 200, body = Vec<InboxItem>), (status = 403, body = super::ErrorBody)))]
pub async fn inbox(
    State(st): State<AppState>,
    u: CurrentUser,
    Query(q): Query<InboxQuery>,
) -> ApiResult<Json<Vec<InboxItem>>> {
    Ok(Json(
        st.store
            .inbox(&u.actor, q.county.as_deref(), st.store.today())
            .await?,
    ))
}

#[derive(utoipa::ToSchema)]
pub struct ReadIn {
    /// Item keys to mark read; empty or absent marks every item.
    #[schema(required = false)]
    pub keys: Vec<String>,
}

/// Only from an object, as the document states: serde's derive would take a struct from an
/// array too, and `[]` would then mark every item read.
impl<'de> serde::Deserialize<'de> for ReadIn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Fields {
            #[serde(default)]
            keys: Vec<String>,
        }
        let map = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        let f: Fields =
            serde_json::from_value(serde_json::Value::Object(map)).map_err(serde::de::Error::custom)?;
        Ok(ReadIn { keys: f.keys })
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ReadOut {
    pub marked: usize,
}

#[utoipa::path(post, path = "/api/v1/inbox/read", request_body = ReadIn,
    responses((status = 200, body = ReadOut), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn read(
    State(st): State<AppState>,
    u: CurrentUser,
    Json(b): Json<ReadIn>,
) -> ApiResult<Json<ReadOut>> {
    let marked = st.store.mark_read(&u.actor, &b.keys, st.store.today()).await?;
    Ok(Json(ReadOut { marked }))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct PeriodQuery {
    pub dataset: String,
    pub county: String,
    pub period: String,
    /// A revision number or `current`; the latest revision when absent (compare only).
    #[param(pattern = "^(current|0*[1-9][0-9]{0,8})?$")]
    pub a: Option<String>,
    /// A revision number or `current` (the default).
    #[param(pattern = "^(current|0*[1-9][0-9]{0,8})?$")]
    pub b: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reporting/revisions", params(PeriodQuery),
    responses((status = 200, body = Vec<RevisionInfo>), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn revisions(
    State(st): State<AppState>,
    u: CurrentUser,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<Vec<RevisionInfo>>> {
    Ok(Json(
        st.store
            .revisions(&u.actor, &q.dataset, &q.county, &q.period)
            .await?,
    ))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CompareOut {
    pub a: String,
    pub b: String,
    /// Every (unit, indicator) on either side; numbers in the indicator's scale (money in fen).
    pub rows: Vec<DiffRow>,
}

/// A comparison for the API and the compare page: the revisions, the two sides (by default the
/// latest kept revision, the last submit or unlock, against the data as now) and the rows.
pub(crate) async fn compare_sides(
    st: &AppState,
    actor: &Actor,
    dataset: &str,
    county: &str,
    period: &str,
    a: &Option<String>,
    b: &Option<String>,
) -> Result<(Vec<RevisionInfo>, Side, Side, Vec<DiffRow>), WebError> {
    let revs = st.store.revisions(actor, dataset, county, period).await?;
    let side = |s: &Option<String>, default: Side| match s.as_deref() {
        None => Ok(default),
        Some(t) => {
            Side::parse(t).ok_or_else(|| WebError::bad_request(format!("版本“{t}”应为数字或 current")))
        }
    };
    let last = revs
        .last()
        .map(|r| Side::Revision(r.revision))
        .unwrap_or(Side::Current);
    let (a, b) = (side(a, last)?, side(b, Side::Current)?);
    let rows = st
        .store
        .compare_revisions(actor, dataset, county, period, a, b)
        .await?;
    Ok((revs, a, b, rows))
}

#[utoipa::path(get, path = "/api/v1/reporting/compare", params(PeriodQuery),
    responses((status = 200, body = CompareOut), (status = 400, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn compare(
    State(st): State<AppState>,
    u: CurrentUser,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<CompareOut>> {
    let (_, a, b, rows) = compare_sides(&st, &u.actor, &q.dataset, &q.county, &q.period, &q.a, &q.b).await?;
    Ok(Json(CompareOut {
        a: a.code(),
        b: b.code(),
        rows,
    }))
}
