package queue_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/bot"
	"github.com/handoffbot/handoffbot/delivery"
	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handlers"
	"github.com/handoffbot/handoffbot/queue"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// With a listener, a job inserted now is worked now: River is told of it
// over LISTEN/NOTIFY. The queue here looks for due jobs only once an hour,
// so the message could not arrive in the test's time by polling.
func TestJobInsertedNowIsWorkedNow(t *testing.T) {
	fs, err := fakeslack.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fs.Close)
	fs.AddChannel(fakeslack.Channel{ID: "CGENERAL", Name: "general", BotIsMember: true})
	url := storagetest.URL(t)
	db, err := storage.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	listener, err := storage.ListenPool(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(listener.Close)
	log := slog.New(slog.DiscardHandler)
	api := bot.NewOutboxClient(bot.ClientOptions{BotToken: fs.BotToken(), APIURL: fs.APIURL()}, log)
	d := delivery.NewDeliverer(db, api, handlers.Cards{Now: time.Now}, log, time.Now)
	q, err := queue.New(db.SQL(), queue.Workers{Deliverer: d, Store: db}, log,
		queue.Options{Listener: listener, PollInterval: time.Hour, SweepInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		if err := q.Stop(stop); err != nil {
			t.Error(err)
		}
	})
	// The first message may be picked up by the fetch River makes as it
	// starts; the second, inserted once the first's job has finished, can
	// only come by notification.
	for _, text := range []string{"first", "second, worked at once"} {
		if err := db.Enqueue(context.Background(), domain.Message{Channel: "CGENERAL", Text: text, Purpose: "test"}); err != nil {
			t.Fatal(err)
		}
		fs.Channel("CGENERAL").ExpectMessage(t, text)
		mustFinishJobs(t, db)
	}
}

// mustFinishJobs waits until no delivery job is waiting or running.
func mustFinishJobs(t *testing.T, db *storage.DB) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var n int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'deliver' AND state <> 'completed'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d delivery jobs still not finished", n)
		}
	}
}
