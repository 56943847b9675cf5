-- Documents about a period rather than a case (信访情况分析报告, 信访工作动态): `case_id`
-- becomes optional and `period` (2026-11, 2026-Q4, …) names what the document counts; a
-- document has exactly one of the two. SQLite cannot drop NOT NULL in place: the table is
-- made again with its rows, ids, numbers and void marks as they were.
CREATE TABLE documents_new (
    id INTEGER PRIMARY KEY,
    case_id INTEGER REFERENCES cases(id),
    period TEXT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    number TEXT UNIQUE,
    code TEXT,
    year INTEGER,
    seq INTEGER,
    addressee TEXT,
    inputs TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    pdf TEXT,
    docx TEXT,
    feedback_due TEXT,
    adopted INTEGER,
    voided_at TEXT,
    voided_by TEXT,
    void_reason TEXT,
    UNIQUE (code, year, seq),
    CHECK ((case_id IS NULL) <> (period IS NULL))
);
INSERT INTO documents_new (id, case_id, kind, title, number, code, year, seq, addressee, inputs,
        created_at, created_by, pdf, docx, feedback_due, adopted, voided_at, voided_by, void_reason)
    SELECT id, case_id, kind, title, number, code, year, seq, addressee, inputs,
        created_at, created_by, pdf, docx, feedback_due, adopted, voided_at, voided_by, void_reason
    FROM documents;
DROP TABLE documents;
ALTER TABLE documents_new RENAME TO documents;
CREATE INDEX documents_case ON documents(case_id);
CREATE INDEX documents_period ON documents(period) WHERE period IS NOT NULL;
