-- Surveys in activity periods (docs/protocol.md, "Surveys"). A response
-- holds the member's answers as a JSON object from question ids to
-- answers. A secret survey's responses carry voter_tag, a keyed hash of the
-- member's id under the key in survey_key, only while it is open: closing
-- deletes the key, erases the tags and the unsubmitted responses, and
-- rewrites the rest in key order, so no response can be linked to a member.

CREATE TABLE survey (
    id         INTEGER PRIMARY KEY,
    period_id  INTEGER NOT NULL REFERENCES period (id),
    title      TEXT NOT NULL,
    intro      TEXT NOT NULL DEFAULT '',
    secret     INTEGER NOT NULL CHECK (secret IN (0, 1)),
    allow_edit INTEGER NOT NULL CHECK (allow_edit IN (0, 1)),
    status     TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    closes_at  TEXT,
    opened_at  TEXT,
    closed_at  TEXT,
    responses  INTEGER NOT NULL DEFAULT 0,           -- submitted
    created_by INTEGER NOT NULL REFERENCES member (id),
    created_at TEXT NOT NULL,
    seq        INTEGER NOT NULL
);
CREATE INDEX survey_period ON survey (period_id, id);
CREATE INDEX survey_open ON survey (status, closes_at);
CREATE INDEX survey_seq ON survey (period_id, seq);

CREATE TABLE survey_question (
    id              INTEGER PRIMARY KEY,
    survey_id       INTEGER NOT NULL REFERENCES survey (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'scale', 'ranking',
                                                  'short_text', 'long_text')),
    text            TEXT NOT NULL,
    help            TEXT NOT NULL DEFAULT '',
    required        INTEGER NOT NULL CHECK (required IN (0, 1)),
    min_picks       INTEGER,
    max_picks       INTEGER,
    scale_min       INTEGER,
    scale_max       INTEGER,
    scale_min_label TEXT,
    scale_max_label TEXT
);
CREATE INDEX survey_question_survey ON survey_question (survey_id, position);

CREATE TABLE survey_option (
    id          INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES survey_question (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    label       TEXT NOT NULL
);
CREATE INDEX survey_option_question ON survey_option (question_id, position);

-- The key of an open secret survey; deleted when it closes.
CREATE TABLE survey_key (
    survey_id INTEGER PRIMARY KEY REFERENCES survey (id) ON DELETE CASCADE,
    key       BLOB NOT NULL
);

-- member_id is set in named surveys; voter_tag in secret ones while open.
-- Secret responses get random ids and no times.
CREATE TABLE survey_response (
    id           INTEGER PRIMARY KEY,
    survey_id    INTEGER NOT NULL REFERENCES survey (id),
    member_id    INTEGER REFERENCES member (id) ON DELETE SET NULL,
    voter_tag    BLOB,
    status       TEXT NOT NULL CHECK (status IN ('started', 'submitted')),
    answers      TEXT NOT NULL,
    updated_at   TEXT,
    submitted_at TEXT
);
CREATE UNIQUE INDEX survey_response_member ON survey_response (survey_id, member_id)
    WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX survey_response_tag ON survey_response (survey_id, voter_tag)
    WHERE voter_tag IS NOT NULL;
CREATE INDEX survey_response_survey ON survey_response (survey_id, status);

-- Who submitted a response, kept after a secret survey closes (for "you
-- answered" and participation) without saying which response is theirs.
CREATE TABLE survey_respondent (
    survey_id INTEGER NOT NULL REFERENCES survey (id),
    member_id INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    PRIMARY KEY (survey_id, member_id)
) WITHOUT ROWID;

ALTER TABLE participation ADD COLUMN responses INTEGER NOT NULL DEFAULT 0;
