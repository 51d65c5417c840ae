package nudges

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxRulesFileSize bounds what ParseRules accepts, so a wrong path (a log
// file, a disk image) fails fast with a clear error.
const maxRulesFileSize = 8 << 20

// Error is one problem in a rules file, with the position it was found at.
type Error struct {
	Pos Pos
	Msg string
}

// Error formats the problem as file:line:col: message.
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// ErrorList is every problem found in one rules file, in file order.
type ErrorList []*Error

// Error joins the problems, one per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// LoadRulesFile reads and parses the rules file at path.
func LoadRulesFile(path string) (*RuleSet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading rules file: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(&limitedReader{f: f, n: maxRulesFileSize + 1}); err != nil {
		return nil, fmt.Errorf("reading rules file %s: %w", path, err)
	}
	return ParseRules(path, buf.Bytes())
}

type limitedReader struct {
	f interface{ Read([]byte) (int, error) }
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("file is larger than 8 MiB")
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.f.Read(p)
	l.n -= int64(n)
	return n, err
}

// ParseRules parses and validates a rules file. name is used in error
// positions. Every problem found is reported (as an ErrorList), each naming
// file:line:col. Examples are not run here: see Matcher.TestExamples.
func ParseRules(name string, data []byte) (*RuleSet, error) {
	p := &parser{file: name}
	if len(data) > maxRulesFileSize {
		p.errorf(Pos{File: name, Line: 1, Col: 1}, "file is larger than 8 MiB")
		return nil, p.errs
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.yamlError(err)
		return nil, p.errs
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		p.errorf(Pos{File: name, Line: 1, Col: 1}, "empty rules file: expected version, rules and prompts")
		return nil, p.errs
	}
	rs := p.ruleSet(doc.Content[0])
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(i, j int) bool {
			a, b := p.errs[i].Pos, p.errs[j].Pos
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Col < b.Col
		})
		return nil, p.errs
	}
	if !p.ex.lenient {
		rs.checked = p.ex // Compile reuses what the checks expanded
	}
	return rs, nil
}

type parser struct {
	file string
	errs ErrorList
	// ex checks phrases against the file's sets (references to sets the
	// file does not define are left to Layer when it extends builtin).
	ex *expander
}

func (p *parser) pos(n *yaml.Node) Pos { return Pos{File: p.file, Line: n.Line, Col: n.Column} }

