//! The access rule declared beside every route, and the guard built from it that runs before
//! the handler: no session gives 401 (the API) or the login page (pages), a role outside the
//! rule gives 403. Scope within a role (which county, which enterprise) stays with the store.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::ui::PageUser;
use axum::extract::{FromRequestParts, Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use clusterdesk_domain::Role::{self, *};
use utoipa_axum::router::UtoipaMethodRouter;

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No session needed: login, first run, logout, health, the stylesheet.
    Public,
    /// Any signed-in account; the handler and the store decide what it sees.
    SignedIn,
    /// Only these roles; any other gets 403 before the handler runs.
    Roles(&'static [Role]),
}

impl Access {
    /// Every role with business data (not the system, security and audit administrators).
    pub const BUSINESS: Access = Access::Roles(&[
        CityAdmin,
        CityDepartment,
        Leader,
        CountyOperator,
        CountyLeader,
        Enterprise,
    ]);
    /// The whole city or one county: not an enterprise.
    pub const CITY_OR_COUNTY: Access =
        Access::Roles(&[CityAdmin, CityDepartment, Leader, CountyOperator, CountyLeader]);
    /// The city's own accounts.
    pub const CITY: Access = Access::Roles(&[CityAdmin, CityDepartment, Leader]);
    /// 市工信局's business administrator alone.
    pub const CITY_ADMIN: Access = Access::Roles(&[CityAdmin]);
    /// The bureau: its administrator and the coordinating department (the store tells which).
    pub const BUREAU: Access = Access::Roles(&[CityAdmin, CityDepartment]);
    /// Those who register and edit enterprises: the bureau and the county operators.
    pub const REGISTRARS: Access = Access::Roles(&[CityAdmin, CountyOperator]);
    /// Those who take steps of the monthly reporting workflow.
    pub const REPORTERS: Access = Access::Roles(&[CityAdmin, CountyOperator, CountyLeader]);
    /// Those who enter values: registrars, and an enterprise for its own unit.
    pub const VALUE_WRITERS: Access = Access::Roles(&[CityAdmin, CountyOperator, Enterprise]);
    /// A city department (the finance bureau sets budgets; the store tells which department).
    pub const CITY_DEPARTMENT: Access = Access::Roles(&[CityDepartment]);
    /// Those who file claims for an enterprise (`workflow::claim::files_claims`).
    pub const CLAIM_FILERS: Access = Access::Roles(&[Enterprise, CountyOperator, CityAdmin]);
    /// Those who add evidence to a claim: the filers and the reviewing county.
    pub const CLAIM_EVIDENCE: Access = Access::Roles(&[Enterprise, CountyOperator, CountyLeader, CityAdmin]);
    /// Those who take a step of a claim: filers, the county, the approving city.
    pub const CLAIM_ACTORS: Access = Access::Roles(&[
        Enterprise,
        CountyOperator,
        CountyLeader,
        CityAdmin,
        CityDepartment,
    ]);

    /// The roles that pass the rule once signed in (the menu's entries are built from these).
    pub const fn roles(self) -> &'static [Role] {
        match self {
            Access::Public | Access::SignedIn => &Role::ALL,
            Access::Roles(roles) => roles,
        }
    }

    /// Whether a signed-in account of this role passes the rule.
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::SignedIn => true,
            Access::Roles(roles) => roles.contains(&role),
        }
    }
}

/// One declared route: its method, its path as routed, its rule, and whether it is an API
/// operation (JSON errors) or a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub method: Method,
    pub path: String,
    pub access: Access,
    pub api: bool,
}

/// How a refusal is answered: JSON for the API, the login page or an error page for pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Face {
    Api,
    Page,
}

/// A feature's API operations, each `routes!(..)` with its rule. Only `#[utoipa::path]`
/// handlers go in, so no API route exists without its document.
#[derive(Default)]
pub struct Api(pub(crate) Vec<(Access, UtoipaMethodRouter<AppState>)>);

impl Api {
    pub fn new() -> Self {
        Self::default()
    }

    /// Operations of one path that share a rule: `routes!(handler, ..)`.
    pub fn route(mut self, access: Access, route: UtoipaMethodRouter<AppState>) -> Self {
        self.0.push((access, route));
        self
    }

    /// The rule of each operation, read from the operations' own documents.
    pub fn rules(&self) -> Vec<Rule> {
        let mut out = Vec::new();
        for (access, (_, paths, _)) in &self.0 {
            for (path, item) in &paths.paths {
                let methods = [
                    (Method::GET, &item.get),
                    (Method::POST, &item.post),
                    (Method::PUT, &item.put),
                    (Method::DELETE, &item.delete),
                    (Method::PATCH, &item.patch),
                ];
                for (method, op) in methods {
                    if op.is_some() {
                        out.push(Rule {
                            method,
                            path: path.clone(),
                            access: *access,
                            api: true,
                        });
                    }
                }
            }
        }
        out
    }
}

/// A feature's pages: each method of each path with its rule.
#[derive(Default)]
pub struct Pages(pub(crate) Vec<(Rule, MethodRouter<AppState>)>);

impl Pages {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &str, access: Access, handler: H) -> Self {
        self.on(Method::GET, path, access, handler)
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &str, access: Access, handler: H) -> Self {
        self.on(Method::POST, path, access, handler)
    }

    fn on<H: Handler<T, AppState>, T: 'static>(
        mut self,
        method: Method,
        path: &str,
        access: Access,
        handler: H,
    ) -> Self {
        let filter = MethodFilter::try_from(method.clone()).expect("a routable method");
        let rule = Rule {
            method,
            path: path.to_string(),
            access,
            api: false,
        };
        self.0.push((rule, on(filter, handler)));
        self
    }

    pub fn rules(&self) -> Vec<Rule> {
        self.0.iter().map(|(rule, _)| rule.clone()).collect()
    }
}

/// The route behind the guard of its rule. `route_layer`: a method the route does not have
/// still answers 405, as before.
pub fn guarded(
    m: MethodRouter<AppState>,
    state: &AppState,
    access: Access,
    face: Face,
) -> MethodRouter<AppState> {
    if access == Access::Public {
        return m;
    }
    m.route_layer(from_fn_with_state((state.clone(), access, face), guard))
}

/// The check of a rule: a session first, then the role.
async fn guard(
    State((st, access, face)): State<(AppState, Access, Face)>,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let refused = match face {
        Face::Api => match CurrentUser::from_request_parts(&mut parts, &st).await {
            Ok(u) => (!access.allows(u.actor.role))
                .then(|| WebError::forbidden("您的角色无权使用此接口").into_response()),
            Err(e) => Some(e.into_response()),
        },
        // The page user's extractor: the login page without a session, as pages had it.
        Face::Page => match PageUser::from_request_parts(&mut parts, &st).await {
            Ok(PageUser(u)) => (!access.allows(u.actor.role)).then(crate::ui::forbidden_page),
            Err(r) => Some(r),
        },
    };
    if let Some(r) = refused {
        return r;
    }
    next.run(Request::from_parts(parts, body)).await
}
