package domain

import "testing"

// A sink is named without what a webhook URL hides in its path, query or
// user information.
func TestSinkLabel(t *testing.T) {
	for in, want := range map[string]string{
		"https://hooks.zapier.example/hooks/catch/123/abc":    "https://hooks.zapier.example/…",
		"https://user:pass@hooks.example:8443/x?token=SECRET": "https://hooks.example:8443/…",
		"http://127.0.0.1:9000":                               "http://127.0.0.1:9000/…",
		"hubspot":                                             "hubspot",
		"not a url/SECRET":                                    "(invalid URL)",
		"http://[::1":                                         "(invalid URL)",
		"":                                                    "(invalid URL)",
	} {
		if got := SinkLabel(in); got != want {
			t.Errorf("SinkLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
