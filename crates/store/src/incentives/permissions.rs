//! How the caller relates to a claim (its enterprise, county, responsible department, the
//! finance bureau) and what it may see; who may take which step is the domain's.

use super::{Action, ClaimRow};
use crate::{Actor, Scope, Store};
use clusterdesk_domain::workflow::claim;
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

    /// The caller as the claim workflow sees them, for a claim of enterprise `uscc` in
    /// `county` approved by `department`.
    pub(super) fn claim_who(&self, a: &Actor, county: &str, uscc: &str, department: &str) -> claim::Who {
        claim::Who {
            role: a.role,
            enterprise: a.org_code == uscc,
            county: a.org_code == county,
            department: a.org_code == department,
            finance: a.org_code == self.finance_department(),
        }
    }

    /// The finance bureau, whatever the claim.
    pub(super) fn is_finance(&self, a: &Actor) -> bool {
        self.claim_who(a, "", "", "").is_finance()
    }

    pub(super) fn who_for(&self, a: &Actor, c: &ClaimRow) -> claim::Who {
        self.claim_who(a, &c.county_code, &c.uscc, &c.department)
    }

    /// The actions the actor may take on the claim now.
    pub fn claim_actions(&self, a: &Actor, c: &ClaimRow) -> Vec<Action> {
        claim::allowed(c.status, self.who_for(a, c))
    }

    /// Whether the actor may add evidence to the claim now.
    pub fn may_add_evidence(&self, a: &Actor, c: &ClaimRow) -> bool {
        c.status.takes_evidence() && self.who_for(a, c).may_add_evidence()
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
