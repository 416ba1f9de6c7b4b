-- Feedback threads: what reps hear in the field, as items marketing
-- answers and closes (docs/metrics.md: feedback). The
-- feedback row is the projection of its append-only events.

CREATE TABLE feedback (
    id               bigserial PRIMARY KEY,
    category         text NOT NULL CHECK (category IN ('messaging', 'content', 'lead_quality', 'pricing',
                                                       'competitor', 'product', 'other')),
    body             text NOT NULL CHECK (body <> '' AND char_length(body) <= 3000),
    campaign         text NOT NULL DEFAULT '' CHECK (char_length(campaign) <= 200),
    handoff_id       bigint REFERENCES handoffs (id),
    created_by       text NOT NULL,
    source_permalink text NOT NULL DEFAULT '',
    source_author    text NOT NULL DEFAULT '',
    state            text NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    created_at       timestamptz NOT NULL,
    acknowledged_at  timestamptz,
    acknowledged_by  text,
    -- Business seconds from creation to the first marketing reply or
    -- acknowledgement, computed with the working hours in force then, so
    -- the median response time is a plain SQL aggregate.
    response_secs    double precision,
    resolved_at      timestamptz,
    resolved_by      text,
    resolution       text NOT NULL DEFAULT '',
    -- The thread root is an outbox message, written with the item: it is
    -- never lost, and its channel and ts are the outbox row's once Slack
    -- has it.
    root_outbox_id   bigint UNIQUE REFERENCES outbox (id),
    root_permalink   text NOT NULL DEFAULT '',
    updated_at       timestamptz NOT NULL,
    CHECK ((state = 'open') = (acknowledged_at IS NULL)),
    CHECK ((state = 'resolved') = (resolved_at IS NOT NULL))
);
-- The loop metrics and the digest select by creation time; open lists
-- oldest first.
CREATE INDEX feedback_created_at ON feedback (created_at);
CREATE INDEX feedback_unresolved ON feedback (created_at, id) WHERE state <> 'resolved';
CREATE INDEX feedback_unresolved_author ON feedback (created_by, created_at) WHERE state <> 'resolved';
CREATE INDEX feedback_handoff ON feedback (handoff_id) WHERE handoff_id IS NOT NULL;

-- Thread replies arrive naming the root by channel and ts: find its
-- outbox row without scanning the outbox.
CREATE INDEX outbox_sent_ts ON outbox (channel, ts) WHERE ts IS NOT NULL;

-- Every happening of a feedback item, in order. A thread reply is keyed by
-- its Slack ts, so a redelivered message event is recorded (and counted)
-- once whatever happened to the runtime's event-id claim.
CREATE TABLE feedback_events (
    id          bigserial PRIMARY KEY,
    feedback_id bigint NOT NULL REFERENCES feedback (id),
    kind        text NOT NULL,
    actor       text NOT NULL,
    from_state  text,
    to_state    text,
    note        text NOT NULL DEFAULT '',
    message_ts  text,
    at          timestamptz NOT NULL
);
CREATE INDEX feedback_events_feedback ON feedback_events (feedback_id, id);
CREATE UNIQUE INDEX feedback_events_reply ON feedback_events (feedback_id, message_ts) WHERE message_ts IS NOT NULL;
