package scan

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/nudges"
)

// builtinMatcher compiles the built-in rules once per test binary.
func builtinMatcher(t testing.TB) *nudges.Matcher {
	t.Helper()
	rs, err := nudges.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	m, err := nudges.Compile(rs)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// botSkip is the bot's filter as bot.SkipReason states it (the scan is
// given it by the caller; the CLI test runs the real one).
func botSkip(subtype, botID, user string) string {
	switch {
	case botID != "" || subtype == "bot_message":
		return "bot"
	case subtype != "" && subtype != "thread_broadcast" && subtype != "file_share":
		return "subtype"
	case user == "":
		return "no_user"
	}
	return ""
}

func defaultOptions(m *nudges.Matcher) Options {
	return Options{
		Matcher:     m,
		MinSeverity: nudges.SeverityNudge,
		Skip:        botSkip,
		Policy: Policy{
			Cooldown: func(r *nudges.Rule) time.Duration {
				if r.Cooldown > 0 {
					return r.Cooldown
				}
				return 72 * time.Hour
			},
			DefaultCooldown: 72 * time.Hour,
			DailyCap:        2,
		},
	}
}

func ruleCount(r *Report, id string) RuleCount {
	for _, rc := range r.Rules {
		if rc.ID == id {
			return rc
		}
	}
	return RuleCount{ID: id}
}

// checkFixture asserts the figures of testdata/export, worked out by hand
// (see the comments): any reader of the export must arrive at them.
func checkFixture(t *testing.T, r *Report) {
	t.Helper()
	// 21 message objects: 2 unreadable (a text of the wrong type, a file
	// cut short), 4 skipped as the bot skips them, 15 read.
	want := map[string]int{"subtype": 1, "bot": 2, "direct_message": 1, "unreadable": 2}
	for k, v := range want {
		if r.Skipped[k] != v {
			t.Errorf("skipped[%s] = %d, want %d (all: %v)", k, r.Skipped[k], v, r.Skipped)
		}
	}
	if len(r.Skipped) != len(want) {
		t.Errorf("skipped = %v, want only %v", r.Skipped, want)
	}
	if r.Messages != 15 || r.Matches != 9 || r.Nudges != 7 {
		t.Errorf("messages/matches/nudges = %d/%d/%d, want 15/9/7", r.Messages, r.Matches, r.Nudges)
	}
	// Ana: because (sent), just-do-it (sent), always-done (daily cap),
	// because the next day (cooldown), because a week later (sent).
	for id, want := range map[string][2]int{
		"because-i-said-so":       {3, 2},
		"just-do-it":              {3, 3}, // Ana, Ben's file share, Cy in a private channel
		"always-done-it-this-way": {1, 0},
		"no-explanation-owed":     {1, 1}, // a thread reply read from its blocks
		"not-up-for-discussion":   {1, 1},
	} {
		if rc := ruleCount(r, id); rc.Matches != want[0] || rc.Nudges != want[1] {
			t.Errorf("%s: matches/nudges = %d/%d, want %d/%d", id, rc.Matches, rc.Nudges, want[0], want[1])
		}
	}
	wantWeeks := []WeekCount{{"2026-W49", 10, 7, 5}, {"2026-W50", 5, 2, 2}}
	if len(r.Weeks) != len(wantWeeks) {
		t.Fatalf("weeks = %+v, want %+v", r.Weeks, wantWeeks)
	}
	for i, w := range wantWeeks {
		if r.Weeks[i] != w {
			t.Errorf("week %d = %+v, want %+v", i, r.Weeks[i], w)
		}
	}
	// most in one week: Ana 2, Ben 1, Cy 2
	if r.People != (People{None: 0, One: 1, TwoThree: 2}) {
		t.Errorf("people = %+v, want 1 with one nudge, 2 with 2–3", r.People)
	}
	if len(r.Errors) != 2 {
		t.Fatalf("errors = %+v, want the two bad files", r.Errors)
	}
	for _, e := range r.Errors {
		switch {
		case strings.HasSuffix(e.File, "2026-12-08.json"):
			if e.Offset != 3 || !strings.Contains(e.Err, `"text"`) {
				t.Errorf("wrong-shape error = %+v, want offset 3 (where the object starts) naming the text field", e)
			}
		case strings.HasSuffix(e.File, "2026-12-09.json"):
			if e.Offset <= 0 {
				t.Errorf("truncated file error = %+v, want its offset", e)
			}
		default:
			t.Errorf("unexpected error %+v", e)
		}
	}
}

func TestScanExportFolder(t *testing.T) {
	r, err := Run(context.Background(), []string{"testdata/export"}, defaultOptions(builtinMatcher(t)))
	if err != nil {
		t.Fatal(err)
	}
	checkFixture(t, r)
	if r.Files != 8 {
		t.Errorf("files = %d, want 8", r.Files)
	}
	if r.Samples != nil {
		t.Errorf("samples kept without being asked: %v", r.Samples)
	}
}

// zipDir writes dir into a zip archive, under prefix.
func zipDir(t *testing.T, dir, prefix string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "export.zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(prefix + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestScanExportZip(t *testing.T) {
	m := builtinMatcher(t)
	for _, prefix := range []string{"", "Acme Slack export Dec 1 2026/"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			z := zipDir(t, "testdata/export", prefix)
			r, err := Run(context.Background(), []string{z}, defaultOptions(m))
			if err != nil {
				t.Fatal(err)
			}
			checkFixture(t, r)
			for _, e := range r.Errors {
				if !strings.Contains(e.File, "export.zip!") {
					t.Errorf("error %q does not name the archive entry", e.File)
				}
			}
		})
	}
}

