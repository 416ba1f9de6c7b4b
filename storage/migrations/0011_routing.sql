-- Routing rules' state: each pool's weighted rotation, who is away, and
-- which rep owns which account.

-- A pool's rotation (routing.State as JSON). Its row is locked by the
-- transaction that creates a handoff from the pool, so replicas take turns
-- as one process would.
CREATE TABLE routing_states (
    pool       text PRIMARY KEY,
    state      jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL
);

-- People who said /handoff away. A row means away: until away_until, or
-- until they say /handoff away off when it is null.
CREATE TABLE availability (
    user_id    text PRIMARY KEY,
    away_until timestamptz,
    changed_by text NOT NULL,
    changed_at timestamptz NOT NULL
);

-- Accounts by email domain and the rep who owns each.
CREATE TABLE accounts (
    domain     text PRIMARY KEY CHECK (domain = lower(domain) AND domain <> ''),
    company    text NOT NULL DEFAULT '',
    owner      text NOT NULL,
    updated_at timestamptz NOT NULL
);

-- The teams' plain rotation is now a routing pool's like any other.
DROP TABLE rotation_cursors;
