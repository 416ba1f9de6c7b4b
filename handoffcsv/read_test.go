package handoffcsv

import (
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/domain"
)

const (
	t0 = "2026-03-02T09:00:00Z" // the base row's created_at
	t1 = "2026-03-02T10:00:00Z"
	t2 = "2026-03-03T10:00:00Z"
	t3 = "2026-03-04T10:00:00Z"
	t4 = "2026-03-05T10:00:00Z"
)

var (
	rejectCodes = "not_reachable, bad_data, no_need, no_budget, not_a_fit, duplicate, already_customer, other"
	lostCodes   = "no_decision, competitor, price, timing, other"
	returnCodes = "not_ready, no_response, wrong_contact, nurture_requested, other"
)

// TestReadValidation: each rule, with its exact message, on a one-row file
// (the row is line 2). A case with no problems must be accepted.
func TestReadValidation(t *testing.T) {
	long := func(s string, n int) string { return strings.Repeat(s, n) }
	cases := []struct {
		name string
		row  cells
		want []string // problems, rendered
	}{
		{"valid pending", with(), nil},

		{"external_id required", with("external_id", ""), []string{`line 2, column external_id: is required`}},
		{"external_id at the limit", with("external_id", long("x", 200)), nil},
		{"external_id too long", with("external_id", long("x", 201)),
			[]string{`line 2, column external_id: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…" is 201 characters long; the limit is 200`}},

		{"created_at required", with("created_at", ""),
			[]string{`line 2, column created_at: is required (an RFC 3339 time such as 2026-03-02T15:04:05Z)`}},
		{"created_at not RFC 3339", with("created_at", "2026-03-02 09:00"),
			[]string{`line 2, column created_at: "2026-03-02 09:00" is not an RFC 3339 time such as 2026-03-02T15:04:05Z`}},
		{"created_at date only", with("created_at", "2026-03-02"),
			[]string{`line 2, column created_at: "2026-03-02" is not an RFC 3339 time such as 2026-03-02T15:04:05Z`}},
		{"created_at with a one-digit hour", with("created_at", "2026-03-02T9:00:00Z"),
			[]string{`line 2, column created_at: "2026-03-02T9:00:00Z" is not an RFC 3339 time such as 2026-03-02T15:04:05Z`}},
		{"created_at with a decimal comma", with("created_at", "2026-03-02T09:00:00,5Z"),
			[]string{`line 2, column created_at: "2026-03-02T09:00:00,5Z" is not an RFC 3339 time such as 2026-03-02T15:04:05Z`}},
		{"created_at with a dot and no fraction", with("created_at", "2026-03-02T09:00:00.Z"),
			[]string{`line 2, column created_at: "2026-03-02T09:00:00.Z" is not an RFC 3339 time such as 2026-03-02T15:04:05Z`}},
		{"created_at in year 0", with("created_at", "0000-01-01T00:00:00Z"),
			[]string{`line 2, column created_at: "0000-01-01T00:00:00Z" is outside the years 0001 to 9999`}},
		{"created_at with nanoseconds", with("created_at", "2026-03-02T09:00:00.123456789Z"), nil},
		{"created_at with offset", with("created_at", "2026-03-02T10:00:00+01:00", "state", "accepted", "accepted_at", t0), nil},
		{"created_at past year 9999 in UTC", with("created_at", "9999-12-31T23:00:00-02:00"),
			[]string{`line 2, column created_at: "9999-12-31T23:00:00-02:00" is outside the years 0001 to 9999`}},

		{"direction required", with("direction", ""), []string{`line 2, column direction: is required (to_sales or to_marketing)`}},
		{"direction unknown", with("direction", "sales"), []string{`line 2, column direction: "sales" is not a direction (to_sales or to_marketing)`}},
		{"direction upper case", with("direction", "TO_SALES"), []string{`line 2, column direction: "TO_SALES" is not a direction (to_sales or to_marketing)`}},
		{"direction to_marketing", with("direction", "to_marketing"), nil},

		{"lead_name required", with("lead_name", ""), []string{`line 2, column lead_name: is required`}},
		{"lead_name at the limit in characters", with("lead_name", long("é", domain.MaxLeadName)), nil},
		{"lead_name too long", with("lead_name", long("é", domain.MaxLeadName+1)),
			[]string{`line 2, column lead_name: "éééééééééééééééééééééééééééééééééééééééé…" is 201 characters long; the limit is 200`}},
		{"company too long", with("company", long("c", 201)),
			[]string{`line 2, column company: "cccccccccccccccccccccccccccccccccccccccc…" is 201 characters long; the limit is 200`}},
		{"phone too long", with("phone", long("1", 201)),
			[]string{`line 2, column phone: "1111111111111111111111111111111111111111…" is 201 characters long; the limit is 200`}},
		{"source too long", with("source", long("s", 201)),
			[]string{`line 2, column source: "ssssssssssssssssssssssssssssssssssssssss…" is 201 characters long; the limit is 200`}},
		{"campaign too long", with("campaign", long("k", 201)),
			[]string{`line 2, column campaign: "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…" is 201 characters long; the limit is 200`}},
		{"optional text empty", with("company", "", "email", "", "phone", "", "source", "", "campaign", ""), nil},

		{"email incomplete", with("email", "jane@"), []string{`line 2, column email: "jane@" is not an email address`}},
		{"email with a name", with("email", "Jane <jane@acme.example>"),
			[]string{`line 2, column email: "Jane <jane@acme.example>" is not an email address`}},
		{"email with spaces", with("email", " jane@acme.example"), []string{`line 2, column email: " jane@acme.example" is not an email address`}},
		{"email without a dot", with("email", "jane@localhost"), []string{`line 2, column email: "jane@localhost" is not an email address`}},
		{"email plus tag", with("email", "jane+news@acme.example"), nil},

		{"created_by required", with("created_by", ""), []string{`line 2, column created_by: is required (a Slack user ID such as U012AB3CD)`}},
		{"assignee not a user ID", with("assignee", "bob"), []string{`line 2, column assignee: "bob" is not a Slack user ID such as U012AB3CD`}},
		{"assignee a mention", with("assignee", "<@U01REP>"), []string{`line 2, column assignee: "<@U01REP>" is not a Slack user ID such as U012AB3CD`}},
		{"assignee a W ID", with("assignee", "W01REP"), nil},

		{"priority required", with("priority", ""), []string{`line 2, column priority: is required (hot, warm or cold)`}},
		{"priority upper case", with("priority", "HOT"), []string{`line 2, column priority: "HOT" is not a priority (hot, warm or cold)`}},
		{"state required", with("state", ""),
			[]string{`line 2, column state: is required (pending, accepted, contacted, qualified, won, lost, rejected, returned)`}},
		{"state unknown", with("state", "open"),
			[]string{`line 2, column state: "open" is not a state (pending, accepted, contacted, qualified, won, lost, rejected, returned)`}},

		{"notes at the limit", with("notes", long("n", domain.MaxNotes)), nil},
		{"notes too long", with("notes", long("n", domain.MaxNotes+1)),
			[]string{`line 2, column notes: "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn…" is 3001 characters long; the limit is 3000`}},
		{"reason_note too long", with("state", "rejected", "rejected_at", t1, "reject_reason", "other", "reason_note", long("r", domain.MaxNotes+1)),
			[]string{`line 2, column reason_note: "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr…" is 3001 characters long; the limit is 3000`}},
		{"invalid UTF-8", with("lead_name", "Jos\xe9"), []string{`line 2, column lead_name: "Jos\xe9" is not valid UTF-8 (save the file as CSV UTF-8)`}},
		{"NUL byte", with("notes", "a\x00b"), []string{`line 2, column notes: "a\x00b" contains a NUL byte`}},
		{"NUL in a time", with("state", "accepted", "accepted_at", t1+"\x00"),
			[]string{`line 2, column accepted_at: "2026-03-02T10:00:00Z\x00" contains a NUL byte`}},

		// States and their times.
		{"pending with a decision", with("accepted_at", t1),
			[]string{`line 2, column accepted_at: must be empty when state is pending; found "2026-03-02T10:00:00Z"`}},
		{"pending with a bad decision time", with("accepted_at", "soon"),
			[]string{`line 2, column accepted_at: "soon" is not an RFC 3339 time such as 2026-03-02T15:04:05Z`}},
		{"accepted", with("state", "accepted", "accepted_at", t1), nil},
		{"accepted at creation", with("state", "accepted", "accepted_at", t0), nil},
		{"accepted without accepted_at", with("state", "accepted"), []string{`line 2, column accepted_at: is required when state is accepted`}},
		{"accepted with a later stage", with("state", "accepted", "accepted_at", t1, "first_touch_at", t2),
			[]string{`line 2, column first_touch_at: must be empty when state is accepted; found "2026-03-03T10:00:00Z"`}},
		{"accepted with rejected_at", with("state", "accepted", "accepted_at", t1, "rejected_at", t1),
			[]string{`line 2, column rejected_at: must be empty when state is accepted; found "2026-03-02T10:00:00Z"`}},
		{"accepted before creation", with("state", "accepted", "accepted_at", "2026-03-02T08:59:59.999999Z"),
			[]string{`line 2, column accepted_at: "2026-03-02T08:59:59.999999Z" is before created_at "2026-03-02T09:00:00Z"`}},

		{"rejected", with("state", "rejected", "rejected_at", t1, "reject_reason", "no_budget"), nil},
		{"rejected with a note", with("state", "rejected", "rejected_at", t1, "reject_reason", "duplicate", "reason_note", "see ext-0"), nil},
		{"rejected other", with("state", "rejected", "rejected_at", t1, "reject_reason", "other", "reason_note", "student project"), nil},
		{"rejected bare", with("state", "rejected"), []string{
			`line 2, column rejected_at: is required when state is rejected`,
			`line 2, column reject_reason: is required when state is rejected (` + rejectCodes + `)`}},
		{"rejected unknown reason", with("state", "rejected", "rejected_at", t1, "reject_reason", "spam"),
			[]string{`line 2, column reject_reason: "spam" is not a reject reason (` + rejectCodes + `)`}},
		{"rejected with a lost reason", with("state", "rejected", "rejected_at", t1, "reject_reason", "price"),
			[]string{`line 2, column reject_reason: "price" is not a reject reason (` + rejectCodes + `)`}},
		{"rejected other without a note", with("state", "rejected", "rejected_at", t1, "reject_reason", "other"),
			[]string{`line 2, column reason_note: is required when reject_reason is other`}},
		{"rejected after accepting", with("state", "rejected", "accepted_at", t1, "rejected_at", t1, "reject_reason", "no_need"),
			[]string{`line 2, column accepted_at: must be empty when state is rejected; found "2026-03-02T10:00:00Z"`}},
		{"rejected with close_reason", with("state", "rejected", "rejected_at", t1, "reject_reason", "no_need", "close_reason", "price"),
			[]string{`line 2, column close_reason: must be empty when state is rejected; found "price"`}},
		{"rejected before creation", with("state", "rejected", "rejected_at", "2026-03-01T09:00:00Z", "reject_reason", "no_need"),
			[]string{`line 2, column rejected_at: "2026-03-01T09:00:00Z" is before created_at "2026-03-02T09:00:00Z"`}},

		{"contacted", with("state", "contacted", "accepted_at", t1, "first_touch_at", t2), nil},
		{"contacted without a touch", with("state", "contacted", "accepted_at", t1),
			[]string{`line 2, column first_touch_at: is required when state is contacted`}},
		{"contacted touched before accepting", with("state", "contacted", "accepted_at", t2, "first_touch_at", t1),
			[]string{`line 2, column first_touch_at: "2026-03-02T10:00:00Z" is before accepted_at "2026-03-03T10:00:00Z"`}},
		{"contacted with a reason", with("state", "contacted", "accepted_at", t1, "first_touch_at", t2, "reject_reason", "no_need"),
			[]string{`line 2, column reject_reason: must be empty when state is contacted; found "no_need"`}},

		{"qualified", with("state", "qualified", "accepted_at", t1, "first_touch_at", t2, "qualified_at", t3), nil},
		{"qualified without qualified_at", with("state", "qualified", "accepted_at", t1, "first_touch_at", t2),
			[]string{`line 2, column qualified_at: is required when state is qualified`}},
		{"qualified with closed_at", with("state", "qualified", "accepted_at", t1, "first_touch_at", t2, "qualified_at", t3, "closed_at", t4),
			[]string{`line 2, column closed_at: must be empty when state is qualified; found "2026-03-05T10:00:00Z"`}},

		{"won", with("state", "won", "accepted_at", t1, "first_touch_at", t2, "qualified_at", t3, "closed_at", t4), nil},
		{"won all at once", with("state", "won", "accepted_at", t0, "first_touch_at", t0, "qualified_at", t0, "closed_at", t0), nil},
		{"won with a reason", with("state", "won", "accepted_at", t1, "first_touch_at", t2, "qualified_at", t3, "closed_at", t4, "close_reason", "price"),
			[]string{`line 2, column close_reason: must be empty when state is won; found "price"`}},
		{"won with a note", with("state", "won", "accepted_at", t1, "first_touch_at", t2, "qualified_at", t3, "closed_at", t4, "reason_note", "yay"),
			[]string{`line 2, column reason_note: must be empty when state is won (it explains a reason); found "yay"`}},
		{"won without closing or qualifying", with("state", "won", "accepted_at", t1, "first_touch_at", t2), []string{
			`line 2, column qualified_at: is required when state is won`,
			`line 2, column closed_at: is required when state is won`}},
		{"won closed before qualified", with("state", "won", "accepted_at", t1, "first_touch_at", t2, "qualified_at", t4, "closed_at", t3),
			[]string{`line 2, column closed_at: "2026-03-04T10:00:00Z" is before qualified_at "2026-03-05T10:00:00Z"`}},

		{"lost from accepted", with("state", "lost", "accepted_at", t1, "closed_at", t2, "close_reason", "no_decision"), nil},
		{"lost from contacted", with("state", "lost", "accepted_at", t1, "first_touch_at", t2, "closed_at", t3, "close_reason", "competitor"), nil},
		{"lost from qualified", with("state", "lost", "accepted_at", t1, "first_touch_at", t2, "qualified_at", t3, "closed_at", t4, "close_reason", "price", "reason_note", "20% over"), nil},
		{"lost other", with("state", "lost", "accepted_at", t1, "closed_at", t2, "close_reason", "other", "reason_note", "acquired"), nil},
		{"lost qualified without a touch", with("state", "lost", "accepted_at", t1, "qualified_at", t3, "closed_at", t4, "close_reason", "price"),
			[]string{`line 2, column first_touch_at: is required when state is lost and qualified_at is set`}},
		{"lost without accepting", with("state", "lost", "closed_at", t2, "close_reason", "timing"),
			[]string{`line 2, column accepted_at: is required when state is lost`}},
		{"lost without closing", with("state", "lost", "accepted_at", t1, "close_reason", "timing"),
			[]string{`line 2, column closed_at: is required when state is lost`}},
		{"lost without a reason", with("state", "lost", "accepted_at", t1, "closed_at", t2),
			[]string{`line 2, column close_reason: is required when state is lost (` + lostCodes + `)`}},
		{"lost with a return reason", with("state", "lost", "accepted_at", t1, "closed_at", t2, "close_reason", "not_ready"),
			[]string{`line 2, column close_reason: "not_ready" is not a lost reason (` + lostCodes + `)`}},
		{"lost other without a note", with("state", "lost", "accepted_at", t1, "closed_at", t2, "close_reason", "other"),
			[]string{`line 2, column reason_note: is required when close_reason is other`}},
		{"lost with reject fields", with("state", "lost", "accepted_at", t1, "rejected_at", t1, "reject_reason", "no_need", "closed_at", t2, "close_reason", "price"), []string{
			`line 2, column rejected_at: must be empty when state is lost; found "2026-03-02T10:00:00Z"`,
			`line 2, column reject_reason: must be empty when state is lost; found "no_need"`}},

		{"returned from accepted", with("state", "returned", "accepted_at", t1, "closed_at", t2, "close_reason", "not_ready"), nil},
		{"returned from contacted", with("state", "returned", "accepted_at", t1, "first_touch_at", t2, "closed_at", t3, "close_reason", "no_response"), nil},
		{"returned to_marketing", with("direction", "to_marketing", "state", "returned", "accepted_at", t1, "closed_at", t2, "close_reason", "wrong_contact"), nil},
		{"returned other", with("state", "returned", "accepted_at", t1, "closed_at", t2, "close_reason", "other", "reason_note", "wants a webinar first"), nil},
		{"returned from qualified", with("state", "returned", "accepted_at", t1, "first_touch_at", t2, "qualified_at", t3, "closed_at", t4, "close_reason", "not_ready"),
			[]string{`line 2, column qualified_at: must be empty when state is returned; found "2026-03-04T10:00:00Z"`}},
		{"returned with a lost reason", with("state", "returned", "accepted_at", t1, "closed_at", t2, "close_reason", "price"),
			[]string{`line 2, column close_reason: "price" is not a return reason (` + returnCodes + `)`}},
		{"returned before the touch", with("state", "returned", "accepted_at", t1, "first_touch_at", t3, "closed_at", t2, "close_reason", "not_ready"),
			[]string{`line 2, column closed_at: "2026-03-03T10:00:00Z" is before first_touch_at "2026-03-04T10:00:00Z"`}},

		{"reason_note without a reason", with("reason_note", "why not"),
			[]string{`line 2, column reason_note: must be empty when state is pending (it explains a reason); found "why not"`}},
		{"times before creation and each other", with("created_at", t4, "state", "contacted", "accepted_at", t1, "first_touch_at", t2), []string{
			`line 2, column accepted_at: "2026-03-02T10:00:00Z" is before created_at "2026-03-05T10:00:00Z"`,
			`line 2, column first_touch_at: "2026-03-03T10:00:00Z" is before created_at "2026-03-05T10:00:00Z"`}},
		{"bad state skips the state rules", with("state", "done", "accepted_at", t1, "close_reason", "x"),
			[]string{`line 2, column state: "done" is not a state (pending, accepted, contacted, qualified, won, lost, rejected, returned)`}},
		{"every problem of a row, in column order", with("external_id", "", "state", "accepted", "email", "x", "priority", "", "direction", "up"), []string{
			`line 2, column external_id: is required`,
			`line 2, column direction: "up" is not a direction (to_sales or to_marketing)`,
			`line 2, column email: "x" is not an email address`,
			`line 2, column priority: is required (hot, warm or cold)`,
			`line 2, column accepted_at: is required when state is accepted`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := csvFile(t, nil, tc.row)
			if tc.want == nil {
				if hs := mustRead(t, file); len(hs) != 1 {
					t.Fatalf("%d rows, want 1", len(hs))
				}
				return
			}
			checkProblems(t, mustProblems(t, file), tc.want...)
		})
	}
}

