//! The feature registry: the one list from which the API router, its OpenAPI document, the
//! page router, the menus and the access rules are built. Adding a feature is one line in
//! `FEATURES`; its routes and their rules are declared in its own `api`/`ui` modules.

use crate::access::{Access, Face, Rule, guarded};
use crate::{AppState, api, ui};
use axum::Router;
use clusterdesk_domain::Role::{self, *};
use utoipa_axum::router::OpenApiRouter;

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

const ALL: &[Role] = Access::SignedIn.roles();
const BUSINESS: &[Role] = Access::BUSINESS.roles();
const CITY_OR_COUNTY: &[Role] = Access::CITY_OR_COUNTY.roles();
const REPORTERS: &[Role] = Access::REPORTERS.roles();
const REGISTRARS: &[Role] = Access::REGISTRARS.roles();

/// One capability: its name (also the OpenAPI tag of its operations), its API operations,
/// its pages and its menu entries.
pub struct Feature {
    pub name: &'static str,
    pub api: fn() -> crate::access::Api,
    pub pages: fn() -> crate::access::Pages,
    pub nav: &'static [NavEntry],
}

const fn feature(
    name: &'static str,
    api: fn() -> crate::access::Api,
    pages: fn() -> crate::access::Pages,
    nav: &'static [NavEntry],
) -> Feature {
    Feature {
        name,
        api,
        pages,
        nav,
    }
}

/// Every feature: name, API operations, pages, menu entries. Adding one is one line here
/// (see the README's Layout section).
// Kept one line a feature, as a table; rustfmt would break the longer lines.
#[rustfmt::skip]
pub const FEATURES: &[Feature] = &[
    feature("server", none, server_pages, &[]),
    feature("auth", api::auth::routes, ui::account_pages, ACCOUNTS_NAV),
    feature("home", none, ui::home_pages, HOME_NAV),
    feature("clusters", api::clusters::routes, ui::cluster_pages, &[]),
    feature("enterprises", api::enterprises::routes, ui::enterprises::pages, REGISTRY_NAV),
    feature("reporting", api::reporting::routes, ui::reporting::pages, REPORTING_NAV),
    feature("reminders", api::reminders::routes, ui::reminders::pages, REMINDERS_NAV),
    feature("incentives", api::incentives::routes, ui::incentives::pages, INCENTIVES_NAV),
    feature("progress", api::progress::routes, ui::progress::pages, PROGRESS_NAV),
    feature("assessment", api::assessment::routes, ui::assessment::pages, ASSESSMENT_NAV),
    feature("audit", none, ui::audit::pages, AUDIT_NAV),
    feature("accounts", none, ui::accounts::pages, USER_ADMIN_NAV),
    feature("system", none, ui::system::pages, SYSTEM_NAV),
];

fn none() -> crate::access::Api {
    crate::access::Api::new()
}

/// The server's own doors: the health check and the stylesheet.
fn server_pages() -> crate::access::Pages {
    crate::access::Pages::new()
        .get("/healthz", Access::Public, crate::healthz)
        .get("/static/app.css", Access::Public, ui::stylesheet)
}

const HOME_NAV: &[NavEntry] = &[nav(0, "/", "首页", ALL)];
const REMINDERS_NAV: &[NavEntry] = &[
    nav(
        1,
        "/reporting/inbox",
        "催报提醒",
        &[CountyOperator, CountyLeader, Enterprise],
    ),
    nav(5, "/reporting/overdue", "逾期催报", &[CityAdmin]),
];
const PROGRESS_NAV: &[NavEntry] = &[
    nav(2, "/progress", "目标进度", CITY_OR_COUNTY),
    nav(6, "/clusters/metrics", "集群分析", CITY_OR_COUNTY),
];
const REPORTING_NAV: &[NavEntry] = &[
    nav(3, "/reporting", "数据填报", REPORTERS),
    nav(4, "/reporting/status", "报送情况", REPORTERS),
];
const ASSESSMENT_NAV: &[NavEntry] = &[nav(7, "/assessment", "考核排名", CITY_OR_COUNTY)];
const REGISTRY_NAV: &[NavEntry] = &[
    nav(8, "/enterprises", "企业名录", CITY_OR_COUNTY),
    nav(8, "/enterprises", "本企业", &[Enterprise]),
    nav(9, "/enterprises/new", "新增企业", REGISTRARS),
    nav(10, "/enterprises/import", "批量导入", REGISTRARS),
];
const INCENTIVES_NAV: &[NavEntry] = &[
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
    nav(26, "/budgets", "预算", Access::CITY.roles()),
];
const AUDIT_NAV: &[NavEntry] = &[nav(12, "/audit", "审计日志", &[Auditor])];
const ACCOUNTS_NAV: &[NavEntry] = &[nav(99, "/account/password", "修改密码", ALL)];
const USER_ADMIN_NAV: &[NavEntry] = &[nav(11, "/admin/users", "用户账户", &[SecurityAdmin])];
const SYSTEM_NAV: &[NavEntry] = &[nav(10, "/admin/system", "系统运行", &[SystemAdmin])];

