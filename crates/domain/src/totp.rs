//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP, HMAC-SHA1, 30-second steps,
//! six digits): the second factor of GB/T 22239-2019 8.1.4.1 d, as 微信/阿里云/Google
//! Authenticator and every other authenticator app compute it. Also the recovery codes that
//! stand in for a lost phone, once each.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Seconds per step (RFC 6238's default, what the apps use).
pub const STEP_SECONDS: i64 = 30;
/// Steps either side of now that are accepted, for a phone's clock a little off.
pub const WINDOW: i64 = 1;
/// Bytes of a new secret: 160 bits, RFC 4226's recommendation.
pub const SECRET_BYTES: usize = 20;
/// Recovery codes issued at a time.
pub const RECOVERY_CODES: usize = 10;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding: how secrets are shown and typed into apps.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Base32 as people copy it: case, spaces, dashes and `=` padding ignored. None for any other
/// character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !matches!(c, ' ' | '-' | '=')) {
        let v = BASE32.iter().position(|&b| b as char == c.to_ascii_uppercase())? as u32;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
        acc &= (1 << bits) - 1;
    }
    Some(out)
}

/// The step a Unix time falls in.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The six-digit code of a secret at a step (RFC 4226 section 5.3, dynamic truncation).
pub fn code_at(secret: &[u8], step: i64) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[19] & 0x0f) as usize;
    let bin = (u32::from(h[offset]) & 0x7f) << 24
        | u32::from(h[offset + 1]) << 16
        | u32::from(h[offset + 2]) << 8
        | u32::from(h[offset + 3]);
    bin % 1_000_000
}

/// The code as shown: six digits, leading zeros kept.
pub fn code_text(secret: &[u8], step: i64) -> String {
    format!("{:06}", code_at(secret, step))
}

/// The step a typed code matches, within [`WINDOW`] of `now_step` and after `last_used` (a code
/// once accepted is not accepted again, RFC 6238 section 5.2). None: refused.
pub fn accept(secret: &[u8], typed: &str, now_step: i64, last_used: i64) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let want: u32 = typed.parse().ok()?;
    (now_step - WINDOW..=now_step + WINDOW)
        .filter(|s| *s > last_used)
        .find(|s| code_at(secret, *s) == want)
}

/// `otpauth://` address an authenticator app reads (what a QR code would carry).
pub fn otpauth_uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

/// A recovery code as stored: SHA-256 of its normalised text (case, spaces and dashes
/// ignored). The codes are random enough that no salt or slow hash is needed.
pub fn recovery_hash(code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let d = Sha256::digest(norm.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A recovery code from 5 random bytes: `xxxx-xxxx` in lowercase base32 (40 bits).
pub fn recovery_code(random: [u8; 5]) -> String {
    let s = base32_encode(&random).to_ascii_lowercase();
    format!("{}-{}", &s[..4], &s[4..8])
}

/// Whether a typed second factor looks like a recovery code rather than a six-digit code.
pub fn is_recovery_form(typed: &str) -> bool {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 8
}
