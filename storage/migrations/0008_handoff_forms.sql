-- One handoff per New handoff form. A form's Slack view ID is claimed in
-- the transaction that creates its handoff, so a second click of "Hand off
-- anyway", or the same view replayed, finds the claim and creates nothing.
CREATE TABLE handoff_forms (
    view_id    text PRIMARY KEY CHECK (view_id <> ''),
    -- Set in the same transaction as the claim; NULL only while it runs.
    handoff_id bigint REFERENCES handoffs (id)
);
