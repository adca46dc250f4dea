-- Posts of a delivery whose outcome is unknown: counted before each post and
-- taken back when Slack's answer refused it for certain. A notifier that
-- cannot look back (a webhook) posts again only while this is under two.
ALTER TABLE outbox ADD COLUMN unconfirmed BIGINT NOT NULL DEFAULT 0;
-- A pending row attempted before the count existed may be in the channel once.
UPDATE outbox SET unconfirmed = LEAST(attempts, 1) WHERE state = 'pending';
