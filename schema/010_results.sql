-- Published results (docs/protocol.md, "Results"): what came out of a
-- period, and what was done with it. A period has at most one results
-- page. Its rows here are the moderators' working copy; publishing copies
-- the page as the public will see it into results_version, and the public
-- page is the newest version while status is 'published'. Follow-ups are
-- not versioned: each is dated, and shows as soon as it is written.

-- Whether a member lets moderators quote their posts, without their name,
-- on public results pages. Withdrawing it takes every quote of theirs off.
ALTER TABLE member ADD COLUMN quote_consent INTEGER NOT NULL DEFAULT 1
    CHECK (quote_consent IN (0, 1));

CREATE TABLE results (
    id                 INTEGER PRIMARY KEY,
    period_id          INTEGER NOT NULL UNIQUE REFERENCES period (id),
    slug               TEXT NOT NULL UNIQUE,           -- /tulokset/<slug>
    summary            TEXT NOT NULL DEFAULT '',       -- markdown as written
    summary_html       TEXT NOT NULL DEFAULT '',
    show_figures       INTEGER NOT NULL DEFAULT 1 CHECK (show_figures IN (0, 1)),
    status             TEXT NOT NULL DEFAULT 'draft'
                       CHECK (status IN ('draft', 'published', 'unpublished')),
    rev                INTEGER NOT NULL DEFAULT 1,     -- grows with every save
    published_rev      INTEGER,                        -- rev the newest version was made from
    version            INTEGER NOT NULL DEFAULT 0,     -- versions published so far
    first_published_at TEXT,
    published_at       TEXT,                           -- when the newest version was made
    created_by         INTEGER NOT NULL REFERENCES member (id),
    created_at         TEXT NOT NULL,
    updated_by         INTEGER NOT NULL REFERENCES member (id),
    updated_at         TEXT NOT NULL
);
CREATE INDEX results_published ON results (status, first_published_at);

-- Key findings, in order. A finding with follow-ups cannot be removed.
-- Ids are never reused: a published version names its findings by id.
CREATE TABLE finding (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    results_id INTEGER NOT NULL REFERENCES results (id),
    position   INTEGER NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',               -- markdown
    body_html  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX finding_results ON finding (results_id, position);

-- The polls and surveys whose results the page shows, in order.
CREATE TABLE results_item (
    results_id INTEGER NOT NULL REFERENCES results (id),
    kind       TEXT NOT NULL CHECK (kind IN ('poll', 'survey')),
    item_id    INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (results_id, kind, item_id)
) WITHOUT ROWID;

-- Quotes from the period's discussions, shown without names. A quote
-- shows only while its post is published and not deleted, its author
-- consents, and the author has not withdrawn it.
CREATE TABLE quote (
    id           INTEGER PRIMARY KEY,
    results_id   INTEGER NOT NULL REFERENCES results (id),
    post_id      INTEGER NOT NULL REFERENCES post (id),
    position     INTEGER NOT NULL,
    text         TEXT NOT NULL,                        -- words of the post, plain text
    created_at   TEXT NOT NULL,
    removed      INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),  -- taken off the working copy
    told_at      TEXT,                                 -- the author was told it is public
    withdrawn_at TEXT                                  -- the author took it back
);
CREATE INDEX quote_results ON quote (results_id, position);
CREATE INDEX quote_post ON quote (post_id);

-- What was done about a finding: dated entries, newest last. Ids are
-- never reused (the Atom feed's entry ids are made of them).
CREATE TABLE follow_up (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_id INTEGER NOT NULL REFERENCES finding (id),
    date       TEXT NOT NULL,                          -- YYYY-MM-DD
    status     TEXT NOT NULL
               CHECK (status IN ('considering', 'in_progress', 'done', 'declined')),
    text       TEXT NOT NULL DEFAULT '',
    reason     TEXT,                                   -- why not, for 'declined'
    created_by INTEGER NOT NULL REFERENCES member (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX follow_up_finding ON follow_up (finding_id, date, id);
CREATE INDEX follow_up_updated ON follow_up (updated_at);

-- Every published version of a page, as the public saw it.
CREATE TABLE results_version (
    results_id   INTEGER NOT NULL REFERENCES results (id),
    version      INTEGER NOT NULL,
    published_at TEXT NOT NULL,
    published_by INTEGER NOT NULL REFERENCES member (id),
    document     TEXT NOT NULL,                        -- JSON, docs/protocol.md "The results document"
    PRIMARY KEY (results_id, version)
) WITHOUT ROWID;

-- Notices about results name the period, and a quoted post's quote.
ALTER TABLE notice ADD COLUMN period_id INTEGER REFERENCES period (id);
ALTER TABLE notice ADD COLUMN quote_id INTEGER REFERENCES quote (id);