func (p *parser) errorf(pos Pos, format string, args ...any) {
	p.errs = append(p.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns a yaml.v3 syntax error into file:line:col form.
func (p *parser) yamlError(err error) {
	msg := err.Error()
	line := 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &line)
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	p.errorf(Pos{File: p.file, Line: line, Col: 1}, "invalid YAML: %s", msg)
}

// fields checks that n is a mapping with only the allowed keys, and returns
// key → value nodes.
func (p *parser) fields(n *yaml.Node, what string, allowed ...string) (map[string]*yaml.Node, bool) {
	if n.Kind != yaml.MappingNode {
		p.errorf(p.pos(n), "%s must be a mapping, got %s", what, kindName(n))
		return nil, false
	}
	vals := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		ok := false
		for _, a := range allowed {
			if a == name {
				ok = true
				break
			}
		}
		switch {
		case !ok:
			p.errorf(p.pos(k), "unknown key %q in %s (allowed: %s)", name, what, strings.Join(allowed, ", "))
		case vals[name] != nil:
			p.errorf(p.pos(k), "duplicate key %q in %s", name, what)
		default:
			vals[name] = v
		}
	}
	return vals, true
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

func (p *parser) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(p.pos(n), "%s must be a string, got %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (p *parser) nonEmpty(n *yaml.Node, what string) (string, bool) {
	s, ok := p.str(n, what)
	if ok && strings.TrimSpace(s) == "" {
		p.errorf(p.pos(n), "%s must not be empty", what)
		return "", false
	}
	return s, ok
}

// strList accepts a list of non-empty strings, remembering each position.
func (p *parser) strList(n *yaml.Node, what string) ([]string, []Pos) {
	if n.Kind != yaml.SequenceNode {
		p.errorf(p.pos(n), "%s must be a list of strings, got %s", what, kindName(n))
		return nil, nil
	}
	out := make([]string, 0, len(n.Content))
	pos := make([]Pos, 0, len(n.Content))
	for _, c := range n.Content {
		if s, ok := p.nonEmpty(c, what+" entry"); ok {
			out = append(out, s)
			pos = append(pos, p.pos(c))
		}
	}
	return out, pos
}

func (p *parser) duration(n *yaml.Node, what string) time.Duration {
	s, ok := p.str(n, what)
	if !ok {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		p.errorf(p.pos(n), "%s must be a positive duration such as 72h, got %q", what, s)
		return 0
	}
	return d
}

var idRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func (p *parser) ruleSet(root *yaml.Node) *RuleSet {
	rs := &RuleSet{Defaults: Defaults{Severity: SeverityNudge}}
	f, ok := p.fields(root, "the rules file", "version", "extends", "disable", "override", "defaults", "sets", "rules", "prompts")
	if !ok {
		return rs
	}
	if v := f["extends"]; v != nil {
		if s, ok := p.str(v, "extends"); ok {
			if s != "builtin" {
				p.errorf(p.pos(v), "extends must be builtin (the only rule set to layer over), got %q", s)
			}
			rs.Extends = s
		}
	}
	for _, key := range []string{"disable", "override"} {
		if v := f[key]; v != nil && rs.Extends == "" {
			p.errorf(p.pos(v), "%s changes built-in rules: it needs extends: builtin", key)
		}
	}
	if v := f["disable"]; v != nil {
		ids, pos := p.strList(v, "disable")
		for i, id := range ids {
			rs.Disable = append(rs.Disable, Ref{ID: id, Pos: pos[i]})
		}
	}
	if v := f["override"]; v != nil {
		p.overrides(v, rs)
	}
	if v := f["version"]; v == nil {
		p.errorf(p.pos(root), "missing key \"version\" (use version: 1)")
	} else if v.Kind != yaml.ScalarNode || v.Value != "1" {
		p.errorf(p.pos(v), "unsupported version %s: this leadnudge reads version 1", kindName(v))
	} else {
		rs.Version = 1
	}
	if v := f["sets"]; v != nil {
		p.sets(v, rs)
	}
	p.ex = newExpander(rs.Sets, rs.Extends != "")
	if d := f["defaults"]; d != nil {
		p.defaults(d, &rs.Defaults)
	}
	if r := f["rules"]; r != nil {
		p.rules(r, rs)
	} else if rs.Extends == "" {
		p.errorf(p.pos(root), "missing key \"rules\"")
	}
	if rs.Defaults.Cooldown > 0 {
		for i := range rs.Rules {
			if rs.Rules[i].Cooldown == 0 {
				rs.Rules[i].Cooldown = rs.Defaults.Cooldown
			}
		}
	}
	if pr := f["prompts"]; pr != nil {
		p.prompts(pr, rs)
	}
	return rs
}

func (p *parser) overrides(n *yaml.Node, rs *RuleSet) {
	if n.Kind != yaml.SequenceNode {
		p.errorf(p.pos(n), "override must be a list of {id, cooldown, severity}, got %s", kindName(n))
		return
	}
	for _, on := range n.Content {
		f, ok := p.fields(on, "an override", "id", "cooldown", "severity")
		if !ok {
			continue
		}
		o := Override{Pos: p.pos(on)}
		if v := f["id"]; v == nil {
			p.errorf(o.Pos, "override is missing \"id\"")
		} else if s, ok := p.str(v, "override id"); ok {
			o.ID = s
		}
		if v := f["cooldown"]; v != nil {
			o.Cooldown = p.duration(v, "override "+o.ID+" cooldown")
		}
		if v := f["severity"]; v != nil {
			if s, ok := p.str(v, "override "+o.ID+" severity"); ok {
				sev, err := ParseSeverity(s)
				if err != nil {
					p.errorf(p.pos(v), "override %s: %v", o.ID, err)
				}
				o.Severity = sev
			}
		}
		if f["cooldown"] == nil && f["severity"] == nil {
			p.errorf(o.Pos, "override %s changes nothing: give cooldown or severity", o.ID)
		}
		rs.Overrides = append(rs.Overrides, o)
	}
}

func (p *parser) defaults(n *yaml.Node, d *Defaults) {
	f, ok := p.fields(n, "defaults", "cooldown", "severity", "unless_preceded_by", "reported_speech")
	if !ok {
		return
	}
	if v := f["cooldown"]; v != nil {
		if c := p.duration(v, "defaults.cooldown"); c > 0 {
			d.Cooldown = c
		}
	}
	if v := f["severity"]; v != nil {
		if s, ok := p.str(v, "defaults.severity"); ok {
			sev, err := ParseSeverity(s)
			if err != nil {
				p.errorf(p.pos(v), "defaults.%v", err)
			} else {
				d.Severity = sev
			}
		}
	}
	if v := f["unless_preceded_by"]; v != nil {
		d.UnlessPrecededBy = p.phraseList(v, "defaults.unless_preceded_by")
	}
	if v := f["reported_speech"]; v != nil {
		// present, even empty, means "these and no others": not nil
		d.ReportedSpeech = append([]string{}, p.phraseList(v, "defaults.reported_speech")...)
	}
}

// phraseList reads a list of phrases (exceptions, guards, markers) and
// checks each one's syntax.
func (p *parser) phraseList(n *yaml.Node, what string) []string {
	list, pos := p.strList(n, what)
	for i, g := range list {
		if err := p.ex.check(g); err != nil {
			p.errorf(pos[i], "%s %q: %v", what, g, err)
		}
	}
	return list
}

var setNameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// sets reads the top-level sets: a mapping from name to a list of words
// or phrases.
func (p *parser) sets(n *yaml.Node, rs *RuleSet) {
	if n.Kind != yaml.MappingNode {
		p.errorf(p.pos(n), "sets must be a mapping of name: [words…], got %s", kindName(n))
		return
	}
	seen := map[string]Pos{}
	bare := newExpander(nil, false)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		if !setNameRE.MatchString(name) {
			p.errorf(p.pos(k), "set name %q must be lower case letters, digits, - or _, starting with a letter", name)
			continue
		}
		if prev, dup := seen[name]; dup {
			p.errorf(p.pos(k), "duplicate set %q (first defined at %s)", name, prev)
			continue
		}
		seen[name] = p.pos(k)
		members, pos := p.strList(v, "set "+name)
		if len(members) == 0 && v.Kind == yaml.SequenceNode {
			p.errorf(p.pos(v), "set %s is empty", name)
		}
		for j, m := range members {
			if err := checkSetMember(bare, m); err != nil {
				p.errorf(pos[j], "set %s: member %q: %v", name, m, err)
			}
		}
		rs.Sets = append(rs.Sets, Set{Name: name, Members: members, Pos: p.pos(k)})
	}
}

