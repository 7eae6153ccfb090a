//! The unified social credit code parser on arbitrary text: never panics, and a code it
//! accepts is 18 characters with the right check character, reads back as itself and
//! survives serde.
#![no_main]

use clusterdesk_domain::uscc::{Uscc, check_char};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Any bytes, not only a code's 17: the check character is public and must not panic.
    let _ = check_char(data);
    let s = String::from_utf8_lossy(data);
    let Ok(u) = Uscc::parse(&s) else { return };
    let b = u.as_str().as_bytes();
    assert_eq!(b.len(), 18, "{u}");
    assert_eq!(check_char(&b[..17]), Some(b[17] as char), "{u}");
    assert!(u.region_digits().bytes().all(|c| c.is_ascii_digit()), "{u}");
    assert_eq!(Uscc::parse(u.as_str()).as_ref(), Ok(&u));
    assert_eq!(u.to_string(), u.as_str());
    let json = serde_json::to_string(&u).expect("a code serializes");
    assert_eq!(serde_json::from_str::<Uscc>(&json).ok().as_ref(), Some(&u));
});
