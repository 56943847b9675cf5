-- The rest of the case life (issue 17): the leader role, a case submitted to a leader and
-- the leader's instruction (批示), the body's result (办理结果, needed before a routed case
-- closes), the petitioner's evaluation of the reply (满意/基本满意/不满意). Supervisions
-- (督办) are counted from the case's history.
--
-- The users table is made again for its role check to admit `leader` (SQLite cannot
-- change a CHECK in place). Sessions end: everyone signs in again after the upgrade (the
-- table they reference is replaced).
DELETE FROM sessions;
CREATE TABLE users_new (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('mailroom', 'officer', 'leader', 'archivist', 'analyst', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    full_name TEXT,
    phone TEXT
);
INSERT INTO users_new (id, name, role, password_hash, created_at, disabled, full_name, phone)
    SELECT id, name, role, password_hash, created_at, disabled, full_name, phone FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- When the case was submitted to a leader (NULL once instructed, or never submitted).
ALTER TABLE cases ADD COLUMN with_leader TEXT;
-- The latest instruction, shown at the top of the case.
ALTER TABLE cases ADD COLUMN instruction TEXT;
-- The competent body's result as reported (its 办结报告's substance).
ALTER TABLE cases ADD COLUMN result TEXT;
-- The petitioner's evaluation of the reply and its day.
ALTER TABLE cases ADD COLUMN satisfaction TEXT
    CHECK (satisfaction IN ('satisfied', 'basically', 'unsatisfied'));
ALTER TABLE cases ADD COLUMN evaluated_at TEXT;
CREATE INDEX cases_with_leader ON cases (id) WHERE with_leader IS NOT NULL;