func (p *parser) rules(n *yaml.Node, rs *RuleSet) {
	if n.Kind != yaml.SequenceNode {
		p.errorf(p.pos(n), "rules must be a list of rules, got %s", kindName(n))
		return
	}
	ids := map[string]Pos{}
	for _, rn := range n.Content {
		r, ok := p.rule(rn, rs.Defaults)
		if r.ID != "" {
			if prev, dup := ids[r.ID]; dup {
				p.errorf(r.Pos, "duplicate rule id %q (first defined at %s)", r.ID, prev)
				continue
			}
			ids[r.ID] = r.Pos
		}
		if ok {
			rs.Rules = append(rs.Rules, r)
		}
	}
}

func (p *parser) rule(n *yaml.Node, d Defaults) (Rule, bool) {
	r := Rule{Pos: p.pos(n), Severity: d.Severity}
	f, ok := p.fields(n, "a rule", "id", "category", "severity", "mood", "questions", "reported", "jokes", "phrases", "regex", "unless", "cooldown", "tip", "examples")
	if !ok {
		return r, false
	}
	start := len(p.errs)
	if v := f["id"]; v == nil {
		p.errorf(r.Pos, "rule is missing \"id\"")
	} else if s, ok := p.str(v, "id"); ok {
		if !idRE.MatchString(s) {
			p.errorf(p.pos(v), "rule id %q must be kebab-case (a-z, 0-9 and single dashes)", s)
		}
		r.ID = s
	}
	what := "rule " + r.ID
	if v := f["category"]; v == nil {
		p.errorf(r.Pos, "%s is missing \"category\"", what)
	} else if s, ok := p.str(v, what+" category"); ok {
		if !validCategory(Category(s)) {
			names := make([]string, 0, 7)
			for _, c := range Categories() {
				names = append(names, string(c))
			}
			p.errorf(p.pos(v), "%s: unknown category %q (one of: %s)", what, s, strings.Join(names, ", "))
		}
		r.Category = Category(s)
	}
	if v := f["severity"]; v != nil {
		if s, ok := p.str(v, what+" severity"); ok {
			sev, err := ParseSeverity(s)
			if err != nil {
				p.errorf(p.pos(v), "%s: %v", what, err)
			}
			r.Severity = sev
		}
	}
	if v := f["mood"]; v != nil {
		r.Mood = p.mood(v, what+" mood")
	}
	if v := f["questions"]; v != nil {
		r.Questions = p.keep(v, what+" questions")
	}
	if v := f["reported"]; v != nil {
		r.Reported = p.keep(v, what+" reported")
	}
	if v := f["jokes"]; v != nil {
		r.Jokes = p.keep(v, what+" jokes")
	}
	if v := f["phrases"]; v != nil {
		r.Phrases = p.phrases(v, what)
	}
	if v := f["regex"]; v != nil {
		var pos []Pos
		r.Regex, pos = p.strList(v, what+" regex")
		for i, re := range r.Regex {
			if _, err := regexp.Compile(re); err != nil {
				p.errorf(pos[i], "%s: invalid RE2 regex %q: %v", what, re, err)
			} else if regexp.MustCompile(re).MatchString("") {
				p.errorf(pos[i], "%s: regex %q matches the empty string", what, re)
			}
		}
	}
	if len(r.Phrases) == 0 && len(r.Regex) == 0 {
		p.errorf(r.Pos, "%s needs at least one phrase or regex", what)
	}
	if v := f["unless"]; v != nil {
		r.Unless = p.phraseList(v, what+": unless")
	}
	if v := f["cooldown"]; v != nil {
		r.Cooldown = p.duration(v, what+" cooldown")
	}
	if v := f["tip"]; v == nil {
		p.errorf(r.Pos, "%s is missing \"tip\"", what)
	} else {
		p.tip(v, what, &r.Tip)
	}
	if v := f["examples"]; v != nil {
		p.examples(v, what, &r.Examples)
	}
	return r, len(p.errs) == start
}

