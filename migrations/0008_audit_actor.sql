-- The administrator's audit viewer reads one user's entries, newest first.
CREATE INDEX audit_actor ON audit(actor, id);
