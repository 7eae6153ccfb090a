//! The two workflows of the platform as state machines: the monthly reporting of 四(四)
//! ([`submission`]) and the incentive claims ([`claim`]). Each step is decided by a pure
//! `transition(from, action, who)`; the store only reads the row, asks, and writes.

pub mod claim;
pub mod submission;

/// Why a step is refused, with the Chinese message users see.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The caller's role (or scope) may never take this step here: 403.
    #[error("{0}")]
    Forbidden(String),
    /// The step is the caller's, but not in the present state: 409.
    #[error("{0}")]
    Conflict(String),
    /// Something the step needs is missing, e.g. a reason: 422.
    #[error("{0}")]
    Invalid(String),
}

impl Refusal {
    pub fn message(&self) -> &str {
        match self {
            Refusal::Forbidden(m) | Refusal::Conflict(m) | Refusal::Invalid(m) => m,
        }
    }
}
