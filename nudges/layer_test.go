package nudges

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLayerOverBuiltin(t *testing.T) {
	rs, err := LoadEffective("testdata/layer.yaml")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := Builtin()
	if got, want := len(rs.Rules), len(base.Rules); got != want {
		t.Fatalf("%d rules, want %d (one disabled, one added)", got, want)
	}
	if rs.Rule("just-do-it") != nil {
		t.Error("disabled rule is still there")
	}
	r := rs.Rule("not-my-job")
	if r == nil || r.Cooldown != 168*time.Hour || r.Severity != SeverityStrong || r.Pos.File != BuiltinName {
		t.Errorf("override not applied, or source lost: %+v", r)
	}
	if b := base.Rule("not-my-job"); b.Severity == SeverityStrong && b.Cooldown == 168*time.Hour {
		t.Fatal("test is vacuous: the built-in rule already has these values")
	}
	added := rs.Rule("ship-it-friday")
	if added == nil || added.Pos.File != "testdata/layer.yaml" {
		t.Fatalf("added rule = %+v", added)
	}
	if len(rs.Prompts) != len(base.Prompts)+1 || rs.Prompts[len(rs.Prompts)-1].ID != "team-own-prompt" {
		t.Errorf("prompts not layered: %d", len(rs.Prompts))
	}
	m, err := Compile(rs)
	if err != nil {
		t.Fatal(err)
	}
	if fails := m.TestExamples(); len(fails) > 0 {
		t.Fatalf("examples: %v", fails)
	}
	// just-do-it is disabled; the layer's own rule matches (a built-in rule
	// about threats may match the same words too)
	if got := summary(m.MatchText("Just do it. Ship it by Friday or else.")); !strings.HasPrefix(got, "ship-it-friday[Ship it by Friday or else]") || strings.Contains(got, "just-do-it") {
		t.Errorf("layered matcher = %q", got)
	}
	if got := summary(m.MatchText("Our motto is ship it by Friday or else.")); got != "" {
		t.Errorf("the layer's guard was not applied: %q", got)
	}
	// The base is untouched.
	if base.Rule("just-do-it") == nil {
		t.Error("layering changed the base rule set")
	}
}

func TestLayerErrors(t *testing.T) {
	layer, err := ParseRules("ws.yaml", []byte(`version: 1
extends: builtin
disable: [no-such-rule]
override:
  - id: also-missing
    severity: strong
rules:
  - id: just-do-it
    category: status-quo
    phrases: ["something new"]
    tip: {title: t, why: w, try: [x]}
prompts:
  - id: lead-or-manage
    text: dup
`))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := Builtin()
	_, err = Layer(base, layer)
	if err == nil {
		t.Fatal("Layer accepted unknown ids and duplicates")
	}
	for _, want := range []string{
		`ws.yaml:3:11: disable: no built-in rule has the id "no-such-rule"`,
		`ws.yaml:5:5: override: no built-in rule has the id "also-missing"`,
		`ws.yaml:8:5: rule id "just-do-it" is a built-in rule (builtin.yaml:`,
		`ws.yaml:13:5: prompt id "lead-or-manage" is a built-in prompt`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestLoadEffectiveStandalone(t *testing.T) {
	rs, err := LoadEffective("testdata/basic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Rules) != 6 {
		t.Errorf("a file without extends stands alone: %d rules", len(rs.Rules))
	}
	b, err := LoadEffective("")
	if err != nil || len(b.Rules) < 40 {
		t.Errorf("empty path should be the built-in rules: %v", err)
	}
}

// TestReportedSpeechDefault: a file that replaces the built-in rules keeps
// the built-in reported-speech markers unless it lists its own (an empty
// list turns them off).
func TestReportedSpeechDefault(t *testing.T) {
	dir := t.TempDir()
	rule := "rules:\n  - id: a\n    category: status-quo\n    phrases: [\"not up for discussion\"]\n    tip: {title: t, why: w, try: [x]}\n"
	for _, tt := range []struct {
		name, defaults string
		want           int
	}{
		{"inherits", "", 0},
		{"own list", "defaults: {reported_speech: [\"told me\"]}\n", 1},
		{"turned off", "defaults: {reported_speech: []}\n", 1},
	} {
		path := filepath.Join(dir, tt.name+".yaml")
		if err := os.WriteFile(path, []byte("version: 1\n"+tt.defaults+rule), 0o600); err != nil {
			t.Fatal(err)
		}
		rs, err := LoadEffective(path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Compile(rs)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(m.MatchText("She said it's not up for discussion")); got != tt.want {
			t.Errorf("%s: %d matches, want %d", tt.name, got, tt.want)
		}
	}
}
