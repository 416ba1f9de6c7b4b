-- Leads that arrive by themselves: through the intake API, the Workflow
-- Builder step or HubSpot, as well as Slack and the CSV import.

-- What routing rules read about a lead, besides its source and campaign.
ALTER TABLE leads
    ADD COLUMN country   text NOT NULL DEFAULT '' CHECK (country = '' OR country ~ '^[A-Z]{2}$'),
    ADD COLUMN region    text NOT NULL DEFAULT '',
    ADD COLUMN employees integer CHECK (employees >= 0),
    ADD COLUMN industry  text NOT NULL DEFAULT '';

ALTER TABLE handoffs
    -- The lead's own clock: when the form was filled or the contact became
    -- an MQL. Speed-to-lead counts from it when known; SLAs from created_at.
    ADD COLUMN occurred_at  timestamptz,
    -- How it came in: slack, import, workflow, hubspot, or api:<key name>.
    ADD COLUMN intake       text NOT NULL DEFAULT 'slack',
    -- The canonical hash of the API request that created it, so the same
    -- external_id with a JSON-equal body replays instead of conflicting.
    ADD COLUMN request_hash text NOT NULL DEFAULT '',
    -- When the owner got it (creation, a reassignment, a re-route): per-day
    -- caps count from it. Older handoffs have none and count as before today.
    ADD COLUMN assigned_at  timestamptz;
UPDATE handoffs SET intake = 'import' WHERE external_id NOT LIKE 'hb-%';
CREATE INDEX handoffs_assigned ON handoffs (assignee, assigned_at) WHERE assigned_at IS NOT NULL;

-- The duplicate rule on the handoff itself: one open handoff per lead (by
-- normalised email), but for those created on purpose as duplicates ("Hand
-- off anyway", allow_duplicate, the CSV import). The unique index settles
-- two creators of the same lead at the same moment without a lock.
ALTER TABLE handoffs
    ADD COLUMN email_key         text NOT NULL DEFAULT '',
    ADD COLUMN duplicate_allowed boolean NOT NULL DEFAULT false;
UPDATE handoffs h SET email_key = l.email_key FROM leads l WHERE l.id = h.lead_id AND l.email_key <> '';
UPDATE handoffs h SET duplicate_allowed = true
    WHERE h.email_key <> '' AND h.state IN ('pending', 'accepted', 'contacted', 'qualified')
      AND EXISTS (SELECT 1 FROM handoffs o WHERE o.email_key = h.email_key AND o.id < h.id
                  AND o.state IN ('pending', 'accepted', 'contacted', 'qualified'));
CREATE UNIQUE INDEX handoffs_one_open_per_lead ON handoffs (email_key)
    WHERE email_key <> '' AND NOT duplicate_allowed AND state IN ('pending', 'accepted', 'contacted', 'qualified');
CREATE INDEX handoffs_open_lead ON handoffs (email_key)
    WHERE email_key <> '' AND state IN ('pending', 'accepted', 'contacted', 'qualified');

-- Intake API keys. Only a hash of each key is kept; the key itself is
-- shown once, when created. A name is reused only after a revoke.
CREATE TABLE api_keys (
    id           bigserial PRIMARY KEY,
    name         text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    hash         text NOT NULL UNIQUE,
    rate         double precision NOT NULL DEFAULT 10 CHECK (rate > 0),
    burst        integer NOT NULL DEFAULT 50 CHECK (burst > 0),
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
