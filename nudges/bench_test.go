package nudges

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The benchmarks compare leadnudge's matcher with the two designs simple
// phrase bots use, on the same phrases and messages in the same run:
//   - regexp-loop: one case-insensitive `\b` regexp per phrase, run in a loop;
//   - alternation: one combined `(?i)\b(?:p1|p2|…)\b` regexp (Vale, 18F's bot).
// Reproduce (see BENCHMARKS.md):
//   go test ./nudges -run '^$' -bench . -benchmem -count 6 -timeout 30m

var benchWords = strings.Fields(`the a we you team plan deploy release review change meeting customer
ticket sprint roadmap budget design test build issue feature launch update report deadline
quarter goal priority client data server code docs process hiring project scope risk owner
call sync notes draft feedback metric user bug fix branch merge service alert incident
today tomorrow monday friday week later soon now again first next last please thanks
can could should would will might need want think know see look check send share move
ship write read run start stop keep make take give ask tell help try work talk meet`)

// genRuleSet makes a deterministic rule set of n phrases (5 per rule), each
// three to five words drawn from benchWords.
func genRuleSet(n int) *RuleSet {
	r := rand.New(rand.NewPCG(uint64(n), 42))
	rs := &RuleSet{Version: 1, Defaults: Defaults{Severity: SeverityNudge}}
	seen := map[string]bool{}
	for len(seen) < n {
		id := fmt.Sprintf("gen-%d", len(rs.Rules))
		rule := Rule{ID: id, Category: CategoryStatusQuo, Severity: SeverityNudge, Tip: Tip{Title: "t", Why: "w", Try: []string{"x"}}}
		for len(rule.Phrases) < 5 && len(seen) < n {
			k := 3 + r.IntN(3)
			ws := make([]string, k)
			for i := range ws {
				ws[i] = benchWords[r.IntN(len(benchWords))]
			}
			p := strings.Join(ws, " ")
			if !seen[p] {
				seen[p] = true
				rule.Phrases = append(rule.Phrases, Phrase{Text: p})
			}
		}
		rs.Rules = append(rs.Rules, rule)
	}
	return rs
}

// benchMessages makes realistic chat messages of 50–300 bytes; about 5%
// contain a phrase of the given rule set.
func benchMessages(rs *RuleSet, count int) []string {
	r := rand.New(rand.NewPCG(7, 7))
	openers := []string{
		"Hey team,", "Quick update:", "FYI", "@here", "Morning!", "Thanks all,", "Heads up:", "Re the incident -",
	}
	bodies := []string{
		"the staging deploy finished and the smoke tests are green, can someone review the migration PR before lunch?",
		"I moved the sprint review to Thursday at 3pm so the design folks can join, agenda is in the doc.",
		"customer call went well, they want the export feature by end of quarter; I'll write up notes.",
		"latency on the search service spiked around 09:40 UTC, rolled back to 1.8.2, looking into the root cause.",
		"reminder that hiring loops for the backend role start next week, please grab a slot in the sheet.",
		"the budget numbers for Q3 are in the shared folder :chart_with_upwards_trend: comments welcome by Friday.",
		"can we sync on the roadmap? I think the onboarding work should come before the billing revamp.",
		"nice work on the release notes, they read really clearly. Small typo in the second paragraph.",
	}
	var phrases []string
	for i := range rs.Rules {
		for _, lits := range phraseLiterals(rs, &rs.Rules[i]) {
			phrases = append(phrases, lits[0])
		}
	}
	msgs := make([]string, count)
	for i := range msgs {
		var b strings.Builder
		b.WriteString(openers[r.IntN(len(openers))])
		b.WriteByte(' ')
		b.WriteString(bodies[r.IntN(len(bodies))])
		if r.IntN(2) == 0 {
			b.WriteByte(' ')
			b.WriteString(bodies[r.IntN(len(bodies))])
		}
		s := b.String()
		if len(s) > 300 {
			s = s[:300]
		}
		if i%20 == 0 && len(phrases) > 0 {
			s = s[:min(len(s), 200)] + " Honestly, " + phrases[r.IntN(len(phrases))] + "."
		}
		msgs[i] = s
	}
	return msgs
}

