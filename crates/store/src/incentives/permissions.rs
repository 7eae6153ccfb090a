//! Who may file, review, approve, release, disburse and see a claim.

use super::{Action, ClaimRow};
use crate::{Actor, Scope, Store};
use clusterdesk_domain::Role;
use clusterdesk_policy::Policy;

impl Store {
    /// The code and name of the city department responsible for approving a policy: the
    /// first of its 责任单位 that is a department of the plan.
    pub fn responsible_department(&self, p: &Policy) -> (String, String) {
        p.responsible
            .units
            .iter()
            .filter_map(|n| self.plan().org_unit_by_name(n))
            .find(|u| u.kind.code() == "department")
            .map(|u| (u.code.clone(), u.name.clone()))
            .unwrap_or_else(|| {
                let c = self.plan().city();
                (c.code.clone(), c.name.clone())
            })
    }

    /// The finance bureau (市财政局), who confirms disbursements and keeps the budgets.
    pub fn finance_department(&self) -> String {
        self.plan()
            .org_unit_by_name("市财政局")
            .map(|u| u.code.clone())
            .unwrap_or_else(|| "CZJ".into())
    }

    pub(super) fn is_finance(&self, a: &Actor) -> bool {
        a.role == Role::CityDepartment && a.org_code == self.finance_department()
    }

    /// May file (or submit, or add evidence to) a claim for this enterprise.
    pub(super) fn may_file(&self, a: &Actor, county: &str, uscc: &str) -> bool {
        match a.role {
            Role::Enterprise => a.org_code == uscc,
            Role::CountyOperator => a.org_code == county,
            Role::CityAdmin => true,
            _ => false,
        }
    }

    pub(super) fn may_review(a: &Actor, county: &str) -> bool {
        matches!(a.role, Role::CountyOperator | Role::CountyLeader) && a.org_code == county
    }

    pub(super) fn may_approve(a: &Actor, department: &str) -> bool {
        a.role == Role::CityAdmin || (a.role == Role::CityDepartment && a.org_code == department)
    }

    /// Whether the actor's role may ever take this action on this claim (403 otherwise);
    /// whether the claim's status allows it is checked after (409).
    pub(super) fn role_allows(&self, a: &Actor, c: &ClaimRow, action: Action) -> bool {
        match action {
            Action::Submit => self.may_file(a, &c.county_code, &c.uscc),
            Action::Review => Self::may_review(a, &c.county_code),
            Action::Approve => Self::may_approve(a, &c.department),
            Action::Release => Self::may_approve(a, &c.department) || self.is_finance(a),
            Action::Disburse => self.is_finance(a),
            Action::Reject => {
                Self::may_review(a, &c.county_code)
                    || Self::may_approve(a, &c.department)
                    || self.is_finance(a)
            }
        }
    }

    /// Whether the actor may take the action on the claim in its present status.
    pub(super) fn may_act_now(&self, a: &Actor, c: &ClaimRow, action: Action) -> bool {
        if !self.role_allows(a, c, action) || !action.from().contains(&c.status.as_str()) {
            return false;
        }
        if action == Action::Reject {
            return match c.status.as_str() {
                "submitted" => Self::may_review(a, &c.county_code) || a.role == Role::CityAdmin,
                "county_reviewed" | "held" => Self::may_approve(a, &c.department),
                "approved" => Self::may_approve(a, &c.department) || self.is_finance(a),
                _ => false,
            };
        }
        true
    }

    /// The actions the actor may take on the claim now.
    pub fn claim_actions(&self, a: &Actor, c: &ClaimRow) -> Vec<Action> {
        [
            Action::Submit,
            Action::Review,
            Action::Approve,
            Action::Release,
            Action::Disburse,
            Action::Reject,
        ]
        .into_iter()
        .filter(|x| self.may_act_now(a, c, *x))
        .collect()
    }

    pub(super) fn can_see_claim(a: &Actor, c: &ClaimRow) -> bool {
        match a.scope() {
            Scope::City => true,
            Scope::County(k) => k == c.county_code,
            Scope::Enterprise(u) => u == c.uscc,
            Scope::Nothing => false,
        }
    }
}
