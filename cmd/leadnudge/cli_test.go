package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// runCLI runs the command line in-process and returns exit code and output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCheckExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"no nudge", []string{"check", "--rules", "testdata/rules.yaml", "ship it on Friday"}, 0, "message: no nudge\n"},
		{"nudge", []string{"check", "--rules", "testdata/rules.yaml", "--", "Just do it."}, 1, "»Just do it«"},
		{"several messages", []string{"check", "--rules", "testdata/rules.yaml", "ok", "just do it"}, 1, "message 1: no nudge\nmessage 2: 1 nudge"},
		{"bad format", []string{"check", "--format", "xml", "x"}, 2, ""},
		{"missing rules file", []string{"check", "--rules", "testdata/nope.yaml", "x"}, 2, ""},
		{"broken rules file", []string{"check", "--rules", "testdata/broken.yaml", "x"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, tt.out) {
				t.Errorf("stdout %q does not contain %q", out, tt.out)
			}
			if tt.code == 2 && errOut == "" {
				t.Errorf("exit 2 without an error message")
			}
		})
	}
}

func TestCheckBrokenRulesNamesPosition(t *testing.T) {
	_, _, errOut := runCLI(t, "", "check", "--rules", "testdata/broken.yaml", "x")
	if !strings.Contains(errOut, "testdata/broken.yaml:4:15: rule a: unknown category") {
		t.Errorf("stderr %q does not name file:line:col", errOut)
	}
}

func TestCheckJSON(t *testing.T) {
	code, out, _ := runCLI(t, "", "check", "--rules", "testdata/rules.yaml", "--format", "json", "Team: I don’t have to explain myself. Just do it now", "fine")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one JSON line per message, got %q", out)
	}
	var first struct {
		Matches []struct {
			Rule, Category, Severity, Phrase string
			Start, End                       int
			Tip                              struct {
				Title, Why string
				Try        []string
			}
		}
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if len(first.Matches) != 3 {
		t.Fatalf("matches = %+v", first.Matches)
	}
	m := first.Matches[0]
	if m.Rule != "no-explanation-owed" || m.Category != "positional-authority" || m.Severity != "strong" ||
		m.Start != 6 || m.End != 38 || m.Phrase != "I don’t have to explain myself" || m.Tip.Title == "" || len(m.Tip.Try) == 0 {
		t.Errorf("first match = %+v", m)
	}
	if lines[1] != `{"matches":[]}` {
		t.Errorf("second line = %s", lines[1])
	}
}

func TestCheckStdinLarge(t *testing.T) {
	big := strings.Repeat("all good, ship it on friday. ", 20<<20/29) + "because of that, just do it"
	code, out, errOut := runCLI(t, big, "check", "--rules", "testdata/rules.yaml", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var res struct{ Matches []struct{ Start, End int } }
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Matches) != 1 {
		t.Fatalf("out %q err %v", out, err)
	}
	if big[res.Matches[0].Start:res.Matches[0].End] != "just do it" {
		t.Errorf("span wrong")
	}
}

func TestRulesValidate(t *testing.T) {
	code, out, _ := runCLI(t, "", "rules", "validate", "testdata/rules.yaml")
	if code != 0 || !strings.Contains(out, "valid: 6 rules") {
		t.Fatalf("exit %d out %q", code, out)
	}
	code, _, errOut := runCLI(t, "", "rules", "validate", "testdata/broken.yaml")
	if code != 2 || !strings.Contains(errOut, "testdata/broken.yaml:4:15:") {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
}

func TestRulesTest(t *testing.T) {
	code, out, _ := runCLI(t, "", "rules", "test", "testdata/rules.yaml")
	if code != 0 || !strings.Contains(out, "2 examples, 2 passed, 0 failed") {
		t.Fatalf("exit %d out %q", code, out)
	}
	code, out, _ = runCLI(t, "", "rules", "test", "testdata/failing-examples.yaml")
	if code != 1 {
		t.Fatalf("exit %d, want 1; out %q", code, out)
	}
	for _, want := range []string{
		`testdata/failing-examples.yaml:8:46: rule rock-the-boat: example should match but did not: "don't shake things up"`,
		`testdata/failing-examples.yaml:9:18: rule rock-the-boat: no_match example matched "Do not rock the boat"`,
		"3 examples, 1 passed, 2 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRulesList(t *testing.T) {
	code, out, _ := runCLI(t, "", "rules", "list", "--format", "json", "testdata/rules.yaml")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var res struct {
		Rules []struct {
			ID, Category, Severity string
			Phrases                []string
			Tip                    struct {
				Title, Why string
				Try        []string
			}
		}
		Prompts []struct{ ID, Text string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Rules) != 6 || res.Rules[0].ID != "no-explanation-owed" || len(res.Rules[0].Phrases) != 2 || res.Rules[0].Tip.Why == "" {
		t.Errorf("rules = %+v", res.Rules)
	}
	if len(res.Prompts) != 1 || res.Prompts[0].ID != "lead-or-manage" {
		t.Errorf("prompts = %+v", res.Prompts)
	}
	code, out, _ = runCLI(t, "", "rules", "list", "--format", "json", "../../nudges/testdata/layer.yaml")
	if code != 0 || !strings.Contains(out, `"source": "../../nudges/testdata/layer.yaml"`) || !strings.Contains(out, `"source": "builtin.yaml"`) || strings.Contains(out, `"id": "just-do-it"`) {
		t.Errorf("layered list must show each rule's source and drop disabled rules; exit %d", code)
	}
	code, out, _ = runCLI(t, "", "rules", "list", "testdata/rules.yaml")
	if code != 0 || !strings.Contains(out, "Positional authority (positional-authority)") || !strings.Contains(out, "6 rules, 1 prompts") {
		t.Errorf("text list: exit %d\n%s", code, out)
	}
}

func TestExcerpt(t *testing.T) {
	s := strings.Repeat("é", 40) + "just do it\nnow" + strings.Repeat("x", 60)
	start := strings.Index(s, "just")
	got := excerpt(s, start, start+10, false)
	if !strings.HasPrefix(got, "…") || !strings.Contains(got, "»just do it« now") || !strings.HasSuffix(got, "…") {
		t.Errorf("excerpt = %q", got)
	}
	if !strings.Contains(excerpt("just do it", 0, 10, true), "\x1b[1;7mjust do it\x1b[0m") {
		t.Errorf("colour excerpt wrong")
	}
}
