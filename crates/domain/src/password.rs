//! The password rules of 等保 level 3 (GB/T 22239-2019 8.1.4.1 a): length, kinds of
//! characters, not the user name, not a well-known password. History and expiry need the
//! database and live in the store; this module decides only from the two strings.

/// Well-known passwords, one a line; compared case-insensitively.
const COMMON: &str = include_str!("common_passwords.txt");

pub const MIN_LEN: usize = 10;

/// Why a password was refused. `rule` is stable for programs, `message()` is for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRefusal {
    TooShort,
    TooFewKinds,
    ContainsUsername,
    Common,
}

impl PasswordRefusal {
    pub fn rule(self) -> &'static str {
        match self {
            Self::TooShort => "password_too_short",
            Self::TooFewKinds => "password_too_few_kinds",
            Self::ContainsUsername => "password_contains_username",
            Self::Common => "password_common",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::TooShort | Self::TooFewKinds => {
                "密码至少10位,且包含大写字母、小写字母、数字、符号中的至少三类"
            }
            Self::ContainsUsername => "密码不能包含用户名(不区分大小写)",
            Self::Common => "该密码属于常见弱口令,容易被猜中,请换一个",
        }
    }
}

impl std::fmt::Display for PasswordRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for PasswordRefusal {}

/// Check `password` for the account `username`. The first broken rule is returned.
pub fn check(username: &str, password: &str) -> Result<(), PasswordRefusal> {
    if password.chars().count() < MIN_LEN {
        return Err(PasswordRefusal::TooShort);
    }
    let kinds = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if kinds.iter().filter(|k| **k).count() < 3 {
        return Err(PasswordRefusal::TooFewKinds);
    }
    let lower = password.to_lowercase();
    let name = username.trim().to_lowercase();
    if !name.is_empty() && lower.contains(&name) {
        return Err(PasswordRefusal::ContainsUsername);
    }
    if is_common(&lower) {
        return Err(PasswordRefusal::Common);
    }
    Ok(())
}

/// A temporary password from 12 random bytes, for the security administrator to hand over:
/// three groups of an upper-case letter, a lower-case letter, a digit and a lower-case letter
/// (`Kx7m-Pq4r-Wz9t`), with the look-alikes I, O, l, o, 0 and 1 left out. Fourteen characters
/// of four kinds, so it passes `check` unless it happens to contain the user name.
pub fn temporary(bytes: [u8; 12]) -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    let pick = |set: &[u8], b: u8| set[b as usize % set.len()] as char;
    bytes
        .chunks(4)
        .map(|g| {
            [
                pick(UPPER, g[0]),
                pick(LOWER, g[1]),
                pick(DIGIT, g[2]),
                pick(LOWER, g[3]),
            ]
            .iter()
            .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn is_common(lower: &str) -> bool {
    COMMON
        .lines()
        .map(str::trim)
        .any(|l| !l.is_empty() && l.to_lowercase() == lower)
}

#[cfg(test)]
mod tests {
    use super::*;
    use PasswordRefusal::*;

    #[test]
    fn a_temporary_password_reads_as_the_rule_says_and_passes() {
        // Byte 0 → UPPER[0] 'A', 25 → LOWER[25 % 24 = 1] 'b', 8 → DIGIT[0] '2', 23 → 'z'.
        let p = temporary([0, 25, 8, 23, 1, 0, 9, 2, 23, 23, 15, 24]);
        assert_eq!(p, "Ab2z-Ba3c-Zz9a");
        assert_eq!(check("secadmin", &p), Ok(()));
        for b in 0..=255u8 {
            assert_eq!(check("someone", &temporary([b; 12])), Ok(()), "{b}");
        }
    }

    #[test]
    fn table() {
        let cases: &[(&str, &str, Result<(), PasswordRefusal>)] = &[
            // The passwords the tests and the contract check use must pass.
            ("admin", "Test-Password-2026!", Ok(())),
            ("botou", "Contract-Check-2026!", Ok(())),
            ("admin", "Xk7#mQ2p9Lw", Ok(())),
            // Three kinds are enough: lower, digit, symbol.
            ("admin", "xk7#mq2p9lw", Ok(())),
            ("admin", "Short1!", Err(TooShort)),
            ("admin", "Ab1!Ab1!A", Err(TooShort)),
            ("admin", "alllowercaseonly", Err(TooFewKinds)),
            ("admin", "lowercase123456", Err(TooFewKinds)),
            ("admin", "UPPER-CASE-ONLY", Err(TooFewKinds)),
            ("admin", "1234567890!@#", Err(TooFewKinds)),
            // The user name, in any case, anywhere.
            ("botou", "My-BOTOU-2026", Err(ContainsUsername)),
            ("Admin", "xadmin-2026!Q", Err(ContainsUsername)),
            ("  newbie ", "Newbie#20261", Err(ContainsUsername)),
            // Well-known passwords, whatever the case.
            ("admin", "Password1!", Err(Common)),
            ("admin", "Qwerty1234", Err(Common)),
            ("admin", "qWERTY1234", Err(Common)),
            ("admin", "P@ssw0rd123!", Err(Common)),
            ("admin", "1qaz@WSX3edc", Err(Common)),
        ];
        for (user, pw, want) in cases {
            assert_eq!(check(user, pw), *want, "{user} / {pw}");
        }
    }

    #[test]
    fn counts_characters_not_bytes() {
        // Ten characters, three kinds; Chinese characters count as symbols.
        assert_eq!(check("admin", "密码Ab12345678"), Ok(()));
        assert_eq!(check("admin", "密码Ab1234"), Err(TooShort));
    }

    #[test]
    fn list_has_no_blank_or_padded_lines() {
        for l in COMMON.lines() {
            assert!(!l.is_empty() && l.trim() == l, "{l:?}");
        }
    }

    #[test]
    fn messages_say_the_rule() {
        assert!(TooShort.message().contains("至少10位"));
        assert!(ContainsUsername.message().contains("用户名"));
        assert!(Common.message().contains("常见"));
    }
}
