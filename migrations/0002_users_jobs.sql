-- People who use the service, their sessions, and the queue of letters being taken in.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('mailroom', 'officer', 'archivist', 'analyst', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Session tokens are stored as their SHA-256 only.
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    csrf TEXT NOT NULL
);

-- Failed logins, to slow down guessing.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_name ON login_failures(name, at);

-- One job per uploaded or dropped file. The file waits in spool/ until its case is
-- committed; a restart puts running jobs back in the queue.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    spool_path TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    case_id INTEGER REFERENCES cases(id),
    duplicate INTEGER NOT NULL DEFAULT 0,
    error_code TEXT,
    error_message TEXT,
    submitted_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX jobs_status ON jobs(status, id);
