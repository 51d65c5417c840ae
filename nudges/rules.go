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

// Mood says where in a clause a phrase must stand to count.
type Mood uint8

// Moods. MoodDefault means "as the rule says" on a phrase and "any" on a
// rule.
const (
	MoodDefault Mood = iota
	// MoodAny: the phrase counts wherever it stands.
	MoodAny
	// MoodImperative: the phrase counts only as a command: it opens a
	// clause (after nothing but softeners such as "so", "just", "please",
	// "ok") and its sentence is not a question.
	MoodImperative
)

// String returns the rules-file spelling of m.
func (m Mood) String() string {
	switch m {
	case MoodAny:
		return "any"
	case MoodImperative:
		return "imperative"
	}
	return "default"
}

// Keep says whether a judgement the engine makes by default (skip questions,
// skip reported speech) applies to a rule or phrase.
type Keep uint8

// Keep values. KeepDefault means "as the rule says" on a phrase, and "skip"
// on a rule.
const (
	KeepDefault Keep = iota
	// Skip drops a match in that context (a question, reported speech).
	Skip
	// KeepIt counts a match in that context too.
	KeepIt
)

// String returns the rules-file spelling of k.
func (k Keep) String() string {
	switch k {
	case Skip:
		return "skip"
	case KeepIt:
		return "keep"
	}
	return "default"
}

// Phrase is one phrase of a rule as written, with the judgements that apply
// to it (MoodDefault and KeepDefault inherit the rule's).
type Phrase struct {
	// Text is the phrase: words, {a|b} alternatives, {$set} references,
	// ~word forms and …N gaps.
	Text      string
	Mood      Mood
	Questions Keep
	Pos       Pos
}

// Set is a named list of words or phrases, declared once in a rules file and
// used in phrases as {$name}. A layered file adds members to a set of the
// same name.
type Set struct {
	Name    string
	Members []string
	Pos     Pos
}

// Rule is one leadership anti-pattern: the phrases that express it and the
// tip that reframes it.
type Rule struct {
	ID       string
	Category Category
	Severity Severity
	// Phrases are the phrases as written.
	Phrases []Phrase
	// Regex are optional RE2 patterns matched against the normalized text.
	Regex []string
	// Unless are exception phrases: a match is dropped when one of them
	// occurs in the same sentence. They may use sets, forms and gaps.
	Unless []string
	// Mood applies to the rule's phrases that do not set their own.
	Mood Mood
	// Questions: Skip (the default) drops a match in a sentence that ends
	// with "?"; KeepIt counts it (rhetorical questions).
	Questions Keep
	// Reported: Skip (the default) drops a match that follows a reporting
	// verb in its sentence ("she said", "he keeps saying"); KeepIt counts it.
	Reported Keep
	// Jokes: Skip (the default) drops a match in a sentence that laughs
	// ("lol", "haha", 😂, :joy:); KeepIt counts it.
	Jokes Keep
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
	// ReportedSpeech are the markers of reported speech ("said", "told
	// me", "as …3 put it"): a match that follows one of them in its sentence
	// is someone else's words, unless the rule keeps reported speech. A
	// marker right after "i" or "we" ("as I said") is the author's own.
	// nil means the file did not say (LoadEffective then uses the built-in
	// markers); an empty list means none.
	ReportedSpeech []string
}

// RuleSet is a parsed, validated rules file, or the effective set after a
// workspace file was layered over the built-in rules.
type RuleSet struct {
	Version  int
	Defaults Defaults
	Rules    []Rule
	Prompts  []Prompt
	// Sets are the named word lists the rules' phrases refer to.
	Sets []Set
	// Extends is "builtin" when the file layers over the built-in rules;
	// Disable and Overrides then change built-in rules by id.
	Extends   string
	Disable   []Ref
	Overrides []Override

	// checked is the expander ParseRules checked the phrases with, for
	// Compile to start from; it is not changed after ParseRules returns.
	checked *expander
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

// PhraseTexts returns the rule's phrases as written.
func (r *Rule) PhraseTexts() []string {
	out := make([]string, len(r.Phrases))
	for i := range r.Phrases {
		out[i] = r.Phrases[i].Text
	}
	return out
}

// Set returns the set with the given name, or nil.
func (rs *RuleSet) Set(name string) *Set {
	for i := range rs.Sets {
		if rs.Sets[i].Name == name {
			return &rs.Sets[i]
		}
	}
	return nil
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
