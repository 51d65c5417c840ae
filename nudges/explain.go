package nudges

import "fmt"

// Judgement is one candidate the automaton found in a message, and what the
// engine decided about it. It is how rule authors debug a decision.
type Judgement struct {
	// Rule is the rule whose phrase was found.
	Rule *Rule
	// Phrase is the phrase (or regex) as written in the rules file.
	Phrase string
	// Start and End are the span in the original text (as for Match).
	Start, End int
	// Text is the words as the author wrote them.
	Text string
	// Kept is true when the candidate counts: Match reports it.
	Kept bool
	// Reason says why a candidate was dropped: "code", "quote", "quoted
	// speech", "meta talk (guard …)", "reported speech (…)", "exception
	// …", "question", "not a clause opening", or "rule already matched
	// earlier in the message". Empty when kept.
	Reason string
}

// Explain returns every candidate found in msg, in order of position, kept
// or dropped with the reason. The kept ones are exactly what Match returns;
// candidates inside code, block quotes and quoted spans (which Match never
// sees) are listed as dropped for that reason.
func (m *Matcher) Explain(msg Message) []Judgement {
	sc := m.pool.Get().(*scratch)
	defer m.release(sc)
	blocks := m.prepare(sc, msg, false)
	plain := sourceText(msg, blocks)
	var out []Judgement
	m.sortCandidates(sc.cands)
	for _, cd := range sc.cands {
		ch := &m.chains[cd.chain]
		start, end := sc.z.span(cd, len(plain))
		j := Judgement{Rule: &m.rs.Rules[ch.rule], Phrase: ch.text, Start: start, End: end, Text: plain[start:end]}
		switch v, by := m.judge(sc, cd); {
		case v != kept:
			j.Reason = m.reason(sc, cd, v, by, plain)
		case sc.taken[ch.rule]:
			j.Reason = "rule already matched earlier in the message"
		default:
			j.Kept = true
			sc.taken[ch.rule] = true
		}
		out = append(out, j)
	}
	for _, cd := range sc.cands {
		sc.taken[m.chains[cd.chain].rule] = false
	}

	// Again with code, quotes and quoted spans kept in the text: what the
	// skipping hid.
	m.prepare(sc, msg, true)
	m.sortCandidates(sc.cands)
	for _, cd := range sc.cands {
		ch := &m.chains[cd.chain]
		start, end := sc.z.span(cd, len(plain))
		for _, sk := range sc.z.skips {
			if start < sk.to && sk.from < end {
				what := sk.what
				if what == "quoted" {
					what = "quoted speech"
				}
				out = append(out, Judgement{Rule: &m.rs.Rules[ch.rule], Phrase: ch.text, Start: start, End: end, Text: plain[start:end], Reason: what})
				break
			}
		}
	}
	sortJudgements(out)
	return out
}

func sortJudgements(js []Judgement) {
	for i := 1; i < len(js); i++ {
		for j := i; j > 0 && js[j].Start < js[j-1].Start; j-- {
			js[j], js[j-1] = js[j-1], js[j]
		}
	}
}

// reason words a verdict for people.
func (m *Matcher) reason(sc *scratch, cd candidate, v verdict, by int, plain string) string {
	words := func(c candidate) string {
		s, e := sc.z.span(c, len(plain))
		return plain[s:e]
	}
	switch v {
	case dropGuard:
		return fmt.Sprintf("meta talk: guard %q comes before it", words(sc.guards[by]))
	case dropReported:
		r := sc.reports[by]
		where := "before"
		if r.start >= cd.end {
			where = "after"
		}
		return fmt.Sprintf("reported speech: %q comes %s it", words(r), where)
	case dropException:
		e := sc.excs[by]
		return fmt.Sprintf("exception %q (%q) in the sentence", m.chains[e.chain].text, words(e))
	case dropJoke:
		return "joke: the sentence laughs (\"lol\", \"haha\", a laughing emoji)"
	case dropQuestion:
		return "question: the sentence ends with ?"
	case dropNotClause:
		return "not a clause opening: the phrase is imperative, but a subject or other words come before it"
	}
	return ""
}
