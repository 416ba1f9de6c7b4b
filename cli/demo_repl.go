package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/handoffbot/handoffbot/fakeslack"
)

const replHelp = `Type what a person does in Slack; what they see is printed after each step.
  as riya|sam|maya|leo|ines     act as that person (now: %s)
  /handoff …                    run the command in #handoffs
  fill Label = text             type into the open form
  pick Label = option           choose an option, or a person as @name
  submit | cancel               submit or close the open form
  click Button text             press the newest button with that text you can see
  say text                      post a message in #handoffs
  reply text                    reply in the thread of the newest message in #field-feedback
  home                          open App Home
  help | quit
`

var demoPeople = map[string]string{"riya": demoRiya, "sam": demoSam, "maya": demoMaya, "leo": demoLeo, "ines": demoInes}

// replSettle is how long the prompt waits for the bot to answer a step
// before printing what happened; the bot usually answers in milliseconds.
const replSettle = 700 * time.Millisecond

// repl lets a person drive the demo workspace from a prompt.
func repl(ctx context.Context, fs *fakeslack.Server, in io.Reader, out io.Writer) error {
	r := &prompt{fs: fs, out: out, who: "maya"}
	fmt.Fprintf(out, replHelp, r.who)
	scanner := bufio.NewScanner(in)
	for fmt.Fprintf(out, "\n%s> ", r.who); scanner.Scan(); fmt.Fprintf(out, "\n%s> ", r.who) {
		line := strings.TrimSpace(scanner.Text())
		if line == "quit" || line == "exit" || ctx.Err() != nil {
			return nil
		}
		if line == "" {
			continue
		}
		if err := guard(func() { r.do(line) }); err != nil {
			fmt.Fprintln(out, "  (that did not work:", strings.TrimPrefix(err.Error(), "the demo went off script: "), ")")
		}
		time.Sleep(replSettle)
		r.seen = printTranscript(out, fs, r.seen, strings.HasPrefix(line, "home"))
	}
	return scanner.Err()
}

type prompt struct {
	fs   *fakeslack.Server
	out  io.Writer
	who  string
	seen int
}

func (r *prompt) user() *fakeslack.UserSim { return r.fs.User(demoPeople[r.who]) }

// do carries out one line typed at the prompt.
func (r *prompt) do(line string) {
	var t demoTB
	verb, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	switch verb {
	case "help":
		fmt.Fprintf(r.out, replHelp, r.who)
	case "as":
		if _, ok := demoPeople[rest]; !ok {
			t.Fatalf("nobody called %q here; try riya, sam, maya, leo or ines", rest)
		}
		r.who = rest
	case "/handoff":
		r.user().Slash(t, demoDeals, line)
	case "fill", "pick":
		label, value, ok := strings.Cut(rest, "=")
		if !ok {
			t.Fatalf("write %s Label = value", verb)
		}
		r.setField(verb, strings.TrimSpace(label), strings.TrimSpace(value))
	case "submit":
		r.form().Submit(t)
	case "cancel":
		r.form().Close(t)
	case "click":
		r.click(rest)
	case "say":
		r.user().Post(t, demoDeals, rest)
	case "reply":
		msgs := r.fs.Channel(demoFB).Messages()
		if len(msgs) == 0 {
			t.Fatalf("there is nothing in #field-feedback to reply to")
		}
		r.user().Reply(t, msgs[len(msgs)-1], rest)
	case "home":
		r.user().OpenHome(t)
	default:
		t.Fatalf("I don't know %q; type help", verb)
	}
}

func (r *prompt) form() *fakeslack.View {
	var t demoTB
	v := r.user().Modal(t)
	if v == nil {
		t.Fatalf("%s has no form open", r.who)
	}
	return v
}

func (r *prompt) setField(verb, label, value string) {
	f := r.form()
	switch {
	case verb == "fill":
		f.Fill(label, value)
	case strings.HasPrefix(value, "@"):
		id, ok := demoPeople[strings.TrimPrefix(value, "@")]
		if !ok {
			demoTB{}.Fatalf("nobody called %s here", value)
		}
		f.SelectUser(label, id)
	default:
		f.Select(label, value)
	}
}

// click presses the newest button with that text the person can see: in
// their open form, their DMs, then the channels.
func (r *prompt) click(text string) {
	var t demoTB
	if f := r.user().Modal(t); f != nil && slices.Contains(f.Buttons(), text) {
		r.user().Click(t, f, text)
		return
	}
	for _, ch := range []string{r.user().DMChannel(), demoDeals, demoFB, demoMgrs} {
		msgs := r.fs.Channel(ch).Messages()
		for i := len(msgs) - 1; i >= 0; i-- {
			if m := msgs[i].Latest(); slices.Contains(m.Buttons(), text) {
				r.user().Click(t, m, text)
				return
			}
		}
	}
	t.Fatalf("no %q button in sight", text)
}
