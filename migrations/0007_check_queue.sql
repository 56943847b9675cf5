-- The mailroom's queue (待核对): registered cases whose entry nobody has confirmed yet,
-- oldest first. The confirmation is an event; its time is kept on the case too, so the
-- queue is read from a small partial index instead of every case's events.
ALTER TABLE cases ADD COLUMN confirmed_at TEXT;

UPDATE cases SET confirmed_at = (
    SELECT min(e.at) FROM events e WHERE e.case_id = cases.id AND e.action = 'confirmed'
) WHERE id IN (SELECT case_id FROM events WHERE action = 'confirmed');

CREATE INDEX cases_to_check ON cases(id) WHERE status = 'registered' AND confirmed_at IS NULL;
