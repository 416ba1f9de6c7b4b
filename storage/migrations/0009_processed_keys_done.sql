-- An envelope or event is claimed when its handling starts and marked done
-- when it ends, so a redelivery can tell "handled" (acknowledge and drop it)
-- from "being handled, or given up by a process that died" (leave it to
-- Slack's next try, or take it over once the claim is stale). Keys claimed
-- before this column existed were handled.
ALTER TABLE processed_keys ADD COLUMN done boolean NOT NULL DEFAULT true;
