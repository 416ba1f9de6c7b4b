package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/e2e/e2etest"
	"github.com/handoffbot/handoffbot/fakeslack"
	"github.com/handoffbot/handoffbot/handoffcsv"
	"github.com/handoffbot/handoffbot/handoffcsv/csvtest"
	"github.com/handoffbot/handoffbot/storage"
	"github.com/handoffbot/handoffbot/storage/storagetest"
)

// fortyKB is text of about 40 KB in the shape of each thing the /handoff
// parser picks out of what follows the command.
var fortyKB = []struct{ name, text string }{
	{"prose", "Dana Scully (FBI) " + strings.Repeat("wants a demo & <!channel> for forty analysts. ", 900)}, // <!channel> as Slack escapes it: dropped
	{"email", strings.Repeat("d", 40<<10) + "@fbi.example"},
	{"phone", "+1 " + strings.Repeat("5", 40<<10)},
	{"link", "https://crm.example/" + strings.Repeat("x", 40<<10)},
	{"one word", strings.Repeat("Scully", 7<<10)},
}

// 40 KB after /handoff opens the New handoff form with every input
// prefilled within its max_length (the rest of the text kept in Notes, cut
// visibly), a form that can be submitted as it is; the Feedback modal
// likewise; and a 40 KB stats period is refused with a short message.
func TestFortyKilobytesOfSlashText(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, c := range fortyKB {
		w.User(monica).Slash(t, handoffChannel, "/handoff "+c.text)
		form := w.User(monica).ExpectModal(t)
		expectFits(t, c.name, form)
		if notes := form.Value("Notes"); !strings.HasSuffix(notes, "…") {
			t.Errorf("%s: the notes do not keep the text, cut visibly: %.60q", c.name, notes)
		}
		if c.name != "prose" {
			form.Close(t)
			continue
		}
		if sub := form.SelectUser("Assignee", fox).Submit(t); len(sub.Errors) > 0 {
			t.Fatalf("the prefilled form is refused: %v", sub.Errors)
		}
	}
	mustContain(t, "card", w.Channel().ExpectMessage(t, "Dana Scully").Text(), "(FBI) wants a demo &amp;", "…")
	w.User(fox).ExpectDM(t, "handed you a lead")
	w.User(monica).ExpectEphemeral(t, "Handed off")
	if h := w.onlyHandoff(); utf8.RuneCountInString(h.Notes) != domain.MaxNotes || !strings.HasPrefix(h.Lead.Name, "Dana Scully (FBI)") {
		t.Errorf("saved %q with notes of %d characters", h.Lead.Name, utf8.RuneCountInString(h.Notes))
	}

	w.User(fox).Slash(t, handoffChannel, "/handoff feedback "+fortyKB[0].text)
	feedback := w.User(fox).ExpectModal(t)
	expectFits(t, "feedback", feedback)
	feedback.Close(t)

	w.User(skinner).Slash(t, handoffChannel, "/handoff stats "+fortyKB[0].text)
	if text := w.User(skinner).ExpectEphemeral(t, "I don't know the period").Text(); len(text) > 400 || strings.Contains(text, "<!channel>") {
		t.Errorf("the refusal of a 40 KB period echoes too much: %d bytes: %.200s", len(text), text)
	}
	w.Finish()
}

// expectFits checks every text input of a modal is prefilled within its
// max_length with text Postgres can keep.
func expectFits(t *testing.T, what string, v *fakeslack.View) {
	t.Helper()
	for _, b := range v.Blocks().BlockSet {
		in, ok := b.(*slack.InputBlock)
		if !ok {
			continue
		}
		el, ok := in.Element.(*slack.PlainTextInputBlockElement)
		if !ok {
			continue
		}
		if n := utf8.RuneCountInString(el.InitialValue); n > el.MaxLength || !utf8.ValidString(el.InitialValue) || strings.ContainsRune(el.InitialValue, 0) {
			t.Errorf("%s: input %q prefilled with %d characters (max_length %d): %.60q", what, in.BlockID, n, el.MaxLength, el.InitialValue)
		}
	}
}

