-- Polls in activity periods (docs/protocol.md, "Polls"). A secret poll's
-- ballots carry voter_tag, a keyed hash of the member's id under the key in
-- poll_key, only while the poll is open: closing deletes the key and
-- erases the tags, so no ballot can be linked to a member afterwards.

CREATE TABLE poll (
    id                 INTEGER PRIMARY KEY,
    period_id          INTEGER NOT NULL REFERENCES period (id),
    topic_id           INTEGER REFERENCES topic (id),
    question           TEXT NOT NULL,
    help               TEXT NOT NULL DEFAULT '',
    kind               TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'scale', 'ranking')),
    min_picks          INTEGER,
    max_picks          INTEGER,
    scale_min          INTEGER,
    scale_max          INTEGER,
    scale_min_label    TEXT,
    scale_max_label    TEXT,
    results_visibility TEXT NOT NULL
                       CHECK (results_visibility IN ('always', 'after_vote', 'after_close', 'moderators')),
    secret             INTEGER NOT NULL CHECK (secret IN (0, 1)),
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closes_at          TEXT,
    closed_at          TEXT,
    voters             INTEGER NOT NULL DEFAULT 0,
    created_by         INTEGER NOT NULL REFERENCES member (id),
    created_at         TEXT NOT NULL,
    seq                INTEGER NOT NULL
);
CREATE INDEX poll_period ON poll (period_id, id);
CREATE INDEX poll_open ON poll (status, closes_at);
CREATE INDEX poll_seq ON poll (period_id, seq);

CREATE TABLE poll_option (
    id       INTEGER PRIMARY KEY,
    poll_id  INTEGER NOT NULL REFERENCES poll (id),
    position INTEGER NOT NULL,
    label    TEXT NOT NULL
);
CREATE INDEX poll_option_poll ON poll_option (poll_id, position);

-- The key of an open secret poll; deleted when it closes.
CREATE TABLE poll_key (
    poll_id INTEGER PRIMARY KEY REFERENCES poll (id),
    key     BLOB NOT NULL
);

-- member_id is set for named polls; voter_tag for secret ones while open.
-- Secret ballots get random ids and no times.
CREATE TABLE ballot (
    id        INTEGER PRIMARY KEY,
    poll_id   INTEGER NOT NULL REFERENCES poll (id),
    member_id INTEGER REFERENCES member (id) ON DELETE SET NULL,
    voter_tag BLOB,
    value     INTEGER,                           -- scale polls
    cast_at   TEXT                               -- named polls only
);
CREATE UNIQUE INDEX ballot_member ON ballot (poll_id, member_id) WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX ballot_tag ON ballot (poll_id, voter_tag) WHERE voter_tag IS NOT NULL;
CREATE INDEX ballot_poll ON ballot (poll_id);

-- The options a ballot picked; rank is the place in a ranking (0 = first).
CREATE TABLE ballot_choice (
    ballot_id INTEGER NOT NULL REFERENCES ballot (id) ON DELETE CASCADE,
    option_id INTEGER NOT NULL REFERENCES poll_option (id),
    rank      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (ballot_id, option_id)
) WITHOUT ROWID;
CREATE INDEX ballot_choice_option ON ballot_choice (option_id);

-- Whether a member voted on a secret poll, kept after it closes (for
-- "voted" and participation) without saying which ballot is theirs.
CREATE TABLE poll_voter (
    poll_id   INTEGER NOT NULL REFERENCES poll (id),
    member_id INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    PRIMARY KEY (poll_id, member_id)
) WITHOUT ROWID;

ALTER TABLE participation ADD COLUMN votes INTEGER NOT NULL DEFAULT 0;
