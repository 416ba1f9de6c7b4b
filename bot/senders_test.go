package bot

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
	client := NewClient(ClientOptions{AppToken: fs.AppToken(), BotToken: fs.BotToken(), APIURL: fs.APIURL()}, log)
	d := NewDeliverer(db, &client.Client, handlers.Cards{Now: time.Now}, log)
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
		wg.Go(func() { errs[i] = d.Deliver(ctx, u) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("deliveries failed: %v", err)
	}
	if ok, failed := posts(fs); ok != n || failed != 0 {
		t.Errorf("%d messages posted (%d failed), want %d", ok, failed, n)
	}
}

// One process asks once per channel: a second caller for a channel being
// delivered here is told ErrBusy without a database round trip.
func TestSendersOnePerChannelAndBounded(t *testing.T) {
	s := newSenders()
	ctx := context.Background()
	release, err := s.take(ctx, "C1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.take(ctx, "C1"); !errors.Is(err, ErrBusy) {
		t.Errorf("second take of C1: %v, want ErrBusy", err)
	}
	var releases []func()
	for i := 1; i < maxSenders; i++ {
		r, err := s.take(ctx, fmt.Sprintf("C%d", i+1))
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, r)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.take(short, "CMORE"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("take beyond %d senders: %v, want to wait", maxSenders, err)
	}
	release()
	if r, err := s.take(ctx, "CMORE"); err != nil {
		t.Errorf("take after a release: %v", err)
	} else {
		r()
	}
	if r, err := s.take(ctx, "C1"); err != nil {
		t.Errorf("C1 after its release: %v", err)
	} else {
		r()
	}
	for _, r := range releases {
		r()
	}
}
