-- post.create may carry a client_key: the same key from the same author
-- again (a reply re-sent after a dropped connection) returns the post
-- already written instead of writing it twice.
ALTER TABLE post ADD COLUMN client_key TEXT;
CREATE UNIQUE INDEX post_client_key ON post (author_id, client_key) WHERE client_key IS NOT NULL;
