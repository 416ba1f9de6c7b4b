package markup

import "testing"

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"<!channel> & <@U1>":    "&lt;!channel&gt; &amp; &lt;@U1&gt;",
		"*bold* _it_ `code`":    "*bold* _it_ `code`",
		"already &amp; escaped": "already &amp;amp; escaped",
		"":                      "",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}
