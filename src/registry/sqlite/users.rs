//! Users, passwords (argon2) and sessions in SQLite (the rules are `registry::users`').

use super::{now_text, SqliteRegistry};
use crate::domain::Role;
use crate::registry::users::*;
use crate::registry::{Result, Users};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

fn invalid(message: impl Into<String>) -> super::RegistryError {
    super::RegistryError::Io(message.into())
}

fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Users for SqliteRegistry {
    fn add_user(&self, name: &str, role: Role, password: &str) -> Result<User> {
        let name = normalize_name(name);
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(invalid("a user needs a name (without control characters)"));
        }
        if let Some(problem) = password_problem(&name, password) {
            return Err(invalid(problem.en));
        }
        let hash = hash_password(password)?;
        self.conn.execute(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash",
            params![name, role, hash, now_text()],
        )?;
        let id: i64 = self
            .conn
            .query_row("SELECT id FROM users WHERE name = ?1", [&name], |r| r.get(0))?;
        self.conn.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
        Ok(User { id, name, role })
    }

    fn reset_password(&self, name: &str, password: &str) -> Result<User> {
        let user = self.user(name)?.ok_or_else(|| invalid(format!("no user {name:?}")))?;
        if let Some(problem) = password_problem(&user.name, password) {
            return Err(invalid(problem.en));
        }
        self.conn.execute(
            "UPDATE users SET password_hash = ?2 WHERE id = ?1",
            params![user.id, hash_password(password)?],
        )?;
        self.conn.execute("DELETE FROM sessions WHERE user_id = ?1", [user.id])?;
        Ok(user)
    }

    fn set_disabled(&self, name: &str, disabled: bool) -> Result<User> {
        let user = self.user(name)?.ok_or_else(|| invalid(format!("no user {name:?}")))?;
        self.conn.execute(
            "UPDATE users SET disabled = ?2 WHERE id = ?1",
            params![user.id, disabled],
        )?;
        if disabled {
            self.conn.execute("DELETE FROM sessions WHERE user_id = ?1", [user.id])?;
        }
        Ok(user)
    }

    fn user(&self, name: &str) -> Result<Option<User>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, role FROM users WHERE name = ?1",
                [normalize_name(name)],
                |r| {
                    Ok(User {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        role: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn login(&self, name: &str, password: &str, address: Option<&str>) -> Result<Login> {
        let name = normalize_name(name);
        let since = (chrono::Local::now() - chrono::Duration::minutes(FAILURE_WINDOW_MINUTES))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        let counted = self.conn.execute(
            "INSERT INTO login_failures (name, address, at)
             SELECT ?1, ?2, ?3
             WHERE (SELECT count(*) FROM login_failures WHERE name = ?1 AND address IS ?2 AND at > ?4) < ?5
               AND (?2 IS NULL OR (SELECT count(*) FROM login_failures WHERE address = ?2 AND at > ?4) < ?6)",
            params![name, address, now_text(), since, MAX_FAILURES, MAX_ADDRESS_FAILURES],
        )?;
        if counted == 0 {
            return Ok(Login::Throttled);
        }
        let attempt = self.conn.last_insert_rowid();
        let row: Option<(i64, Role, String, bool)> = self
            .conn
            .query_row(
                "SELECT id, role, password_hash, disabled FROM users WHERE name = ?1",
                [&name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let ok = row.as_ref().is_some_and(|(_, _, hash, _)| {
            PasswordHash::new(hash)
                .map(|h| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &h)
                        .is_ok()
                })
                .unwrap_or(false)
        });
        match row {
            // A disabled user's right password is still a failed sign-in (and says no more).
            Some((id, role, _, false)) if ok => {
                self.conn.execute("DELETE FROM login_failures WHERE id = ?1", [attempt])?;
                Ok(Login::Ok(User { id, name, role }))
            }
            _ => {
                let failures: i64 = self.conn.query_row(
                    "SELECT count(*) FROM login_failures WHERE name = ?1 AND address IS ?2 AND at > ?3",
                    params![name, address, since],
                    |r| r.get(0),
                )?;
                Ok(Login::Wrong { failures })
            }
        }
    }

    fn create_session(&self, user: &User) -> Result<Session> {
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

    fn session_user(&self, token: &str) -> Result<Option<(User, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT u.id, u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_sha256 = ?1 AND s.expires_at > ?2 AND u.disabled = 0",
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

    fn end_session(&self, token: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM sessions WHERE token_sha256 = ?1",
            [token_digest(token)],
        )?;
        Ok(())
    }

    fn user_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))?)
    }

    fn users(&self) -> Result<Vec<UserRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT u.id, u.name, u.role, u.disabled, u.created_at,
                    (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > ?1),
                    u.full_name, u.phone
             FROM users u ORDER BY u.name",
        )?;
        let rows = st.query_map([now_text()], |r| {
            Ok(UserRow {
                id: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                disabled: r.get(3)?,
                created_at: r.get(4)?,
                sessions: r.get(5)?,
                full_name: r.get(6)?,
                phone: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn set_role(&self, name: &str, role: Role) -> Result<User> {
        let user = self.user(name)?.ok_or_else(|| invalid(format!("no user {name:?}")))?;
        self.conn.execute("UPDATE users SET role = ?2 WHERE id = ?1", params![user.id, role])?;
        self.conn.execute("DELETE FROM sessions WHERE user_id = ?1", [user.id])?;
        Ok(User { role, ..user })
    }

    fn set_contact(&self, name: &str, full_name: Option<&str>, phone: Option<&str>) -> Result<()> {
        let clean = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let changed = self.conn.execute(
            "UPDATE users SET full_name = ?2, phone = ?3 WHERE name = ?1",
            params![normalize_name(name), clean(full_name), clean(phone)],
        )?;
        if changed == 0 {
            return Err(invalid(format!("no user {name:?}")));
        }
        Ok(())
    }

    fn change_password(&self, name: &str, old: &str, new: &str) -> Result<bool> {
        let name = normalize_name(name);
        let hash: Option<String> = self
            .conn
            .query_row("SELECT password_hash FROM users WHERE name = ?1 AND disabled = 0", [&name], |r| r.get(0))
            .optional()?;
        let right = hash.is_some_and(|h| {
            PasswordHash::new(&h).is_ok_and(|h| Argon2::default().verify_password(old.as_bytes(), &h).is_ok())
        });
        if !right {
            return Ok(false);
        }
        self.reset_password(&name, new)?;
        Ok(true)
    }
}

fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::encode_b64(&rand_bytes16()).expect("16 bytes make a salt");
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| invalid(format!("hashing the password: {e}")))?
        .to_string())
}

