-- Shared metrics in use: each time someone asks for the stats, so the
-- survey's statement 12 ("both teams are judged by the same numbers") can
-- be shown next to how often the shared numbers are actually looked at.
CREATE TABLE stats_requests (
    id           bigserial PRIMARY KEY,
    user_id      text NOT NULL,
    channel      text NOT NULL,
    period       text NOT NULL,
    breakdown    text NOT NULL DEFAULT '',
    requested_at timestamptz NOT NULL
);
CREATE INDEX stats_requests_at ON stats_requests (requested_at);
