//! Pure types and rules of the field: codes, money, periods. No I/O.

pub mod audit;
pub mod clock;
pub mod confidentiality;
pub mod industry;
pub mod lockout;
pub mod money;
pub mod password;
pub mod period;
pub mod qualification;
pub mod region;
pub mod role;
pub mod session;
pub mod text;
pub mod totp;
pub mod uscc;
pub mod workflow;

pub use clock::Clock;
pub use industry::IndustryCode;
pub use money::Fen;
pub use period::Period;
pub use qualification::QualKind;
pub use region::RegionCode;
pub use role::Role;
pub use uscc::Uscc;
pub use workflow::Refusal;

/// A value that failed its rule. `rule` is a stable code for programs, `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub rule: &'static str,
    pub message: String,
}

impl ParseError {
    pub fn new(rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            rule,
            message: message.into(),
        }
    }
}
