package queue

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// Digester sends a week's digests; each destination gets it once.
type Digester interface {
	SendDigest(ctx context.Context, weekStart time.Time) (int, error)
}

// DigestSchedule is DIGEST_SCHEDULE read in TIMEZONE.
type DigestSchedule struct {
	Schedule interface{ Next(time.Time) time.Time }
	Location *time.Location
}

// Next is the schedule's next moment after t, in the configured zone (so
// "0 9 * * MON" means 09:00 there, across DST changes).
func (s DigestSchedule) Next(t time.Time) time.Time {
	return s.Schedule.Next(t.In(s.Location))
}

// LastBefore is the schedule's latest moment at or before now within the
// past eight days, and false if there was none (e.g. a monthly schedule).
func (s DigestSchedule) LastBefore(now time.Time) (time.Time, bool) {
	var last time.Time
	for t := s.Next(now.Add(-8 * 24 * time.Hour)); !t.IsZero() && !t.After(now); t = s.Next(t) {
		last = t
	}
	return last, !last.IsZero()
}

// weekBefore is the Monday (YYYY-MM-DD, in loc) of the calendar week before
// the one containing t: what a digest sent at t covers.
func weekBefore(t time.Time, loc *time.Location) string {
	d := t.In(loc)
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	monday := d.AddDate(0, 0, -((int(d.Weekday())+6)%7)-7)
	return monday.Format(time.DateOnly)
}

// digestJob is the periodic job: at each scheduled moment, the digest of
// the week before.
func (s DigestSchedule) digestJob() *river.PeriodicJob {
	return river.NewPeriodicJob(s, func() (river.JobArgs, *river.InsertOpts) {
		return Digest{Week: weekBefore(time.Now(), s.Location)}, nil
	}, nil)
}

// DigestHistory tells whether any digest was ever recorded.
type DigestHistory interface {
	AnyDigest(ctx context.Context) (bool, error)
}

// CatchUpDigest schedules the digest a stopped bot missed: the week
// covered by the schedule's latest moment. Only that week — never a flood
// of old ones — and a week already sent is not sent again. A new
// installation, with no digest yet, was not "down": it waits for the
// schedule.
func CatchUpDigest(ctx context.Context, q *river.Client[*sql.Tx], h DigestHistory, s DigestSchedule, now time.Time) error {
	last, ok := s.LastBefore(now)
	if !ok {
		return nil
	}
	if sent, err := h.AnyDigest(ctx); err != nil || !sent {
		return err
	}
	if _, err := q.Insert(ctx, Digest{Week: weekBefore(last, s.Location)}, nil); err != nil {
		return fmt.Errorf("catch up digest: %w", err)
	}
	return nil
}

// digestWorker sends one week's digests.
type digestWorker struct {
	river.WorkerDefaults[Digest]
	d   Digester
	loc *time.Location
}

func (w *digestWorker) Work(ctx context.Context, job *river.Job[Digest]) error {
	week, err := time.ParseInLocation(time.DateOnly, job.Args.Week, w.loc)
	if err != nil {
		return river.JobCancel(fmt.Errorf("digest week %q: %w", job.Args.Week, err))
	}
	_, err = w.d.SendDigest(ctx, week)
	return err
}
