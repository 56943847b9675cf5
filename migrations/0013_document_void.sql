-- A recorded document voided with its reason (a test duplicate, a wrong addressee): it
-- keeps its number, is marked 作废 and is left out of the binder with a line in the 备考表.
ALTER TABLE documents ADD COLUMN voided_at TEXT;
ALTER TABLE documents ADD COLUMN voided_by TEXT;
ALTER TABLE documents ADD COLUMN void_reason TEXT;
