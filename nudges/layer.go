package nudges

import (
	"fmt"
	"sort"
)

// Layer returns the effective rule set of a workspace file layered over
// base (the built-in rules): base's rules minus the disabled ones, with the
// overrides applied, then the layer's own rules; prompts and meta-talk
// guards of both. Every rule keeps the Pos of the file it came from. It
// fails, naming file:line:col, when the layer disables or overrides an id
// base does not have, or adds a rule or prompt whose id base already uses.
func Layer(base, layer *RuleSet) (*RuleSet, error) {
	var errs ErrorList
	index := make(map[string]int, len(base.Rules))
	for i := range base.Rules {
		index[base.Rules[i].ID] = i
	}
	disabled := map[string]bool{}
	for _, d := range layer.Disable {
		if _, ok := index[d.ID]; !ok {
			errs = append(errs, &Error{Pos: d.Pos, Msg: fmt.Sprintf("disable: no built-in rule has the id %q", d.ID)})
			continue
		}
		disabled[d.ID] = true
	}
	out := &RuleSet{
		Version:  1,
		Defaults: base.Defaults,
		Extends:  layer.Extends,
	}
	out.Defaults.UnlessPrecededBy = append(append([]string(nil), base.Defaults.UnlessPrecededBy...), layer.Defaults.UnlessPrecededBy...)
	out.Defaults.ReportedSpeech = append(append([]string(nil), base.Defaults.ReportedSpeech...), layer.Defaults.ReportedSpeech...)
	out.Sets = layerSets(base.Sets, layer.Sets)
	for _, r := range base.Rules {
		if !disabled[r.ID] {
			out.Rules = append(out.Rules, r)
		}
	}
	outIndex := make(map[string]int, len(out.Rules))
	for i := range out.Rules {
		outIndex[out.Rules[i].ID] = i
	}
	for _, o := range layer.Overrides {
		if _, ok := index[o.ID]; !ok {
			errs = append(errs, &Error{Pos: o.Pos, Msg: fmt.Sprintf("override: no built-in rule has the id %q", o.ID)})
			continue
		}
		i, ok := outIndex[o.ID]
		if !ok {
			errs = append(errs, &Error{Pos: o.Pos, Msg: fmt.Sprintf("override: rule %q is also disabled", o.ID)})
			continue
		}
		if o.Cooldown > 0 {
			out.Rules[i].Cooldown = o.Cooldown
		}
		if o.Severity != 0 {
			out.Rules[i].Severity = o.Severity
		}
	}
	for _, r := range layer.Rules {
		if i, ok := index[r.ID]; ok {
			errs = append(errs, &Error{Pos: r.Pos, Msg: fmt.Sprintf("rule id %q is a built-in rule (%s): use override or disable to change it, or pick another id", r.ID, base.Rules[i].Pos)})
			continue
		}
		out.Rules = append(out.Rules, r)
	}
	prompts := map[string]Pos{}
	for _, p := range base.Prompts {
		prompts[p.ID] = p.Pos
		out.Prompts = append(out.Prompts, p)
	}
	for _, p := range layer.Prompts {
		if prev, dup := prompts[p.ID]; dup {
			errs = append(errs, &Error{Pos: p.Pos, Msg: fmt.Sprintf("prompt id %q is a built-in prompt (%s): pick another id", p.ID, prev)})
			continue
		}
		out.Prompts = append(out.Prompts, p)
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Pos.Line < errs[j].Pos.Line })
		return nil, errs
	}
	return out, nil
}

// layerSets returns base's sets with the layer's members added to sets of
// the same name, then the layer's new sets.
func layerSets(base, layer []Set) []Set {
	out := make([]Set, 0, len(base)+len(layer))
	index := map[string]int{}
	for _, s := range base {
		index[s.Name] = len(out)
		s.Members = append([]string(nil), s.Members...)
		out = append(out, s)
	}
	for _, s := range layer {
		if i, ok := index[s.Name]; ok {
			out[i].Members = append(out[i].Members, s.Members...)
			continue
		}
		index[s.Name] = len(out)
		out = append(out, s)
	}
	return out
}

// LoadEffective loads a rules file and, when it says extends: builtin,
// layers it over the built-in rules. An empty path means the built-in rules.
// A file that replaces the built-in rules and sets no
// defaults.reported_speech of its own gets the built-in markers (an empty
// list turns reported-speech skipping off).
func LoadEffective(path string) (*RuleSet, error) {
	base, err := Builtin()
	if err != nil {
		return nil, err
	}
	if path == "" {
		return base, nil
	}
	rs, err := LoadRulesFile(path)
	if err != nil {
		return nil, err
	}
	if rs.Extends == "" {
		if rs.Defaults.ReportedSpeech == nil {
			// reported speech is skipped by default: a file that lists no
			// markers of its own gets the built-in ones
			rs.Defaults.ReportedSpeech = base.Defaults.ReportedSpeech
		}
		return rs, nil
	}
	return Layer(base, rs)
}
