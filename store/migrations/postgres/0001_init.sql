-- PostgreSQL dialect of migrations/0001_init.sql: the same tables, columns
-- and indexes; BIGINT for SQLite's 64-bit INTEGER. A key SQLite makes from
-- its rowid is made the same way here: one more than the highest in the table.

-- Articles, their events, the developments they report and the outbox of
-- Slack deliveries. Times are UTC unix seconds; sources.Date values are
-- stored as their string (YYYY, YYYY-MM or YYYY-MM-DD).

CREATE TABLE articles (
	id               BIGINT PRIMARY KEY,
	url              TEXT    NOT NULL UNIQUE,
	canonical        TEXT,                     -- NULL when the page names none
	source           TEXT    NOT NULL,
	title            TEXT    NOT NULL,
	published        BIGINT,                  -- NULL when unknown
	published_offset BIGINT NOT NULL DEFAULT 0, -- the page's UTC offset, seconds
	lang             TEXT    NOT NULL,
	site_name        TEXT    NOT NULL,
	simhash          BIGINT NOT NULL,         -- int64(simhash.Fingerprint(title+text))
	recorded_at      BIGINT NOT NULL
);

-- Every URL and canonical URL of a stored article, once: the uniqueness
-- behind Unseen and duplicate detection.
CREATE TABLE article_keys (
	key        TEXT    PRIMARY KEY,
	article_id BIGINT NOT NULL REFERENCES articles(id)
);

CREATE TABLE developments (
	id            BIGINT PRIMARY KEY,
	pair_a        TEXT    NOT NULL,
	pair_b        TEXT    NOT NULL,
	kind          TEXT    NOT NULL,
	stage         TEXT    NOT NULL,
	entities_a    TEXT    NOT NULL,            -- JSON array, sorted
	entities_b    TEXT    NOT NULL,
	date          TEXT    NOT NULL,            -- the most precise date of its headline events
	date_start    BIGINT NOT NULL,            -- first day of date, days since 1970-01-01
	date_prec     BIGINT NOT NULL,            -- 1 year, 2 month, 3 day
	evidence      TEXT    NOT NULL,
	previous_id   BIGINT REFERENCES developments(id),
	alert_id      BIGINT, -- the alert row that announces it (a reference to outbox, added below)
	alert_pos     BIGINT NOT NULL DEFAULT 0,  -- its place in that alert, primary = 0
	channel       TEXT,                        -- where that alert was posted
	ts            TEXT,
	created_at    BIGINT NOT NULL
);
CREATE INDEX developments_cluster ON developments(pair_a, pair_b, kind, date_start);
CREATE INDEX developments_alert ON developments(alert_id) WHERE alert_id IS NOT NULL;

CREATE TABLE events (
	id             BIGINT PRIMARY KEY,
	article_id     BIGINT NOT NULL REFERENCES articles(id),
	seq            BIGINT NOT NULL,           -- position in the article's event list
	pair_a         TEXT    NOT NULL,
	pair_b         TEXT    NOT NULL,
	entities_a     TEXT    NOT NULL,           -- JSON array, sorted
	entities_b     TEXT    NOT NULL,
	kind           TEXT    NOT NULL,
	stage          TEXT    NOT NULL,
	date           TEXT    NOT NULL,           -- "" when unknown
	headline       BIGINT NOT NULL,
	evidence       TEXT    NOT NULL,
	development_id BIGINT REFERENCES developments(id), -- headline events only
	UNIQUE (article_id, seq)
);
CREATE INDEX events_development ON events(development_id) WHERE development_id IS NOT NULL;
CREATE INDEX events_background ON events(headline) WHERE headline = 0;

CREATE TABLE article_developments (
	development_id BIGINT NOT NULL REFERENCES developments(id),
	article_id     BIGINT NOT NULL REFERENCES articles(id),
	PRIMARY KEY (development_id, article_id)
);
CREATE INDEX article_developments_article ON article_developments(article_id);

-- What must be posted to Slack. An alert announces the developments whose
-- alert_id names it; a reply adds an article to the thread of its parent
-- alert. Rows are never deleted and never fail for good: pending rows are
-- retried until they are sent (or skipped, for replies that need no post).
CREATE TABLE outbox (
	id             BIGINT PRIMARY KEY,
	kind           TEXT    NOT NULL CHECK (kind IN ('alert', 'reply')),
	article_id     BIGINT NOT NULL REFERENCES articles(id), -- alert: the recording article; reply: the article to add
	development_id BIGINT NOT NULL REFERENCES developments(id), -- alert: the primary development
	parent_id      BIGINT REFERENCES outbox(id),            -- reply: its alert
	state          TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'skipped')),
	attempts       BIGINT NOT NULL DEFAULT 0,
	first_attempt  BIGINT,
	last_attempt   BIGINT,
	next_attempt   BIGINT NOT NULL,
	lease_owner    TEXT,
	lease_until    BIGINT,
	featured_id        BIGINT REFERENCES articles(id),          -- alert: the article its message features
	last_error     TEXT    NOT NULL DEFAULT '',
	channel        TEXT,
	ts             TEXT,
	sent_at        BIGINT,
	created_at     BIGINT NOT NULL,
	CHECK ((kind = 'reply') = (parent_id IS NOT NULL))
);
ALTER TABLE developments ADD FOREIGN KEY (alert_id) REFERENCES outbox(id);
CREATE INDEX outbox_due ON outbox(state, kind, next_attempt);
CREATE INDEX outbox_parent ON outbox(parent_id) WHERE parent_id IS NOT NULL;
CREATE UNIQUE INDEX outbox_reply_once ON outbox(parent_id, article_id) WHERE kind = 'reply';

CREATE TABLE source_state (
	name                 TEXT    PRIMARY KEY,
	validators           TEXT    NOT NULL DEFAULT '{}', -- JSON: URL -> sources.Validators
	last_attempt         BIGINT,
	last_success         BIGINT,
	last_error           TEXT    NOT NULL DEFAULT '',
	consecutive_failures BIGINT NOT NULL DEFAULT 0,
	next_attempt         BIGINT
);

-- SQLite's rowid key: an id not given is one more than the highest in the
-- table (writers run one at a time under the store's write lock).
CREATE FUNCTION worker_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.id IS NULL THEN
		EXECUTE format('SELECT COALESCE(max(id), 0) + 1 FROM %I', TG_TABLE_NAME) INTO NEW.id;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER articles_id BEFORE INSERT ON articles FOR EACH ROW EXECUTE FUNCTION worker_next_id();
CREATE TRIGGER developments_id BEFORE INSERT ON developments FOR EACH ROW EXECUTE FUNCTION worker_next_id();
CREATE TRIGGER events_id BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION worker_next_id();
CREATE TRIGGER outbox_id BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION worker_next_id();
