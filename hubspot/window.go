package hubspot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// DefaultOverlap is how far each poll reaches back before the end of the
// previous one. HubSpot's search index shows writes "a few moments" late
// (undocumented how late; seconds in practice), so a contact that entered
// the stage just before a poll may only be searchable at the next one.
// Contacts found twice are deduplicated by their external id.
const DefaultOverlap = 5 * time.Minute

// Window is a half-open interval [From, To) of stage-entry times.
type Window struct {
	From, To time.Time
}

// PollWindow is the window a poll at now searches, given the end of the
// window the previous poll searched (zero before the first poll, which
// then looks back overlap only: history is for `handoffbot import`).
func PollWindow(last, now time.Time, overlap time.Duration) Window {
	if last.IsZero() {
		last = now
	}
	return Window{From: last.Add(-overlap), To: now}
}

// errOverCap says a query matches more than paging can reach.
var errOverCap = errors.New("more results than one search can page through")

// EnteredStage returns every contact that entered stage within w, each
// once, ordered by entry time and then id, with props (plus the entry date
// and id) read. However many there are: it pages through each query, and
// halves the window while it matches more than MaxSearchResults; within a
// single millisecond it walks the ids instead. s is usually
// WithRetry(client, policy), so one 429 does not end the scan.
func EnteredStage(ctx context.Context, s Searcher, stage string, w Window, props []string) ([]Contact, error) {
	entered := EnteredProperty(stage)
	sc := &scan{s: s, prop: entered, seen: map[string]bool{},
		props: append(slices.Clone(props), entered, PropObjectID)}
	if err := sc.window(ctx, w.From.UnixMilli(), w.To.UnixMilli()); err != nil {
		return nil, fmt.Errorf("contacts entering %s: %w", stage, err)
	}
	slices.SortStableFunc(sc.found, func(a, b Contact) int {
		ta, _ := a.EnteredAt(stage)
		tb, _ := b.EnteredAt(stage)
		return cmp.Or(ta.Compare(tb), cmp.Compare(len(a.ID), len(b.ID)), cmp.Compare(a.ID, b.ID))
	})
	return sc.found, nil
}

type scan struct {
	s     Searcher
	prop  string
	props []string
	seen  map[string]bool
	found []Contact
}

// window collects [from, to), in epoch milliseconds.
func (sc *scan) window(ctx context.Context, from, to int64) error {
	if from >= to {
		return nil
	}
	err := sc.pages(ctx, []Filter{
		{PropertyName: sc.prop, Operator: OpGTE, Value: ms(from)},
		{PropertyName: sc.prop, Operator: OpLT, Value: ms(to)},
	})
	if !errors.Is(err, errOverCap) {
		return err
	}
	if to-from == 1 {
		return sc.instant(ctx, from)
	}
	mid := from + (to-from)/2
	if err := sc.window(ctx, from, mid); err != nil {
		return err
	}
	return sc.window(ctx, mid, to)
}

// pages collects one query sorted by entry time, or returns errOverCap
// (before collecting, when the first page's total says so).
func (sc *scan) pages(ctx context.Context, filters []Filter) error {
	req := sc.request(filters, sc.prop)
	for {
		p, err := sc.s.SearchContacts(ctx, req)
		if err != nil {
			return err
		}
		if p.Total > MaxSearchResults {
			return errOverCap
		}
		sc.add(p.Contacts)
		if p.Next == "" {
			return nil
		}
		if p.NextOffset() >= MaxSearchResults { // the window filled up while we paged
			return errOverCap
		}
		req.After = p.Next
	}
}

// instant collects the contacts that entered at one millisecond, more
// than one query can page through (a bulk import), by restarting the
// query after the last id seen each time paging reaches the cap.
func (sc *scan) instant(ctx context.Context, at int64) error {
	lastID := "0"
	for {
		req := sc.request([]Filter{
			{PropertyName: sc.prop, Operator: OpEQ, Value: ms(at)},
			{PropertyName: PropObjectID, Operator: OpGT, Value: lastID},
		}, PropObjectID)
		progressed := false
		for {
			p, err := sc.s.SearchContacts(ctx, req)
			if err != nil {
				return err
			}
			sc.add(p.Contacts)
			if n := len(p.Contacts); n > 0 {
				lastID, progressed = p.Contacts[n-1].ID, true
			}
			if p.Next == "" {
				return nil
			}
			if p.NextOffset() >= MaxSearchResults {
				break
			}
			req.After = p.Next
		}
		if !progressed {
			return errors.New("search paged without results")
		}
	}
}

func (sc *scan) request(filters []Filter, sortBy string) SearchRequest {
	return SearchRequest{
		FilterGroups: []FilterGroup{{Filters: filters}},
		Sorts:        []Sort{{PropertyName: sortBy, Direction: "ASCENDING"}},
		Properties:   sc.props,
		Limit:        MaxSearchLimit,
	}
}

func (sc *scan) add(cs []Contact) {
	for _, c := range cs {
		if !sc.seen[c.ID] {
			sc.seen[c.ID] = true
			sc.found = append(sc.found, c)
		}
	}
}

func ms(v int64) string { return strconv.FormatInt(v, 10) }
