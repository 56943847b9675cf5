-- Review (复查) and re-review (复核) requests (《信访工作条例》 Arts. 35-36): a case of its
-- own, linked to the case whose answer is not accepted, due 30 days after the request.
ALTER TABLE cases ADD COLUMN review_of INTEGER REFERENCES cases(id);
ALTER TABLE cases ADD COLUMN review_level TEXT CHECK (review_level IN ('review', 're-review'));
CREATE INDEX cases_review_of ON cases (review_of) WHERE review_of IS NOT NULL;
-- An online petition's id in the system it came from (xinfang import): one case per id.
ALTER TABLE cases ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX cases_external_id ON cases (external_id) WHERE external_id IS NOT NULL;
