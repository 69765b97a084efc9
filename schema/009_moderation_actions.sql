-- The rest of moderation (docs/protocol.md, "Moderation"): hidden and
-- pending posts, moderators' edits and deletions, locked and pinned
-- topics, pre-moderated periods, appeals and reviews in the queue,
-- watched words, and the notices that tell members what was done.

-- A post is published, pending (waiting for a moderator: only its author
-- and moderators see it) or hidden. hidden_by is the moderator who hid it,
-- NULL when reports hid it. appealed: 0 never, 1 pending, 2 refused, 3
-- granted (an author appeals a post once).
ALTER TABLE post ADD COLUMN status TEXT NOT NULL DEFAULT 'published'
    CHECK (status IN ('published', 'pending', 'hidden'));
ALTER TABLE post ADD COLUMN hidden_at TEXT;
ALTER TABLE post ADD COLUMN hidden_by INTEGER REFERENCES member (id);
ALTER TABLE post ADD COLUMN hidden_reason TEXT;
ALTER TABLE post ADD COLUMN appealed INTEGER NOT NULL DEFAULT 0 CHECK (appealed IN (0, 1, 2, 3));
ALTER TABLE post ADD COLUMN moderator_edit_at TEXT;
ALTER TABLE post ADD COLUMN moderator_edit_reason TEXT;
ALTER TABLE post ADD COLUMN deleted_by_moderator INTEGER NOT NULL DEFAULT 0
    CHECK (deleted_by_moderator IN (0, 1));

ALTER TABLE topic ADD COLUMN status TEXT NOT NULL DEFAULT 'published'
    CHECK (status IN ('published', 'pending'));
ALTER TABLE topic ADD COLUMN locked_at TEXT;
ALTER TABLE topic ADD COLUMN lock_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE topic ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1));
-- The last change that moved posts out (post.move): a catch-up past it
-- is a resync.
ALTER TABLE topic ADD COLUMN moved_out_seq INTEGER NOT NULL DEFAULT 0;

ALTER TABLE period ADD COLUMN premoderated INTEGER NOT NULL DEFAULT 0
    CHECK (premoderated IN (0, 1));

-- The queue now holds appeals and reviews beside reports: the table is
-- made again with the wider kind check (SQLite cannot change a check).
CREATE TABLE queue_item_new (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES post (id),
    kind        TEXT NOT NULL CHECK (kind IN ('report', 'appeal', 'review')),
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'resolved', 'dismissed')),
    created_at  TEXT NOT NULL,
    acted_by    INTEGER REFERENCES member (id),
    acted_at    TEXT,
    action      TEXT,
    note        TEXT NOT NULL DEFAULT '',
    seq         INTEGER NOT NULL,
    appeal      TEXT NOT NULL DEFAULT '',           -- the author's words (appeal)
    why         TEXT,                               -- review: premoderated_period, new_member, watched_word
    words       TEXT NOT NULL DEFAULT '[]'          -- review: the watched words found (JSON)
);
INSERT INTO queue_item_new (id, post_id, kind, status, created_at, acted_by, acted_at, action,
                            note, seq)
    SELECT id, post_id, kind, status, created_at, acted_by, acted_at, action, note, seq
    FROM queue_item;
DROP TABLE queue_item;
ALTER TABLE queue_item_new RENAME TO queue_item;
CREATE UNIQUE INDEX queue_item_pending ON queue_item (post_id, kind) WHERE status = 'pending';
CREATE INDEX queue_item_status ON queue_item (status, id);
CREATE INDEX queue_item_seq ON queue_item (seq);
CREATE INDEX queue_item_post ON queue_item (post_id);

-- Words moderators watch for, each with one action.
CREATE TABLE watched_word (
    id          INTEGER PRIMARY KEY,
    word        TEXT NOT NULL UNIQUE,             -- lower case; a final * matches any ending
    action      TEXT NOT NULL CHECK (action IN ('block', 'review', 'replace')),
    replacement TEXT NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES member (id),
    created_at  TEXT NOT NULL
);

-- What moderators did about a member's posts and account, told to them.
CREATE TABLE notice (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    post_id    INTEGER REFERENCES post (id),
    reason     TEXT,
    created_at TEXT NOT NULL,
    read       INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1)),
    seq        INTEGER NOT NULL
);
CREATE INDEX notice_member ON notice (member_id, id);
CREATE INDEX notice_member_seq ON notice (member_id, seq);

-- Warnings count in an author's moderation history.
CREATE INDEX post_status ON post (status) WHERE status != 'published';