// phraseLiterals returns, for each phrase of r, the literals it stands for
// (a gapped phrase: its parts' first variants joined, no gap words).
func phraseLiterals(rs *RuleSet, r *Rule) [][]string {
	x := newExpander(rs.Sets, false)
	var out [][]string
	for _, ph := range r.Phrases {
		e, err := x.expand(ph.Text)
		if err != nil {
			panic(err)
		}
		var lits []string
		if len(e.parts) == 1 {
			for _, v := range e.parts[0] {
				if v.clitic == clitNone {
					lits = append(lits, v.text)
				}
			}
		} else {
			words := make([]string, len(e.parts))
			for i, p := range e.parts {
				words[i] = p[0].text
			}
			lits = append(lits, strings.Join(words, " "))
		}
		out = append(out, lits)
	}
	return out
}

// baselinePhrases are the literal phrases as a simple bot would list them:
// every variant spelled out.
func baselinePhrases(rs *RuleSet) []string {
	var out []string
	for i := range rs.Rules {
		for _, lits := range phraseLiterals(rs, &rs.Rules[i]) {
			out = append(out, lits...)
		}
	}
	return out
}

type benchCase struct {
	name string
	rs   *RuleSet
}

func benchCases(b *testing.B) []benchCase {
	builtin, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	return []benchCase{
		{"builtin", builtin},
		{"phrases=50", genRuleSet(50)},
		{"phrases=500", genRuleSet(500)},
		{"phrases=5000", genRuleSet(5000)},
	}
}

func BenchmarkMatch(b *testing.B) {
	for _, bc := range benchCases(b) {
		all := benchMessages(bc.rs, 1000)
		// run times match over msgs (the regexp baselines take milliseconds
		// a message, so they get the first 200 messages of the same corpus).
		run := func(b *testing.B, msgs []string, match func(string) bool) {
			total := 0
			for _, m := range msgs {
				total += len(m)
			}
			b.SetBytes(int64(total))
			b.ReportAllocs()
			hits := 0
			for b.Loop() {
				for _, m := range msgs {
					if match(m) {
						hits++
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(msgs)), "ns/msg")
			if hits == 0 {
				b.Fatal("no message matched: the corpus is broken")
			}
		}
		b.Run(bc.name+"/leadnudge", func(b *testing.B) {
			m, err := Compile(bc.rs)
			if err != nil {
				b.Fatal(err)
			}
			run(b, all, func(s string) bool { return len(m.MatchText(s)) > 0 })
		})
		phrases := baselinePhrases(bc.rs)
		b.Run(bc.name+"/alternation", func(b *testing.B) {
			quoted := make([]string, len(phrases))
			for i, p := range phrases {
				quoted[i] = regexp.QuoteMeta(p)
			}
			re := regexp.MustCompile(`(?i)\b(?:` + strings.Join(quoted, "|") + `)\b`)
			run(b, all[:200], re.MatchString)
		})
		b.Run(bc.name+"/regexp-loop", func(b *testing.B) {
			res := make([]*regexp.Regexp, len(phrases))
			for i, p := range phrases {
				res[i] = regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(p) + `\b`)
			}
			run(b, all[:200], func(s string) bool {
				found := false
				for _, re := range res {
					if re.MatchString(s) {
						found = true
					}
				}
				return found
			})
		})
	}
}

// BenchmarkMatch200B is one 200-byte message with no match, built-in rules.
func BenchmarkMatch200B(b *testing.B) {
	m := compileBuiltin(b)
	msg := "Quick update: the staging deploy finished and the smoke tests are green, can someone review the migration PR before lunch? I'll write up notes for the customer call after that, thanks a lot :tada:"
	msg += strings.Repeat(".", 200-len(msg))
	if len(m.MatchText(msg)) != 0 {
		b.Fatal("message should not match")
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		m.MatchText(msg)
	}
}

// BenchmarkMatchCold is one message of the benchmark corpus (159 bytes on
// average) matched after 16 MiB of other memory was written, so little of
// the matcher's tables is left in the caches: what a message costs in a
// bot that does other work between messages (slack-go's parsing, the
// store, the GC). ns/op includes the eviction; cold-ns/match is the match
// alone.
func BenchmarkMatchCold(b *testing.B) {
	m := compileBuiltin(b)
	rs, err := Builtin()
	if err != nil {
		b.Fatal(err)
	}
	msgs := benchMessages(rs, 1000)
	junk := make([]byte, 16<<20)
	var took time.Duration
	i := 0
	for b.Loop() {
		for k := 0; k < len(junk); k += 64 {
			junk[k]++
		}
		msg := msgs[i%len(msgs)]
		t0 := time.Now()
		m.MatchText(msg)
		took += time.Since(t0)
		i++
	}
	b.ReportMetric(float64(took.Nanoseconds())/float64(i), "cold-ns/match")
}