/// The menu of a role: every feature's entries for it, in their order.
pub fn menu(role: Role) -> Vec<&'static NavEntry> {
    let mut items: Vec<&NavEntry> = FEATURES
        .iter()
        .flat_map(|f| f.nav.iter())
        .filter(|e| e.roles.contains(&role))
        .collect();
    items.sort_by_key(|e| e.order);
    items
}

/// The rule of every registered route: the features' and the document's.
pub fn rules() -> Vec<Rule> {
    let mut out = own_rules();
    for f in FEATURES {
        out.extend((f.api)().rules());
        out.extend((f.pages)().rules());
    }
    out
}

/// The one route outside the features: the document, served beside them by `api::router`.
fn own_rules() -> Vec<Rule> {
    vec![Rule {
        method: axum::http::Method::GET,
        path: api::OPENAPI_PATH.into(),
        access: Access::SignedIn,
        api: true,
    }]
}

/// Every feature's operations, each tagged with its feature's name, and unguarded: the
/// document alone, or the routes before `router` puts each behind its guard.
pub(crate) fn api_modules(state: Option<&AppState>) -> OpenApiRouter<AppState> {
    let mut all = OpenApiRouter::with_openapi(<api::ApiDoc as utoipa::OpenApi>::openapi());
    for f in FEATURES {
        let mut r = OpenApiRouter::default();
        for (access, (schemas, paths, m)) in (f.api)().0 {
            let m = match state {
                Some(st) => guarded(m, st, access, Face::Api),
                None => m,
            };
            r = r.routes((schemas, paths, m));
        }
        all = all.merge(api::tagged(f.name, r));
    }
    all
}

/// Every feature's pages, each behind the guard of its rule.
pub(crate) fn pages(state: &AppState) -> Router<AppState> {
    let mut app = Router::new();
    for f in FEATURES {
        for (rule, m) in (f.pages)().0 {
            app = app.route(&rule.path, guarded(m, state, rule.access, Face::Page));
        }
    }
    app
}

/// The Rust source files below `dir`, for the tests that read the sources themselves.
#[cfg(test)]
pub(crate) fn rust_sources(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            out.extend(rust_sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every API operation of the document has exactly one rule, and every rule its
    /// operation: an operation without a declared rule fails here.
    #[test]
    fn every_route_has_one_rule_and_every_operation_a_rule() {
        let rules = rules();
        let mut seen = BTreeSet::new();
        for r in &rules {
            assert!(
                seen.insert((r.method.to_string(), r.path.clone())),
                "{} {} is declared twice",
                r.method,
                r.path
            );
        }
        let mut documented = BTreeSet::new();
        for (path, item) in &api::openapi().paths.paths {
            let ops = [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("DELETE", &item.delete),
                ("PATCH", &item.patch),
            ];
            for (m, op) in ops {
                if op.is_some() {
                    documented.insert((m.to_string(), path.clone()));
                }
            }
        }
        let declared: BTreeSet<_> = rules
            .iter()
            .filter(|r| r.api && r.path != api::OPENAPI_PATH)
            .map(|r| (r.method.to_string(), r.path.clone()))
            .collect();
        assert_eq!(declared, documented);
        // 48 operations, 69 pages and /healthz, /static/app.css, counted by hand: the
        // security admin's six account routes and /admin/system replaced the one
        // /admin/users list of 62; POST /admin/orgs/second-factor made 69.
        assert_eq!(documented.len(), 48);
        assert_eq!(rules.iter().filter(|r| !r.api).count(), 69 + 2);
    }

    /// Routes are made only here, in `access.rs` (from the features' lists) and for the
    /// document in `api/mod.rs`: a module that builds its own axum route would bypass the
    /// rules, so no other source file may use axum's routing.
    #[test]
    fn no_route_is_made_outside_the_registry() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let files = rust_sources(&src);
        assert!(files.len() > 40, "{} source files", files.len());
        let allowed = ["access.rs", "features.rs", "api/mod.rs"];
        for f in files {
            let name = f.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            if allowed.contains(&name.as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(&f).unwrap();
            for needle in ["axum::routing", ".nest(", ".nest_service(", ".route_service("] {
                assert!(
                    !text.contains(needle),
                    "{name} uses {needle}: register its routes in FEATURES"
                );
            }
        }
    }

    #[test]
    fn only_the_doors_are_public() {
        let public: BTreeSet<String> = rules()
            .into_iter()
            .filter(|r| r.access == Access::Public)
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        let want: BTreeSet<String> = [
            "GET /healthz",
            "GET /static/app.css",
            "GET /login",
            "POST /login",
            "GET /setup",
            "POST /setup",
            "POST /logout",
            "POST /api/v1/login",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(public, want);
    }

    #[test]
    fn names_are_unique_and_whoever_sees_an_entry_may_open_its_page() {
        let names: BTreeSet<_> = FEATURES.iter().map(|f| f.name).collect();
        assert_eq!(names.len(), FEATURES.len());
        let rules = rules();
        for f in FEATURES {
            for e in f.nav {
                let page = rules
                    .iter()
                    .find(|r| !r.api && r.method == axum::http::Method::GET && r.path == e.href)
                    .unwrap_or_else(|| panic!("{} has no page", e.href));
                for role in e.roles {
                    assert!(
                        page.access.allows(*role),
                        "{role:?} sees {} but may not open it",
                        e.href
                    );
                }
            }
        }
    }

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
