package fakeslack

import (
	"strings"
	"testing"
)

func TestMrkdwnProblems(t *testing.T) {
	for _, ok := range []string{
		"Handed off *Dana* to <@UFOX> in <#CHANDOFF> by <!date^1765098000^{date_short_pretty} {time}|Mon 7 Dec 09:00>.",
		"<https://example.slack.com/archives/C1/p1?a=1&amp;b=2|Open the card> · a &amp; b &lt;3 &gt; 2",
		"<mailto:dana@fbi.example|dana@fbi.example>, team <!subteam^S0SALES>",
	} {
		if p := MrkdwnProblems(ok); len(p) > 0 {
			t.Errorf("%q: %v", ok, p)
		}
	}
	for _, bad := range []string{
		"due in < 1 m (<https://x.example|Open the card>)", // swallows up to the link
		"<!channel> please look",
		"Lead name: <@U0MGR",
		"Tom & Jerry",
		"2 > 1",
		"<https://x.example|Tom & Jerry>",
	} {
		if p := MrkdwnProblems(bad); len(p) == 0 {
			t.Errorf("%q passed", bad)
		} else if !strings.Contains(strings.Join(p, " "), "unescaped") {
			t.Errorf("%q: %v", bad, p)
		}
	}
}