fn rand_bytes16() -> [u8; 16] {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the system random source works");
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::number::NumberFormat;
    use crate::domain::Role;

    #[test]
    fn passwords_sessions_and_throttling() {
        let dir = tempfile::tempdir().unwrap();
        let r = SqliteRegistry::open(dir.path(), NumberFormat::default()).unwrap();
        assert!("janitor".parse::<Role>().is_err());
        assert!(r.add_user("w", Role::Officer, "short").is_err());
        let user = r.add_user("王", Role::Officer, "correct horse").unwrap();
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
        // Even the right password is refused from that address for a while now...
        assert_eq!(
            r.login("王", "correct horse", Some("127.0.0.1")).unwrap(),
            Login::Throttled
        );
        // ...but not from another: nobody can lock a user out from everywhere.
        assert_eq!(
            r.login(" 王 ", "correct horse", Some("127.0.0.2")).unwrap(),
            Login::Ok(user.clone())
        );
        // One address guessing many names is stopped too.
        for i in 0..MAX_ADDRESS_FAILURES - MAX_FAILURES {
            r.login(&format!("n{i}"), "wrong", Some("127.0.0.1")).unwrap();
        }
        assert_eq!(r.login("李", "whatever1", Some("127.0.0.1")).unwrap(), Login::Throttled);
    }

    #[test]
    fn names_passwords_and_disabled_users() {
        let dir = tempfile::tempdir().unwrap();
        let r = SqliteRegistry::open(dir.path(), NumberFormat::default()).unwrap();
        for weak in ["12345678", "Password1", "abc", "qwertyuiop", "管理员123"] {
            assert!(r.add_user("a", Role::Officer, weak).is_err(), "{weak}");
        }
        assert!(r.add_user("longname1", Role::Officer, "LongName1").is_err(), "the name as password");
        let admin = r.add_user("admin", Role::Admin, "a fine passphrase").unwrap();
        // " admin" and the full-width form are the same user, not a second admin.
        let again = r.add_user(" ａｄｍｉｎ ", Role::Admin, "another passphrase").unwrap();
        assert_eq!(again.id, admin.id);
        assert_eq!(r.user_count().unwrap(), 1);
        let s = r.create_session(&again).unwrap();
        // Reset ends every session.
        r.reset_password("admin", "third passphrase").unwrap();
        assert!(r.session_user(&s.token).unwrap().is_none());
        let s = r.create_session(&again).unwrap();
        r.set_disabled("admin", true).unwrap();
        assert!(r.session_user(&s.token).unwrap().is_none());
        assert_eq!(
            r.login("admin", "third passphrase", None).unwrap(),
            Login::Wrong { failures: 1 }
        );
        r.set_disabled("admin", false).unwrap();
        assert!(matches!(r.login("admin", "third passphrase", None).unwrap(), Login::Ok(_)));
    }
}
