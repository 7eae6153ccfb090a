//! The JSON API under /api/v1, one router per module, described by an OpenAPI document.

pub mod assessment;
mod auth;
mod clusters;
pub mod enterprises;
pub mod incentives;
pub mod progress;
mod reminders;
mod reporting;

use crate::AppState;
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "clusterdesk API",
        description = "县域特色产业集群转型升级服务平台 JSON API"
    ),
    paths(
        auth::login,
        auth::logout,
        auth::me,
        auth::change_password,
        clusters::list,
        clusters::get_one,
        clusters::counties,
        enterprises::list,
        enterprises::get_one,
        enterprises::upsert,
        enterprises::add_qualification,
        reporting::datasets,
        reporting::put_values,
        reporting::submission,
        reporting::transition,
        reminders::overdue,
        reminders::send,
        reminders::sent,
        reminders::inbox,
        reminders::read,
        reminders::revisions,
        reminders::compare,
        reporting::validation,
        progress::progress,
        progress::cluster_metrics,
        progress::set_milestones,
        assessment::assessment,
        assessment::get_targets,
        assessment::put_targets,
        assessment::get_transfer,
        assessment::finalize_transfer,
        assessment::revoke_transfer,
        progress::target_detail,
        progress::values,
        incentives::policies,
        incentives::calc,
        incentives::list,
        incentives::create,
        incentives::get_one,
        incentives::act,
        incentives::upload,
        incentives::download,
        incentives::ledger,
        incentives::budgets,
        incentives::set_budget,
        incentives::scan,
    ),
    components(schemas(
        auth::LoginRequest,
        auth::LoginResponse,
        auth::PasswordChange,
        auth::Me,
        clusters::CountyRow,
        clusterdesk_store::registry::ClusterRow,
        clusterdesk_store::registry::EnterpriseRow,
        clusterdesk_store::registry::EnterpriseDetail,
        clusterdesk_store::registry::Membership,
        clusterdesk_store::registry::Qualification,
        clusterdesk_store::registry::WriteSummary,
        clusterdesk_store::accounts::UserInfo,
        enterprises::EnterpriseIn,
        enterprises::QualificationIn,
        reporting::DatasetInfo,
        reporting::ValuesIn,
        reporting::RowIn,
        reporting::ValuesOut,
        reporting::SubmissionOut,
        reporting::TransitionIn,
        reminders::Target,
        reminders::RemindIn,
        reminders::ReadIn,
        reminders::ReadOut,
        reminders::CompareOut,
        clusterdesk_store::reminders::Overdue,
        clusterdesk_store::reminders::Reminder,
        clusterdesk_store::reminders::InboxItem,
        clusterdesk_store::reminders::ItemKind,
        clusterdesk_store::revisions::RevisionInfo,
        clusterdesk_store::revisions::DiffRow,
        reporting::RefusedOut,
        reporting::ValidationOut,
        clusterdesk_store::validation::Finding,
        clusterdesk_store::validation::WarningComment,
        clusterdesk_store::validation::StoredComment,
        enterprises::EnterprisePage,
        incentives::PolicyOut,
        incentives::ClaimIn,
        incentives::ActionIn,
        incentives::BudgetIn,
        clusterdesk_store::incentives::ClaimRow,
        clusterdesk_store::incentives::ClaimDetail,
        clusterdesk_store::incentives::ClaimEvent,
        clusterdesk_store::incentives::EvidenceInfo,
        clusterdesk_store::incentives::LedgerRow,
        clusterdesk_store::incentives::BudgetRow,
        clusterdesk_store::incentives::ScanReport,
        clusterdesk_store::incentives::ScanRow,
        clusterdesk_store::progress::ProgressReport,
        clusterdesk_store::progress::TargetProgress,
        clusterdesk_store::progress::SeriesPoint,
        clusterdesk_store::progress::ForecastOut,
        clusterdesk_store::progress::YearToDate,
        clusterdesk_store::progress::QuotaProgress,
        clusterdesk_store::progress::QuotaUnit,
        clusterdesk_store::progress::ClusterMetrics,
        clusterdesk_store::progress::ClusterMetricsReport,
        clusterdesk_store::progress::MilestoneEdit,
        clusterdesk_store::progress::PhaseStep,
        clusterdesk_store::progress::TargetDetail,
        clusterdesk_store::progress::CountyShare,
        clusterdesk_store::provenance::Provenance,
        clusterdesk_store::provenance::ProvenanceRow,
        clusterdesk_store::provenance::ValueChange,
        clusterdesk_store::provenance::Contributor,
        progress::MilestonesIn,
        clusterdesk_store::assessment::AssessmentReport,
        clusterdesk_store::assessment::IndicatorInfo,
        clusterdesk_store::assessment::IndicatorValue,
        clusterdesk_store::assessment::CountyResult,
        clusterdesk_store::assessment::ParkEntryTransfer,
        clusterdesk_store::assessment::TransferRow,
        clusterdesk_store::assessment::AboveScaleRow,
        clusterdesk_store::assessment::AboveScaleEvent,
        clusterdesk_store::assessment::AboveScaleTarget,
        clusterdesk_store::assessment::AboveScaleTargets,
        clusterdesk_store::assessment::TransferDecision,
        clusterdesk_store::assessment::TransferStatus,
        clusterdesk_store::assessment::FinalizedTransfer,
        clusterdesk_store::assessment::FinalizedRow,
        clusterdesk_store::assessment::TransferRevocation,
        assessment::TargetsIn,
        assessment::RevokeIn,
        ErrorBody,
        ErrorDetail,
    ))
)]
pub struct ApiDoc;

/// The error body every API route answers with.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code for programs: unauthorized, forbidden, not_found, invalid, conflict, bad_request, internal.
    pub code: String,
    /// Chinese message for people.
    pub message: String,
}

async fn openapi(_: crate::auth::CurrentUser) -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(clusters::router())
        .merge(enterprises::router())
        .merge(reporting::router())
        .merge(reminders::router())
        .merge(incentives::router())
        .merge(progress::router())
        .merge(assessment::router())
        .route("/openapi.json", get(openapi))
        .fallback(|| async {
            crate::error::WebError::new(axum::http::StatusCode::NOT_FOUND, "not_found", "接口不存在")
        })
}
