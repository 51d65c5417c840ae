package nudges

import (
	"fmt"
	"strings"
	"time"
)

// Category groups rules by the leadership habit they are about. The set is
// fixed so users see a small, stable vocabulary.
type Category string

// The fixed list of categories.
const (
	CategoryPositionalAuthority   Category = "positional-authority"
	CategoryShuttingDownQuestions Category = "shutting-down-questions"
	CategoryCommandAndControl     Category = "command-and-control"
	CategoryNoWhy                 Category = "no-why"
	CategoryMicromanagement       Category = "micromanagement"
	CategoryStatusQuo             Category = "status-quo"
	CategoryNotLiftingOthers      Category = "not-lifting-others"
)

// Categories lists every valid category in display order.
func Categories() []Category {
	return []Category{
		CategoryPositionalAuthority,
		CategoryShuttingDownQuestions,
		CategoryCommandAndControl,
		CategoryNoWhy,
		CategoryMicromanagement,
		CategoryStatusQuo,
		CategoryNotLiftingOthers,
	}
}

// Label is the human name of a category, for messages and charts.
func (c Category) Label() string {
	switch c {
	case CategoryPositionalAuthority:
		return "Positional authority"
	case CategoryShuttingDownQuestions:
		return "Shutting down questions"
	case CategoryCommandAndControl:
		return "Command and control"
	case CategoryNoWhy:
		return "The what without the why"
	case CategoryMicromanagement:
		return "Micromanagement"
	case CategoryStatusQuo:
		return "Defending the status quo"
	case CategoryNotLiftingOthers:
		return "Not lifting others"
	}
	return string(c)
}

func validCategory(c Category) bool {
	for _, k := range Categories() {
		if k == c {
			return true
		}
	}
	return false
}

// Severity says how strongly a phrase leans on authority. The bot sends at
// most one tip per message: the most severe match wins.
type Severity int

// Severities, weakest first.
const (
	SeverityNudge  Severity = 1
	SeverityStrong Severity = 2
)

// String returns the rules-file spelling of s.
func (s Severity) String() string {
	switch s {
	case SeverityNudge:
		return "nudge"
	case SeverityStrong:
		return "strong"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity parses the rules-file spelling of a severity.
func ParseSeverity(s string) (Severity, error) {
	switch strings.TrimSpace(s) {
	case "nudge":
		return SeverityNudge, nil
	case "strong":
		return SeverityStrong, nil
	}
	return 0, fmt.Errorf("severity must be nudge or strong, got %q", s)
}

// Pos is a position in a rules file, 1-based, for error messages.
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats p as file:line:col.
func (p Pos) String() string {
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Tip is what the author of a matching message is shown, privately.
type Tip struct {
	Title string   `json:"title"`
	Why   string   `json:"why"`
	Try   []string `json:"try"`
}

// Example is a message a rule must (or must not) match, kept in the rules
// file so every rule carries its own tests.
type Example struct {
	Text string
	Pos  Pos
}

// Examples are a rule's own tests.
type Examples struct {
	Match   []Example
	NoMatch []Example
}

// Rule is one leadership anti-pattern: the phrases that express it and the
// tip that reframes it.
type Rule struct {
	ID       string
	Category Category
	Severity Severity
	// Phrases are literal phrases as written, with {a|b} alternatives.
	Phrases []string
	// Regex are optional RE2 patterns matched against the normalized text.
	Regex []string
	// Unless are exception phrases: a match is dropped when one of them
	// occurs in the same sentence.
	Unless []string
	// Cooldown overrides the default per user+rule cooldown; 0 means default.
	Cooldown time.Duration
	Tip      Tip
	Examples Examples
	// Pos is where the rule starts in its file; Pos.File tells where the
	// rule came from.
	Pos Pos
}

// Prompt is a weekly reflection question. IDs are stable forever: the store
// remembers which prompt each person saw.
type Prompt struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Pos is where the prompt is defined.
	Pos Pos `json:"-"`
}

// Defaults apply to every rule of the same file that does not say
// otherwise.
type Defaults struct {
	// Cooldown, when set, is given to the file's rules that set none; rules
	// left without one use the operator's default (config nudges.cooldown).
	Cooldown time.Duration
	Severity Severity
	// UnlessPrecededBy are meta-talk guards ("never say", "stop saying"): a
	// match is dropped when one of them occurs earlier in the same sentence.
	UnlessPrecededBy []string
}

// RuleSet is a parsed, validated rules file, or the effective set after a
// workspace file was layered over the built-in rules.
type RuleSet struct {
	Version  int
	Defaults Defaults
	Rules    []Rule
	Prompts  []Prompt
	// Extends is "builtin" when the file layers over the built-in rules;
	// Disable and Overrides then change built-in rules by id.
	Extends   string
	Disable   []Ref
	Overrides []Override
}

// Ref names a rule by id, with where it was named.
type Ref struct {
	ID  string
	Pos Pos
}

// Override changes a built-in rule without copying it.
type Override struct {
	ID       string
	Cooldown time.Duration // 0: unchanged
	Severity Severity      // 0: unchanged
	Pos      Pos
}

// CooldownFor returns the cooldown of r, or 0 when r has none of its own and
// the operator's default applies.
func (rs *RuleSet) CooldownFor(r *Rule) time.Duration {
	return r.Cooldown
}

// Rule returns the rule with the given id, or nil.
func (rs *RuleSet) Rule(id string) *Rule {
	for i := range rs.Rules {
		if rs.Rules[i].ID == id {
			return &rs.Rules[i]
		}
	}
	return nil
}
