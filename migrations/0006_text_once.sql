-- The register at a million letters (issue 21): the letter's text stored once, apart from
-- the columns every list reads; search from an index of character bigrams; indexes for
-- the filters the lists use and for a case's audit trail.
--
-- This step makes the new tables; the next (`sqlite::convert_texts`, in the program)
-- moves each case's text and slimmed extraction into them in batches, resumably, then
-- drops the old columns and the trigram index and checks the result.

CREATE TABLE case_texts (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    text TEXT NOT NULL,
    -- The extraction without copies of the text (registry::text::slim).
    extraction TEXT NOT NULL
);

-- Written by the register (registry::text::index_terms): bigrams of the text and summary.
-- Contentless: the terms are not kept twice; a case's row is deleted and rewritten when
-- its summary is corrected.
CREATE VIRTUAL TABLE case_terms USING fts5(
    terms, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);

-- How far the move has come (one row; gone when it is done).
CREATE TABLE text_move (last_id INTEGER NOT NULL);
INSERT INTO text_move (last_id) VALUES (0);

DROP TRIGGER cases_fts_insert;
DROP TRIGGER cases_fts_update;

-- A register grown by `xinfang synth` for benchmarks: never mixed with real letters.
ALTER TABLE cases ADD COLUMN synthetic INTEGER NOT NULL DEFAULT 0;

-- The lists' filters, each giving cases in id order (an index ends with the rowid).
CREATE INDEX cases_category ON cases(category);
CREATE INDEX cases_status_category ON cases(status, category);
CREATE INDEX cases_phone ON cases(phone);
CREATE INDEX cases_name ON cases(name);
DROP INDEX cases_name_phone;
CREATE INDEX audit_case ON audit(case_id, id);
