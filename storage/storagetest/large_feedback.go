package storagetest

import (
	"context"
	"database/sql"
	"fmt"
)

// LargeFeedbackCount is the digest benchmark's feedback volume (issue 6):
// 200,000 items over the same two years as LargeHandoffs.
const LargeFeedbackCount = 200_000

// LargeFeedback seeds LargeFeedbackCount feedback items evenly over
// LargeDays before LargeEnd: all categories, four in five answered (one to
// 24 business hours later), half resolved, the rest open; every tenth about
// a handoff. Use it with LargeHandoffs.
var LargeFeedback = Seed{Name: "feedback200k.v1", Run: func(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `INSERT INTO feedback (category, body, campaign, handoff_id, created_by, state,
			created_at, acknowledged_at, acknowledged_by, response_secs, resolved_at, resolved_by, resolution, updated_at)
		SELECT (ARRAY['messaging','content','lead_quality','pricing','competitor','product','other'])[1 + i % 7],
			'heard in the field ' || i, 'Campaign ' || (i % 200),
			CASE WHEN i % 10 = 0 THEN 1 + (i * 5) % $4::bigint END,
			'UREP' || (i % 40),
			CASE WHEN i % 2 = 0 THEN 'resolved' WHEN i % 5 = 0 THEN 'open' ELSE 'acknowledged' END,
			t, CASE WHEN i % 2 = 0 OR i % 5 <> 0 THEN t + (1 + i % 24) * interval '1 hour' END,
			CASE WHEN i % 2 = 0 OR i % 5 <> 0 THEN 'UMKT' || (i % 10) END,
			CASE WHEN i % 2 = 0 OR i % 5 <> 0 THEN (1 + i % 24) * 3600.0 END,
			CASE WHEN i % 2 = 0 THEN t + interval '3 days' END,
			CASE WHEN i % 2 = 0 THEN 'UMKT' || (i % 10) END,
			CASE WHEN i % 2 = 0 THEN 'changed the deck' ELSE '' END, t
		FROM generate_series(1, $1::bigint) AS i,
			LATERAL (SELECT $3::timestamptz - ($1::bigint - i) * ($2::int * 86400.0 / $1::bigint) * interval '1 second' AS t) AS x`,
		LargeFeedbackCount, LargeDays, LargeEnd, LargeHandoffCount)
	if err != nil {
		return fmt.Errorf("seed feedback: %w", err)
	}
	_, err = db.ExecContext(ctx, `ANALYZE feedback`)
	return err
}}
