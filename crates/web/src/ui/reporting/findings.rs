//! Validation findings as the pages show them, with the submitter's explanations of warnings.

use crate::AppState;
use crate::auth::CurrentUser;
use clusterdesk_store::validation::{Finding, WarningComment};

/// A validation finding as a page shows it: with the field for the submitter's explanation of
/// a warning, what was typed there, and the explanation given with the current submission.
pub struct FindingView {
    pub f: Finding,
    /// Form field of the explanation: `wc|rule|unit|indicator`.
    pub field: String,
    pub typed: String,
    pub comment: String,
    pub comment_by: String,
}

impl FindingView {
    fn new(f: Finding) -> Self {
        FindingView {
            field: format!("wc|{}|{}|{}", f.rule_id, f.unit_code, f.indicator),
            f,
            typed: String::new(),
            comment: String::new(),
            comment_by: String::new(),
        }
    }
}

/// The explanations typed into a form, by their `wc|rule|unit|indicator` fields.
pub(super) fn typed_comments(fields: &[(String, String)]) -> Vec<WarningComment> {
    fields
        .iter()
        .filter_map(|(k, v)| {
            let mut parts = k.strip_prefix("wc|")?.splitn(3, '|');
            Some(WarningComment {
                rule_id: parts.next()?.to_string(),
                unit_code: parts.next()?.to_string(),
                indicator: parts.next().unwrap_or_default().to_string(),
                comment: v.clone(),
            })
        })
        .collect()
}

/// The period's findings, with the explanations of the current submission round.
pub(super) async fn findings_of(
    st: &AppState,
    u: &CurrentUser,
    dataset: &str,
    county: &str,
    period: &str,
) -> Vec<FindingView> {
    let Ok(found) = st.store.validate(&u.actor, dataset, county, period).await else {
        return Vec::new();
    };
    let submitted_at = st
        .store
        .submission(&u.actor, dataset, county, period)
        .await
        .ok()
        .and_then(|s| s.submitted_at);
    let comments = st
        .store
        .validation_comments(&u.actor, dataset, county, period)
        .await
        .unwrap_or_default();
    found
        .into_iter()
        .map(|f| {
            let mut v = FindingView::new(f);
            if let Some(c) = comments.iter().rev().find(|c| {
                Some(&c.at) == submitted_at.as_ref()
                    && (c.rule_id.as_str(), c.unit_code.as_str(), c.indicator.as_str()) == v.f.key()
            }) {
                v.comment = c.comment.clone();
                v.comment_by = c.by.clone();
            }
            v
        })
        .collect()
}
