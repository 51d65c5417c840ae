package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/scan"
)

const scanFixture = "../../scan/testdata/export"

// TestScanJSONContract runs `leadnudge scan` with the bot's real filters and
// the default policy, and reads the report through the documented JSON
// contract.
func TestScanJSONContract(t *testing.T) {
	code, out, errOut := runCLI(t, "", "scan", scanFixture, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Messages *int            `json:"messages"`
		Skipped  map[string]int  `json:"skipped"`
		Matches  *int            `json:"matches"`
		Nudges   *int            `json:"nudges"`
		People   map[string]*int `json:"people"`
		Rules    []struct {
			ID       string `json:"id"`
			Category string `json:"category"`
			Matches  *int   `json:"matches"`
			Nudges   *int   `json:"nudges"`
		} `json:"rules"`
		Weeks []struct {
			Week     string `json:"week"`
			Messages *int   `json:"messages"`
			Matches  *int   `json:"matches"`
			Nudges   *int   `json:"nudges"`
		} `json:"weeks"`
		Errors []struct {
			File   string `json:"file"`
			Offset *int64 `json:"offset"`
			Error  string `json:"error"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if rep.Messages == nil || rep.Matches == nil || rep.Nudges == nil || *rep.Messages != 15 || *rep.Matches != 9 || *rep.Nudges != 7 {
		t.Fatalf("messages/matches/nudges missing or wrong:\n%s", out)
	}
	if rep.Skipped["bot"] != 2 || rep.Skipped["subtype"] != 1 || rep.Skipped["direct_message"] != 1 || rep.Skipped["unreadable"] != 2 {
		t.Errorf("skipped = %v", rep.Skipped)
	}
	for _, k := range []string{"0", "1", "2-3", "4+"} {
		if rep.People[k] == nil {
			t.Errorf("people lacks %q", k)
		}
	}
	if len(rep.Rules) < 60 || rep.Rules[0].ID == "" || rep.Rules[0].Category == "" || rep.Rules[0].Matches == nil || rep.Rules[0].Nudges == nil {
		t.Errorf("rules should list every rule with id, category, matches, nudges: %+v", rep.Rules[:min(2, len(rep.Rules))])
	}
	if len(rep.Weeks) != 2 || rep.Weeks[0].Week != "2026-W49" || rep.Weeks[0].Messages == nil || rep.Weeks[0].Nudges == nil {
		t.Errorf("weeks = %+v", rep.Weeks)
	}
	if len(rep.Errors) != 2 || rep.Errors[0].Offset == nil || rep.Errors[0].File == "" || rep.Errors[0].Error == "" {
		t.Errorf("errors = %+v", rep.Errors)
	}
	for _, text := range []string{"said so", "Just do it"} {
		if strings.Contains(out, text) {
			t.Errorf("the report holds message text %q", text)
		}
	}
}

// TestScanUsesTheConfiguredPolicy: the policy comes from the configuration
// the bot would run with.
func TestScanUsesTheConfiguredPolicy(t *testing.T) {
	code, out, errOut := runCLI(t, "", "scan", scanFixture, "--format", "json", "--set", "nudges.daily_cap=1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Nudges int `json:"nudges"`
		Policy struct {
			DailyCap int `json:"daily_cap"`
		} `json:"policy"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	// with one a day, Ana's second nudge of 30 November is held back too
	if rep.Nudges != 6 || rep.Policy.DailyCap != 1 {
		t.Errorf("nudges = %d, cap = %d; want 6 and 1", rep.Nudges, rep.Policy.DailyCap)
	}
}

func TestScanTextHTMLAndErrors(t *testing.T) {
	code, out, errOut := runCLI(t, "", "scan", scanFixture, "--samples", "1")
	if code != 0 || !strings.Contains(out, "15 messages read") || !strings.Contains(out, "»Because I said so«") {
		t.Errorf("text report, exit %d:\n%s\n%s", code, out, errOut)
	}
	page := filepath.Join(t.TempDir(), "report.html")
	if code, _, errOut := runCLI(t, "", "scan", scanFixture, "--format", "html", "-o", page); code != 0 {
		t.Fatalf("html: exit %d: %s", code, errOut)
	}
	if b, err := os.ReadFile(page); err != nil || !strings.HasPrefix(string(b), "<!doctype html>") {
		t.Errorf("html report not written: %v", err)
	}

	broken := t.TempDir()
	if err := os.MkdirAll(filepath.Join(broken, "general"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, "general", "2026-11-30.json"), []byte(`[{"user":`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"samples never go into a file", []string{"scan", scanFixture, "--format", "json", "--samples", "2"}, "--samples"},
		{"bad format", []string{"scan", scanFixture, "--format", "pdf"}, "--format"},
		{"bad date", []string{"scan", scanFixture, "--since", "yesterday"}, "--since"},
		{"dates reversed", []string{"scan", scanFixture, "--since", "2026-12-02", "--until", "2026-12-01"}, "after"},
		{"nothing readable", []string{"scan", broken}, "nothing could be read"},
		{"no export", []string{"scan", t.TempDir()}, "no message files"},
		{"not an export", []string{"scan", "scan_test.go"}, "not a Slack export"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, "", tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.want)
			}
		})
	}
}

func TestScanProgressBar(t *testing.T) {
	var b strings.Builder
	draw := progressBar(&b)
	draw(scan.Progress{Files: 10, FilesDone: 5, Bytes: 200 << 20, BytesDone: 100 << 20, Messages: 1234, Elapsed: 2 * time.Second})
	line := b.String()
	for _, want := range []string{"\r", " 50%", "5/10 files", "1234 messages", "100/200 MB", "50 MB/s", "ETA 2s"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %q lacks %q", line, want)
		}
	}
	if strings.HasSuffix(line, "\n") {
		t.Error("an unfinished scan ended the progress line")
	}
	draw(scan.Progress{Files: 10, FilesDone: 10, Bytes: 200 << 20, BytesDone: 200 << 20, Elapsed: 4 * time.Second})
	if !strings.HasSuffix(b.String(), "\n") {
		t.Error("the finished scan left the cursor on the progress line")
	}
	if isTerminal(&b) {
		t.Error("a buffer is not a terminal")
	}
}

// TestScanLayeredRules: --rules takes a workspace file layered over the
// built-in rules, as the bot would run it.
func TestScanLayeredRules(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "workspace.yaml")
	if err := os.WriteFile(rules, []byte("version: 1\nextends: builtin\ndisable: [just-do-it]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "", "scan", scanFixture, "--format", "json", "--rules", rules)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Matches int `json:"matches"`
		Rules   []struct {
			ID string `json:"id"`
		} `json:"rules"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	// the three just-do-it messages no longer match
	if rep.Matches != 6 {
		t.Errorf("matches = %d, want 6 without just-do-it", rep.Matches)
	}
	for _, r := range rep.Rules {
		if r.ID == "just-do-it" {
			t.Error("a disabled rule is still listed")
		}
	}
}
