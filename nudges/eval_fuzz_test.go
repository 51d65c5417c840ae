package nudges

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// FuzzReadCorpus checks that any bytes either read as corpus entries that
// obey the format (a known label or none, a valid category, a category on
// every nudge line, non-blank text, increasing line numbers) or fail with
// errors that each name fuzz.jsonl:line:col of a real line; never a panic.
// The entries then evaluate to a consistent report.
func FuzzReadCorpus(f *testing.F) {
	m := mustCompileFile(f, "testdata/evalcorpus/rules.yaml")
	sample, err := os.ReadFile("testdata/evalcorpus/sample.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	for _, s := range []string{
		"", "\n", "{}", `{"text": "just do it"}`, `{"label": "nudge", "category": "status-quo", "text": "we've always done it this way"}`,
		`{"label": "near-miss", "text": "x", "blocks": [{"type": "rich_text", "elements": [{"type": "text", "text": "i'm the boss"}]}]}`,
		`{"label": "nudge",`, `["a"]`, `{"text": "a"}{"text": "b"}`, `{"text": "a", "text": "b"}`, `{"Label": "x", "text": 5}`,
		"\xEF\xBB\xBF{\"text\": \"a\"}\r\n", `{"text": "a\u0000\ud800"}`, "{\"text\": \"\xff\"}", `{"label": null, "category": 3, "blocks": {}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		es, err := ReadCorpus("fuzz.jsonl", strings.NewReader(string(data)))
		if err != nil {
			if es != nil {
				t.Fatalf("entries returned with an error")
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error is not an ErrorList: %v", err)
			}
			for _, e := range list {
				if e.Pos.File != "fuzz.jsonl" || e.Pos.Line < 1 || e.Pos.Line > lines || e.Pos.Col < 1 {
					t.Fatalf("error at a wrong position: %v", e)
				}
			}
			for _, l := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(l, "fuzz.jsonl:") {
					t.Fatalf("error line without position: %q", l)
				}
			}
			return
		}
		last := 0
		for _, e := range es {
			switch {
			case e.Label != "" && e.Label != LabelNudge && e.Label != LabelNone && e.Label != LabelNearMiss:
				t.Fatalf("label %q accepted", e.Label)
			case e.Category != "" && !validCategory(e.Category):
				t.Fatalf("category %q accepted", e.Category)
			case e.Label == LabelNudge && e.Category == "":
				t.Fatalf("nudge line without a category accepted")
			case strings.TrimSpace(e.Text) == "":
				t.Fatalf("blank text accepted")
			case e.Pos.File != "fuzz.jsonl" || e.Pos.Line <= last || e.Pos.Line > lines || e.Pos.Col < 1:
				t.Fatalf("entry at %s after line %d", e.Pos, last)
			}
			last = e.Pos.Line
		}
		again, err := ReadCorpus("fuzz.jsonl", strings.NewReader(string(data)))
		if err != nil || !reflect.DeepEqual(again, es) {
			t.Fatalf("not deterministic")
		}
		r := Evaluate(m, es)
		c := r.Total
		var sum EvalCounts
		for _, ce := range r.ByCategory {
			k := ce.Counts
			sum = EvalCounts{sum.Nudge + k.Nudge, sum.TruePositives + k.TruePositives, sum.RightCategory + k.RightCategory,
				sum.NearMiss + k.NearMiss, sum.NearMissFired + k.NearMissFired, sum.None + k.None, sum.NoneFired + k.NoneFired}
		}
		switch {
		case r.Lines != len(es) || c.Lines()+r.Unlabelled.Lines != len(es):
			t.Fatalf("lines: %d labelled + %d unlabelled of %d", c.Lines(), r.Unlabelled.Lines, len(es))
		case sum != c:
			t.Fatalf("categories sum to %+v, total %+v", sum, c)
		case c.RightCategory > c.TruePositives || c.TruePositives > c.Nudge || c.NearMissFired > c.NearMiss || c.NoneFired > c.None:
			t.Fatalf("impossible counts %+v", c)
		case len(r.Misses) != c.Nudge-c.TruePositives || len(r.FalseNudges) != c.FalseNudges() || len(r.UnlabelledNudges) != r.Unlabelled.Fired:
			t.Fatalf("lists do not match the counts")
		case c.Precision() < 0 || c.Precision() > 1 || c.Recall() < 0 || c.Recall() > 1:
			t.Fatalf("rates out of range: %+v", c)
		}
		for _, it := range append(append(r.FalseNudges, r.UnlabelledNudges...), r.Misses...) {
			if it.Start < 0 || it.End > len(it.Text) || it.Start > it.End || it.Text[it.Start:it.End] != it.Matched {
				t.Fatalf("item span %d..%d does not hold %q in %q", it.Start, it.End, it.Matched, it.Text)
			}
		}
	})
}
