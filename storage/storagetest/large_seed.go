package storagetest

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// seedHandoffs writes n handoffs, their leads and about five events each,
// created evenly over the days before end (ids in creation order, as in
// life), in SQL with generate_series: a Go loop would take an hour.
//
// The shape, fixed by hashing each id (so every build is identical): 80%
// to sales; 8 sources, 200 campaigns, 40 reps; about 3% left pending (half
// of the last day's), 15% rejected, the rest accepted, of which 80% are
// touched (wall delay skewed short, up to 72 h), 40% of those qualified,
// and won, lost or returned at the rates of a typical funnel; accept due 10
// wall hours after creation, first touch due after 3 days. The newest
// handoffs' later moves may lie a few days after end.
func seedHandoffs(ctx context.Context, db *sql.DB, n, days int, end time.Time) error {
	steps := []struct{ what, sql string }{
		{"leads", seedLeadsSQL},
		{"handoffs", seedHandoffsSQL},
		{"events", seedEventsSQL},
		{"sequences", `SELECT setval('leads_id_seq', $1), setval('handoffs_id_seq', $1)`},
	}
	args := map[string][]any{
		"leads":     {n},
		"handoffs":  {n, days, end},
		"events":    nil,
		"sequences": {n},
	}
	for _, s := range steps {
		if _, err := db.ExecContext(ctx, s.sql, args[s.what]...); err != nil {
			return fmt.Errorf("seed %s: %w", s.what, err)
		}
	}
	return nil
}

const seedLeadsSQL = `INSERT INTO leads (id, name, company, email, email_key)
SELECT i, 'Lead ' || i, 'Company ' || (i % 5000), 'lead' || i || '@example.com', 'lead' || i || '@example.com'
FROM generate_series(1, $1::bigint) AS i`

