-- What the operator muted: a development (by id), a source (by name) or a
-- kind. A muted development's alerts and replies are set aside, not posted.
CREATE TABLE mutes (
	what       TEXT    NOT NULL CHECK (what IN ('development', 'source', 'kind')),
	value      TEXT    NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (what, value)
);
