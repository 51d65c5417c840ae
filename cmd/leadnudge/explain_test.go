package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCheckExplain: --explain lists every candidate with its verdict, in
// text and in JSON, and the exit code still says whether a nudge was found.
func TestCheckExplain(t *testing.T) {
	code, out, errOut := runCLI(t, "", "check", "--rules", "testdata/rules.yaml", "--explain", "--color", "never",
		"> just do it", "Just do it.")
	if code != 1 {
		t.Fatalf("exit %d; stderr %q", code, errOut)
	}
	for _, want := range []string{
		"message 1: no nudge\n  explain: 1 candidate\n  - just-do-it  > »just do it«\n      phrase \"just do it\"\n      dropped, quote\n",
		"  explain: 1 candidate\n  - just-do-it  »Just do it«.\n      phrase \"just do it\"\n      kept\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, "", "check", "--rules", "testdata/rules.yaml", "--explain", "nothing here")
	if code != 0 || !strings.Contains(out, "no candidate") {
		t.Errorf("exit %d, stdout %q", code, out)
	}

	code, out, _ = runCLI(t, "", "check", "--rules", "testdata/rules.yaml", "--explain", "--format", "json", "`just do it` then just do it")
	if code != 1 {
		t.Fatalf("json: exit %d", code)
	}
	var res struct {
		Matches    []struct{ Rule string }
		Candidates []struct {
			Rule, Text, Reason string
			Kept               bool
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json: %v: %q", err, out)
	}
	if len(res.Matches) != 1 || len(res.Candidates) != 2 || res.Candidates[0].Reason != "code" || res.Candidates[0].Kept || !res.Candidates[1].Kept {
		t.Errorf("json = %+v", res)
	}
}

// TestRulesListExpand shows every variant of one rule; an unknown id is an
// error.
func TestRulesListExpand(t *testing.T) {
	code, out, errOut := runCLI(t, "", "rules", "list", "--expand", "no-explanation-owed", "testdata/rules.yaml")
	if code != 0 {
		t.Fatalf("exit %d; stderr %q", code, errOut)
	}
	for _, want := range []string{"i don't have to explain myself\n", "    i do not have to explain myself\n", "    i dont have to explain myself\n", "no-explanation-owed: "} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if code, _, _ := runCLI(t, "", "rules", "list", "--expand", "nope", "testdata/rules.yaml"); code != 2 {
		t.Errorf("unknown rule: exit %d, want 2", code)
	}
	code, out, _ = runCLI(t, "", "rules", "list", "--expand", "no-explanation-owed", "--format", "json", "testdata/rules.yaml")
	var exps []struct {
		Phrase string
		Parts  [][]string
	}
	if err := json.Unmarshal([]byte(out), &exps); code != 0 || err != nil || len(exps) == 0 || len(exps[0].Parts) == 0 {
		t.Errorf("json: exit %d, err %v, %q", code, err, out)
	}
}
