-- Official documents generated for cases (转送函, 交办函, notices, replies, the three
-- recommendations...). Numbers like 示信转〔2026〕12号 come from one sequence per issuer code
-- and year, taken in the transaction that records the document: never reused or skipped.

CREATE TABLE doc_counters (
    code TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (code, year)
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    -- Kinds without a number (forms, receipts) leave these empty.
    number TEXT UNIQUE,
    code TEXT,
    year INTEGER,
    seq INTEGER,
    addressee TEXT,
    -- JSON: the officer's own text given when generating (facts, decision, reasons).
    inputs TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    -- Files under the data folder, relative paths.
    pdf TEXT,
    docx TEXT,
    -- The three recommendations: feedback due in 30 days, and whether it was adopted.
    feedback_due TEXT,
    adopted INTEGER,
    UNIQUE (code, year, seq)
);
CREATE INDEX documents_case ON documents(case_id);

-- The purpose class of a letter by law (Arts. 29-31): suggestion (建议意见), accusation
-- (检举控告) or demand (申诉求决). The accusation flag stays as the guard reads it.
ALTER TABLE cases ADD COLUMN purpose TEXT NOT NULL DEFAULT 'demand';
UPDATE cases SET purpose = 'accusation' WHERE accusation = 1;
