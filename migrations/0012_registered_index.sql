-- Statistics read a period's cases by the day they were registered, and count months
-- (without voided ones) from the index alone.
CREATE INDEX cases_registered ON cases(registered_at, status);
