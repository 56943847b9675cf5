-- Risk read on arrival and the channel a matter came by (issue 17).
-- risk: the kinds read (extreme, mass, safety, vulnerable), comma-separated, NULL when
-- none; the evidence is in the extraction kept with the text. risk_seen_*: the first user
-- who opened the case after it was flagged (the event says so too).
ALTER TABLE cases ADD COLUMN risk TEXT;
ALTER TABLE cases ADD COLUMN risk_seen_by TEXT;
ALTER TABLE cases ADD COLUMN channel TEXT NOT NULL DEFAULT 'letter'
    CHECK (channel IN ('letter', 'visit', 'phone', 'online', 'from-above'));
-- A matter passed down by a higher body: who, their number, when they want the report.
ALTER TABLE cases ADD COLUMN from_body TEXT;
ALTER TABLE cases ADD COLUMN from_number TEXT;
ALTER TABLE cases ADD COLUMN report_due TEXT;
-- The open risk cases, for the top of the lists.
CREATE INDEX cases_open_risk ON cases (id)
    WHERE risk IS NOT NULL AND status IN ('registered', 'routed', 'awaiting', 'replied');