func TestScanSinceUntil(t *testing.T) {
	o := defaultOptions(builtinMatcher(t))
	o.Since = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	o.Until = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC) // through 6 December
	r, err := Run(context.Background(), []string{"testdata/export"}, o)
	if err != nil {
		t.Fatal(err)
	}
	// 1 December (Ana, because: now the first, so sent) and 2 December (Cy)
	if r.Messages != 2 || r.Matches != 2 || r.Nudges != 2 || len(r.Errors) != 0 {
		t.Errorf("messages/matches/nudges/errors = %d/%d/%d/%d, want 2/2/2/0", r.Messages, r.Matches, r.Nudges, len(r.Errors))
	}
	if r.Since != "2026-12-01" || r.Until != "2026-12-06" {
		t.Errorf("since/until = %q/%q", r.Since, r.Until)
	}
}

func TestScanChannelsAndSeverity(t *testing.T) {
	o := defaultOptions(builtinMatcher(t))
	o.ChannelAllowed = func(c Conversation) bool { return c.Name != "general" }
	o.MinSeverity = nudges.SeverityStrong
	r, err := Run(context.Background(), []string{"testdata/export"}, o)
	if err != nil {
		t.Fatal(err)
	}
	// general's 8 readable messages are excluded; of the rest, the strong
	// rules match Ana's and Ben's (12-07); just-do-it (a nudge) does not count
	if r.Skipped["channel_excluded"] != 8 || r.Messages != 7 || r.Matches != 2 || r.Nudges != 2 {
		t.Errorf("excluded/messages/matches/nudges = %d/%d/%d/%d, want 8/7/2/2", r.Skipped["channel_excluded"], r.Messages, r.Matches, r.Nudges)
	}
}

func TestScanSamples(t *testing.T) {
	o := defaultOptions(builtinMatcher(t))
	o.Samples = 1
	r, err := Run(context.Background(), []string{"testdata/export"}, o)
	if err != nil {
		t.Fatal(err)
	}
	got := r.Samples["because-i-said-so"]
	if len(got) != 1 || got[0].Excerpt != "»Because I said so«." || got[0].Where != "#general" {
		t.Fatalf("samples = %+v, want the earliest, with the words marked", got)
	}
	if ex := r.Samples["no-explanation-owed"]; len(ex) != 1 || !strings.Contains(ex[0].Excerpt, "»I don't have to explain myself«") {
		t.Errorf("a match read from blocks is excerpted from the blocks: %+v", ex)
	}
	var text, js bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "»Because I said so«") {
		t.Errorf("text report lacks the samples asked for:\n%s", text.String())
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(js.String(), "said so") {
		t.Error("a sample leaked into the JSON report")
	}
}

