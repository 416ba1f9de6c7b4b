package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handlers"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// Many channels delivered at once by one process, more than the database
// pool has connections, while Slack is slow: every message goes out. Each
// sender holds a connection for its channel's lock; unbounded, they would
// take the whole pool and wait for one another until their contexts ran
// out.
func TestManyChannelsAtOnceDoNotExhaustThePool(t *testing.T) {
	fs, err := fakeslack.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	const n = 40 // twice storage.Open's pool
	var users []string
	for i := range n {
		u := fmt.Sprintf("UDM%03d", i)
		users = append(users, u)
		fs.AddUser(fakeslack.User{ID: u, Name: fmt.Sprintf("dm%d", i)})
	}
	fs.Fault("chat.postMessage", fakeslack.Fault{Latency: 100 * time.Millisecond})
	db := storagetest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d := NewDeliverer(db, newSlack(fs), handlers.Cards{Now: time.Now}, log, time.Now)
	for _, u := range users {
		if err := db.Enqueue(context.Background(), domain.Message{Channel: u, Text: "hello " + u, Purpose: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() { _, errs[i] = d.Deliver(ctx, u) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("deliveries failed: %v", err)
	}
	if ok, failed := posts(fs); ok != n || failed != 0 {
		t.Errorf("%d messages posted (%d failed), want %d", ok, failed, n)
	}
}

// A caller who finds its channel being delivered in this process joins
// that delivery until the sender gets past the caller's messages (or
// ends), and gets what was posted, which includes a message it committed
// after the sender's last look. At most maxSenders channels are delivered
// at once.
func TestSendersJoinAndAreBounded(t *testing.T) {
	s := newSenders()
	r, mine := s.join("C1")
	if !mine {
		t.Fatal("first caller does not run the delivery")
	}
	joined, mine := s.join("C1")
	if mine || joined != r {
		t.Fatal("second caller did not join the running delivery")
	}
	if !s.again("C1", r) {
		t.Error("a caller joined after the last look, but the sender stops")
	}
	if s.again("C1", r) {
		t.Error("nobody joined since, but the sender looks again")
	}
	s.progress(r, 5, &domain.Posted{OutboxID: 5})
	if got, err := s.waitFor(context.Background(), joined, 5); err != nil || len(got.Posted) != 1 {
		t.Errorf("joiner waiting for message 5 got %+v, %v", got, err)
	}
	s.finish("C1", r, domain.Delivery{Posted: []domain.Posted{{OutboxID: 5}, {OutboxID: 7}}}, nil)
	if got, err := s.waitFor(context.Background(), joined, 9); err != nil || len(got.Posted) != 2 {
		t.Errorf("joiner waiting past the end got %+v, %v", got, err)
	}
	if _, mine := s.join("C1"); !mine {
		t.Error("after the delivery ended, a new caller does not start one")
	}

	ctx := context.Background()
	var releases []func()
	for range maxSenders {
		release, err := s.slot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, release)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.slot(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slot beyond %d senders: %v, want to wait", maxSenders, err)
	}
	for _, release := range releases {
		release()
	}
}

// One process never leaves its own messages for later: whoever calls
// Deliver just after another call of this process ended finds the channel
// free. (The channel's lock once went only after that call had ended, so
// a message enqueued in between waited for the background job, which on
// a simulated clock waited for the clock.)
func TestDeliveriesOneAfterAnotherNeverWait(t *testing.T) {
	t.Parallel()
	fs, err := fakeslack.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	fs.AddChannel(fakeslack.Channel{ID: channel, Name: "general", BotIsMember: true})
	db := storagetest.New(t)
	d := NewDeliverer(db, newSlack(fs), handlers.Cards{Now: time.Now}, slog.New(slog.DiscardHandler), time.Now)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Go(func() {
			for i := range 100 {
				if err := db.Enqueue(ctx, domain.Message{Channel: channel, Text: fmt.Sprintf("%d-%d", g, i), Purpose: "test"}); err != nil {
					t.Error(err)
					return
				}
				res, err := d.Deliver(ctx, channel)
				if err != nil || res.Later > 0 {
					t.Errorf("delivery %d-%d: later %v, %v", g, i, res.Later, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
