-- Which notifier delivered (or skipped) each outbox row: 'slack' (bot),
-- 'webhook' or 'stdout'. Alerts that only went to standard output can then
-- be delivered to Slack later. Rows from before this was recorded keep NULL.
ALTER TABLE outbox ADD COLUMN via TEXT;