// phrases reads a rule's phrases: each a string, or a mapping {phrase,
// mood, questions} for a phrase with its own judgements.
func (p *parser) phrases(n *yaml.Node, what string) []Phrase {
	if n.Kind != yaml.SequenceNode {
		p.errorf(p.pos(n), "%s phrases must be a list, got %s", what, kindName(n))
		return nil
	}
	out := make([]Phrase, 0, len(n.Content))
	for _, c := range n.Content {
		ph := Phrase{Pos: p.pos(c)}
		if c.Kind == yaml.MappingNode {
			f, ok := p.fields(c, what+" phrase", "phrase", "mood", "questions")
			if !ok {
				continue
			}
			v := f["phrase"]
			if v == nil {
				p.errorf(ph.Pos, "%s: phrase entry is missing \"phrase\"", what)
				continue
			}
			s, ok := p.nonEmpty(v, what+" phrase")
			if !ok {
				continue
			}
			ph.Text, ph.Pos = s, p.pos(v)
			if v := f["mood"]; v != nil {
				ph.Mood = p.mood(v, what+" phrase mood")
			}
			if v := f["questions"]; v != nil {
				ph.Questions = p.keep(v, what+" phrase questions")
			}
		} else {
			s, ok := p.nonEmpty(c, what+" phrases entry")
			if !ok {
				continue
			}
			ph.Text = s
		}
		if err := p.ex.check(ph.Text); err != nil {
			p.errorf(ph.Pos, "%s: phrase %q: %v", what, ph.Text, err)
		}
		out = append(out, ph)
	}
	return out
}

