package nudges

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func mustCompileFile(t testing.TB, path string) *Matcher {
	t.Helper()
	rs, err := LoadRulesFile(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	m, err := Compile(rs)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return m
}

// summary renders matches as "rule[text]" for compact table tests.
func summary(ms []Match) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%s[%s]", m.Rule.ID, m.Text)
	}
	return strings.Join(parts, " ")
}

func TestMatchText(t *testing.T) {
	m := mustCompileFile(t, "testdata/basic.yaml")
	tests := []struct {
		name, text, want string
	}{
		{"plain", "just do it", "just-do-it[just do it]"},
		{"case", "JUST Do It.", "just-do-it[JUST Do It]"},
		{"curly apostrophe", "I don’t have to explain myself", "no-explanation-owed[I don’t have to explain myself]"},
		{"modifier apostrophe", "I donʼt have to explain myself", "no-explanation-owed[I donʼt have to explain myself]"},
		{"expanded contraction", "i do not have to explain anything", "no-explanation-owed[i do not have to explain anything]"},
		{"no apostrophe", "i dont owe anyone an explanation", "no-explanation-owed[i dont owe anyone an explanation]"},
		{"contracted in text, expanded in phrase", "that is how we have always done it", "how-weve-always[that is how we have always done it]"},
		{"mixed contraction", "Thats how we've always done it!", "how-weve-always[Thats how we've always done it]"},
		{"nbsp and newline", "just\u00a0do\n it", "just-do-it[just\u00a0do\n it]"},
		{"runs of whitespace", "just   do \t it", "just-do-it[just   do \t it]"},
		{"mrkdwn emphasis", "*just* _do_ ~it~", "just-do-it[just* _do_ ~it]"},
		{"entity", "you &amp; me: just do it", "just-do-it[just do it]"},
		{"overlapping phrases both found", "just do it now please", "just-do-it[just do it] just-do-it-now[just do it now]"},
		{"each rule once", "just do it. just do it.", "just-do-it[just do it]"},
		{"word boundary after", "just do items", ""},
		{"word boundary before", "adjust do it", ""},
		{"unicode boundary before", "éjust do it", ""},
		{"unicode boundary after", "just do itß", ""},
		{"apostrophe word after", "just do it's thing", ""},
		{"unicode phrase", "the CAFÉ policy is", "cafe-rule[CAFÉ policy]"},
		{"decomposed unicode", "the cafe\u0301 policy is", "cafe-rule[cafe\u0301 policy]"},
		{"fullwidth letters", "ｊｕｓｔ ｄｏ ｉｔ", "just-do-it[ｊｕｓｔ ｄｏ ｉｔ]"},
		{"zero width", "just do\u200b it", "just-do-it[just do\u200b it]"},
		{"punctuation phrase", "No excuses! ok", "no-excuses[No excuses!]"},
		{"regex", "Do it or else.", "no-excuses[Do it or else]"},
		{"regex boundary", "redo it or elsewhere", ""},
		{"neutral", "Shipping the release at 5, please review the PR", ""},
		{"empty", "", ""},
		// not the author's own words
		{"inline code", "run `just do it` now", ""},
		{"code block", "```\njust do it\n```", ""},
		{"unclosed code fence is text", "``` just do it", "just-do-it[just do it]"},
		{"block quote", "> just do it\nok", ""},
		{"encoded block quote", "&gt; just do it\nsure", ""},
		{"quote then own words", "&gt; fine\njust do it", "just-do-it[just do it]"},
		{"double quotes", `I never said "just do it"`, ""},
		{"curly double quotes", "I never said “just do it”", ""},
		{"single quotes", "I never said 'just do it' to anyone", ""},
		{"apostrophes are not quotes", "don't worry, just do it, it's fine", "just-do-it[just do it]"},
		{"90s is not a quote", "In the '90s we said just do it", "just-do-it[just do it]"},
		{"unpaired double quote", `5" screen, just do it`, "just-do-it[just do it]"},
		{"link label", "<https://example.com|just do it>", ""},
		{"mention splits", "just <@U123> do it", ""},
		{"mention before", "<@U123> just do it", "just-do-it[just do it]"},
		{"emoji code", "just :rocket: do it", ""},
		{"emoji after", "just do it :rocket:", "just-do-it[just do it]"},
		// exceptions and guards
		{"exception in sentence", "We just do it every Friday.", ""},
		{"possessive exception", "Nike's just do it campaign", ""},
		{"possessive not for phrases", "just do it's fine", ""},
		{"exception other sentence", "We just do it on Fridays. You: just do it.", "just-do-it[just do it]"},
		{"exception after match in sentence", "I don't have to explain myself, but here's my reasoning: cost.", ""},
		{"exception in next sentence does not apply", "I don't have to explain myself. But here's my reasoning.", "no-explanation-owed[I don't have to explain myself]"},
		{"exception on newline does not apply", "nike\njust do it", "just-do-it[just do it]"},
		{"guard before", "Please never say just do it to the team", ""},
		{"guard after does not apply", "just do it, and never say sorry", "just-do-it[just do it]"},
		{"guard other sentence", "Never say never. Just do it.", "just-do-it[Just do it]"},
		{"invalid utf8", "just do it \xff\xfe", "just-do-it[just do it]"},
		{"invalid utf8 inside", "just\xffdo it", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summary(m.MatchText(tt.text))
			if got != tt.want {
				t.Errorf("MatchText(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestMatchSpansPointIntoOriginal(t *testing.T) {
	m := mustCompileFile(t, "testdata/basic.yaml")
	text := "Hi <@U1>! &amp; FYI — I don’t  have to\u00a0explain *myself*, ok? ｊｕｓｔ ｄｏ ｉｔ now"
	ms := m.MatchText(text)
	if len(ms) != 3 {
		t.Fatalf("got %d matches (%s), want 3", len(ms), summary(ms))
	}
	for _, mt := range ms {
		if mt.Start < 0 || mt.End > len(text) || mt.Start >= mt.End {
			t.Fatalf("span %d..%d outside text", mt.Start, mt.End)
		}
		if text[mt.Start:mt.End] != mt.Text {
			t.Errorf("Text %q != text[%d:%d] %q", mt.Text, mt.Start, mt.End, text[mt.Start:mt.End])
		}
	}
	if ms[0].Text != "I don’t  have to\u00a0explain *myself" {
		t.Errorf("first match text = %q", ms[0].Text)
	}
}

func TestMatchBlocks(t *testing.T) {
	m := mustCompileFile(t, "testdata/basic.yaml")
	const raw = `[{"type":"rich_text","elements":[
	  {"type":"rich_text_section","elements":[
	    {"type":"text","text":"Team, "},
	    {"type":"user","user_id":"U1"},
	    {"type":"text","text":" please "},
	    {"type":"text","text":"just do","style":{"bold":true}},
	    {"type":"text","text":" it. Also "},
	    {"type":"text","text":"just do it now","style":{"code":true}}
	  ]},
	  {"type":"rich_text_quote","elements":[{"type":"text","text":"that's how we've always done it"}]},
	  {"type":"rich_text_preformatted","elements":[{"type":"text","text":"no excuses!"}]},
	  {"type":"rich_text_list","style":"bullet","elements":[
	    {"type":"rich_text_section","elements":[{"type":"text","text":"I don't have to"}]},
	    {"type":"rich_text_section","elements":[{"type":"text","text":"explain myself"}]}
	  ]}
	]}]`
	var blocks []Element
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		t.Fatal(err)
	}
	// The text field says something else entirely: blocks win.
	ms := m.Match(Message{Text: "that's how we've always done it", Blocks: blocks})
	if got, want := summary(ms), "just-do-it[just do it]"; got != want {
		t.Fatalf("Match(blocks) = %q, want %q", got, want)
	}
	plain := PlainText(blocks)
	if plain[ms[0].Start:ms[0].End] != "just do it" {
		t.Errorf("span %d..%d of plain text = %q", ms[0].Start, ms[0].End, plain[ms[0].Start:ms[0].End])
	}
	// Non-rich_text blocks fall back to text.
	ms = m.Match(Message{Text: "just do it", Blocks: []Element{{Type: "section"}}})
	if got := summary(ms); got != "just-do-it[just do it]" {
		t.Errorf("fallback to text = %q", got)
	}
}

func TestMatchDeeplyNestedBlocks(t *testing.T) {
	m := mustCompileFile(t, "testdata/basic.yaml")
	leaf := Element{Type: "text", Text: "just do it"}
	e := Element{Type: "rich_text_section", Elements: []Element{leaf}}
	for i := 0; i < 10000; i++ {
		e = Element{Type: "rich_text_list", Elements: []Element{e}}
	}
	ms := m.Match(Message{Blocks: []Element{{Type: "rich_text", Elements: []Element{e}}}})
	if len(ms) != 0 {
		t.Errorf("content nested deeper than %d levels should be ignored, got %s", maxBlockDepth, summary(ms))
	}
	if PlainText([]Element{{Type: "rich_text", Elements: []Element{e}}}) != "" {
		t.Errorf("PlainText should stop at the same depth")
	}
}

func TestDeterministic(t *testing.T) {
	rs, err := LoadRulesFile("testdata/basic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := "I don't have to explain myself. Just do it now, that's how we've always done it! No excuses! Do it or else."
	var first string
	var firstStats Stats
	for i := 0; i < 100; i++ {
		m, err := Compile(rs)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("%+v", spans(m.MatchText(text)))
		if i == 0 {
			first, firstStats = got, m.Stats()
			if !strings.Contains(first, "no-excuses") || strings.Count(first, "{") != 5 {
				t.Fatalf("unexpected matches %s", first)
			}
			continue
		}
		if got != first || !reflect.DeepEqual(m.Stats(), firstStats) {
			t.Fatalf("compile %d: got %s (%+v), first %s (%+v)", i, got, m.Stats(), first, firstStats)
		}
	}
}

type span struct {
	Rule       string
	Start, End int
}

func spans(ms []Match) []span {
	out := make([]span, len(ms))
	for i, m := range ms {
		out[i] = span{m.Rule.ID, m.Start, m.End}
	}
	return out
}

func TestMatchConcurrent(t *testing.T) {
	m := mustCompileFile(t, "testdata/basic.yaml")
	done := make(chan string)
	for g := 0; g < 8; g++ {
		go func(g int) {
			var b strings.Builder
			for i := 0; i < 200; i++ {
				text := fmt.Sprintf("%d: just do it now and %s", i, strings.Repeat("x", g*i%50))
				b.WriteString(summary(m.MatchText(text)))
			}
			done <- b.String()
		}(g)
	}
	want := strings.Repeat("just-do-it[just do it] just-do-it-now[just do it now]", 200)
	for g := 0; g < 8; g++ {
		if got := <-done; got != want {
			t.Errorf("goroutine result differs")
		}
	}
}

func TestHugeMessage(t *testing.T) {
	m := mustCompileFile(t, "testdata/basic.yaml")
	text := strings.Repeat("all good here, ship it. ", 1<<20/24) + "because of that, just do it"
	ms := m.MatchText(text)
	if got := summary(ms); got != "just-do-it[just do it]" {
		t.Fatalf("got %q", got)
	}
	if text[ms[0].Start:ms[0].End] != "just do it" {
		t.Errorf("bad span")
	}
	// A flood of matches is bounded, not quadratic.
	flood := strings.Repeat("we just do it. just do it. ", 100000)
	if got := summary(m.MatchText(flood)); got != "" && got != "just-do-it[just do it]" {
		t.Errorf("flood: %q", got)
	}
}

func TestBest(t *testing.T) {
	m := mustCompileFile(t, "testdata/basic.yaml")
	if _, ok := Best(nil); ok {
		t.Fatal("Best(nil) reported a match")
	}
	ms := m.MatchText("Just do it, I don't have to explain myself.")
	best, ok := Best(ms)
	if !ok || best.Rule.ID != "no-explanation-owed" {
		t.Fatalf("Best = %v, want the strong rule", best.Rule)
	}
	ms = m.MatchText("Just do it now.")
	if best, _ := Best(ms); best.Rule.ID != "just-do-it" {
		t.Errorf("equal severity: Best = %s, want the first", best.Rule.ID)
	}
}

func TestNoAllocWhenNothingMatches(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items); .ci/run runs this test without -race")
	}
	m := mustCompileFile(t, "testdata/basic.yaml")
	text := "Can you take a look at the deploy logs? The staging build failed twice this morning :thinking_face:"
	m.MatchText(text) // warm the pool
	if n := testing.AllocsPerRun(200, func() { m.MatchText(text) }); n != 0 {
		t.Errorf("MatchText allocated %.1f times per message with no match, want 0", n)
	}
}

func TestCompileRejectsSharedPhrase(t *testing.T) {
	rs, err := ParseRules("dup.yaml", []byte(`version: 1
rules:
  - id: a
    category: status-quo
    phrases: ["don't rock the boat"]
    tip: {title: t, why: w, try: [x]}
  - id: b
    category: status-quo
    phrases: ["do not rock the boat"]
    tip: {title: t, why: w, try: [x]}
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(rs)
	if err == nil || !strings.Contains(err.Error(), "dup.yaml:9:15: rule b") || !strings.Contains(err.Error(), "also a phrase of rule a") {
		t.Fatalf("Compile error = %v", err)
	}
}

func TestExamplesInFile(t *testing.T) {
	m := mustCompileFile(t, "testdata/basic.yaml")
	if fails := m.TestExamples(); len(fails) != 0 {
		t.Fatalf("examples failed: %v", fails)
	}
	rs, err := ParseRules("bad-examples.yaml", []byte(`version: 1
rules:
  - id: a
    category: status-quo
    phrases: ["rock the boat"]
    tip: {title: t, why: w, try: [x]}
    examples:
      match: ["don't shake the boat"]
      no_match: ["let's not rock the boat"]
`))
	if err != nil {
		t.Fatal(err)
	}
	m2, err := Compile(rs)
	if err != nil {
		t.Fatal(err)
	}
	fails := m2.TestExamples()
	if len(fails) != 2 {
		t.Fatalf("got %d failures, want 2: %v", len(fails), fails)
	}
	want := []string{
		`bad-examples.yaml:8:15: rule a: example should match but did not: "don't shake the boat"`,
		`bad-examples.yaml:9:18: rule a: no_match example matched "rock the boat": "let's not rock the boat"`,
	}
	for i, f := range fails {
		if f.Error() != want[i] {
			t.Errorf("failure %d = %q, want %q", i, f.Error(), want[i])
		}
	}
}

// TestCompileReusesCheckedExpansions: Compile starts from the expansions
// ParseRules made while checking, and the matcher it builds is the one a
// fresh expansion builds; once the sets change, nothing is reused.
func TestCompileReusesCheckedExpansions(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if rs.checked == nil || len(rs.checked.phrases) == 0 {
		t.Fatal("ParseRules kept no expansions for Compile")
	}
	fresh := *rs
	fresh.checked = nil
	a, err := Compile(rs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Compile(&fresh)
	if err != nil {
		t.Fatal(err)
	}
	if a.Stats() != b.Stats() {
		t.Fatalf("reused %+v, fresh %+v", a.Stats(), b.Stats())
	}
	for _, r := range rs.Rules {
		for _, ex := range append(append([]Example(nil), r.Examples.Match...), r.Examples.NoMatch...) {
			if ga, gb := fmt.Sprint(spans(a.MatchText(ex.Text))), fmt.Sprint(spans(b.MatchText(ex.Text))); ga != gb {
				t.Errorf("%q: reused %s, fresh %s", ex.Text, ga, gb)
			}
		}
	}

	if x := newExpander(rs.Sets, false).from(rs.checked); len(x.phrases) == 0 {
		t.Fatal("same sets: the checked expansions were not taken")
	}
	changed := append([]Set(nil), rs.Sets...)
	changed[0].Members = append(append([]string(nil), changed[0].Members...), "zzyzx")
	y := newExpander(changed, false).from(rs.checked)
	if len(y.phrases) != 0 || len(y.parts) != 0 {
		t.Fatal("the sets changed, yet the checked expansions were reused")
	}
}
