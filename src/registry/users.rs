//! Users, passwords (argon2) and sessions. Session tokens are random, given to the client
//! once and stored only as their SHA-256; each session has its own CSRF token for forms.
//!
//! Sign-in attempts are counted before the password is checked, in one statement (so 30
//! parallel guesses cannot slip past the count): five failures for a name from one
//! address stop that name from that address for 15 minutes, and twenty from one address
//! stop the address; the same name from another address is not stopped (nobody can lock
//! `admin` out for good). Names are NFKC-normalised and trimmed, so " admin" and
//! "ａｄｍｉｎ" are `admin`. Passwords need 8 characters and must not be one of the 1,000
//! most common (data/common-passwords.txt). Disabling a user or resetting a password ends
//! every session of that user.

use crate::domain::life::Why;
use crate::domain::Role;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// Sessions last a working day.
pub(crate) const SESSION_HOURS: i64 = 12;
/// Failures within this many minutes count.
pub(crate) const FAILURE_WINDOW_MINUTES: i64 = 15;
/// After this many failures in the window for a name from one address, that name is
/// refused from that address for a while.
pub const MAX_FAILURES: i64 = 5;
/// After this many failures in the window from one address, whatever the names, the
/// address is refused for a while.
pub const MAX_ADDRESS_FAILURES: i64 = 20;
/// Shortest password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;

const COMMON_PASSWORDS: &str = include_str!("../../data/common-passwords.txt");

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Login {
    Ok(User),
    /// Wrong name or password; `failures` recent failures for the name so far.
    Wrong {
        failures: i64,
    },
    /// Too many recent failures: try again later.
    Throttled,
}

/// A new session: the token to give the client, once, and its CSRF token.
pub struct Session {
    pub token: String,
    pub csrf: String,
}

pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the system random source works");
    hex::encode(buf)
}


/// A user name as stored and compared: NFKC, trimmed, inner whitespace runs kept as one
/// space.
pub fn normalize_name(name: &str) -> String {
    let n: String = name.nfkc().collect();
    n.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Why a password is refused (in English and Chinese), or `None` when it is acceptable.
pub fn password_problem(name: &str, password: &str) -> Option<Why> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some(Why::new(
            format!("a password needs at least {MIN_PASSWORD_CHARS} characters"),
            format!("密码至少需要 {MIN_PASSWORD_CHARS} 个字符。"),
        ));
    }
    let lower = password.to_lowercase();
    if lower == normalize_name(name).to_lowercase() {
        return Some(Why::new("the password must not be the user name", "密码不能与用户名相同。"));
    }
    let common = COMMON_PASSWORDS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l == lower);
    common.then(|| {
        Why::new(
            "this password is one of the 1,000 most common; choose another",
            "这是最常见的 1000 个密码之一，请另选一个。",
        )
    })
}

/// A user as the administrator's list shows them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: String,
    /// Sessions not yet expired.
    pub sessions: i64,
    /// The user's own name and phone, as documents print them (承办人, 联系电话).
    pub full_name: Option<String>,
    pub phone: Option<String>,
}



/// A random password for a first user, printed once.
pub fn random_password() -> String {
    random_hex(10)
}
