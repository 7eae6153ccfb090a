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