func (p *parser) mood(n *yaml.Node, what string) Mood {
	return Mood(p.choice(n, what, "any", "imperative"))
}

func (p *parser) keep(n *yaml.Node, what string) Keep {
	return Keep(p.choice(n, what, "skip", "keep"))
}

// choice reads one of the spellings given and returns its position plus
// one (0: missing or wrong, reported).
func (p *parser) choice(n *yaml.Node, what string, spellings ...string) uint8 {
	s, ok := p.str(n, what)
	if !ok {
		return 0
	}
	for i, sp := range spellings {
		if s == sp {
			return uint8(i + 1)
		}
	}
	p.errorf(p.pos(n), "%s must be %s, got %q", what, strings.Join(spellings, " or "), s)
	return 0
}

func (p *parser) tip(n *yaml.Node, what string, t *Tip) {
	f, ok := p.fields(n, what+" tip", "title", "why", "try")
	if !ok {
		return
	}
	if v := f["title"]; v == nil {
		p.errorf(p.pos(n), "%s tip is missing \"title\"", what)
	} else if s, ok := p.nonEmpty(v, what+" tip.title"); ok {
		t.Title = strings.TrimSpace(s)
	}
	if v := f["why"]; v == nil {
		p.errorf(p.pos(n), "%s tip is missing \"why\"", what)
	} else if s, ok := p.nonEmpty(v, what+" tip.why"); ok {
		t.Why = strings.TrimSpace(s)
	}
	if v := f["try"]; v == nil {
		p.errorf(p.pos(n), "%s tip is missing \"try\" (at least one alternative to suggest)", what)
	} else {
		t.Try, _ = p.strList(v, what+" tip.try")
		if len(t.Try) == 0 && v.Kind == yaml.SequenceNode {
			p.errorf(p.pos(v), "%s tip.try needs at least one alternative", what)
		}
	}
}

func (p *parser) examples(n *yaml.Node, what string, ex *Examples) {
	f, ok := p.fields(n, what+" examples", "match", "no_match")
	if !ok {
		return
	}
	get := func(key string) []Example {
		v := f[key]
		if v == nil {
			return nil
		}
		list, pos := p.strList(v, what+" examples."+key)
		out := make([]Example, len(list))
		for i := range list {
			out[i] = Example{Text: list[i], Pos: pos[i]}
		}
		return out
	}
	ex.Match = get("match")
	ex.NoMatch = get("no_match")
}

func (p *parser) prompts(n *yaml.Node, rs *RuleSet) {
	if n.Kind != yaml.SequenceNode {
		p.errorf(p.pos(n), "prompts must be a list, got %s", kindName(n))
		return
	}
	ids := map[string]Pos{}
	for _, pn := range n.Content {
		f, ok := p.fields(pn, "a prompt", "id", "text")
		if !ok {
			continue
		}
		pr := Prompt{Pos: p.pos(pn)}
		good := true
		if v := f["id"]; v == nil {
			p.errorf(p.pos(pn), "prompt is missing \"id\"")
			good = false
		} else if s, ok := p.str(v, "prompt id"); ok {
			if !idRE.MatchString(s) {
				p.errorf(p.pos(v), "prompt id %q must be kebab-case", s)
				good = false
			} else if prev, dup := ids[s]; dup {
				p.errorf(p.pos(v), "duplicate prompt id %q (first defined at %s)", s, prev)
				good = false
			}
			ids[s] = p.pos(v)
			pr.ID = s
		} else {
			good = false
		}
		if v := f["text"]; v == nil {
			p.errorf(p.pos(pn), "prompt %s is missing \"text\"", pr.ID)
			good = false
		} else if s, ok := p.nonEmpty(v, "prompt "+pr.ID+" text"); ok {
			pr.Text = strings.TrimSpace(s)
		} else {
			good = false
		}
		if good {
			rs.Prompts = append(rs.Prompts, pr)
		}
	}
}
