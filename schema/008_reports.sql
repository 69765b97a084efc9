-- Reports and the moderators' queue (docs/protocol.md, "Reports and the
-- queue"). A member reports a post once; the post's first report opens a
-- pending queue item, and later reports join it. A moderator resolves or
-- dismisses the item, and the queue keeps who did and when.

CREATE TABLE report (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES post (id),
    member_id  INTEGER NOT NULL REFERENCES member (id) ON DELETE CASCADE,
    reason     TEXT NOT NULL
               CHECK (reason IN ('asiaton', 'hairinta', 'roskaposti', 'henkilotiedot', 'muu')),
    text       TEXT NOT NULL DEFAULT '',
    item_id    INTEGER NOT NULL,          -- the queue item it joined
    created_at TEXT NOT NULL,
    UNIQUE (post_id, member_id)
);
CREATE INDEX report_item ON report (item_id, id);

CREATE TABLE queue_item (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES post (id),
    kind       TEXT NOT NULL CHECK (kind IN ('report')),
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'resolved', 'dismissed')),
    created_at TEXT NOT NULL,
    acted_by   INTEGER REFERENCES member (id),
    acted_at   TEXT,
    action     TEXT,
    note       TEXT NOT NULL DEFAULT '',
    seq        INTEGER NOT NULL
);
CREATE UNIQUE INDEX queue_item_pending ON queue_item (post_id, kind) WHERE status = 'pending';
CREATE INDEX queue_item_status ON queue_item (status, id);