// BenchmarkLongText is 1 MiB of chat-like text, normalization included.
func BenchmarkLongText(b *testing.B) {
	for _, bc := range benchCases(b) {
		if bc.name != "builtin" && bc.name != "phrases=5000" {
			continue
		}
		m, err := Compile(bc.rs)
		if err != nil {
			b.Fatal(err)
		}
		text := longText(bc.rs)
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				m.MatchText(text)
			}
		})
	}
}

// BenchmarkRealChatText is LongText on real chat: the first 1 MiB of the
// real-chat messages (see TestRealChat), one a line. Skipped without them;
// the text is never logged.
func BenchmarkRealChatText(b *testing.B) {
	text := realChatText(b)
	m := compileBuiltin(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		m.MatchText(text)
	}
}

// longText is LongText's text: 1 MiB of chat-like messages, one a line.
func longText(rs *RuleSet) string {
	text := strings.Join(benchMessages(rs, 8000), "\n")
	for len(text) < 1<<20 {
		text += "\n" + text
	}
	return text[:1<<20]
}

// realChatText is RealChatText's text: the first 1 MiB of the real-chat
// messages, one a line (skips without them).
func realChatText(b *testing.B) string {
	_, entries := readRealChat(b)
	var sb strings.Builder
	for _, e := range entries {
		if sb.Len() >= 1<<20 {
			break
		}
		sb.WriteString(e.Text)
		sb.WriteByte('\n')
	}
	return sb.String()[:min(sb.Len(), 1<<20)]
}

// BenchmarkScanParts splits LongText and RealChatText (built-in rules)
// into the parts of a match: normalize (the text made matchable), walk
// (the phrase automaton alone, no hit judged) and scan (both layers with
// every hit gated and judged, no normalizing). Match is about normalize +
// scan; the parts say where a change to the matcher's speed comes from.
func BenchmarkScanParts(b *testing.B) {
	m := compileBuiltin(b)
	texts := []struct {
		name string
		text func(*testing.B) string
	}{
		{"long", func(*testing.B) string { return longText(m.RuleSet()) }},
		{"real", realChatText},
	}
	for _, tc := range texts {
		b.Run(tc.name, func(b *testing.B) {
			text := tc.text(b)
			sc := m.pool.Get().(*scratch)
			defer m.pool.Put(sc)
			normalize := func() {
				sc.z.reset(sc.z.buf)
				sc.z.mrkdwn(text)
				sc.z.maskQuotes()
			}
			normalize()
			b.Run("normalize", func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					normalize()
				}
			})
			b.Run("walk", func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				a := m.layers[0].ac
				for b.Loop() {
					sc.hits = a.walk(sc.z.buf, 0, len(sc.z.buf), sc.hits[:0])
				}
			})
			b.Run("scan", func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					sc.cands, sc.excs, sc.guards, sc.reports = sc.cands[:0], sc.excs[:0], sc.guards[:0], sc.reports[:0]
					m.scan(sc)
				}
			})
		})
	}
}

// BenchmarkCompile measures building the matcher, and reports the memory
// held by the compiled automaton.
func BenchmarkCompile(b *testing.B) {
	for _, bc := range benchCases(b) {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var m *Matcher
			for b.Loop() {
				var err error
				if m, err = Compile(bc.rs); err != nil {
					b.Fatal(err)
				}
			}
			st := m.Stats()
			b.ReportMetric(float64(st.Bytes), "automaton-bytes")
			b.ReportMetric(float64(st.Patterns), "patterns")
			b.ReportMetric(float64(st.States), "states")
		})
	}
}

// BenchmarkBuiltinLoad is what a process pays to start matching with the
// built-in rules: parsing the embedded file (which checks and expands every
// phrase) and compiling it (which reuses those expansions).
func BenchmarkBuiltinLoad(b *testing.B) {
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Builtin(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse+compile", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rs, err := Builtin()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Compile(rs); err != nil {
				b.Fatal(err)
			}
		}
	})
}