func TestScanJSONLines(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "messages.jsonl")
	lines := `{"user":"U1","text":"Just do it.","ts":"1764496800.000100","channel":"C1"}
{"user":"U1","text":"Just do it again.","ts":"1764500400.000100","channel":"C1"}

{"user":"U2","text":"Because I said so.","ts":"1764500400.000200","channel":"D1","channel_type":"im"}
{"user":"U2","text":["not","text"],"ts":"1764500400.000300"}
not json at all
{"user":"U3","text":"ok","ts":"1764500400.000400","blocks":[{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"Just do it."}]}]}]}
`
	if err := os.WriteFile(p, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), []string{p}, defaultOptions(builtinMatcher(t)))
	if err != nil {
		t.Fatal(err)
	}
	// U1: two just-do-it an hour apart (the second in cooldown); U2's is a
	// DM; two lines unreadable; U3's blocks say what the text does not
	if r.Messages != 3 || r.Matches != 3 || r.Nudges != 2 || r.Skipped["direct_message"] != 1 || r.Skipped["unreadable"] != 2 {
		t.Errorf("messages/matches/nudges = %d/%d/%d, skipped %v", r.Messages, r.Matches, r.Nudges, r.Skipped)
	}
	if len(r.Errors) != 2 || r.Errors[0].Offset <= 0 {
		t.Errorf("errors = %+v, want two with their line's offset", r.Errors)
	}
}

func TestScanRefusesUnsafeArchives(t *testing.T) {
	m := builtinMatcher(t)
	dir := t.TempDir()
	write := func(name string, fill func(zw *zip.Writer)) string {
		p := filepath.Join(dir, name)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		fill(zw)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	entry := func(zw *zip.Writer, name string, body []byte) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	day := []byte(`[{"user":"U1","text":"Just do it.","ts":"1764496800.000100"}]`)
	traversal := write("traversal.zip", func(zw *zip.Writer) {
		entry(zw, "general/2026-11-30.json", day)
		entry(zw, "../../etc/cron.d/2026-11-30.json", day)
	})
	bomb := write("bomb.zip", func(zw *zip.Writer) {
		entry(zw, "general/2026-11-30.json", make([]byte, 16<<20)) // 16 MiB of zeros: ~1000:1
	})
	overlap := write("overlap.zip", func(zw *zip.Writer) {
		entry(zw, "general/2026-11-30.json", day)
		entry(zw, "general/2026-12-01.json", day)
	})
	// point the second entry's central directory record at the first
	// entry's data, as the densest zip bombs do
	b, err := os.ReadFile(overlap)
	if err != nil {
		t.Fatal(err)
	}
	cd := bytes.LastIndex(b, []byte("PK\x01\x02"))
	copy(b[cd+42:cd+46], []byte{0, 0, 0, 0})
	if err := os.WriteFile(overlap, b, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{traversal, bomb, overlap} {
		_, err := Run(context.Background(), []string{p}, defaultOptions(m))
		if !errors.Is(err, ErrUnsafeArchive) {
			t.Errorf("%s: err = %v, want ErrUnsafeArchive", filepath.Base(p), err)
		}
	}
	corrupt := filepath.Join(dir, "corrupt.zip")
	if err := os.WriteFile(corrupt, []byte("PK\x03\x04 this is not really a zip"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), []string{corrupt}, defaultOptions(m)); err == nil || !strings.Contains(err.Error(), "not a readable zip") {
		t.Errorf("corrupt zip: err = %v", err)
	}
	// a good archive with a corrupt entry: named, counted, the rest read
	good := write("damaged.zip", func(zw *zip.Writer) {
		entry(zw, "general/2026-11-30.json", day)
		entry(zw, "general/2026-12-01.json", bytes.Repeat(day, 200))
	})
	b, err = os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("2026-12-01.json")) + len("2026-12-01.json") + 10
	for j := i; j < i+40; j++ {
		b[j] ^= 0x5a // garble the second entry's compressed data
	}
	if err := os.WriteFile(good, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), []string{good}, defaultOptions(m))
	if err != nil {
		t.Fatal(err)
	}
	if r.Matches < 1 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].File, "2026-12-01.json") {
		t.Errorf("damaged entry: matches %d, errors %+v", r.Matches, r.Errors)
	}
}

