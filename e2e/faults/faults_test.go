package faults

// Helpers shared by the fault tests (fault_*_test.go): a database outage,
// sockets dropped every 2 s, a 429 storm, and SIGKILL at random moments.
// Each fault test takes tens of seconds, so -short skips them.

import (
	"database/sql"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/fakeslack"
)

func skipInShortMode(t *testing.T, takes string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("fault test (%s); run without -short", takes)
	}
}

// attempt is the TB of one user action that is allowed to fail because of
// the fault under test: it records what fakeslack would have failed the
// test with ("the bot did not ack within 3s", "no modal came") instead of
// failing it. fakeslack's helpers then return nil.
type attempt struct {
	mu  sync.Mutex
	why string
}

func (a *attempt) Helper() {}

func (a *attempt) Fatalf(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.why == "" {
		a.why = fmt.Sprintf(format, args...)
	}
}

func (a *attempt) failed() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.why != ""
}

// expectCardShows waits for updates of card until its text contains want
// (earlier redraws, e.g. an SLA notice, may come first).
func expectCardShows(t *testing.T, card *fakeslack.Message, want string) *fakeslack.Message {
	t.Helper()
	for m := card; m != nil; m = m.ExpectUpdate(t) {
		if strings.Contains(m.Text(), want) {
			return m
		}
	}
	return nil
}

// traffic is one person running slash commands until halted. What became
// of each command is read from Slack's side at the end.
type traffic struct {
	user    string
	consume bool // consume each acked command's answer (for world.finish)
	stop    chan struct{}
	loop    sync.WaitGroup
	running sync.WaitGroup

	mu sync.Mutex
	// acked are the response_url ids of the commands Slack got an ack
	// for; unacked counts those it reported as failed to the user (no ack
	// within 3 s), with why.
	acked    []string
	unacked  int
	problems []string
}

func newTraffic(user string, consume bool) *traffic {
	return &traffic{user: user, consume: consume, stop: make(chan struct{})}
}

// startTraffic runs commands as user, one at a time, pause apart, until
// the returned traffic is halted; each answer is consumed.
func startTraffic(fs *fakeslack.Server, user string, pause time.Duration, commands ...string) *traffic {
	tr := newTraffic(user, true)
	tr.loop.Go(func() {
		for i := 0; ; i++ {
			tr.run(fs, commands[i%len(commands)])
			select {
			case <-tr.stop:
				return
			case <-time.After(pause):
			}
		}
	})
	return tr
}

// run runs one command and waits for Slack's verdict on it.
func (tr *traffic) run(fs *fakeslack.Server, command string) {
	tr.running.Add(1)
	defer tr.running.Done()
	tr.one(fs, command)
}

// spawn runs one command without waiting.
func (tr *traffic) spawn(fs *fakeslack.Server, command string) {
	tr.running.Add(1)
	go func() {
		defer tr.running.Done()
		tr.one(fs, command)
	}()
}

