-- Routing and deadlines: the current step's due date, the route taken, and the guard for
-- accusation material (检举控告), which never goes to the body it accuses.

ALTER TABLE cases ADD COLUMN due_at TEXT;
ALTER TABLE cases ADD COLUMN route_kind TEXT;
ALTER TABLE cases ADD COLUMN route_body TEXT;
ALTER TABLE cases ADD COLUMN accusation INTEGER NOT NULL DEFAULT 0;
-- JSON list of the bodies the letter accuses, as officers confirm them.
ALTER TABLE cases ADD COLUMN accused TEXT NOT NULL DEFAULT '[]';
CREATE INDEX cases_due ON cases(due_at);
