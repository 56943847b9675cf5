-- Statistics read a period's cases by the day they were registered.
CREATE INDEX cases_registered ON cases(registered_at);
