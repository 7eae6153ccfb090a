//! The features' menu entries, in one list: `ui::Layout::new` builds each role's menu from it.
//! (The routes and their access rules are still registered per module; see issue 11.)

use clusterdesk_domain::Role::{self, *};

/// A menu entry: shown to the roles listed, in ascending `order` across all features.
pub struct NavEntry {
    pub href: &'static str,
    pub label: &'static str,
    pub roles: &'static [Role],
    pub order: u16,
}

const fn nav(order: u16, href: &'static str, label: &'static str, roles: &'static [Role]) -> NavEntry {
    NavEntry {
        href,
        label,
        roles,
        order,
    }
}

const ALL: &[Role] = &Role::ALL;
const BUSINESS: &[Role] = &[
    CityAdmin,
    CityDepartment,
    Leader,
    CountyOperator,
    CountyLeader,
    Enterprise,
];
const CITY_OR_COUNTY: &[Role] = &[CityAdmin, CityDepartment, Leader, CountyOperator, CountyLeader];
const REPORTERS: &[Role] = &[CityAdmin, CountyOperator, CountyLeader];
const REGISTRARS: &[Role] = &[CityAdmin, CountyOperator];

/// Each feature's entries. Adding a feature's menu is one line per entry here.
pub const NAV: &[(&str, &[NavEntry])] = &[
    ("home", &[nav(0, "/", "首页", ALL)]),
    (
        "reminders",
        &[
            nav(
                1,
                "/reporting/inbox",
                "催报提醒",
                &[CountyOperator, CountyLeader, Enterprise],
            ),
            nav(5, "/reporting/overdue", "逾期催报", &[CityAdmin]),
        ],
    ),
    (
        "progress",
        &[
            nav(2, "/progress", "目标进度", CITY_OR_COUNTY),
            nav(6, "/clusters/metrics", "集群分析", CITY_OR_COUNTY),
        ],
    ),
    (
        "reporting",
        &[
            nav(3, "/reporting", "数据填报", REPORTERS),
            nav(4, "/reporting/status", "报送情况", REPORTERS),
        ],
    ),
    ("assessment", &[nav(7, "/assessment", "考核排名", CITY_OR_COUNTY)]),
    (
        "registry",
        &[
            nav(8, "/enterprises", "企业名录", CITY_OR_COUNTY),
            nav(8, "/enterprises", "本企业", &[Enterprise]),
            nav(9, "/enterprises/new", "新增企业", REGISTRARS),
            nav(10, "/enterprises/import", "批量导入", REGISTRARS),
        ],
    ),
    (
        "incentives",
        &[
            nav(20, "/policies", "政策目录", BUSINESS),
            nav(21, "/policies/calc", "政策计算器", BUSINESS),
            nav(22, "/claims", "我的申报", &[Enterprise]),
            nav(22, "/claims", "申报审核", &[CountyOperator, CountyLeader]),
            nav(22, "/claims", "申报审批", &[CityAdmin, CityDepartment]),
            nav(23, "/claims/new", "新建申报", &[Enterprise]),
            nav(23, "/claims/new", "代企业申报", &[CountyOperator]),
            nav(
                24,
                "/scan",
                "免申即享",
                &[
                    Enterprise,
                    CountyOperator,
                    CountyLeader,
                    CityAdmin,
                    CityDepartment,
                ],
            ),
            nav(25, "/ledger", "资金台账", BUSINESS),
            nav(26, "/budgets", "预算", &[CityAdmin, CityDepartment, Leader]),
        ],
    ),
    (
        "accounts",
        &[
            nav(11, "/admin/users", "用户账户", &[SystemAdmin, SecurityAdmin]),
            nav(12, "/audit", "审计日志", &[Auditor]),
            nav(99, "/account/password", "修改密码", ALL),
        ],
    ),
];

/// The menu of a role: every feature's entries for it, in their order.
pub fn menu(role: Role) -> Vec<&'static NavEntry> {
    let mut items: Vec<&NavEntry> = NAV
        .iter()
        .flat_map(|(_, entries)| entries.iter())
        .filter(|e| e.roles.contains(&role))
        .collect();
    items.sort_by_key(|e| e.order);
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_sees_each_page_once() {
        for role in Role::ALL {
            let items = menu(role);
            for (i, e) in items.iter().enumerate() {
                assert!(
                    !items[..i].iter().any(|x| x.href == e.href),
                    "{role:?} sees {} twice",
                    e.href
                );
            }
        }
    }

    #[test]
    fn the_auditor_sees_home_the_audit_trail_and_the_password_form() {
        let hrefs: Vec<_> = menu(Auditor).iter().map(|e| e.href).collect();
        assert_eq!(hrefs, ["/", "/audit", "/account/password"]);
    }
}
