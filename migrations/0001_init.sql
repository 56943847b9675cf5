-- The register (专册编号登记): one row per letter, numbered without gaps per year.

CREATE TABLE counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    registration_number TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    source_name TEXT NOT NULL,
    pages INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'registered',
    name TEXT,
    id_number TEXT,
    phone TEXT,
    address TEXT,
    letter_date TEXT,
    summary TEXT,
    category TEXT,
    urgent INTEGER NOT NULL DEFAULT 0,
    cosigners INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    extraction TEXT NOT NULL,
    repeat_of INTEGER REFERENCES cases(id),
    registered_at TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX cases_id_number ON cases(id_number);
CREATE INDEX cases_name_phone ON cases(name, phone);
CREATE INDEX cases_status ON cases(status);

-- What happened to a case, in order: who, when, and the deadline a step starts.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT,
    due_at TEXT
);
CREATE INDEX events_case ON events(case_id);

-- Every read and change of a case, never updated or deleted.
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    case_id INTEGER,
    address TEXT
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Full-text search over the letters' text: trigrams find any run of three or more
-- characters; shorter Chinese words are found with LIKE on the same table.
CREATE VIRTUAL TABLE cases_fts USING fts5(
    text, summary, content = 'cases', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
    INSERT INTO cases_fts (rowid, text, summary) VALUES (new.id, new.text, new.summary);
END;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF text, summary ON cases BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, text, summary)
        VALUES ('delete', old.id, old.text, old.summary);
    INSERT INTO cases_fts (rowid, text, summary) VALUES (new.id, new.text, new.summary);
END;
