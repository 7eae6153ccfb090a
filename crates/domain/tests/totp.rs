//! The second factor against the RFCs' own test vectors, not against this code's output.

use clusterdesk_domain::totp::*;

/// RFC 4226 appendix D and RFC 6238 appendix B use the ASCII secret "12345678901234567890".
const SECRET: &[u8] = b"12345678901234567890";

#[test]
fn hotp_matches_rfc_4226_appendix_d() {
    let want = [
        755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
    ];
    for (counter, code) in want.iter().enumerate() {
        assert_eq!(code_at(SECRET, counter as i64), *code, "counter {counter}");
    }
}

#[test]
fn totp_matches_rfc_6238_appendix_b_sha1() {
    // The appendix gives eight digits; the apps show the last six.
    for (t, eight) in [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ] {
        assert_eq!(code_text(SECRET, step_of(t)), eight[2..], "T = {t}");
    }
}

#[test]
fn base32_matches_rfc_4648_section_10_without_padding() {
    for (plain, b32) in [
        ("", ""),
        ("f", "MY"),
        ("fo", "MZXQ"),
        ("foo", "MZXW6"),
        ("foob", "MZXW6YQ"),
        ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI"),
    ] {
        assert_eq!(base32_encode(plain.as_bytes()), b32);
        assert_eq!(base32_decode(b32).unwrap(), plain.as_bytes());
    }
    // As people copy it: lower case, grouped, padded.
    assert_eq!(base32_decode("mzxw 6ytb-oi======").unwrap(), b"foobar");
    assert_eq!(base32_decode("MZXW1"), None, "1 is not a base32 digit");
    // The RFC's secret in base32, as an app would be given it.
    assert_eq!(base32_encode(SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

#[test]
fn a_code_is_accepted_one_step_either_side_and_only_once() {
    let now = step_of(1111111111); // 37037037, code 050471
    assert_eq!(accept(SECRET, "050471", now, 0), Some(now));
    assert_eq!(
        accept(SECRET, " 050 471 ", now, 0),
        Some(now),
        "spaces are ignored"
    );
    // Used once: the same step is refused, a later one still accepted.
    assert_eq!(accept(SECRET, "050471", now, now), None);
    let next = code_text(SECRET, now + 1);
    assert_eq!(accept(SECRET, &next, now, now), Some(now + 1));
    // The previous step's code (a phone 30 s slow) is accepted; two steps off is not.
    let prev = code_text(SECRET, now - 1);
    assert_eq!(accept(SECRET, &prev, now, 0), Some(now - 1));
    let old = code_text(SECRET, now - 2);
    assert_eq!(accept(SECRET, &old, now, 0), None);
    // Not six digits.
    assert_eq!(accept(SECRET, "50471", now, 0), None);
    assert_eq!(accept(SECRET, "05047a", now, 0), None);
}

#[test]
fn recovery_codes_are_matched_by_their_normal_form() {
    let code = recovery_code([0, 1, 2, 3, 4]);
    // base32 of 00 01 02 03 04 is AAAQEAYE.
    assert_eq!(code, "aaaq-eaye");
    assert!(is_recovery_form(&code));
    assert!(!is_recovery_form("123456"));
    assert_eq!(recovery_hash("AAAQ EAYE"), recovery_hash("aaaq-eaye"));
    assert_ne!(recovery_hash("aaaq-eayf"), recovery_hash("aaaq-eaye"));
}

#[test]
fn the_app_address_names_issuer_and_account() {
    let uri = otpauth_uri("沧州集群平台", "admin", "GEZDGNBV");
    assert_eq!(
        uri,
        "otpauth://totp/%E6%B2%A7%E5%B7%9E%E9%9B%86%E7%BE%A4%E5%B9%B3%E5%8F%B0:admin?secret=GEZDGNBV&issuer=%E6%B2%A7%E5%B7%9E%E9%9B%86%E7%BE%A4%E5%B9%B3%E5%8F%B0&algorithm=SHA1&digits=6&period=30"
    );
}
