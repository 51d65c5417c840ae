package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateEvalGolden = flag.Bool("update-eval", false, "rewrite testdata/eval/*.golden")

const (
	evalRules  = "../../nudges/testdata/evalcorpus/rules.yaml"
	evalSample = "../../nudges/testdata/evalcorpus/sample.jsonl"
)

// TestRulesEvalTextGolden compares the text report of the sample corpus with
// its golden file (rerun with -update-eval after a deliberate change).
func TestRulesEvalTextGolden(t *testing.T) {
	code, out, errOut := runCLI(t, "", "rules", "eval", "--rules", evalRules, evalSample)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	const path = "testdata/eval/sample.golden"
	if *updateEvalGolden {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (rerun with -update-eval)", err)
	}
	if out != string(want) {
		t.Errorf("rules eval output differs from %s (rerun with -update-eval if intended):\n%s", path, out)
	}
}

func TestRulesEvalLists(t *testing.T) {
	const (
		misses     = "misses (nudge lines no rule fired on, with their category): 1\n  " + evalSample + ":3  [positional-authority]  As the director, the pricing stays.\n"
		falses     = "false nudges (none and near-miss lines that fired): 2\n  " + evalSample + ":11  [im-the-boss]  Ha, »I'm the boss« of the kitchen tonight.\n"
		unlabelled = "unlabelled nudges: 3\n  " + evalSample + ":17  [im-the-boss]  »I'm the boss«, just do it\n"
	)
	tests := []struct {
		list      string
		want, not []string
	}{
		{"", []string{misses, falses}, []string{unlabelled}},
		{"all", []string{misses, falses, unlabelled}, nil},
		{"none", nil, []string{misses, falses, unlabelled}},
		{"unlabelled", []string{unlabelled}, []string{misses, falses}},
		{" false , misses", []string{misses, falses}, []string{unlabelled}},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			args := []string{"rules", "eval", "--rules", evalRules, evalSample}
			if tt.list != "" {
				args = append(args, "--list", tt.list)
			}
			code, out, _ := runCLI(t, "", args...)
			if code != 0 {
				t.Fatalf("exit %d", code)
			}
			if !strings.Contains(out, "total                        0.750   0.857      6/7       5/6       1/4  25.0%     1/3  33.3%\n") {
				t.Errorf("no totals line:\n%s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
		})
	}
}

func TestRulesEvalJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "", "rules", "eval", "--rules", evalRules, "--format", "json", evalSample)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var res map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	if _, ok := res["unlabelled_nudges"]; ok {
		t.Errorf("unlabelled nudges listed without --list unlabelled")
	}
	var rep struct {
		Rules   string
		Corpora []string
		Lines   int
		Total   struct {
			Nudge, Fired  int
			NearMiss      int     `json:"near_miss"`
			TruePositives int     `json:"true_positives"`
			RightCategory int     `json:"right_category"`
			NearMissFired int     `json:"near_miss_fired"`
			P             float64 `json:"precision"`
			R             float64 `json:"recall"`
			NearMissRate  float64 `json:"near_miss_rate"`
		}
		ByCategory []struct {
			Category string
			Counts   struct{ Nudge int }
		} `json:"by_category"`
		Unlabelled struct {
			Lines, Fired int
			PerThousand  float64 `json:"per_thousand"`
			ByRule       []struct {
				Rule          string
				Sent, Matched int
			} `json:"by_rule"`
		}
		Misses []struct {
			File, Text, Category string
			Line                 int
		}
		FalseNudges []struct {
			File, Rule, Matched, Text string
			Line, Start, End          int
		} `json:"false_nudges"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	tot := rep.Total
	if rep.Rules != evalRules || len(rep.Corpora) != 1 || rep.Lines != 19 || tot.Nudge != 7 || tot.TruePositives != 6 || tot.RightCategory != 5 ||
		tot.Fired != 8 || tot.NearMiss != 4 || tot.NearMissFired != 1 || tot.P != 0.75 || tot.R != 6.0/7 || tot.NearMissRate != 0.25 {
		t.Errorf("report = %+v", rep)
	}
	if len(rep.ByCategory) != 8 || rep.ByCategory[0].Category != "positional-authority" || rep.ByCategory[0].Counts.Nudge != 3 {
		t.Errorf("by category = %+v", rep.ByCategory)
	}
	u := rep.Unlabelled
	if u.Lines != 5 || u.Fired != 3 || u.PerThousand != 600 || len(u.ByRule) != 2 || u.ByRule[0].Rule != "just-do-it" || u.ByRule[0].Sent != 2 || u.ByRule[0].Matched != 3 {
		t.Errorf("unlabelled = %+v", u)
	}
	if len(rep.Misses) != 1 || rep.Misses[0].Line != 3 || rep.Misses[0].File != evalSample {
		t.Errorf("misses = %+v", rep.Misses)
	}
	if len(rep.FalseNudges) != 2 || rep.FalseNudges[1].Rule != "just-do-it" || rep.FalseNudges[1].Matched != "just do it" || rep.FalseNudges[1].Start != 17 {
		t.Errorf("false nudges = %+v", rep.FalseNudges)
	}

	_, out, _ = runCLI(t, "", "rules", "eval", "--rules", evalRules, "--format", "json", "--list", "none", evalSample)
	if strings.Contains(out, `"misses"`) || strings.Contains(out, `"false_nudges"`) {
		t.Errorf("--list none still lists")
	}
	_, out, _ = runCLI(t, "", "rules", "eval", "--rules", evalRules, "--format", "json", "--list", "unlabelled", evalSample)
	if !strings.Contains(out, `"unlabelled_nudges": [`) || strings.Contains(out, `"misses"`) {
		t.Errorf("--list unlabelled: %s", out)
	}
}

func TestRulesEvalErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr []string
	}{
		{"bad corpus names every bad line", []string{"rules", "eval", "--rules", evalRules, evalSample, "testdata/eval/bad.jsonl"}, []string{
			"testdata/eval/bad.jsonl:2:11: a nudge line needs a category: one of positional-authority,",
			`testdata/eval/bad.jsonl:4:11: unknown label "maybe"`,
			"testdata/eval/bad.jsonl:5:40: invalid JSON: unexpected end of line",
			"testdata/eval/bad.jsonl:6:24: text is empty",
			"leadnudge: 1 of 2 corpus files failed (problems above)",
		}},
		{"missing corpus", []string{"rules", "eval", "--rules", evalRules, "testdata/eval/nope.jsonl"}, []string{"reading the corpus: open testdata/eval/nope.jsonl"}},
		{"no corpus", []string{"rules", "eval", "--rules", evalRules}, []string{"requires at least 1 arg"}},
		{"bad format", []string{"rules", "eval", "--format", "xml", evalSample}, []string{"--format must be text or json"}},
		{"bad list", []string{"rules", "eval", "--list", "misses,hits", evalSample}, []string{`--list takes misses, false and unlabelled separated by commas, or all, or none; got "misses,hits"`}},
		{"empty list", []string{"rules", "eval", "--list", "", evalSample}, []string{"--list takes"}},
		{"broken rules", []string{"rules", "eval", "--rules", "testdata/broken.yaml", evalSample}, []string{"testdata/broken.yaml:4:15:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stdout %q stderr %q", code, out, errOut)
			}
			if out != "" {
				t.Errorf("stdout %q on an error", out)
			}
			for _, w := range tt.stderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

func TestEvalOneLine(t *testing.T) {
	long := strings.Repeat("abcdefghij", 20) // 200 characters
	tests := []struct {
		name, text string
		start, end int
		want       string
	}{
		{"plain", "ok", 0, 0, "ok"},
		{"marked", "so just do it", 3, 13, "so »just do it«"},
		{"line breaks", "a\nb\r\nc\rd\te\x01", 0, 0, "a⏎b⏎c⏎d e·"},
		{"invalid UTF-8", "a\xffb", 0, 0, "a\uFFFDb"},
		{"span out of range", "abc", 2, 9, "abc"},
		{"exactly 160", long[:160], 0, 0, long[:160]},
		{"cut at 160", long, 0, 0, long[:159] + "…"},
		{"match early stays", long, 10, 20, long[:10] + "»" + long[10:20] + "«" + long[20:157] + "…"},
		{"match late shown", long, 180, 190, "…" + long[140:180] + "»" + long[180:190] + "«" + long[190:]},
		{"match in the middle", long + long, 200, 205, "…" + long[160:200] + "»" + long[:5] + "«" + long[5:116] + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := evalOneLine(tt.text, tt.start, tt.end)
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if n := len([]rune(got)); n > evalTextWidth {
				t.Errorf("%d characters", n)
			}
		})
	}
}

func TestRulesEvalProblemsBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "many.jsonl")
	if err := os.WriteFile(path, []byte(strings.Repeat("{}\n", evalMaxProblems+50)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "", "rules", "eval", "--rules", evalRules, path)
	if code != 2 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if len(lines) != evalMaxProblems+2 || lines[evalMaxProblems-1] != path+":100:1: text is missing" ||
		lines[evalMaxProblems] != path+": … and 50 more problems" {
		t.Errorf("stderr (%d lines) ends:\n%s", len(lines), strings.Join(lines[max(0, len(lines)-3):], "\n"))
	}
}
