-- When an event was first tried at its sink: one still failing a day after
-- that is given up as failed, and the later events of its handoff go on
-- (contract.md). Replay clears it, so a replayed event gets its day again.
ALTER TABLE event_deliveries ADD COLUMN first_tried_at timestamptz;

-- Managers see the latest events given up (App Home).
CREATE INDEX event_deliveries_failed ON event_deliveries (finished_at DESC) WHERE state = 'failed';
