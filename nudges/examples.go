package nudges

import "fmt"

// ExampleFailure is a rule example that did not behave as its file says.
type ExampleFailure struct {
	Rule    *Rule
	Example Example
	// WantMatch is true for a "match" example that did not match, false for
	// a "no_match" example that did.
	WantMatch bool
	// Found lists what matched instead (for a failing no_match, it includes
	// the rule itself).
	Found []Match
}

// Error describes the failure with its file:line:col.
func (f ExampleFailure) Error() string {
	if f.WantMatch {
		return fmt.Sprintf("%s: rule %s: example should match but did not: %q", f.Example.Pos, f.Rule.ID, f.Example.Text)
	}
	for _, m := range f.Found {
		if m.Rule == f.Rule {
			return fmt.Sprintf("%s: rule %s: no_match example matched %q: %q", f.Example.Pos, f.Rule.ID, m.Text, f.Example.Text)
		}
	}
	return fmt.Sprintf("%s: rule %s: no_match example matched: %q", f.Example.Pos, f.Rule.ID, f.Example.Text)
}

// ExampleCount returns how many examples the rule set carries.
func (m *Matcher) ExampleCount() int {
	n := 0
	for i := range m.rs.Rules {
		n += len(m.rs.Rules[i].Examples.Match) + len(m.rs.Rules[i].Examples.NoMatch)
	}
	return n
}

// TestExamples runs every rule's examples against the whole compiled rule
// set and returns the failures, in rule and file order.
func (m *Matcher) TestExamples() []ExampleFailure {
	var fails []ExampleFailure
	for i := range m.rs.Rules {
		r := &m.rs.Rules[i]
		for _, ex := range r.Examples.Match {
			found := m.MatchText(ex.Text)
			if !hasRule(found, r) {
				fails = append(fails, ExampleFailure{Rule: r, Example: ex, WantMatch: true, Found: found})
			}
		}
		for _, ex := range r.Examples.NoMatch {
			found := m.MatchText(ex.Text)
			if hasRule(found, r) {
				fails = append(fails, ExampleFailure{Rule: r, Example: ex, Found: found})
			}
		}
	}
	return fails
}

func hasRule(ms []Match, r *Rule) bool {
	for _, m := range ms {
		if m.Rule == r {
			return true
		}
	}
	return false
}