// TestReadRow: a valid row becomes exactly this handoff.
func TestReadRow(t *testing.T) {
	file := csvFile(t, nil, with("external_id", "crm-77", "created_at", "2026-03-02T10:00:00.123456+01:00",
		"direction", "to_marketing", "lead_name", "Zoë Ångström", "company", "", "email", "", "priority", "cold",
		"state", "lost", "accepted_at", t1, "first_touch_at", "2026-03-02T11:00:00Z", "closed_at", t4,
		"close_reason", "other", "reason_note", "went\r\ndark", "notes", "a,\"b\"\nc"))
	got := mustRead(t, file)
	at := func(s string) *time.Time {
		v, _ := time.Parse(time.RFC3339, s)
		return &v
	}
	want := []domain.Handoff{{
		ExternalID: "crm-77",
		Lead:       domain.Lead{Name: "Zoë Ångström", Phone: "+1 555 0100"},
		Direction:  domain.ToMarketing, State: domain.StateLost, Priority: domain.Cold,
		Source: "web", Campaign: "spring", Notes: "a,\"b\"\nc", CreatedBy: "U01MKT", Assignee: "U01REP",
		CreatedAt:  time.Date(2026, 3, 2, 9, 0, 0, 123456000, time.UTC),
		AcceptedAt: at(t1), FirstTouchAt: at("2026-03-02T11:00:00Z"), ClosedAt: at(t4),
		CloseReason: "other", ReasonNote: "went\ndark",
	}}
	if d := diffHandoffs(got, want); d != "" {
		t.Error(d)
	}
	if got[0].CreatedAt.Location() != time.UTC {
		t.Errorf("created_at in %v, want UTC", got[0].CreatedAt.Location())
	}
}

