package hubspot_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/fakehubspot"
	"github.com/handoffbot/handoffbot/hubspot"
)

func mustWriter(t *testing.T, s *fakehubspot.Server) hubspot.Writer {
	t.Helper()
	c := mustClient(t, s, "")
	p, err := c.GetContactProperty(context.Background(), hubspot.PropLifecycle)
	if err != nil {
		t.Fatal(err)
	}
	return hubspot.Writer{Client: c, Map: hubspot.DefaultStatusMap(), Order: hubspot.StageOrderOf(p)}
}

func TestWriterApply(t *testing.T) {
	s, _ := mustFake(t)
	w := mustWriter(t, s)
	ctx := context.Background()
	bob := s.AddOwner(fakehubspot.Owner{Email: "bob@acme.example"})
	ada := mustMQL(t, s, "ada@acme.example", t0)

	move := hubspot.Move{HandoffID: 42, Kind: "accepted", Actor: "Bob <b>", At: t0}
	for range 2 { // a retried job
		if err := w.Apply(ctx, ada, domain.StateAccepted, bob, move); err != nil {
			t.Fatal(err)
		}
	}
	p := s.ContactProperties(ada)
	if p["hubspot_owner_id"] != bob || p["hs_lead_status"] != "OPEN" {
		t.Errorf("after accept: %v", p)
	}
	if n := len(s.Requests("contacts.update")); n != 1 {
		t.Errorf("%d property writes for one move applied twice, want 1", n)
	}
	notes := s.NotesOn(ada)
	if len(notes) != 2 || !strings.Contains(notes[0].Body, "Handoff #42 accepted</strong> by Bob &lt;b&gt;") {
		t.Errorf("notes: %+v", notes)
	}

	s.SetProperties(ada, fakehubspot.Props{"lifecyclestage": "customer"})
	if err := w.Apply(ctx, ada, domain.StateQualified, bob, hubspot.Move{HandoffID: 42, Kind: "qualified", At: t0}); err != nil {
		t.Fatal(err)
	}
	if got := s.ContactProperties(ada)["lifecyclestage"]; got != "customer" {
		t.Errorf("a customer was moved back to %s", got)
	}

	err := w.Apply(ctx, "404404", domain.StateAccepted, bob, move)
	if !errors.Is(err, hubspot.ErrNotFound) {
		t.Errorf("a deleted contact: %v", err)
	}
	s.Outage()
	if err := w.Apply(ctx, ada, domain.StateWon, bob, move); !hubspot.IsTransient(err) {
		t.Errorf("during an outage the job should retry: %v", err)
	}
}

func TestFindOrCreateContact(t *testing.T) {
	s, _ := mustFake(t)
	c := mustClient(t, s, "")
	ctx := context.Background()
	ada := s.AddContact(fakehubspot.Props{"email": "ada@acme.example"})

	if got, err := hubspot.FindOrCreateContact(ctx, c, domain.Lead{Name: "Ada", Email: "ADA@acme.example"}, false); err != nil || got.ID != ada {
		t.Errorf("existing: %v, %v", got.ID, err)
	}
	for _, l := range []domain.Lead{{Name: "No Mail"}, {Name: "Grace", Email: "grace@navy.example"}} {
		if _, err := hubspot.FindOrCreateContact(ctx, c, l, false); !errors.Is(err, hubspot.ErrNotFound) {
			t.Errorf("%+v without HUBSPOT_CREATE_CONTACTS: %v", l, err)
		}
	}
	got, err := hubspot.FindOrCreateContact(ctx, c, domain.Lead{Name: "Grace Brewster Hopper", Email: "grace@navy.example", Company: "Navy"}, true)
	p := s.ContactProperties(got.ID)
	if err != nil || p["firstname"] != "Grace" || p["lastname"] != "Brewster Hopper" || p["company"] != "Navy" {
		t.Errorf("created: %v, %v", p, err)
	}

	// A form creates the contact between our read and our create.
	s.Fault("contacts.get", fakehubspot.Fault{Times: 1, Status: http.StatusNotFound})
	got, err = hubspot.FindOrCreateContact(ctx, c, domain.Lead{Name: "Ada", Email: "ada@acme.example"}, true)
	if err != nil || got.ID != ada {
		t.Errorf("after a 409: %v, %v", got.ID, err)
	}
}
