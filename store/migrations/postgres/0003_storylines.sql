-- Storylines: one real-world development followed through its stages. A
-- development row is one step of a storyline (the unit an alert announces);
-- every headline event names the storyline it reports.

CREATE TABLE storylines (
	id          BIGINT PRIMARY KEY,
	pair_a      TEXT    NOT NULL,
	pair_b      TEXT    NOT NULL,
	kinds       TEXT    NOT NULL,            -- JSON array of the kinds it was reported as, sorted
	entities_a  TEXT    NOT NULL,            -- JSON array, sorted
	entities_b  TEXT    NOT NULL,
	day_first   BIGINT NOT NULL,            -- span of its reports' dates, days since 1970-01-01
	day_last    BIGINT NOT NULL,
	date_prec   BIGINT NOT NULL,            -- best precision of those dates: 1 year, 2 month, 3 day
	created_at  BIGINT NOT NULL
);
CREATE INDEX storylines_cluster ON storylines(pair_a, pair_b, day_last);

ALTER TABLE developments ADD COLUMN storyline_id BIGINT REFERENCES storylines(id);
ALTER TABLE developments ADD COLUMN step_day BIGINT NOT NULL DEFAULT 0; -- day its first report was published
CREATE INDEX developments_storyline ON developments(storyline_id, step_day) WHERE storyline_id IS NOT NULL;

ALTER TABLE events ADD COLUMN storyline_id BIGINT REFERENCES storylines(id);
CREATE INDEX events_storyline ON events(storyline_id) WHERE storyline_id IS NOT NULL;

-- Whether the article was recorded with alerts on (an article recorded for
-- the timeline only never posts).
ALTER TABLE articles ADD COLUMN alert BIGINT NOT NULL DEFAULT 1;

-- Databases made before storylines: every development becomes a storyline
-- of its own, with the same id.
INSERT INTO storylines (id, pair_a, pair_b, kinds, entities_a, entities_b, day_first, day_last, date_prec, created_at)
	SELECT id, pair_a, pair_b, json_build_array(kind)::text, entities_a, entities_b, date_start, date_start, date_prec, created_at FROM developments;
UPDATE developments SET storyline_id = id, step_day = date_start;
UPDATE events SET storyline_id = development_id WHERE development_id IS NOT NULL;
UPDATE articles SET alert = CASE WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.article_id = articles.id) THEN 1 ELSE 0 END;
CREATE TRIGGER storylines_id BEFORE INSERT ON storylines FOR EACH ROW EXECUTE FUNCTION worker_next_id();
