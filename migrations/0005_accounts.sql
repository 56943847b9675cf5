-- Accounts that can be disabled, and sign-in attempts counted by address as well as name.

ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
CREATE INDEX login_failures_address ON login_failures(address, at);
