//! The data set's template as .xlsx, and a filled template uploaded back.

use super::page::{build, with_status};
use super::{Choice, may_enter};
use crate::AppState;
use crate::error::WebError;
use crate::ui::extract::CsrfUpload;
use crate::ui::{PageError, PageUser, render};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use clusterdesk_domain::Period;
use clusterdesk_office::reporting::ImportError;

pub(super) async fn download(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(c): Query<Choice>,
) -> Result<Response, PageError> {
    let period =
        Period::parse(c.period.as_deref().unwrap_or("")).map_err(|e| WebError::bad_request(e.message))?;
    let (dataset, county) = (c.dataset.unwrap_or_default(), c.county.unwrap_or_default());
    let bytes =
        clusterdesk_office::reporting::template(&st.store, &u.actor, &dataset, &county, period).await?;
    let ds_name = st
        .store
        .plan()
        .datasets
        .iter()
        .find(|d| d.code == dataset)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let county_name = st
        .store
        .plan()
        .org_unit(&county)
        .map(|x| x.name.clone())
        .unwrap_or_default();
    let filename = format!("{county_name}{ds_name}{period}.xlsx");
    Ok(crate::ui::file_download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &filename,
    ))
}

pub(super) async fn upload(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfUpload(up): CsrfUpload,
) -> Result<Response, PageError> {
    if !may_enter(&u) {
        return Err(WebError::forbidden("只有县(市)填报员和市工信局可以上传数据").into());
    }
    let file = up.file()?;
    let name = file.file_name.clone().unwrap_or_else(|| "upload".into());
    let (bytes, dry_run) = (&file.bytes, up.dry_run());
    let result =
        clusterdesk_office::reporting::import(&st.store, &u.actor, &name, bytes, None, dry_run).await;
    // Keep the selection the person uploaded from.
    let chosen = Choice {
        dataset: up.fields.get("dataset").cloned(),
        county: up.fields.get("county").cloned(),
        period: up.fields.get("period").cloned(),
    };
    let mut p = build(&st, &u, &chosen);
    p.file = name;
    p.dry_run = dry_run;
    let status = match result {
        Ok(r) => {
            p.dataset = r.dataset.clone();
            p.county = r.county.clone();
            p.period = r.period.clone();
            p.report = Some(r);
            p = with_status(&st, &u, p).await;
            axum::http::StatusCode::OK
        }
        Err(ImportError::Cells(errs)) => {
            p.errors = errs;
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(ImportError::Store(e)) => return Err(e.into()),
    };
    Ok((status, render(&p)).into_response())
}
