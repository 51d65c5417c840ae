package nudges

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzMatch checks, for any text (valid UTF-8 or not) and any blocks JSON,
// that matching never panics, every span lies inside the text it indexes and
// equals the reported words, each rule is reported at most once, and the
// result is the same when matched twice, and the scan's gate changes
// nothing.
func FuzzMatch(f *testing.F) {
	m := mustCompileFile(f, "testdata/basic.yaml")
	judged := mustCompileFile(f, "testdata/judge.yaml")
	judgedAll := ungated(f, judged) // the scan's gate must change nothing
	for _, s := range []string{
		"I don't have to explain every single decision to you", "isnt up for discussion, ok?", "did you just do it?",
		"as my boss put it, that's final", "i shouldn't have to justify. to you", "n't up for discussion",
		"just do it", "I don’t have to explain myself", "> just do it\njust do it",
		"```just do it``` just do it", "<@U1> just do it now :rocket:", "\"just do it\" 'just do it'",
		"ｊｕｓｔ ｄｏ ｉｔ", "café policy", "just\xffdo it", "&gt; &amp; &lt;", "no excuses! do it or else",
		"'", "\"", "`", "<", "&", ":", "'90s 'a'", "cafe\u0301 policy",
	} {
		f.Add(s, "")
	}
	f.Add("", `[{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"just do it"}]}]}]`)
	f.Add("x", `[{"type":"rich_text","elements":[{"type":"rich_text_list","style":"bullet","elements":[{"type":"rich_text_quote","elements":[{"type":"text","text":"q"}]}]}]}]`)
	f.Fuzz(func(t *testing.T, text, blocksJSON string) {
		var blocks []Element
		if blocksJSON != "" {
			if json.Unmarshal([]byte(blocksJSON), &blocks) != nil {
				blocks = nil
			}
		}
		msg := Message{Text: text, Blocks: blocks}
		src := text
		if hasRichText(blocks) {
			src = PlainText(blocks)
		}
		ms := m.Match(msg)
		seen := map[string]bool{}
		for _, mt := range ms {
			if mt.Start < 0 || mt.End > len(src) || mt.Start > mt.End {
				t.Fatalf("span %d..%d outside text of %d bytes", mt.Start, mt.End, len(src))
			}
			if src[mt.Start:mt.End] != mt.Text {
				t.Fatalf("Text %q != src[%d:%d]", mt.Text, mt.Start, mt.End)
			}
			if seen[mt.Rule.ID] {
				t.Fatalf("rule %s reported twice", mt.Rule.ID)
			}
			seen[mt.Rule.ID] = true
		}
		assertExplainAgrees(t, m, msg)
		assertExplainAgrees(t, judged, msg)
		if got, want := summary(judged.Match(msg)), summary(judgedAll.Match(msg)); got != want {
			t.Fatalf("judge.yaml: gated scan %q, ungated %q", got, want)
		}
		for _, mt := range judged.Match(msg) {
			if mt.Start < 0 || mt.End > len(src) || mt.Start > mt.End || src[mt.Start:mt.End] != mt.Text {
				t.Fatalf("judge.yaml: bad span %d..%d of %d bytes", mt.Start, mt.End, len(src))
			}
		}
		if again := m.Match(msg); summary(again) != summary(ms) {
			t.Fatalf("not deterministic: %q then %q", summary(ms), summary(again))
		}
		if len(blocks) == 0 && utf8.ValidString(text) && normalizePhrase(text) == "just do it" && !seen["just-do-it"] {
			t.Fatalf("%q normalizes to the phrase but did not match", text)
		}
	})
}

// FuzzLoadRules checks that any bytes either load as rules (which then
// compile or fail with positioned errors) or fail with positioned errors;
// never a panic.
func FuzzLoadRules(f *testing.F) {
	for _, s := range []string{
		"version: 1\nrules: []\n",
		"version: 1\nrules:\n  - id: a\n    category: status-quo\n    phrases: [\"{a|b} c\"]\n    tip: {title: t, why: w, try: [x]}\n",
		"version: 1\nrules:\n  - id: a\n    category: status-quo\n    regex: [\"(a\"]\n    tip: {title: t}\n",
		"[", "", "version: 1\nprompts: [{id: p, text: t}]\n", "&a [*a]", "version: 1\nrules: *x\n",
		"version: 1\nsets: {e: [\"~explain\", \"{a|b}\"]}\nrules:\n  - id: a\n    category: status-quo\n    mood: imperative\n    phrases: [\"i {$e} …2 to you\", {phrase: \"not x\", questions: keep}]\n    unless: [\"{$e} …1 y\"]\n    tip: {title: t, why: w, try: [x]}\n",
		"version: 1\ndefaults: {reported_speech: [\"as …3 put it\"]}\nrules: []\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ParseRules("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml:") {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		m, err := Compile(rs)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml:") && !strings.HasPrefix(err.Error(), "defaults:") {
				t.Fatalf("compile error without position: %v", err)
			}
			return
		}
		m.TestExamples()
		m.MatchText(string(data))
	})
}
