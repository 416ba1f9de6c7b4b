package handlers

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/handoffbot/handoffbot/domain"
)

func TestFeedbackDraftValidation(t *testing.T) {
	ok := feedbackDraft{Category: "product", Text: "customers keep asking about SSO"}
	for name, c := range map[string]struct {
		d     feedbackDraft
		block string
		want  string
	}{
		"no category":       {feedbackDraft{Text: "x"}, blockFeedbackCategory, "Choose a category"},
		"unknown category":  {feedbackDraft{Category: "gossip", Text: "x"}, blockFeedbackCategory, "Choose a category"},
		"blank":             {feedbackDraft{Category: "product", Text: " \n\t "}, blockFeedbackText, "cannot be empty"},
		"too long":          {feedbackDraft{Category: "product", Text: strings.Repeat("é", domain.MaxFeedback+1)}, blockFeedbackText, "this is 3001"},
		"NUL":               {feedbackDraft{Category: "product", Text: "a\x00b"}, blockFeedbackText, "cannot be saved"},
		"long campaign":     {feedbackDraft{Category: "product", Text: "x", Campaign: strings.Repeat("c", domain.MaxField+1)}, blockFeedbackCampaign, "under 200"},
		"invalid utf8 camp": {feedbackDraft{Category: "product", Text: "x", Campaign: "\xff"}, blockFeedbackCampaign, "cannot be saved"},
	} {
		errs := c.d.validate()
		if !strings.Contains(errs[c.block], c.want) || len(errs) != 1 {
			t.Errorf("%s: errors %v, want only %s: %q", name, errs, c.block, c.want)
		}
	}
	if errs := ok.validate(); len(errs) != 0 {
		t.Errorf("valid draft refused: %v", errs)
	}
	exact := feedbackDraft{Category: "other", Text: strings.Repeat("é", domain.MaxFeedback)}
	if errs := exact.validate(); len(errs) != 0 {
		t.Errorf("feedback of exactly %d characters refused: %v", domain.MaxFeedback, errs)
	}
}

func TestPlainFromSlack(t *testing.T) {
	for in, want := range map[string]string{
		"customers keep asking about SSO":                            "customers keep asking about SSO",
		"<@U123|fox> says <https://acme.example|the site>":           "@fox says the site (https://acme.example)",
		"ask <@U123> in <#C42|sales> <!here>":                        "ask @U123 in #sales @here",
		"<mailto:a@b.example|a@b.example> &amp; <https://x.example>": "a@b.example & https://x.example",
		"1 &lt; 2 &gt; 0": "1 < 2 > 0",
	} {
		if got := plainFromSlack(in); got != want {
			t.Errorf("plainFromSlack(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTSTime(t *testing.T) {
	def := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := tsTime("1764190000.000100", def); !got.Equal(time.Unix(1764190000, 100_000)) {
		t.Errorf("tsTime = %v", got)
	}
	for _, bad := range []string{"", "abc", "1764190000", "1764190000.1", "-5.000001"} {
		if got := tsTime(bad, def); !got.Equal(def) {
			t.Errorf("tsTime(%q) = %v, want the default", bad, got)
		}
	}
}

// The root shows typed text as text and stays within Slack's limits
// however long the escaped text gets; a long lead name still fits an
// option.
func TestFeedbackRootIsEscapedAndFits(t *testing.T) {
	f := domain.Feedback{ID: 7, Category: "competitor", Text: strings.Repeat("<&>", 1000), CreatedBy: "UFOX",
		Campaign: "<!here>", State: domain.FeedbackResolved, ResolvedBy: "UMON", Resolution: strings.Repeat("<b>", 1000),
		CreatedAt: time.Unix(1764190000, 0)}
	h := &domain.Handoff{ID: 3, Lead: domain.Lead{Name: strings.Repeat("Long name ", 30), Company: "<Acme>"}, State: domain.StatePending}
	fallback, blocks := feedbackRoot(f, h)
	if strings.ContainsAny(strings.ReplaceAll(fallback, "<@UFOX>", ""), "<>") {
		t.Errorf("fallback not escaped: %q", fallback)
	}
	for _, b := range blocks {
		var text string
		switch b := b.(type) {
		case *slack.SectionBlock:
			text = b.Text.Text
		case *slack.ContextBlock:
			text = b.ContextElements.Elements[0].(*slack.TextBlockObject).Text
		case *slack.ActionBlock:
			t.Errorf("resolved feedback has buttons")
		}
		if n := utf8.RuneCountInString(text); n > maxSectionText {
			t.Errorf("%s block of %d characters", b.BlockType(), n)
		}
		if strings.Contains(text, "<!here>") || strings.Contains(text, "<b>") || strings.Contains(text, "<&>") {
			t.Errorf("unescaped text in %s: %.80q", b.BlockType(), text)
		}
	}
	opt := handoffOption(*h)
	if n := utf8.RuneCountInString(opt.Text.Text); n > maxOptionText || !strings.HasSuffix(opt.Text.Text, "· Pending") {
		t.Errorf("option %q (%d characters)", opt.Text.Text, n)
	}
}
