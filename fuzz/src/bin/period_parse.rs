//! The period parser on arbitrary text, directly and through the import path's
//! `normalize::period_text`: never panics; a period it accepts prints back to text that parses
//! to the same period (also through serde and the import path), and every form a refusal
//! suggests ("应写作“…”") is itself accepted. A second line, when there
//! is one, is a second period for `months_between`.
#![no_main]

use clusterdesk_domain::period::{Period, PeriodType};
use clusterdesk_office::normalize::period_text;
use libfuzzer_sys::fuzz_target;

fn check(s: &str) -> Option<Period> {
    let _ = PeriodType::parse(s);
    let _ = Period::parse(&period_text(s));
    match Period::parse(s) {
        Ok(p) => {
            assert_eq!(Period::parse(&p.to_string()), Ok(p), "{s:?}");
            assert_eq!(Period::parse(&period_text(s)), Ok(p), "{s:?} through period_text");
            let json = serde_json::to_string(&p).expect("a period serializes");
            assert_eq!(serde_json::from_str::<Period>(&json).ok(), Some(p), "{json}");
            assert!(p.prev() < p && p < p.next(), "{p}");
            assert_eq!(p.next().prev(), p);
            assert_eq!(p.same_period_last_year().kind(), p.kind());
            let (first, last) = p.month_range();
            assert!(1 <= first && first <= last && last <= 12, "{p}");
            let _ = (p.label_zh(), p.cumulative_label_zh());
            Some(p)
        }
        Err(e) => {
            // The message quotes the input first; what follows is the parser's own advice.
            let advice = e
                .message
                .strip_prefix(&format!("期间“{s}”无效:"))
                .unwrap_or_else(|| panic!("a refusal names the input: {:?}", e.message));
            if let Some((_, rest)) = advice.split_once("应写作“") {
                let form = rest.split('”').next().unwrap_or_default();
                assert!(
                    Period::parse(form).is_ok(),
                    "{s:?} is told to write {form:?}, which is refused too"
                );
            }
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (a, b) = match text.split_once('\n') {
        Some((a, b)) => (a, Some(b)),
        None => (&*text, None),
    };
    let from = check(a);
    let Some(b) = b else { return };
    let to = check(b);
    if let (Some(from), Some(to)) = (from, to) {
        let months = Period::months_between(from, to);
        let both_months = from.kind() == PeriodType::Month && to.kind() == PeriodType::Month;
        let want = if both_months && from <= to {
            (to.end_index() - from.end_index() + 1) as usize
        } else {
            0
        };
        assert_eq!(months.len(), want, "{from}..{to}");
    }
});