const seedHandoffsSQL = `INSERT INTO handoffs (id, external_id, lead_id, direction, state, priority, source, campaign,
	created_by, assignee, created_at, accept_due_at, first_touch_due_at, accepted_at, rejected_at, reject_reason,
	decision_secs, first_touch_at, qualified_at, closed_at, close_reason, updated_at)
WITH base AS (
	SELECT i,
		$3::timestamptz - (($1::bigint - i) * ($2::int * 86400.0 / $1::bigint)) * interval '1 second' AS created,
		abs(hashint8extended(i, 2)) AS h,
		(abs(hashint8extended(i, 1)) % 10000) / 10000.0 AS u_dir,
		(abs(hashint8extended(i, 3)) % 10000) / 10000.0 AS u_dec,
		(abs(hashint8extended(i, 4)) % 10000) / 10000.0 AS u_dtime,
		(abs(hashint8extended(i, 5)) % 10000) / 10000.0 AS u_after,
		(abs(hashint8extended(i, 6)) % 10000) / 10000.0 AS u_touch,
		(abs(hashint8extended(i, 7)) % 10000) / 10000.0 AS u_contacted,
		(abs(hashint8extended(i, 8)) % 10000) / 10000.0 AS u_qualified
	FROM generate_series(1, $1::bigint) AS i
), decided AS (
	SELECT b.*,
		CASE WHEN u_dec < 0.03 OR (created > $3::timestamptz - interval '1 day' AND u_dec < 0.5) THEN 'pending'
			WHEN u_dec < 0.18 THEN 'rejected' ELSE 'accepted' END AS decision,
		u_dtime * u_dtime * 8 * 3600 AS dsecs
	FROM base b
), timed AS (
	SELECT d.*,
		created + dsecs * 2.5 * interval '1 second' AS decided_at,
		decision = 'accepted' AND u_after >= 0.20 AS touched,
		decision = 'accepted' AND u_after >= 0.20 AND u_contacted >= 0.60 AS qualifies
	FROM decided d
), staged AS (
	SELECT t.*,
		CASE WHEN touched THEN decided_at + u_touch * u_touch * u_touch * interval '72 hours' END AS touch_at,
		CASE WHEN decision <> 'accepted' THEN decision
			WHEN u_after < 0.08 THEN 'returned' WHEN u_after < 0.12 THEN 'lost' WHEN u_after < 0.20 THEN 'accepted'
			WHEN u_contacted < 0.25 THEN 'contacted' WHEN u_contacted < 0.45 THEN 'returned' WHEN u_contacted < 0.60 THEN 'lost'
			WHEN u_qualified < 0.30 THEN 'qualified' WHEN u_qualified < 0.65 THEN 'won' ELSE 'lost' END AS state
	FROM timed t
), dated AS (
	SELECT s.*,
		CASE WHEN qualifies THEN touch_at + (1 + 48 * u_qualified) * interval '1 hour' END AS qualified_at
	FROM staged s
)
SELECT i, 'hb-' || i, i,
	CASE WHEN u_dir < 0.8 THEN 'to_sales' ELSE 'to_marketing' END,
	state,
	(ARRAY['hot', 'warm', 'cold'])[1 + i % 3],
	(ARRAY['web', 'event', 'referral', 'outbound', 'partner', 'webinar', 'content', 'paid'])[1 + (h / 8) % 8],
	'campaign-' || lpad(((h / 64) % 200)::text, 3, '0'),
	'UMKT' || lpad(((h / 12800) % 15)::text, 2, '0'),
	'UREP' || lpad(((h / 192000) % 40)::text, 2, '0'),
	created,
	created + interval '10 hours',
	created + interval '3 days',
	CASE WHEN decision = 'accepted' THEN decided_at END,
	CASE WHEN decision = 'rejected' THEN decided_at END,
	CASE WHEN decision = 'rejected' THEN (ARRAY['not_reachable', 'bad_data', 'no_need', 'no_budget', 'not_a_fit',
		'duplicate', 'already_customer', 'other'])[1 + h % 8] END,
	CASE WHEN decision <> 'pending' THEN dsecs END,
	touch_at,
	qualified_at,
	CASE WHEN state IN ('won', 'lost', 'returned') THEN coalesce(qualified_at + interval '14 days',
		touch_at + interval '5 days', decided_at + interval '3 days') END,
	CASE WHEN state = 'returned' THEN (ARRAY['not_ready', 'no_response', 'wrong_contact', 'nurture_requested', 'other'])[1 + h % 5]
		WHEN state = 'lost' THEN (ARRAY['no_decision', 'competitor', 'price', 'timing', 'other'])[1 + (h / 5) % 5] END,
	created
FROM dated`

const seedEventsSQL = `INSERT INTO handoff_events (handoff_id, kind, actor, from_state, to_state, reason, at)
SELECT h.id, e.kind, e.actor, e.from_state, e.to_state, e.reason, e.at
FROM handoffs h CROSS JOIN LATERAL (VALUES
	('created', h.created_by, NULL, 'pending', NULL, h.created_at),
	('reminded', 'UBOT', NULL, NULL, NULL, h.created_at + interval '2 hours'),
	('reassigned', h.created_by, 'pending', 'pending', NULL, CASE WHEN h.id % 10 < 6 THEN h.created_at + interval '1 hour' END),
	('accepted', h.assignee, 'pending', 'accepted', NULL, h.accepted_at),
	('rejected', h.assignee, 'pending', 'rejected', h.reject_reason, h.rejected_at),
	('contacted', h.assignee, 'accepted', 'contacted', NULL, h.first_touch_at),
	('qualified', h.assignee, 'contacted', 'qualified', NULL, h.qualified_at),
	(h.state, h.assignee, CASE WHEN h.qualified_at IS NOT NULL THEN 'qualified' WHEN h.first_touch_at IS NOT NULL THEN 'contacted'
		ELSE 'accepted' END, h.state, h.close_reason, h.closed_at)
) AS e (kind, actor, from_state, to_state, reason, at)
WHERE e.at IS NOT NULL`
