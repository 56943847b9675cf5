-- The officer a case is given to inside the bureau (承办人): "我的案件" lists a user's own.
ALTER TABLE cases ADD COLUMN handler TEXT;
CREATE INDEX cases_handler ON cases(handler, id);