// TestReadEveryBadRow: bad rows on lines 7 and 9 of a longer file are both
// reported, and nothing else is.
func TestReadEveryBadRow(t *testing.T) {
	var rows []cells
	for i := range 10 {
		rows = append(rows, with("external_id", "ext-"+string(rune('a'+i))))
	}
	rows[5]["email"] = "jane@"       // line 7
	rows[7]["state"] = "accepted"    // line 9
	rows[7]["external_id"] = "ext-a" // line 9 repeats line 2
	checkProblems(t, mustProblems(t, csvFile(t, nil, rows...)),
		`line 7, column email: "jane@" is not an email address`,
		`line 9, column external_id: "ext-a" is already used on line 2`,
		`line 9, column accepted_at: is required when state is accepted`)
}

// TestReadLineNumbers: multi-line cells push later rows down, and a record
// is reported at the line it starts on.
func TestReadLineNumbers(t *testing.T) {
	file := csvFile(t, nil,
		with("external_id", "a", "notes", "one\ntwo\nthree"),       // lines 2-4
		with("external_id", "b", "lead_name", "", "notes", "x\ny"), // lines 5-6
		with("external_id", "c", "email", "nope"),                  // line 7
	)
	checkProblems(t, mustProblems(t, file),
		`line 5, column lead_name: is required`,
		`line 7, column email: "nope" is not an email address`)

	// The same with CRLF line endings, a BOM and blank lines between rows.
	crlf := "\uFEFF" + strings.ReplaceAll(file, "\n", "\r\n")
	crlf = strings.Replace(crlf, "\r\nc,", "\r\n\r\n\r\nc,", 1) // two blank lines before row c: line 9
	checkProblems(t, mustProblems(t, crlf),
		`line 5, column lead_name: is required`,
		`line 9, column email: "nope" is not an email address`)
}
