-- Members: residents who registered, and staff (moderators, admins).
-- Times are UTC, ISO 8601 with milliseconds and a Z.

CREATE TABLE member (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,          -- trimmed, lower-cased
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,                 -- libsodium crypto_pwhash_str (Argon2id)
    role          TEXT NOT NULL DEFAULT 'member'
                  CHECK (role IN ('member', 'moderator', 'admin')),
    birth_year    INTEGER CHECK (birth_year BETWEEN 1850 AND 2200),  -- year only, never a date
    municipality  TEXT,                          -- a configured municipality id
    language      TEXT NOT NULL DEFAULT 'fi' CHECK (language IN ('fi', 'sv', 'en')),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE member_interest (
    member_id     INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    interest_area TEXT NOT NULL,                 -- a configured interest area id
    PRIMARY KEY (member_id, interest_area)
) WITHOUT ROWID;

-- Consent history: every consent given or withdrawn, never updated in place.
CREATE TABLE consent (
    id        INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('privacy_notice')),
    version   TEXT NOT NULL,
    given     INTEGER NOT NULL CHECK (given IN (0, 1)),
    at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX consent_member ON consent (member_id, kind, id);

-- Sessions: only the BLAKE2b hash of the cookie's token is stored.
CREATE TABLE session (
    id           INTEGER PRIMARY KEY,
    member_id    INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    expires_at   TEXT NOT NULL
);
CREATE INDEX session_member ON session (member_id);

-- Settings and facts about this database (e.g. demo_seeded_at).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
