-- Handoffs by state for /metrics without counting the handoffs table at
-- each scrape. Every statement that adds, moves or removes handoffs appends
-- what it changed per state here, in its own transaction (a trigger, so
-- every path is covered: the bot, imports, other adapters, psql). Rows are
-- only ever inserted, so writers never wait for each other on a counter;
-- the reader sums the few rows there are and folds them into one row per
-- state (storage/metrics.go). Every replica reads the same table, so all
-- report the same numbers.
CREATE TABLE handoff_state_counts (
    state text NOT NULL,
    n     bigint NOT NULL
);

CREATE FUNCTION handoff_state_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO handoff_state_counts (state, n)
        SELECT state, count(*) FROM new_rows GROUP BY state;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO handoff_state_counts (state, n)
        SELECT state, -count(*) FROM old_rows GROUP BY state;
    ELSE
        -- Most updates (a card posted, a reassignment) move nothing: the
        -- net change per state is zero and nothing is written.
        INSERT INTO handoff_state_counts (state, n)
        SELECT state, sum(d) FROM (
            SELECT state, 1 AS d FROM new_rows
            UNION ALL
            SELECT state, -1 AS d FROM old_rows) AS c
        GROUP BY state HAVING sum(d) <> 0;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION handoff_state_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM handoff_state_counts;
    RETURN NULL;
END $$;

-- No handoff may be written between the count below and the triggers.
LOCK TABLE handoffs IN SHARE ROW EXCLUSIVE MODE;

CREATE TRIGGER handoff_state_counts_insert AFTER INSERT ON handoffs
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION handoff_state_counts_change();
CREATE TRIGGER handoff_state_counts_update AFTER UPDATE ON handoffs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION handoff_state_counts_change();
CREATE TRIGGER handoff_state_counts_delete AFTER DELETE ON handoffs
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION handoff_state_counts_change();
CREATE TRIGGER handoff_state_counts_truncate AFTER TRUNCATE ON handoffs
    FOR EACH STATEMENT EXECUTE FUNCTION handoff_state_counts_truncate();

INSERT INTO handoff_state_counts (state, n)
SELECT state, count(*) FROM handoffs GROUP BY state;
