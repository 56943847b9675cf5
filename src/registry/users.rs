//! Users, passwords (argon2) and sessions. Session tokens are random, given to the client
//! once and stored only as their SHA-256; each session has its own CSRF token for forms.
//! Failed logins are recorded, and a name with too many recent failures is refused for a
//! while.

use super::{now_text, Registry, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The roles of the bureau.
pub const ROLES: [&str; 5] = ["mailroom", "officer", "archivist", "analyst", "admin"];

/// Sessions last a working day.
const SESSION_HOURS: i64 = 12;
/// Failures within this many minutes count against a name.
const FAILURE_WINDOW_MINUTES: i64 = 15;
/// After this many failures in the window, logins for the name are refused.
pub const MAX_FAILURES: i64 = 5;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: String,
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

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the system random source works");
    hex::encode(buf)
}

fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Registry {
    /// Adds a user (or replaces the password and role of an existing one).
    pub fn add_user(&self, name: &str, role: &str, password: &str) -> Result<User> {
        if !ROLES.contains(&role) {
            return Err(super::RegistryError::Io(format!(
                "unknown role {role}; one of {}",
                ROLES.join(", ")
            )));
        }
        if name.trim().is_empty() || password.len() < 8 {
            return Err(super::RegistryError::Io(
                "a user needs a name and a password of at least 8 characters".into(),
            ));
        }
        let salt = SaltString::encode_b64(&rand_bytes16()).expect("16 bytes make a salt");
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| super::RegistryError::Io(format!("hashing the password: {e}")))?
            .to_string();
        self.conn.execute(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash",
            params![name, role, hash, now_text()],
        )?;
        let id = self
            .conn
            .query_row("SELECT id FROM users WHERE name = ?1", [name], |r| r.get(0))?;
        Ok(User {
            id,
            name: name.into(),
            role: role.into(),
        })
    }

    /// Checks a login; records a failure when it is wrong.
    pub fn login(&self, name: &str, password: &str, address: Option<&str>) -> Result<Login> {
        let since = (chrono::Local::now() - chrono::Duration::minutes(FAILURE_WINDOW_MINUTES))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        let failures: i64 = self.conn.query_row(
            "SELECT count(*) FROM login_failures WHERE name = ?1 AND at > ?2",
            params![name, since],
            |r| r.get(0),
        )?;
        if failures >= MAX_FAILURES {
            return Ok(Login::Throttled);
        }
        let row: Option<(i64, String, String)> = self
            .conn
            .query_row(
                "SELECT id, role, password_hash FROM users WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let ok = row.as_ref().is_some_and(|(_, _, hash)| {
            PasswordHash::new(hash)
                .map(|h| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &h)
                        .is_ok()
                })
                .unwrap_or(false)
        });
        match row {
            Some((id, role, _)) if ok => Ok(Login::Ok(User {
                id,
                name: name.into(),
                role,
            })),
            _ => {
                self.conn.execute(
                    "INSERT INTO login_failures (name, address, at) VALUES (?1, ?2, ?3)",
                    params![name, address, now_text()],
                )?;
                Ok(Login::Wrong {
                    failures: failures + 1,
                })
            }
        }
    }

    /// Starts a session for a user.
    pub fn create_session(&self, user: &User) -> Result<Session> {
        let token = random_hex(32);
        let csrf = random_hex(16);
        let expires = (chrono::Local::now() + chrono::Duration::hours(SESSION_HOURS))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        self.conn.execute(
            "INSERT INTO sessions (token_sha256, user_id, created_at, expires_at, csrf) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_digest(&token), user.id, now_text(), expires, csrf],
        )?;
        Ok(Session { token, csrf })
    }

    /// The user and CSRF token of a live session.
    pub fn session_user(&self, token: &str) -> Result<Option<(User, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT u.id, u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_sha256 = ?1 AND s.expires_at > ?2",
                params![token_digest(token), now_text()],
                |r| {
                    Ok((
                        User {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            role: r.get(2)?,
                        },
                        r.get(3)?,
                    ))
                },
            )
            .optional()?)
    }

    pub fn end_session(&self, token: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM sessions WHERE token_sha256 = ?1",
            [token_digest(token)],
        )?;
        Ok(())
    }

    pub fn user_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))?)
    }
}

fn rand_bytes16() -> [u8; 16] {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the system random source works");
    b
}

/// A random password for a first user, printed once.
pub fn random_password() -> String {
    random_hex(8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::number::NumberFormat;

    #[test]
    fn passwords_sessions_and_throttling() {
        let dir = tempfile::tempdir().unwrap();
        let r = Registry::open(dir.path(), NumberFormat::default()).unwrap();
        assert!(r.add_user("w", "janitor", "password1").is_err());
        assert!(r.add_user("w", "officer", "short").is_err());
        let user = r.add_user("王", "officer", "correct horse").unwrap();
        let hash: String = r
            .connection()
            .query_row("SELECT password_hash FROM users", [], |row| row.get(0))
            .unwrap();
        assert!(hash.starts_with("$argon2id$") && !hash.contains("correct horse"));
        assert_eq!(
            r.login("王", "correct horse", None).unwrap(),
            Login::Ok(user.clone())
        );
        let s = r.create_session(&user).unwrap();
        let (who, csrf) = r.session_user(&s.token).unwrap().unwrap();
        assert_eq!((who, csrf), (user.clone(), s.csrf.clone()));
        assert!(r.session_user("forged").unwrap().is_none());
        r.end_session(&s.token).unwrap();
        assert!(r.session_user(&s.token).unwrap().is_none());
        for i in 1..=MAX_FAILURES {
            assert_eq!(
                r.login("王", "wrong", Some("127.0.0.1")).unwrap(),
                Login::Wrong { failures: i }
            );
        }
        // Even the right password is refused for a while now.
        assert_eq!(
            r.login("王", "correct horse", None).unwrap(),
            Login::Throttled
        );
    }
}
