//! Who is asking, and what part of the org tree they may see. Every store call takes an actor.

use clusterdesk_domain::Role;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// A region code, a department code or a USCC.
    pub org_code: String,
    /// Set for an account created with a temporary password: it must choose its own first.
    pub must_change_password: bool,
}

/// The data an actor may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole city (bureau, departments, read-only leaders).
    City,
    /// One county-level unit and everything under it.
    County(String),
    /// One enterprise.
    Enterprise(String),
    /// No business data (the 三员: system admin, security admin, auditor).
    Nothing,
}

impl Actor {
    /// The actor a command-line job runs as: full city scope, named in the change log.
    pub fn system(name: &str) -> Self {
        Actor {
            user_id: 0,
            username: name.to_string(),
            display_name: name.to_string(),
            role: Role::CityAdmin,
            org_code: String::new(),
            must_change_password: false,
        }
    }

    pub fn scope(&self) -> Scope {
        match self.role {
            Role::CityAdmin | Role::CityDepartment | Role::Leader => Scope::City,
            Role::CountyOperator | Role::CountyLeader => Scope::County(self.org_code.clone()),
            Role::Enterprise => Scope::Enterprise(self.org_code.clone()),
            Role::SystemAdmin | Role::SecurityAdmin | Role::Auditor => Scope::Nothing,
        }
    }

    pub fn can_read_county(&self, county: &str) -> bool {
        match self.scope() {
            Scope::City => true,
            Scope::County(c) => c == county,
            _ => false,
        }
    }

    /// May create or edit enterprises and their facts in this county.
    pub fn can_write_county(&self, county: &str) -> bool {
        match self.role {
            Role::CityAdmin => true,
            Role::CountyOperator => self.org_code == county,
            _ => false,
        }
    }
}
