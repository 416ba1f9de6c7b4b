package handlers

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

// FuzzViewSubmission feeds the payload of a view_submission envelope, the
// JSON bytes as Slack sends them, through slack-go's decoding (what the
// Socket Mode client does before the bot sees anything) into the reader
// and validator of every modal the bot opens: the New handoff form, the
// reason modal of Reject, Lost and Return, the Feedback modal, the resolve
// modal and the survey. For each of them:
//
//   - nothing panics;
//   - a refusal is keyed by an input block of that modal, which is where
//     Slack shows it (an error under any other key is dropped and the
//     person sees nothing), with a short message saying what to do;
//   - what is accepted can be saved (valid UTF-8, no NUL, within the
//     domain's limits), and drawing the form again shows what was typed,
//     within each input's max_length;
//   - the private_metadata decodes, or is refused with a message.
func FuzzViewSubmission(f *testing.F) {
	for _, seed := range submissionSeeds() {
		f.Add(seed)
	}
	f.Fuzz(checkSubmission)
}

// FuzzViewSubmissionValues runs the same checks on payloads made with
// encoding/json from what the fuzzer types and picks into each input, so
// that it explores the values (NULs, lone surrogates, lengths, odd
// options) rather than the JSON syntax.
func FuzzViewSubmissionValues(f *testing.F) {
	f.Add("Dana Scully", "dana@fbi.example", "+1 202 555 0143", "https://crm.example/7", "met at the summit",
		"to_sales", "hot", "other", "UFOX", `{"id":7,"m":"lose","s":"accepted"}`)
	f.Add(" \x00", "a@b", "555\x00", "javascript:x", "\xff\xfe", "to_marketing", "cold", "6", "<!channel>", `{"id":"x"}`)
	f.Add(strings.Repeat("n", 201), strings.Repeat("e", 200)+"@x.example", strings.Repeat("5", 201), "https://x.example/p",
		strings.Repeat("ü", 201), "", "warm", "pricing", "W0", "")
	f.Fuzz(func(t *testing.T, name, email, phone, link, text, direction, priority, choice, person, meta string) {
		typed := func(v string) map[string]any {
			return map[string]any{actionValue: map[string]any{"type": "plain_text_input", "value": v}}
		}
		picked := func(v string) map[string]any {
			return map[string]any{actionValue: map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v}}}
		}
		values := map[string]any{
			blockName: typed(name), blockEmail: typed(email), blockPhone: typed(phone), blockCRM: typed(link),
			blockCompany: typed(text), blockSource: typed(text), blockCampaign: typed(text), blockNotes: typed(text),
			blockDirection: picked(direction), blockPriority: picked(priority),
			blockAssignee: map[string]any{actionValue: map[string]any{"type": "users_select", "selected_user": person}},
			blockReason:   picked(choice), blockNote: typed(text), blockFeedbackCategory: picked(choice),
			blockFeedbackText: typed(text), blockFeedbackCampaign: typed(name), blockWhatChanged: typed(text),
			blockFeedbackHandoff: map[string]any{ActionFeedbackHandoff: map[string]any{"selected_option": map[string]any{"value": person}}},
		}
		for i := range domain.SurveyItems {
			values[statementBlock(i)] = picked(choice)
		}
		view := map[string]any{"id": "V1", "private_metadata": meta, "state": map[string]any{"values": values}}
		checkSubmission(t, mustMarshal(map[string]any{"type": "view_submission", "user": map[string]any{"id": person}, "view": view}))
	})
}

// checkSubmission decodes payload as slack-go does and checks every
// modal's reader and validator on it (see FuzzViewSubmission).
func checkSubmission(t *testing.T, payload []byte) {
	var cb slack.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		return // slack-go reports error_bad_message; the runtime acks and drops it
	}
	state := cb.View.State
	checkHandoffForm(t, state)
	checkReasonModals(t, state)
	checkFeedbackForm(t, state)
	checkResolution(t, state)
	checkSurvey(t, state)
	checkMetadata(t, cb.View.PrivateMetadata)
}

