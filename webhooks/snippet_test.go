package webhooks_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/handoffbot/handoffbot/webhooks"
)

// The Go snippet of docs/api.md, verbatim: TestDocSnippetsMatchVerify
// checks that the document still shows exactly this function.

// verify reports whether header (Handoff-Signature) signs body with
// secret, within five minutes of now.
func verify(secret, header string, body []byte, now time.Time) bool {
	f := map[string]string{}
	for _, kv := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		f[k] = v
	}
	t, err := strconv.ParseInt(f["t"], 10, 64)
	if err != nil || now.Sub(time.Unix(t, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(f["t"] + "." + string(body)))
	sig, err := hex.DecodeString(f["v1"])
	return err == nil && hmac.Equal(sig, mac.Sum(nil))
}

// snippetCase is one delivery a receiver might see.
type snippetCase struct {
	Header string `json:"header"`
	Body   string `json:"body"`
	Now    int64  `json:"now"`
}

// snippetCases are the deliveries both snippets and Verify must judge
// alike. (Verify also accepts any of several v1 signatures, for secret
// rotation; the snippets take the last, which is all the sender sends.)
func snippetCases() []snippetCase {
	body := `{"id":"evt_1","type":"handoff.created","note":"Größe \u2713"}`
	good := webhooks.Sign(secret, sentAt, []byte(body))
	sig := good[strings.Index(good, "v1=")+3:]
	at := sentAt.Unix()
	return []snippetCase{
		{good, body, at},
		{good, body, at + 300},
		{good, body, at - 300},
		{good, body, at + 301},
		{good, body, at - 301},
		{good, body + " ", at},
		{good, strings.Replace(body, "created", "accepted", 1), at},
		{webhooks.Sign("another secret", sentAt, []byte(body)), body, at},
		{strings.Replace(good, "t=", "t=1", 1), body, at},
		{"t=" + strconv.FormatInt(at, 10) + ", v1=" + strings.ToUpper(sig), body, at},
		{"v1=" + sig + ",t=" + strconv.FormatInt(at, 10), body, at},
		{good + ",v0=deadbeef", body, at},
		{"", body, at},
		{"t=" + strconv.FormatInt(at, 10), body, at},
		{"v1=" + sig, body, at},
		{"t=soon,v1=" + sig, body, at},
		{"t=" + strconv.FormatInt(at, 10) + ",v1=not-hex", body, at},
		{"t=" + strconv.FormatInt(at, 10) + ",v1=" + sig[:10], body, at},
	}
}

func TestDocSnippetsMatchVerify(t *testing.T) {
	doc, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	goSnippet := mustSnippet(t, string(doc), "verify-go", "go")
	self, err := os.ReadFile("snippet_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(self), goSnippet) {
		t.Errorf("docs/api.md's Go snippet is not the verify function of this file:\n%s", goSnippet)
	}
	cases := snippetCases()
	want := make([]bool, len(cases))
	for i, c := range cases {
		want[i] = webhooks.Verify(secret, c.Header, []byte(c.Body), 5*time.Minute, time.Unix(c.Now, 0)) == nil
		if got := verify(secret, c.Header, []byte(c.Body), time.Unix(c.Now, 0)); got != want[i] {
			t.Errorf("case %d %+v: Go snippet says %v, Verify %v", i, c, got, want[i])
		}
	}
	if !want[0] || want[3] {
		t.Fatal("the cases do not cover both answers")
	}
	checkPython(t, mustSnippet(t, string(doc), "verify-python", "python"), cases, want)
}

// checkPython runs the document's Python snippet over the cases.
func checkPython(t *testing.T, snippet string, cases []snippetCase, want []bool) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the Python snippet is not checked")
	}
	input, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	driver := snippet + `
import json, sys
results = []
for c in json.load(sys.stdin):
    time.time = lambda: c["now"]
    results.append(verify("` + secret + `", c["header"], c["body"].encode()))
print(json.dumps(results))
`
	cmd := exec.Command(python, "-c", driver)
	cmd.Stdin = strings.NewReader(string(input))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python snippet: %v", err)
	}
	var got []bool
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python snippet printed %s: %v", out, err)
	}
	for i := range cases {
		if got[i] != want[i] {
			t.Errorf("case %d %+v: Python snippet says %v, Verify %v", i, cases[i], got[i], want[i])
		}
	}
}

// mustSnippet is the code block after "<!-- snippet: name -->" in doc.
func mustSnippet(t *testing.T, doc, name, lang string) string {
	t.Helper()
	_, rest, ok := strings.Cut(doc, "<!-- snippet: "+name+" -->\n```"+lang+"\n")
	if !ok {
		t.Fatalf("docs/api.md has no %s snippet %q", lang, name)
	}
	code, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatalf("snippet %q is not closed", name)
	}
	return code
}
