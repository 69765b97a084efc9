-- After every change the server sends the notices it made, found by the
-- change's sequence number (publish_notices() in server/forum_routes.c);
-- without this index that was a scan of every notice, for every change.
CREATE INDEX notice_seq ON notice (seq);