func checkHandoffForm(t *testing.T, state *slack.ViewState) {
	f := readForm(state)
	errs := f.validate()
	checkRefusals(t, "New handoff", errs, handoffModal(form{}, formMeta{}, nil))
	if len(errs) > 0 {
		return
	}
	fields := map[string]string{
		blockName: f.Name, blockCompany: f.Company, blockEmail: f.Email, blockPhone: f.Phone,
		blockSource: f.Source, blockCampaign: f.Campaign, blockNotes: f.Notes, blockCRM: f.CRMURL,
	}
	checkSavable(t, "New handoff", fields, map[string]int{
		blockName: domain.MaxLeadName, blockCompany: domain.MaxField, blockEmail: domain.MaxField, blockPhone: domain.MaxField,
		blockSource: domain.MaxField, blockCampaign: domain.MaxField, blockNotes: domain.MaxNotes, blockCRM: maxCRMLink,
	})
	switch {
	case f.Name == "" || !f.Direction.Valid() || !f.Priority.Valid():
		t.Fatalf("accepted a form without a name, direction or priority: %+v", f)
	case f.Email != "" && !domain.ValidEmail(f.Email):
		t.Fatalf("accepted email %q", f.Email)
	case f.CRMURL != "" && !domain.ValidWebURL(f.CRMURL):
		t.Fatalf("accepted CRM link %q", f.CRMURL)
	case f.Assignee != "" && !domain.ValidUserID(f.Assignee):
		t.Fatalf("accepted assignee %q", f.Assignee)
	}
	// The duplicate warning redraws the form: it must fit and keep it all.
	redrawn := handoffModal(f, formMeta{}, nil)
	if p := modalProblems(redrawn); len(p) > 0 {
		t.Fatalf("an accepted form does not fit when drawn again: %v", p)
	}
	if again := readForm(initialState(redrawn)); again != f {
		t.Fatalf("drawn again, the form reads %+v, not %+v", again, f)
	}
}

func checkReasonModals(t *testing.T, state *slack.ViewState) {
	for _, m := range []domain.Move{domain.MoveReject, domain.MoveLose, domain.MoveReturn} {
		reason, note, block, problem := readReason(m, state)
		modal := reasonModal(domain.Handoff{Lead: domain.Lead{Name: "x"}}, moveMeta{ID: 1, Move: m})
		if problem != "" {
			checkRefusals(t, "reason for "+string(m), map[string]string{block: problem}, modal)
			continue
		}
		if !domain.ValidReason(m.Reasons(), reason) || (reason == domain.OtherReason && note == "") {
			t.Fatalf("%s: accepted reason %q with note %q", m, reason, note)
		}
		checkSavable(t, "reason for "+string(m), map[string]string{blockNote: note}, maxLengths(modal))
	}
}

func checkFeedbackForm(t *testing.T, state *slack.ViewState) {
	d, _ := readFeedback(state)
	errs := d.validate()
	modal := feedbackModal(feedbackDraft{}, feedbackMeta{})
	checkRefusals(t, "Feedback", errs, modal)
	if len(errs) > 0 {
		return
	}
	if !d.Category.Valid() || strings.TrimSpace(d.Text) == "" {
		t.Fatalf("accepted feedback without a category or text: %+v", d)
	}
	checkSavable(t, "Feedback", map[string]string{blockFeedbackText: d.Text, blockFeedbackCampaign: d.Campaign}, maxLengths(modal))
}

func checkResolution(t *testing.T, state *slack.ViewState) {
	what, problem := readResolution(state)
	limits := map[string]int{blockWhatChanged: domain.MaxResolution}
	switch {
	case problem != "":
		if !clearMessage(problem) {
			t.Fatalf("resolve modal: unclear refusal %q", problem)
		}
	case what == "":
		t.Fatalf("resolve modal: accepted an empty resolution")
	default:
		checkSavable(t, "resolve", map[string]string{blockWhatChanged: what}, limits)
	}
}

func checkSurvey(t *testing.T, state *slack.ViewState) {
	scores, block := readScores(state)
	if block != "" {
		checkRefusals(t, "survey", map[string]string{block: "Choose from 1 to 5."}, surveyModal(domain.SurveyRound{ID: 1}, nil))
		return
	}
	if err := scores.Validate(); err != nil {
		t.Fatalf("survey: accepted %v: %v", scores, err)
	}
}

