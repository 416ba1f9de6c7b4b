package handlers

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// Changes for people whose refresh is still queued are folded into it; a
// change during a person's refresh queues them again, so the last publish
// always comes after the last change.
func TestHomeQueueFoldsChangesAndNeverLeavesAHomeStale(t *testing.T) {
	var q homeQueue
	var mu sync.Mutex
	var order []string
	entered, release, idle := make(chan struct{}), make(chan struct{}), make(chan struct{}, 1)
	publish := func(_ context.Context, u string) {
		mu.Lock()
		order = append(order, u)
		first := len(order) == 1
		mu.Unlock()
		if first {
			close(entered)
			<-release
		}
		idle <- struct{}{}
	}
	q.add(publish, "U1")
	<-entered // U1 is being published
	q.add(publish, "U2", "U1")
	q.add(publish, "U2", "U3", "", "U2")
	close(release)
	for range 4 {
		select {
		case <-idle:
		case <-time.After(5 * time.Second):
			t.Fatal("the queue stopped before it was empty")
		}
	}
	mu.Lock()
	got := slices.Clone(order)
	mu.Unlock()
	if want := []string{"U1", "U2", "U1", "U3"}; !slices.Equal(got, want) {
		t.Errorf("published %q, want %q", got, want)
	}
	waitIdle(t, &q)
	q.add(publish, "U4") // idle again: a new worker starts
	select {
	case <-idle:
	case <-time.After(5 * time.Second):
		t.Fatal("no worker after the queue went idle")
	}
}

func waitIdle(t *testing.T, q *homeQueue) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		q.mu.Lock()
		running := q.running
		q.mu.Unlock()
		if !running {
			return
		}
	}
	t.Fatal("the worker did not stop when the queue was empty")
}
