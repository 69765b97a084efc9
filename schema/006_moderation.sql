-- Moderation (docs/protocol.md, "Moderation"): suspensions and the audit
-- log. The audit log is append-only: triggers refuse every UPDATE and
-- DELETE, and it names actors and targets by id and by the name they had
-- then, without foreign keys, so nothing elsewhere can change it.

ALTER TABLE member ADD COLUMN suspended_until TEXT;
ALTER TABLE member ADD COLUMN suspension_reason TEXT;

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER,                 -- NULL: the command line
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,           -- the message type, e.g. member.suspend
    target_kind TEXT NOT NULL,           -- member, post, topic, period, poll, survey, word
    target_id   INTEGER,
    target_name TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    details     TEXT                     -- JSON, or NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id, id);

CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
