package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/queue"
)

// Enqueue stores messages the bot owes and schedules their delivery.
func (s *DB) Enqueue(ctx context.Context, msgs ...domain.Message) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error { return s.enqueue(ctx, tx, msgs) })
}

// FinishDelivery ends a channel's delivery job: if no message is waiting,
// complete runs (it marks the job done) in the same transaction, fenced
// against enqueue, and done is true. A message written meanwhile makes done
// false: the job delivers it instead of finishing. Without the fence a
// message could join a job that had already looked for the last time.
func (s *DB) FinishDelivery(ctx context.Context, channel string, complete func(tx *sql.Tx) error) (done bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, fenceLockSpace, channelLockKey(channel)); err != nil {
			return fmt.Errorf("finish delivery: %w", err)
		}
		var waiting bool
		if err := tx.GetContext(ctx, &waiting, `SELECT EXISTS (SELECT 1 FROM outbox
			WHERE channel = $1 AND sent_at IS NULL AND failed_at IS NULL)`, channel); err != nil {
			return fmt.Errorf("finish delivery: %w", err)
		}
		if waiting {
			return nil
		}
		done = true
		return complete(tx.Tx)
	})
	return done, err
}

// LastOutgoing is the id of the newest unsent message for channel, 0 when
// there is none: what a caller that joins a running delivery waits for.
func (s *DB) LastOutgoing(ctx context.Context, channel string) (int64, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `SELECT coalesce(max(id), 0) FROM outbox
		WHERE channel = $1 AND sent_at IS NULL AND failed_at IS NULL`, channel)
	return id, mapError(wrap("last outgoing", err))
}

// NextOutgoing is the oldest unsent message for channel; ENOTFOUND when the
// channel's outbox is empty.
func (s *DB) NextOutgoing(ctx context.Context, channel string) (domain.Outgoing, error) {
	var row struct {
		ID       int64      `db:"id"`
		Attempts int        `db:"attempts"`
		TriedAt  *time.Time `db:"tried_at"`
		Message  []byte     `db:"message"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT id, attempts, tried_at, message FROM outbox
		WHERE channel = $1 AND sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT 1`, channel)
	if err != nil {
		return domain.Outgoing{}, mapError(fmt.Errorf("next outgoing: %w", err))
	}
	o := domain.Outgoing{ID: row.ID, Attempts: row.Attempts}
	if row.TriedAt != nil {
		o.TriedAt = row.TriedAt.UTC()
	}
	if err := json.Unmarshal(row.Message, &o.Message); err != nil {
		return domain.Outgoing{}, fmt.Errorf("outgoing %d: %w", row.ID, err)
	}
	return o, nil
}

// MarkTrying records that message id is about to be posted.
func (s *DB) MarkTrying(ctx context.Context, id int64, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET tried_at = $2 WHERE id = $1`, id, at)
	return mapError(wrap("mark trying", err))
}

// MarkSent records that message id reached Slack as ts.
func (s *DB) MarkSent(ctx context.Context, id int64, ts string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET sent_at = $2, ts = $3, attempts = attempts + 1 WHERE id = $1`, id, at, ts)
	return mapError(wrap("mark sent", err))
}

// MarkUndeliverable gives up on message id for a reason Slack made final
// (the channel is gone, the user deactivated); managers see these.
func (s *DB) MarkUndeliverable(ctx context.Context, id int64, reason string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET failed_at = $2, error = $3, attempts = attempts + 1 WHERE id = $1`, id, at, reason)
	return mapError(wrap("mark undeliverable", err))
}

// NoteAttempt records a failed try that will be retried.
func (s *DB) NoteAttempt(ctx context.Context, id int64, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, error = $2 WHERE id = $1`, id, reason)
	return mapError(wrap("note attempt", err))
}

// ChannelsWithOutgoing lists channels with unsent messages, for the sweeper.
func (s *DB) ChannelsWithOutgoing(ctx context.Context) ([]string, error) {
	var chs []string
	err := s.db.SelectContext(ctx, &chs, `SELECT DISTINCT channel FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL`)
	return chs, mapError(wrap("channels with outgoing", err))
}

// ScheduleDelivery makes sure each channel has a delivery job.
func (s *DB) ScheduleDelivery(ctx context.Context, channels []string) error {
	var params []river.InsertManyParams
	for _, ch := range channels {
		params = append(params, river.InsertManyParams{Args: queue.Deliver{Channel: ch}})
	}
	if len(params) == 0 {
		return nil
	}
	_, err := s.jobs.InsertMany(ctx, params)
	return wrap("schedule delivery", err)
}

// FailedDeliveries lists the most recent undeliverable messages.
func (s *DB) FailedDeliveries(ctx context.Context, limit int) ([]domain.FailedDelivery, error) {
	var fs []domain.FailedDelivery
	err := s.db.SelectContext(ctx, &fs, `SELECT id, channel, handoff_id, purpose, coalesce(error, '') AS error, failed_at
		FROM outbox WHERE failed_at IS NOT NULL ORDER BY failed_at DESC LIMIT $1`, limit)
	return fs, mapError(wrap("failed deliveries", err))
}

// LockChannel takes the right to deliver channel's messages, on its own
// connection, so one sender at a time keeps them in order across replicas.
// ok is false when someone else holds it; then unlock is nil.
func (s *DB) LockChannel(ctx context.Context, channel string) (unlock func(), ok bool, err error) {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return nil, false, mapError(fmt.Errorf("lock channel: %w", err))
	}
	key := channelLockKey(channel)
	if err := conn.GetContext(ctx, &ok, `SELECT pg_try_advisory_lock($1, $2)`, deliveryLockSpace, key); err != nil || !ok {
		conn.Close()
		return nil, false, mapError(wrap("lock channel", err))
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1, $2)`, deliveryLockSpace, key)
		conn.Close()
	}, true, nil
}

// Advisory lock spaces keep our channel locks apart from other locks:
// one sender per channel, and the fence between enqueue and a finishing job.
const (
	deliveryLockSpace = 736_124
	fenceLockSpace    = 736_125
)

func channelLockKey(channel string) int32 {
	h := fnv.New32a()
	h.Write([]byte(channel))
	return int32(h.Sum32())
}

// wrap adds what was being done to a non-nil error.
func wrap(doing string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", doing, err)
}
