//! Who asks for a change of a case.

/// Who asks for a change: the role the policy checks, the name the history and audit log
/// record (`user:…`, `cli:…`), and the client's address.
#[derive(Debug, Clone)]
pub struct Actor {
    pub role: crate::domain::Role,
    pub name: String,
    pub address: Option<String>,
}