// checkMetadata: private_metadata of any modal decodes or is refused in
// words (EINVALID), never as an internal error.
func checkMetadata(t *testing.T, meta string) {
	for _, err := range []error{
		second(decodeMeta[formMeta](meta)), second(decodeMeta[moveMeta](meta)), second(decodeMeta[feedbackMeta](meta)),
		second(decodeMeta[resolveMeta](meta)), second(decodeMeta[surveyMeta](meta)),
	} {
		if err != nil && (domain.ErrorCode(err) != domain.EINVALID || !clearMessage(domain.ErrorMessage(err))) {
			t.Fatalf("private_metadata %q: %v", meta, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// checkRefusals: every problem is keyed by an input block of the modal,
// with a clear message.
func checkRefusals(t *testing.T, modal string, errs map[string]string, v slack.ModalViewRequest) {
	t.Helper()
	inputs := inputsOf(v)
	for block, msg := range errs {
		if inputs[block] == nil {
			t.Fatalf("%s: refusal keyed by %q, which is not an input of the modal (Slack would not show it): %q", modal, block, msg)
		}
		if !clearMessage(msg) {
			t.Fatalf("%s: unclear refusal under %s: %q", modal, block, msg)
		}
	}
}

// clearMessage is a sentence a person can act on: not empty, short enough
// to read under an input, and ending like a sentence.
func clearMessage(msg string) bool {
	n := utf8.RuneCountInString(msg)
	return n >= 10 && n <= 300 && strings.ContainsAny(msg[len(msg)-1:], ".!?")
}

// checkSavable: every accepted value is text Postgres keeps, within its
// limit in characters.
func checkSavable(t *testing.T, modal string, values map[string]string, limits map[string]int) {
	t.Helper()
	for block, v := range values {
		if !savable(v) {
			t.Fatalf("%s: accepted %s = %q, which cannot be saved", modal, block, v)
		}
		if max, ok := limits[block]; ok && max > 0 && utf8.RuneCountInString(v) > max {
			t.Fatalf("%s: accepted %s of %d characters, over %d", modal, block, utf8.RuneCountInString(v), max)
		}
	}
}

// initialState is the state of a modal just opened: what each input shows.
func initialState(v slack.ModalViewRequest) *slack.ViewState {
	st := &slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}
	for id, in := range inputsOf(v) {
		var a slack.BlockAction
		switch el := in.Element.(type) {
		case *slack.PlainTextInputBlockElement:
			a.Value = el.InitialValue
		case *slack.SelectBlockElement:
			if el.InitialOption != nil {
				a.SelectedOption = *el.InitialOption
			}
			a.SelectedUser = el.InitialUser
		}
		st.Values[id] = map[string]slack.BlockAction{actionValue: a}
	}
	return st
}

// submissionSeeds are payloads like Slack's for each modal: filled in
// well, filled in badly, and with the odd values Slack's JSON can carry.
func submissionSeeds() [][]byte {
	text := func(v string) map[string]any { return map[string]any{"type": "plain_text_input", "value": v} }
	pick := func(v string) map[string]any {
		return map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v, "text": map[string]any{"type": "plain_text", "text": v}}}
	}
	person := func(u string) map[string]any { return map[string]any{"type": "users_select", "selected_user": u} }
	in := func(pairs ...any) map[string]any {
		values := map[string]any{}
		for i := 0; i < len(pairs); i += 2 {
			values[pairs[i].(string)] = map[string]any{actionValue: pairs[i+1]}
		}
		return values
	}
	scores := map[string]any{}
	for i := range domain.SurveyItems {
		scores[statementBlock(i)] = map[string]any{actionValue: pick("4")}
	}
	views := []map[string]any{
		{"callback_id": CallbackHandoff, "private_metadata": `{"c":"C1","r":"https://hooks.slack.com/x"}`, "values": in(
			blockName, text("Dana Scully"), blockCompany, text("FBI"), blockEmail, text("dana@fbi.example"),
			blockPhone, text("+1 202 555 0143"), blockDirection, pick("to_sales"), blockPriority, pick("hot"),
			blockAssignee, person("UFOX"), blockCRM, text("https://crm.example/7"), blockNotes, text("met at the summit"))},
		{"callback_id": CallbackHandoff, "private_metadata": `{"d":-1}`, "values": in(
			blockName, text(" \u0000 "), blockPhone, text("555\u0000"), blockDirection, pick("sideways"),
			blockAssignee, person("<!channel>"), blockCRM, text("javascript:alert(1)"), blockEmail, text("a@b"))},
		{"callback_id": CallbackHandoff, "values": in(blockName, text("Jane Doe"), blockPhone, text("555\u0000 0143"),
			blockSource, text("web"), blockDirection, pick("to_marketing"), blockPriority, pick("cold"))},
		{"callback_id": CallbackReason, "private_metadata": `{"id":7,"m":"reject","s":"pending"}`, "values": in(
			blockReason, pick("other"), blockNote, text("budget frozen"))},
		{"callback_id": CallbackReason, "private_metadata": `{"id":"7"}`, "values": in(
			blockReason, pick("no_budget"), blockNote, text(strings.Repeat("é", domain.MaxNotes+1)))},
		{"callback_id": CallbackFeedback, "private_metadata": `{"ma":"U1> <!channel"}`, "values": in(
			blockFeedbackCategory, pick("pricing"), blockFeedbackText, text("<!here> too expensive"),
			blockFeedbackCampaign, text("Q3\u0000"), blockFeedbackHandoff, map[string]any{ActionFeedbackHandoff: pick("-3")})},
		{"callback_id": CallbackFeedbackResolve, "private_metadata": `{"id":1}`, "values": in(blockWhatChanged, text("added the SSO page"))},
		{"callback_id": CallbackSurvey, "private_metadata": `{"r":1}`, "values": scores},
		{"callback_id": CallbackSurvey, "private_metadata": `not json`, "values": in(statementBlock(0), pick("6"))},
	}
	var out [][]byte
	for _, v := range views {
		view := map[string]any{"id": "V1", "type": "modal", "callback_id": v["callback_id"],
			"private_metadata": v["private_metadata"], "state": map[string]any{"values": v["values"]}}
		out = append(out, mustMarshal(map[string]any{"type": "view_submission", "user": map[string]any{"id": "UFOX"}, "view": view}))
	}
	// One with the blocks of the real form, which slack-go decodes too.
	withBlocks := map[string]any{"type": "view_submission", "user": map[string]any{"id": "UFOX"},
		"view": handoffModal(form{Draft: Draft{Name: "x"}, Direction: domain.ToSales, Priority: domain.Warm}, formMeta{}, nil)}
	out = append(out, mustMarshal(withBlocks), []byte(`{"type":"view_submission","view":{"state":null}}`),
		[]byte(`{"type":"view_submission","view":{"state":{"values":{"lead_name":{"value":{"value":"\ud800"}}}}}}`))
	return out
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// The readers take what each modal shows as it is drawn: a form opened
// prefilled and submitted unchanged is read back as it was drawn.
func TestFormsReadBackWhatTheyShow(t *testing.T) {
	f := form{Draft: Draft{Name: "Dana Scully", Company: "FBI", Email: "dana@fbi.example", Assignee: "UFOX", Notes: "x"},
		Source: "web", Campaign: "Q3", Direction: domain.ToMarketing, Priority: domain.Cold}
	if got := readForm(initialState(handoffModal(f, formMeta{}, nil))); !reflect.DeepEqual(got, f) {
		t.Errorf("New handoff reads back %+v, want %+v", got, f)
	}
	d := feedbackDraft{Category: domain.Category("pricing"), Text: "too expensive", Campaign: "Q3"}
	if got, id := readFeedback(initialState(feedbackModal(d, feedbackMeta{}))); !reflect.DeepEqual(got, d) || id != 0 {
		t.Errorf("Feedback reads back %+v (handoff %d), want %+v", got, id, d)
	}
}
