-- What creating a handoff reads before it writes, in one round trip: the
-- routing pools' rotation rows, locked until the transaction ends, then
-- (a new statement, so a new snapshot that sees every handoff the
-- previous holder of those locks committed) the new handoff's id, the
-- claim of the form it comes from, an earlier handoff under the same
-- external_id, an open handoff of the same lead, and the load and
-- availability of the people the routing may pick. It has to be a
-- function: one SQL statement has one snapshot, taken before it waits for
-- the locks, and would miss the handoffs created meanwhile.
CREATE FUNCTION create_handoff_check(
    pools text[], ext_id text, lead_key text, people text[], day_start timestamptz, at timestamptz, form_id text)
RETURNS TABLE (id bigint, claimed boolean, existing_id bigint, existing_hash text,
               duplicate_id bigint, people_facts json, pool_states json)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    states json;
BEGIN
    -- In name order, so that two creators never wait for each other.
    SELECT coalesce(json_object_agg(r.pool, r.state), '{}') INTO states
    FROM (SELECT r.pool, r.state FROM routing_states r
          WHERE r.pool = ANY (pools) ORDER BY r.pool FOR UPDATE) r;
    RETURN QUERY
    WITH claim AS (
        INSERT INTO handoff_forms (view_id) SELECT form_id WHERE form_id <> ''
        ON CONFLICT DO NOTHING RETURNING 1)
    SELECT nextval('handoffs_id_seq'), EXISTS (SELECT 1 FROM claim),
        e.id, e.request_hash,
        (SELECT d.id FROM handoffs d WHERE d.email_key = lead_key AND lead_key <> ''
            AND d.state IN ('pending', 'accepted', 'contacted', 'qualified')
            ORDER BY d.created_at DESC LIMIT 1),
        (SELECT coalesce(json_object_agg(u, json_build_object(
            'Open', (SELECT count(*) FROM handoffs o WHERE o.assignee = u
                AND o.state IN ('pending', 'accepted', 'contacted', 'qualified')),
            'Today', (SELECT count(*) FROM handoffs t WHERE t.assignee = u AND t.assigned_at >= day_start),
            'Away', a.user_id IS NOT NULL AND (a.away_until IS NULL OR a.away_until > at),
            'AwayUntil', coalesce(a.away_until, '0001-01-01T00:00:00Z'))), '{}')
         FROM unnest(people) AS u LEFT JOIN availability a ON a.user_id = u),
        states
    FROM (SELECT 1) one LEFT JOIN handoffs e ON e.external_id = ext_id AND ext_id <> '';
END $$;