func TestSimulate(t *testing.T) {
	rs := &nudges.RuleSet{Rules: []nudges.Rule{{ID: "a"}, {ID: "b", Cooldown: time.Hour}, {ID: "c"}}}
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }
	pol := Policy{
		Cooldown: func(r *nudges.Rule) time.Duration {
			if r.Cooldown > 0 {
				return r.Cooldown
			}
			return 72 * time.Hour
		},
		DailyCap: 2,
	}
	tests := []struct {
		name string
		ms   []match
		want []bool
	}{
		{"cooldown per rule", []match{{"u", at(0), 0}, {"u", at(71.9), 0}, {"u", at(72.1), 0}}, []bool{true, false, true}},
		{"a rule's own cooldown", []match{{"u", at(0), 1}, {"u", at(0.5), 1}, {"u", at(1), 1}}, []bool{true, false, true}},
		{"daily cap, rolling", []match{{"u", at(0), 0}, {"u", at(1), 1}, {"u", at(2), 2}, {"u", at(24.5), 2}}, []bool{true, true, false, true}},
		{"suppressed nudges do not count", []match{{"u", at(0), 1}, {"u", at(0.1), 1}, {"u", at(0.2), 1}, {"u", at(1.5), 2}}, []bool{true, false, false, true}},
		{"per person, any input order", []match{{"v", at(1), 0}, {"u", at(0), 0}, {"v", at(0), 0}, {"u", at(1), 0}}, []bool{false, true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := simulate(rs, tt.ms, pol)
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("sent = %v, want %v", got, tt.want)
				}
			}
		})
	}
	if got := simulate(rs, []match{{"u", at(0), 0}, {"u", at(0), 0}}, Policy{}); !got[0] || !got[1] {
		t.Errorf("no policy: %v, want every match sent", got)
	}
}

func TestParseTS(t *testing.T) {
	for in, want := range map[string]int64{
		"1764496800.000100":  1764496800000100,
		"1764496800.1":       1764496800100000,
		"1764496800":         1764496800000000,
		"1764496800.1234567": 1764496800123456,
	} {
		got, ok := parseTS(in)
		if !ok || got.UnixMicro() != want {
			t.Errorf("parseTS(%q) = %v %v, want %d µs", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "x", "-5.1", "12.x", "12.-1"} {
		if _, ok := parseTS(bad); ok {
			t.Errorf("parseTS(%q) accepted", bad)
		}
	}
}

func TestReportFormatsHoldNoText(t *testing.T) {
	o := defaultOptions(builtinMatcher(t))
	o.Samples = 3 // kept in memory; no file format may write them
	r, err := Run(context.Background(), []string{"testdata/export"}, o)
	if err != nil {
		t.Fatal(err)
	}
	for name, write := range map[string]func(io.Writer) error{"json": r.WriteJSON, "markdown": r.WriteMarkdown, "html": r.WriteHTML} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, text := range []string{"said so", "explain myself", "always done", "up for discussion", "Just do it"} {
			if strings.Contains(out, text) {
				t.Errorf("%s report holds message text %q", name, text)
			}
		}
		if !strings.Contains(out, "because-i-said-so") {
			t.Errorf("%s report lacks the rule ids", name)
		}
		if name == "html" {
			for _, bad := range []string{"<script", "http://", "https://", "@import", "<link"} {
				if strings.Contains(out, bad) {
					t.Errorf("html report is not self-contained: has %q", bad)
				}
			}
			if !strings.Contains(out, "<svg") {
				t.Error("html report has no chart")
			}
		}
	}
}
