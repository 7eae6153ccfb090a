//! The request span (issue 11 item 8): every response carries an `x-request-id`, a fresh one per
//! request or the caller's own when it is well formed, and the span of the request names that
//! id, the matched route and the signed-in user.
//!
//! The spans are captured by a subscriber installed for this test binary alone, which is why
//! this file holds one test.

use crate::common;

use clusterdesk_domain::Role;
use common::spawn_app;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

type Fields = BTreeMap<String, String>;

/// Keeps the fields of every closed span named `request`.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Fields>>>);

struct Visitor<'a>(&'a mut Fields);

impl Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().into(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.to_string());
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut f = Fields::new();
        attrs.record(&mut Visitor(&mut f));
        ctx.span(id).expect("span").extensions_mut().insert(f);
    }
    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let span = ctx.span(id).expect("span");
        let mut ext = span.extensions_mut();
        if let Some(f) = ext.get_mut::<Fields>() {
            values.record(&mut Visitor(f));
        }
    }
    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let span = ctx.span(&id).expect("span");
        if span.name() == "request"
            && let Some(f) = span.extensions_mut().remove::<Fields>()
        {
            self.0.lock().unwrap().push(f);
        }
    }
}

impl Capture {
    /// The fields of the request span with this id; the span closes once the body is sent,
    /// a moment after the client has it.
    async fn span_of(&self, request_id: &str) -> Fields {
        for _ in 0..100 {
            let found = self
                .0
                .lock()
                .unwrap()
                .iter()
                .find(|f| f.get("request_id").map(String::as_str) == Some(request_id))
                .cloned();
            if let Some(f) = found {
                return f;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("no request span with request_id {request_id}");
    }
}

fn id_of(r: &reqwest::Response) -> String {
    r.headers()
        .get("x-request-id")
        .expect("an x-request-id header")
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn requests_carry_an_id_route_and_user() {
    let capture = Capture::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(capture.clone()))
        .expect("the only subscriber of this test binary");

    let app = spawn_app().await;
    app.add_user("admin", Role::CityAdmin, "130900").await;
    let user_id = app
        .store
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == "admin")
        .expect("admin")
        .id;

    // Two requests, two different ids of 16 hex digits.
    let anon = app.anonymous();
    let a = anon.get(app.url("/healthz")).send().await.unwrap();
    let b = anon.get(app.url("/healthz")).send().await.unwrap();
    let (ia, ib) = (id_of(&a), id_of(&b));
    for id in [&ia, &ib] {
        assert!(
            id.len() == 16 && id.bytes().all(|c| c.is_ascii_hexdigit()),
            "{id}"
        );
    }
    assert_ne!(ia, ib);
    let span = capture.span_of(&ia).await;
    assert_eq!(span["route"], "/healthz");
    assert!(!span.contains_key("user"), "no session, no user: {span:?}");

    // A signed-in request names its user and the route as declared, not the path requested.
    let c = app.client_for("admin").await;
    let r = c.get(app.url("/api/v1/clusters/C01")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let span = capture.span_of(&id_of(&r)).await;
    assert_eq!(span["route"], "/api/v1/clusters/{code}");
    assert_eq!(span["uri"], "/api/v1/clusters/C01");
    assert_eq!(span["user"], user_id.to_string());
    assert_eq!(span["method"], "GET");

    // A proxy's well-formed id is kept, end to end; a malformed one is replaced.
    let r = anon
        .get(app.url("/healthz"))
        .header("x-request-id", "lb-7f3a.01")
        .send()
        .await
        .unwrap();
    assert_eq!(id_of(&r), "lb-7f3a.01");
    capture.span_of("lb-7f3a.01").await;
    let r = anon
        .get(app.url("/healthz"))
        .header("x-request-id", "a\"b c")
        .send()
        .await
        .unwrap();
    let id = id_of(&r);
    assert_eq!(id.len(), 16, "{id}");

    // A request no route matches still gets an id.
    let r = anon.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    id_of(&r);
}