// Invalid UTF-8 and NULs. Slack's JSON turns invalid bytes into U+FFFD
// and can carry a NUL (\u0000), which Postgres cannot keep: the form is
// prefilled without NULs, and a NUL typed into any input of any modal is
// refused under that input, with what was typed left in the form, instead
// of failing as "something went wrong".
func TestInvalidUTF8AndNULsGetClearAnswers(t *testing.T) {
	t.Parallel()
	w := newFeedbackWorld(t)
	w.User(monica).Slash(t, handoffChannel, "/handoff Jos\xe9 M\x00uller (Ac\xffme) jose@acme.example")
	form := w.User(monica).ExpectModal(t)
	if name := form.Value("Lead name"); strings.ContainsRune(name, 0) || !utf8.ValidString(name) || !strings.Contains(name, "Muller") {
		t.Errorf("lead name prefilled as %q", name)
	}
	form.Fill("Lead name", "José Muller").SelectUser("Assignee", fox)
	for _, label := range []string{"Lead name", "Company", "Phone", "Source", "Campaign", "Notes"} {
		kept := form.Value(label)
		sub := form.Fill(label, "a\x00b").Submit(t)
		if !strings.Contains(sub.Errors[label], "cannot be saved") {
			t.Errorf("a NUL in %s: errors %v", label, sub.Errors)
		}
		if form.Value(label) != "a\x00b" {
			t.Errorf("%s lost what was typed", label)
		}
		form.Fill(label, kept)
	}
	if sub := form.Fill("Notes", "caf\xe9 au lait").Submit(t); len(sub.Errors) > 0 {
		t.Fatalf("refused: %v", sub.Errors)
	}
	card := w.Channel().ExpectMessage(t, "José Muller")
	w.User(fox).ExpectDM(t, "handed you a lead")
	w.User(monica).ExpectEphemeral(t, "Handed off")
	if h := w.onlyHandoff(); h.Notes != "caf\uFFFD au lait" {
		t.Errorf("notes saved as %q", h.Notes)
	}

	w.User(fox).Click(t, card, "Reject")
	reason := w.User(fox).ExpectModal(t).Select("Reason", "Other")
	if sub := reason.Fill("Note", "a\x00b").Submit(t); !strings.Contains(sub.Errors["Note"], "cannot be saved") {
		t.Errorf("a NUL in the reason's note: errors %v", sub.Errors)
	}
	reason.Fill("Note", "budget frozen").Submit(t)
	card.ExpectUpdate(t)
	card.ExpectThreadReply(t, "rejected it")
	w.User(monica).ExpectDM(t, "rejected your handoff")

	w.User(fox).Slash(t, handoffChannel, "/handoff feedback")
	fb := w.User(fox).ExpectModal(t).Select("Category", "Pricing")
	if sub := fb.Fill("Feedback", "too\x00 expensive").Submit(t); !strings.Contains(sub.Errors["Feedback"], "cannot be saved") {
		t.Errorf("a NUL in feedback: errors %v", sub.Errors)
	}
	fb.Fill("Feedback", "too expensive").Submit(t)
	root := w.feedbackChannel().ExpectMessage(t, "too expensive")
	w.User(fox).ExpectEphemeral(t, "your feedback")
	w.User(john).Click(t, root, "Resolve")
	resolve := w.User(john).ExpectModal(t)
	if sub := resolve.Fill("What changed", "new\x00 prices").Submit(t); !strings.Contains(sub.Errors["What changed"], "cannot be saved") {
		t.Errorf("a NUL in What changed: errors %v", sub.Errors)
	}
	resolve.Fill("What changed", "new prices page").Submit(t)
	root.ExpectUpdate(t)
	w.User(fox).ExpectDM(t, "resolved your feedback")
	w.Finish()
}

// Buttons, menus, modals and shortcuts this version does not know (from an
// older or newer release, or made up) get a clear answer where the person
// is, never silence: the runtime's "not supported" by ephemeral, on the
// modal, or by DM for a global shortcut; a known button with a broken
// value says so.
func TestUnknownActionsGetClearAnswers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const unsupported = "That button or form is not supported by this version of the bot."
	w.forgeClick(monica, "handoff_teleport", "1:pending")
	w.User(monica).ExpectEphemeral(t, unsupported)
	w.forgeChoice(monica, "retired_menu", "x")
	w.User(monica).ExpectEphemeral(t, unsupported)
	errs := w.forgeSubmit(monica, "retired_modal", map[string]any{}, map[string]map[string]any{"old_input": typed("x")})
	refusal(t, errs, "old_input", unsupported)
	w.forge(map[string]any{"type": "shortcut", "callback_id": "retired_shortcut", "user": map[string]any{"id": monica}, "trigger_id": "t"}, false)
	w.User(monica).ExpectDM(t, unsupported)
	w.forgeClick(monica, "handoff_accept:suffix", "not-a-handoff")
	w.User(monica).ExpectEphemeral(t, "That button is broken; open the handoff again.")
	w.Finish()
}

// `handoffbot import` of a file with a 10 MB record names its line and
// imports nothing; the message does not echo the record. Likewise a quote
// left open that swallows 10 MB.
func TestImportRefusesATenMegabyteLine(t *testing.T) {
	t.Parallel()
	cfg := e2etest.DatabaseConfig(t, storagetest.URL(t))
	rows := csvtest.Sample(3, 1)
	rows[1].Notes = strings.Repeat("x", 10<<20)
	var long bytes.Buffer
	cw := handoffcsv.NewWriter(&long)
	for _, h := range rows {
		if err := cw.Write(h); err != nil {
			t.Fatal(err)
		}
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	header, rest, _ := strings.Cut(long.String(), "\n")
	first, _, _ := strings.Cut(rest, "\n")
	open := header + "\n" + first + "\n" + `ext-open,"` + strings.Repeat("y", 10<<20) + "\n"
	for name, file := range map[string]string{"long record": long.String(), "open quote": open} {
		path := filepath.Join(t.TempDir(), "handoffs.csv")
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		out, _, err := e2etest.Command(cfg, "import", path)
		if err == nil {
			t.Fatalf("%s: imported: %s", name, out)
		}
		msg := err.Error()
		mustContain(t, name, msg, "nothing imported", "line 3", "longer than 1 MB")
		if len(msg) > 1000 {
			t.Errorf("%s: a %d-byte message", name, len(msg))
		}
	}
	db, err := storage.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM handoffs`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d handoffs imported (%v)", n, err)
	}
}
