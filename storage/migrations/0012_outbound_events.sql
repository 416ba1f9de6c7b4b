-- Outbound events: every state change and SLA event of a handoff, and
-- every feedback change, written in the transaction of the change and
-- POSTed, signed, to each URL of WEBHOOK_URLS by background jobs.
CREATE TABLE outbound_events (
    id          bigserial PRIMARY KEY,
    event_id    text NOT NULL UNIQUE,      -- evt_…, the receivers' deduplication key
    type        text NOT NULL,             -- handoff.accepted, feedback.resolved, …
    handoff_id  bigint REFERENCES handoffs (id),
    feedback_id bigint REFERENCES feedback (id),
    occurred_at timestamptz NOT NULL,
    body        jsonb NOT NULL             -- the event as sent
);
CREATE INDEX outbound_events_occurred ON outbound_events (occurred_at);

-- One row per event and sink: a URL of WEBHOOK_URLS, or the CRM connector
-- ("hubspot"). A sink gets the events of one sequence (one handoff, or one
-- feedback item) in order: a later one waits for the earlier.
CREATE TABLE event_deliveries (
    event       bigint NOT NULL REFERENCES outbound_events (id),
    sink        text NOT NULL,
    sequence    text NOT NULL,             -- handoff:42 or feedback:7
    state       text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    finished_at timestamptz,
    PRIMARY KEY (event, sink)
);
CREATE INDEX event_deliveries_pending ON event_deliveries (sink, sequence, event) WHERE state = 'pending';

-- A sink that refused for good (a webhook URL that answered 410 Gone) gets
-- nothing more until `handoffbot events replay` is run.
CREATE TABLE event_sinks (
    sink         text PRIMARY KEY,
    disabled_at  timestamptz,
    disabled_why text NOT NULL DEFAULT ''
);