func (tr *traffic) one(fs *fakeslack.Server, command string) {
	a := &attempt{}
	inv := fs.User(tr.user).Slash(a, handoffChannel, command)
	if inv != nil && tr.consume {
		// Which command this answer belongs to is told by its response_url
		// in halt, not here.
		fs.User(tr.user).ExpectEphemeral(a, "")
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if inv == nil {
		tr.unacked++
		tr.problems = append(tr.problems, command+": "+a.why)
		return
	}
	tr.acked = append(tr.acked, path.Base(inv.ResponseURL))
}

// trafficReport is what became of a traffic's commands.
type trafficReport struct {
	sent, unacked int
	// answers counts acked commands by kind of answer (classify's name
	// for it); unanswered and doubled count acked commands that got no
	// answer or more than one.
	answers             map[string]int
	unanswered, doubled int
}

// halt stops the traffic once its commands are settled and reports on it
// from the bot's posts to the commands' response URLs.
func (tr *traffic) halt(t *testing.T, fs *fakeslack.Server, classify func(answer string) string) trafficReport {
	t.Helper()
	close(tr.stop)
	tr.loop.Wait()
	tr.running.Wait()
	posts := map[string][]string{}
	for _, c := range fs.Calls("response_url") {
		posts[c.Params["id"]] = append(posts[c.Params["id"]], string(c.Body))
	}
	r := trafficReport{sent: len(tr.acked) + tr.unacked, unacked: tr.unacked, answers: map[string]int{}}
	for _, id := range tr.acked {
		switch p := posts[id]; {
		case len(p) == 0:
			r.unanswered++
		case len(p) > 1:
			r.doubled++
		default:
			r.answers[classify(p[0])]++
		}
	}
	t.Logf("%s ran %d commands: answers %v, %d not acked, %d acked but not answered, %d answered twice",
		tr.user, r.sent, r.answers, r.unacked, r.unanswered, r.doubled)
	if r.unanswered+r.doubled > 0 {
		t.Errorf("%s: every acked command must be answered once; problems: %q", tr.user, tr.problems)
	}
	return r
}

// patient acts for the people of a fault test: what Slack reports as
// failed (no ack within 3 s, no modal) they simply do again, as people
// do, and it is counted.
type patient struct {
	t       *testing.T
	fs      *fakeslack.Server
	db      *sql.DB // tells whether an action was saved
	retries atomic.Int32
}

// handOff has from hand lead name to assignee: /handoff, then the form
// submitted until the handoff is saved.
func (p *patient) handOff(from, assignee, name string) bool {
	form := p.openForm(from, assignee, name)
	return form != nil && p.submit(form, name) != ""
}

// openForm has from run /handoff for lead name until the New handoff form
// opens, and chooses assignee in it.
func (p *patient) openForm(from, assignee, name string) *fakeslack.View {
	email := strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.com"
	for range 10 {
		a := &attempt{}
		if p.fs.User(from).Slash(a, handoffChannel, "/handoff "+name+" "+email) == nil {
			p.retries.Add(1) // the form may open all the same
		}
		if form := p.fs.User(from).ExpectModal(a); form != nil {
			return form.SelectUser("Assignee", assignee)
		}
	}
	p.t.Errorf("%s: the form never opened", name)
	return nil
}

// How a form came to be saved, as submit reports it.
const (
	savedAtOnce      = "saved at once"
	savedAckLost     = "saved, but the ack was lost: submitting again said the form was already handed off"
	savedOnResubmit  = "not saved at first: saved when submitted again"
	savedNeverHappen = ""
)

// submit submits the form until the handoff is saved and says how it went.
// A submit whose ack was lost may have been saved: submitting the same
// form again then says it was already handed off (a form makes one
// handoff), and the form is closed.
func (p *patient) submit(form *fakeslack.View, name string) string {
	for try := range 10 {
		a := &attempt{}
		switch sub := form.Submit(a); {
		case sub == nil:
			p.retries.Add(1) // Slack showed an error on the form; the input is still there
		case sub.ResponseAction == "" && try == 0:
			return savedAtOnce
		case sub.ResponseAction == "":
			return savedOnResubmit
		case sub.ResponseAction == "update" && strings.Contains(sub.View.Text(), "This form was already handed off"):
			sub.View.Close(a)
			return savedAckLost
		default:
			p.t.Errorf("%s: the form answered %+v", name, sub)
			return savedNeverHappen
		}
	}
	p.t.Errorf("%s: never saved", name)
	return savedNeverHappen
}

// move has user click button on the lead's card until the handoff is in
// state, waiting up to within for the card to offer the button.
func (p *patient) move(user, name, button, state string, within time.Duration) bool {
	for deadline := time.Now().Add(within); time.Now().Before(deadline); {
		if p.state(name) == state {
			return true
		}
		card := p.cardShowing(name, button)
		if card == nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		a := &attempt{}
		if p.fs.User(user).Click(a, card, button); a.failed() {
			p.retries.Add(1)
		}
		for saved := time.Now().Add(5 * time.Second); time.Now().Before(saved) && p.state(name) != state; {
			time.Sleep(20 * time.Millisecond)
		}
	}
	return p.state(name) == state
}

// cardShowing is the lead's card if it offers button now, else nil.
func (p *patient) cardShowing(name, button string) *fakeslack.Message {
	for _, m := range p.fs.Channel(handoffChannel).Messages() {
		if strings.Contains(m.Text(), cardTitle(name)) && slices.Contains(m.Buttons(), button) {
			return m
		}
	}
	return nil
}

// cardTitle starts the text of a handoff card to sales of a lead with no
// company.
func cardTitle(name string) string { return "Handoff to Sales: " + name + " (" }

// state is the lead's handoff's state, or "" before it is saved.
func (p *patient) state(name string) string {
	var s string
	_ = p.db.QueryRow(`SELECT h.state FROM handoffs h JOIN leads l ON l.id = h.lead_id WHERE l.name = $1`, name).Scan(&s)
	return s
}
