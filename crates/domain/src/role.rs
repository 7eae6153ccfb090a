//! The roles of DESIGN.md, with the stable codes the CLI and API use.

use crate::ParseError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    CityAdmin,
    CityDepartment,
    CountyOperator,
    CountyLeader,
    Enterprise,
    Leader,
    SystemAdmin,
    SecurityAdmin,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::CityAdmin,
        Role::CityDepartment,
        Role::CountyOperator,
        Role::CountyLeader,
        Role::Enterprise,
        Role::Leader,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::Auditor,
    ];

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == s.trim())
            .ok_or_else(|| {
                let all: Vec<_> = Self::ALL.iter().map(|r| r.code()).collect();
                ParseError::new("role_unknown", format!("未知角色“{s}”,可选:{}", all.join(", ")))
            })
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::CityAdmin => "city_admin",
            Role::CityDepartment => "city_department",
            Role::CountyOperator => "county_operator",
            Role::CountyLeader => "county_leader",
            Role::Enterprise => "enterprise",
            Role::Leader => "leader",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::Auditor => "auditor",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::CityAdmin => "市工信局业务员",
            Role::CityDepartment => "市直部门",
            Role::CountyOperator => "县(市)填报员",
            Role::CountyLeader => "县(市)审核领导",
            Role::Enterprise => "企业用户",
            Role::Leader => "领导(只读)",
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::Auditor => "安全审计员",
        }
    }

    /// Roles that read business data city-wide.
    pub fn sees_whole_city(self) -> bool {
        matches!(self, Role::CityAdmin | Role::CityDepartment | Role::Leader)
    }

    /// Signs in with a second factor (TOTP) besides the password: the bureau and the 三员,
    /// who can change what others see or do (GB/T 22239-2019 8.1.4.1 d).
    pub fn needs_second_factor(self) -> bool {
        matches!(
            self,
            Role::CityAdmin | Role::SystemAdmin | Role::SecurityAdmin | Role::Auditor
        )
    }

    /// 三员分立: these roles manage accounts or read the audit log, never business data.
    pub fn is_separation_of_duties(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::SecurityAdmin | Role::Auditor)
    }

    /// 三员分立: only the security administrator creates accounts, assigns roles and
    /// organisations, disables, unlocks and resets them; not the bureau, nor the system
    /// administrator, nor the auditor.
    pub fn manages_accounts(self) -> bool {
        self == Role::SecurityAdmin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()).unwrap(), r);
        }
        assert!(Role::parse("root").is_err());
    }

    #[test]
    fn only_the_security_administrator_manages_accounts() {
        let managers: Vec<Role> = Role::ALL.into_iter().filter(|r| r.manages_accounts()).collect();
        assert_eq!(managers, vec![Role::SecurityAdmin]);
    }
}
