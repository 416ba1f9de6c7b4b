-- Weekly digests: one row per destination and week, written (with the
-- outbox message that carries it) before anything is sent, so replicas,
-- retries and restarts send each digest exactly once.
CREATE TABLE digest_deliveries (
    week_start  date NOT NULL,
    destination text NOT NULL, -- a channel ID, or a user ID for a DM
    kind        text NOT NULL CHECK (kind IN ('team', 'personal')),
    outbox_id   bigint REFERENCES outbox (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (week_start, destination)
);

-- Marketers receive the personal digest unless they turned it off.
CREATE TABLE digest_subscriptions (
    user_id    text PRIMARY KEY,
    subscribed boolean NOT NULL,
    updated_at timestamptz NOT NULL
);

-- The digest's "needs attention": open handoffs past an SLA.
CREATE INDEX handoffs_pending_due ON handoffs (accept_due_at) WHERE state = 'pending';
CREATE INDEX handoffs_untouched_due ON handoffs (first_touch_due_at)
    WHERE state = 'accepted' AND first_touch_at IS NULL;
