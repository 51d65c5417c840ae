package nudges

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestLoadErrorsGolden loads every broken rules file in testdata/errors and
// compares the full error text (file:line:col: message per line) with its
// .golden file. Run with -update to rewrite them after a deliberate change.
func TestLoadErrorsGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := LoadRulesFile(f)
			if err == nil {
				t.Fatalf("LoadRulesFile(%s) succeeded, want an error", f)
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestLoadErrorsGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("error for %s:\n%s\nwant:\n%s", f, got, want)
			}
			for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
				if !strings.HasPrefix(line, f+":") {
					t.Errorf("error line does not start with the file name: %q", line)
				}
			}
		})
	}
}

func TestParseRulesValues(t *testing.T) {
	rs, err := LoadRulesFile("testdata/basic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if rs.Version != 1 || len(rs.Rules) != 6 || len(rs.Prompts) != 1 {
		t.Fatalf("got version %d, %d rules, %d prompts", rs.Version, len(rs.Rules), len(rs.Prompts))
	}
	r := rs.Rule("no-explanation-owed")
	if r == nil {
		t.Fatal("rule not found")
	}
	if r.Severity != SeverityStrong || r.Category != CategoryPositionalAuthority || rs.CooldownFor(r) != 168*time.Hour {
		t.Errorf("rule fields: %+v", r)
	}
	if r.Pos.String() != "testdata/basic.yaml:7:5" {
		t.Errorf("rule pos = %s", r.Pos)
	}
	if j := rs.Rule("just-do-it"); j.Severity != SeverityNudge || rs.CooldownFor(j) != 72*time.Hour {
		t.Errorf("defaults not applied: %+v", j)
	}
	if rs.Rule("nope") != nil {
		t.Error("Rule(nope) should be nil")
	}
	if got := rs.Prompts[0]; got.ID != "lead-or-manage" || !strings.HasPrefix(got.Text, "Where did you lead") {
		t.Errorf("prompt = %+v", got)
	}
}

func TestLoadRulesFileMissing(t *testing.T) {
	_, err := LoadRulesFile("testdata/does-not-exist.yaml")
	if err == nil || !strings.Contains(err.Error(), "does-not-exist.yaml") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadRulesFileTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, make([]byte, maxRulesFileSize+10), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadRulesFile(path)
	if err == nil || !strings.Contains(err.Error(), "larger than 8 MiB") {
		t.Fatalf("err = %v", err)
	}
}

func TestExpandBraces(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  string
	}{
		{"just do it", "just do it", ""},
		{"{a|b} c", "a c|b c", ""},
		{"{a|b} {c|d}", "a c|a d|b c|b d", ""},
		{"{please |}do it", "please do it|do it", ""},
		{"{a}", "", "at least two alternatives"},
		{"{a|b", "", "without a matching '}'"},
		{"a|b}", "", "without a matching '{'"},
		{"{a|{b|c}}", "", "nested"},
	}
	for _, tt := range tests {
		got, err := expandBraces(tt.in, nil)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("expandBraces(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || strings.Join(got, "|") != tt.want {
			t.Errorf("expandBraces(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	big := strings.Repeat("{a|b|c}", 8)
	if _, err := expandBraces(big, nil); err == nil {
		t.Errorf("3^8 expansions should be refused")
	}
}

func TestPhraseVariants(t *testing.T) {
	tests := []struct{ in, want string }{
		{"I don't have to", "i don't have to|i do not have to|i dont have to"},
		{"i do not have to", "i do not have to|i don't have to|i dont have to"},
		{"I can’t", "i can't|i cannot|i can not|i cant"},
		{"that's how we've always", "that's how we've always|that's how we have always|that is how we've always|that is how we have always|thats how we've always|thats how we have always"},
		{"its fine", "its fine"},
		{"  Just   DO it ", "just do it"},
	}
	for _, tt := range tests {
		got, err := phraseVariants(tt.in)
		if err != nil || strings.Join(got, "|") != tt.want {
			t.Errorf("phraseVariants(%q) = %q, %v\nwant %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"...", "{a|}", "!!"} {
		if _, err := phraseVariants(bad); err == nil {
			t.Errorf("phraseVariants(%q) should fail", bad)
		}
	}
}

// TestPathologicalRulesFiles: hostile or accidental rules files get a clear,
// positioned error (or load) quickly; nothing hangs or explodes.
func TestPathologicalRulesFiles(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"expansion bomb", "version: 1\nrules:\n  - id: a\n    category: status-quo\n    phrases: [\"" + strings.Repeat("{a|b|c}", 12) + "\"]\n    tip: {title: t, why: w, try: [x]}\n", "bomb.yaml:5:15: rule a: phrase"},
		{"backtracking regex is linear in RE2", "version: 1\nrules:\n  - id: a\n    category: status-quo\n    regex: ['(a+)+$', '(x|x)*y']\n    tip: {title: t, why: w, try: [x]}\n", ""},
		{"yaml alias bomb", "version: 1\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nrules: []\n", "bomb.yaml:"},
		{"deep nesting", "version: 1\nrules: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n", "bomb.yaml:"},
		{"phrase of only punctuation", "version: 1\nrules:\n  - id: a\n    category: status-quo\n    phrases: [\"?!\"]\n    tip: {title: t, why: w, try: [x]}\n", "has no letters or digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				rs, err := ParseRules("bomb.yaml", []byte(tt.body))
				if err == nil {
					var m *Matcher
					if m, err = Compile(rs); err == nil {
						m.MatchText(strings.Repeat("a", 100000) + "!")
					}
				}
				done <- err
			}()
			select {
			case err := <-done:
				if tt.want == "" {
					if err != nil {
						t.Fatalf("unexpected error: %v", err)
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("loading a pathological rules file took more than 10s")
			}
		})
	}
}
