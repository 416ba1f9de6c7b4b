-- Leads, handoffs and their append-only events: the heart of the product.
-- A lead row is the lead as it was handed off (one per handoff), so that an
-- export re-imports to the same rows; email_key groups the same person across
-- handoffs for duplicate detection.

CREATE TABLE leads (
    id        bigserial PRIMARY KEY,
    name      text NOT NULL CHECK (name <> '' AND char_length(name) <= 200),
    company   text NOT NULL DEFAULT '',
    email     text NOT NULL DEFAULT '',
    email_key text NOT NULL DEFAULT '',
    phone     text NOT NULL DEFAULT '',
    crm_url   text NOT NULL DEFAULT ''
);
CREATE INDEX leads_email_key ON leads (email_key) WHERE email_key <> '';

CREATE TABLE handoffs (
    id                 bigserial PRIMARY KEY,
    external_id        text NOT NULL UNIQUE, -- 'hb-<id>' unless imported with one
    lead_id            bigint NOT NULL UNIQUE REFERENCES leads (id),
    direction          text NOT NULL CHECK (direction IN ('to_sales', 'to_marketing')),
    state              text NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected', 'contacted',
                                                      'qualified', 'won', 'lost', 'returned')),
    priority           text NOT NULL CHECK (priority IN ('hot', 'warm', 'cold')),
    source             text NOT NULL DEFAULT '',
    campaign           text NOT NULL DEFAULT '',
    notes              text NOT NULL DEFAULT '',
    created_by         text NOT NULL,
    assignee           text NOT NULL,
    source_permalink   text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL,
    accept_due_at      timestamptz NOT NULL,
    first_touch_due_at timestamptz NOT NULL,
    accepted_at        timestamptz,
    rejected_at        timestamptz,
    reject_reason      text,
    -- Business seconds from creation to the accept or reject, computed with
    -- the working hours in force then, so metrics are plain SQL aggregates.
    decision_secs      double precision,
    first_touch_at     timestamptz,
    qualified_at       timestamptz,
    closed_at          timestamptz,
    close_reason       text,
    reason_note        text NOT NULL DEFAULT '',
    card_channel       text NOT NULL DEFAULT '',
    card_ts            text NOT NULL DEFAULT '',
    card_permalink     text NOT NULL DEFAULT '',
    updated_at         timestamptz NOT NULL
);
CREATE INDEX handoffs_created_at ON handoffs (created_at);
CREATE INDEX handoffs_open_assignee ON handoffs (assignee)
    WHERE state IN ('pending', 'accepted', 'contacted', 'qualified');
CREATE INDEX handoffs_open_creator ON handoffs (created_by)
    WHERE state IN ('pending', 'accepted', 'contacted', 'qualified');
CREATE INDEX handoffs_card ON handoffs (card_channel, card_ts) WHERE card_ts <> '';

-- Every move of a handoff, in order. The handoffs row is their projection.
CREATE TABLE handoff_events (
    id         bigserial PRIMARY KEY,
    handoff_id bigint NOT NULL REFERENCES handoffs (id),
    kind       text NOT NULL,
    actor      text NOT NULL,
    from_state text,
    to_state   text,
    reason     text,
    note       text NOT NULL DEFAULT '',
    detail     jsonb,
    at         timestamptz NOT NULL
);
CREATE INDEX handoff_events_handoff ON handoff_events (handoff_id, id);

-- Envelopes and Events API event ids already handled: Slack redelivers, we
-- act once.
CREATE TABLE processed_keys (
    key         text PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX processed_keys_received_at ON processed_keys (received_at);

-- Where the fair rotation of each receiving team stands, shared by replicas.
CREATE TABLE rotation_cursors (
    team       text PRIMARY KEY,
    last_user  text NOT NULL,
    updated_at timestamptz NOT NULL
);

-- Slack messages the bot owes someone, written in the same transaction as
-- the change that owes them, delivered in order per channel (a DM's channel
-- is the user ID) by a background pump, retried until sent or known
-- undeliverable.
CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    channel    text NOT NULL,
    handoff_id bigint REFERENCES handoffs (id),
    purpose    text NOT NULL,
    message    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    attempts   integer NOT NULL DEFAULT 0,
    -- Set before each try: a message tried but not marked sent may have
    -- reached Slack (a crash, a timeout), so the next try looks first.
    tried_at   timestamptz,
    sent_at    timestamptz,
    ts         text,
    failed_at  timestamptz,
    error      text
);
CREATE INDEX outbox_unsent ON outbox (channel, id) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;
