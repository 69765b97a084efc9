-- Activity periods, their topics, and the threaded posts in them.
-- Times are UTC, ISO 8601 with milliseconds and a Z, so they sort as text.
-- seq columns hold the server-wide event sequence number of a row's last
-- change: a client that reconnects asks for what changed after the last
-- seq it saw (docs/protocol.md, "Live"). The last number handed out is
-- kept in meta ('seq'), written in the same transaction as the change.

INSERT INTO meta (key, value) VALUES ('seq', '0');

CREATE TABLE period (
    id                      INTEGER PRIMARY KEY,
    title                   TEXT NOT NULL,
    description             TEXT NOT NULL,      -- markdown as written
    description_html        TEXT NOT NULL,      -- rendered by cmark when written
    prematerial             TEXT NOT NULL DEFAULT '',
    prematerial_html        TEXT NOT NULL DEFAULT '',
    starts_at               TEXT NOT NULL,
    ends_at                 TEXT NOT NULL,
    status                  TEXT NOT NULL DEFAULT 'draft'
                            CHECK (status IN ('draft', 'upcoming', 'open', 'closed')),
    members_may_open_topics INTEGER NOT NULL DEFAULT 0 CHECK (members_may_open_topics IN (0, 1)),
    created_by              INTEGER NOT NULL REFERENCES member (id),
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    seq                     INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX period_status ON period (status, starts_at);
CREATE INDEX period_seq ON period (seq);

CREATE TABLE period_interest (
    period_id     INTEGER NOT NULL REFERENCES period (id) ON DELETE CASCADE,
    interest_area TEXT NOT NULL,                 -- a configured interest area id
    PRIMARY KEY (period_id, interest_area)
) WITHOUT ROWID;

CREATE TABLE topic (
    id                  INTEGER PRIMARY KEY,
    period_id           INTEGER NOT NULL REFERENCES period (id),
    title               TEXT NOT NULL,
    author_id           INTEGER NOT NULL REFERENCES member (id),
    opening_post_id     INTEGER,                 -- set right after the opening post is written
    post_count          INTEGER NOT NULL DEFAULT 0,  -- posts not deleted
    participant_count   INTEGER NOT NULL DEFAULT 0,  -- members who have posted in it
    created_at          TEXT NOT NULL,
    last_post_at        TEXT NOT NULL,
    last_post_author_id INTEGER,
    seq                 INTEGER NOT NULL
);
CREATE INDEX topic_period ON topic (period_id, last_post_at);
CREATE INDEX topic_period_seq ON topic (period_id, seq);

-- path orders a topic's posts in thread order: the parent's path followed
-- by this post's id as 4 big-endian bytes, so byte order is depth-first
-- order with siblings oldest first.
CREATE TABLE post (
    id          INTEGER PRIMARY KEY,
    topic_id    INTEGER NOT NULL REFERENCES topic (id),
    parent_id   INTEGER REFERENCES post (id),
    depth       INTEGER NOT NULL,
    path        BLOB NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES member (id),
    body        TEXT NOT NULL,                   -- markdown; '' once deleted
    body_html   TEXT NOT NULL,                   -- '' once deleted
    created_at  TEXT NOT NULL,
    edited_at   TEXT,
    deleted_at  TEXT,
    agree       INTEGER NOT NULL DEFAULT 0,      -- reaction counts
    good_idea   INTEGER NOT NULL DEFAULT 0,
    thanks      INTEGER NOT NULL DEFAULT 0,
    seq         INTEGER NOT NULL
);
CREATE UNIQUE INDEX post_thread ON post (topic_id, path);
CREATE INDEX post_topic_id ON post (topic_id, id);
CREATE INDEX post_topic_seq ON post (topic_id, seq);
CREATE INDEX post_topic_author ON post (topic_id, author_id);

-- Earlier texts of edited or deleted posts, kept for moderators.
CREATE TABLE post_version (
    id        INTEGER PRIMARY KEY,
    post_id   INTEGER NOT NULL REFERENCES post (id),
    body      TEXT NOT NULL,
    at        TEXT NOT NULL                      -- when this text was written
);
CREATE INDEX post_version_post ON post_version (post_id, id);

-- A reaction taken back (or on a deleted post) stays as a row with
-- active = 0, so giving it again is not counted as participation twice.
CREATE TABLE reaction (
    post_id   INTEGER NOT NULL REFERENCES post (id),
    member_id INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('agree', 'good_idea', 'thanks')),
    at        TEXT NOT NULL,                     -- when first given
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    PRIMARY KEY (post_id, member_id, kind)
) WITHOUT ROWID;

-- Unread markers: every post in the topic with an id up to read_upto is read.
CREATE TABLE topic_read (
    member_id INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    topic_id  INTEGER NOT NULL REFERENCES topic (id),
    read_upto INTEGER NOT NULL,
    PRIMARY KEY (member_id, topic_id)
) WITHOUT ROWID;

-- Participation: what each member did in each period. Counts only grow:
-- deleting a post does not take back having taken part.
CREATE TABLE participation (
    period_id INTEGER NOT NULL REFERENCES period (id),
    member_id INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    posts     INTEGER NOT NULL DEFAULT 0,
    reactions INTEGER NOT NULL DEFAULT 0,
    first_at  TEXT NOT NULL,
    last_at   TEXT NOT NULL,
    PRIMARY KEY (period_id, member_id)
) WITHOUT ROWID;
