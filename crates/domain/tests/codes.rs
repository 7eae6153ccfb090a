//! What a parsed code hands back: the text as given (upper case) and its parts.

use clusterdesk_domain::{RegionCode, Uscc};

#[test]
fn uscc_parts() {
    let u = Uscc::parse("91130981ma0ab12cxa").unwrap();
    assert_eq!(u.as_str(), "91130981MA0AB12CXA");
    assert_eq!(u.to_string(), "91130981MA0AB12CXA");
    // Characters 3–8 are the region: 130981 泊头市.
    assert_eq!(u.region_digits(), "130981");
}

#[test]
fn region_code_text() {
    let r = RegionCode::parse(" 130981 ").unwrap();
    assert_eq!(r.as_str(), "130981");
    assert_eq!(r.to_string(), "130981");
}
