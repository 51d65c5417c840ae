package nudges

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// readSample reads testdata/evalcorpus/sample.jsonl under the name
// "sample.jsonl".
func readSample(t testing.TB) []CorpusEntry {
	t.Helper()
	f, err := os.Open("testdata/evalcorpus/sample.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	es, err := ReadCorpus("sample.jsonl", f)
	if err != nil {
		t.Fatalf("ReadCorpus: %v", err)
	}
	return es
}

func TestReadCorpusEntries(t *testing.T) {
	es := readSample(t)
	if len(es) != 19 {
		t.Fatalf("%d entries, want 19 (20 lines, one blank)", len(es))
	}
	tests := []struct {
		i                    int
		label, kind, text    string
		category             Category
		line, blocks         int
		unlabelled, hasBlock bool
	}{
		{i: 0, label: LabelNudge, kind: "plain", category: CategoryPositionalAuthority, text: "I'm the boss here, we ship on Friday.", line: 1},
		{i: 3, label: LabelNudge, kind: "plain", category: CategoryCommandAndControl, text: "Just do it, and stop asking.", line: 5},
		{i: 5, label: LabelNudge, kind: "plain", category: CategoryStatusQuo, text: "We've always done it this way.\nNo changes.", line: 7},
		{i: 6, label: LabelNudge, kind: "rich", category: CategoryStatusQuo, text: "(see blocks)", line: 8, blocks: 1},
		{i: 11, label: LabelNone, text: "Lunch at noon?", line: 13},
		{i: 14, text: "ok thanks", line: 16},
	}
	for _, tt := range tests {
		e := es[tt.i]
		if e.Label != tt.label || e.Kind != tt.kind || e.Category != tt.category || e.Text != tt.text || len(e.Blocks) != tt.blocks {
			t.Errorf("entry %d = %+v", tt.i, e)
		}
		if want := (Pos{File: "sample.jsonl", Line: tt.line, Col: 1}); e.Pos != want {
			t.Errorf("entry %d at %s, want %s", tt.i, e.Pos, want)
		}
	}
	if got := PlainText(es[6].Blocks); got != "Sorry: we've always done it this way" {
		t.Errorf("blocks of line 8 read as %q", got)
	}
}

func TestReadCorpusAccepts(t *testing.T) {
	exact := `{"text": "` + strings.Repeat("a", MaxCorpusLine-len(`{"text": ""}`)) + `"}`
	tests := []struct {
		name, in string
		want     []CorpusEntry
	}{
		{"empty input", "", nil},
		{"blank lines only", "\n  \n\t\n", nil},
		{"no final newline", `{"text": "a"}`, []CorpusEntry{{Text: "a", Pos: Pos{"c", 1, 1}}}},
		{"CRLF", "{\"text\": \"a\"}\r\n\r\n{\"text\": \"b\"}\r\n", []CorpusEntry{{Text: "a", Pos: Pos{"c", 1, 1}}, {Text: "b", Pos: Pos{"c", 3, 1}}}},
		{"byte order mark", "\xEF\xBB\xBF{\"text\": \"a\"}", []CorpusEntry{{Text: "a", Pos: Pos{"c", 1, 1}}}},
		{"indented", "  {\"text\": \"a\"}  ", []CorpusEntry{{Text: "a", Pos: Pos{"c", 1, 3}}}},
		{"unknown keys and nulls", `{"src": "irc-x", "n": [1, {"a": 2}], "label": "none", "category": null, "kind": null, "blocks": null, "text": "a"}`,
			[]CorpusEntry{{Label: LabelNone, Text: "a", Pos: Pos{"c", 1, 1}}}},
		{"empty category and kind", `{"label": "near-miss", "category": "", "kind": "", "text": "a"}`,
			[]CorpusEntry{{Label: LabelNearMiss, Text: "a", Pos: Pos{"c", 1, 1}}}},
		{"category on an unlabelled line", `{"category": "no-why", "text": "a"}`,
			[]CorpusEntry{{Category: CategoryNoWhy, Text: "a", Pos: Pos{"c", 1, 1}}}},
		{"escapes", `{"label": "nudge", "category": "status-quo", "text": "a\n\u00e9\"b"}`,
			[]CorpusEntry{{Label: LabelNudge, Category: CategoryStatusQuo, Text: "a\né\"b", Pos: Pos{"c", 1, 1}}}},
		{"blocks", `{"text": "t", "blocks": [{"type": "rich_text", "elements": [{"type": "rich_text_list", "style": "bullet", "elements": []}]}]}`,
			[]CorpusEntry{{Text: "t", Blocks: []Element{{Type: "rich_text", Elements: []Element{{Type: "rich_text_list", Style: &Style{}, Elements: []Element{}}}}}, Pos: Pos{"c", 1, 1}}}},
		{"line of exactly MaxCorpusLine bytes", exact, []CorpusEntry{{Text: strings.Repeat("a", MaxCorpusLine-len(`{"text": ""}`)), Pos: Pos{"c", 1, 1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadCorpus("c", strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestReadCorpusErrors(t *testing.T) {
	cats := "positional-authority, shutting-down-questions, command-and-control, no-why, micromanagement, status-quo, not-lifting-others"
	tests := []struct {
		name, in, want string
	}{
		{"truncated object", `{"label": "nudge",`, "c.jsonl:1:19: invalid JSON: unexpected end of line"},
		{"missing comma", `{"label": "nudge" "x": 1}`, `c.jsonl:1:18: invalid JSON: invalid character '"' after object key:value pair`},
		{"bare word", `{"label": nudge}`, "c.jsonl:1:11: invalid JSON: invalid character 'd' in literal null (expecting 'l')"},
		{"not an object", `["a"]`, `c.jsonl:1:1: a corpus line must be a JSON object, got ["a"]`},
		{"a string", `"just do it"`, `c.jsonl:1:1: a corpus line must be a JSON object, got "just do it"`},
		{"two objects", `{"text": "a"}{"text": "b"}`, `c.jsonl:1:14: unexpected {"text": "b"} after the JSON object: one object per line`},
		{"trailing garbage", `{"text": "a"}  x`, "c.jsonl:1:16: unexpected x after the JSON object: one object per line"},
		{"repeated key", `{"text": "a", "text": "b"}`, `c.jsonl:1:23: key "text" appears twice`},
		{"unknown label", `  {"label": "nudgy", "text": "x"}`, `c.jsonl:1:13: unknown label "nudgy": want nudge, none or near-miss (or no label for an unlabelled line)`},
		{"empty label", `{"label": "", "text": "x"}`, `c.jsonl:1:11: unknown label "": want nudge, none or near-miss (or no label for an unlabelled line)`},
		{"null label", `{"label": null, "text": "x"}`, "c.jsonl:1:11: label must be a string, got null"},
		{"label in capitals", `{"Label": "nudge", "text": "x"}`, `c.jsonl:1:11: key "Label": keys are lower case: did you mean "label"?`},
		{"unknown category", `{"label": "nudge", "category": "bossy", "text": "x"}`, `c.jsonl:1:32: unknown category "bossy": want one of ` + cats},
		{"nudge without category", `{"label": "nudge", "text": "x"}`, "c.jsonl:1:11: a nudge line needs a category: one of " + cats},
		{"nudge with empty category", `{"label": "nudge", "category": "", "text": "x"}`, "c.jsonl:1:11: a nudge line needs a category: one of " + cats},
		{"missing text", `{"label": "none"}`, "c.jsonl:1:1: text is missing"},
		{"blank text", `{"label": "none", "text": " \t "}`, "c.jsonl:1:27: text is empty"},
		{"null text", `{"text": null}`, "c.jsonl:1:10: text must be a string, got null"},
		{"number text", `{"label": "none", "text": 5}`, "c.jsonl:1:27: text must be a string, got 5"},
		{"blocks not a list", `{"text": "a", "blocks": {"type": "rich_text"}}`, "c.jsonl:1:25: blocks must be a list of Slack rich_text blocks: json: cannot unmarshal object into Go value of type []nudges.Element"},
		{"several problems on one line, by column", `{"kind": 7, "label": "nudge", "category": 3}`,
			"c.jsonl:1:1: text is missing\nc.jsonl:1:10: kind must be a string, got 7\nc.jsonl:1:43: category must be a string, got 3"},
		{"every bad line reported", "{\"text\": \"ok\"}\n{\"label\": \"yes\", \"text\": \"a\"}\n\n{\"text\": \"ok\"}\n{\n{\"label\": \"none\"}\n",
			"c.jsonl:2:11: unknown label \"yes\": want nudge, none or near-miss (or no label for an unlabelled line)\nc.jsonl:5:2: invalid JSON: unexpected end of line\nc.jsonl:6:1: text is missing"},
		{"too long, then more", `{"text": "` + strings.Repeat("a", MaxCorpusLine) + "\"}\n{\"text\": \"fine\"}\n{}\n",
			"c.jsonl:1:1: line is longer than 1048576 bytes\nc.jsonl:3:1: text is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadCorpus("c.jsonl", strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error; entries %+v", got)
			}
			if got != nil {
				t.Errorf("entries returned with an error: %+v", got)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n%s\nwant:\n%s", err, tt.want)
			}
			var list ErrorList
			if !errors.As(err, &list) || len(list) != strings.Count(tt.want, "\n")+1 {
				t.Errorf("error is %T, want an ErrorList of every problem", err)
			}
		})
	}
}

func TestReadCorpusReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := iotest.DataErrReader(strings.NewReader("{\"text\": \"a\"}\n{\"text\": \"b\"}\n"))
	if _, err := ReadCorpus("c.jsonl", r); err != nil {
		t.Fatalf("DataErrReader: %v", err)
	}
	_, err := ReadCorpus("c.jsonl", newErrAfter("{\"text\": \"a\"}\n{\"te", boom))
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "c.jsonl:2: reading the corpus: ") {
		t.Errorf("err = %v", err)
	}
}

// newErrAfter returns a reader of s that then fails with err.
func newErrAfter(s string, err error) *errAfter { return &errAfter{s: s, err: err} }

type errAfter struct {
	s   string
	err error
}

func (r *errAfter) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, r.err
	}
	n := copy(p, r.s)
	r.s = r.s[n:]
	return n, nil
}

// TestEvaluate checks every figure of the report on the hand-written sample
// corpus and the tiny rule set beside it; the comments in the expectations
// say which line produces what.
func TestEvaluate(t *testing.T) {
	m := mustCompileFile(t, "testdata/evalcorpus/rules.yaml")
	r := Evaluate(m, readSample(t))

	want := &EvalReport{
		Lines: 19,
		// nudge: lines 1 2 3 5 6 7 8, fired all but 3; line 6 fired
		// im-the-boss (strong) for a command-and-control line.
		// near-miss: 9 (unless) 10 (inline code) 11 (fires) 12 (code block).
		// none: 13, 14 (fires), 15.
		Total: EvalCounts{Nudge: 7, TruePositives: 6, RightCategory: 5, NearMiss: 4, NearMissFired: 1, None: 3, NoneFired: 1},
		ByCategory: []CategoryEval{
			{CategoryPositionalAuthority, EvalCounts{Nudge: 3, TruePositives: 2, RightCategory: 2, NearMiss: 1, NearMissFired: 1}},
			{CategoryShuttingDownQuestions, EvalCounts{}},
			{CategoryCommandAndControl, EvalCounts{Nudge: 2, TruePositives: 2, RightCategory: 1, NearMiss: 3}},
			{CategoryNoWhy, EvalCounts{}},
			{CategoryMicromanagement, EvalCounts{}},
			{CategoryStatusQuo, EvalCounts{Nudge: 2, TruePositives: 2, RightCategory: 2, None: 1}},
			{CategoryNotLiftingOthers, EvalCounts{}},
			{"", EvalCounts{None: 2, NoneFired: 1}},
		},
		ByKind: []KindEval{
			{LabelNudge, "plain", 5, 5},
			{LabelNudge, "rich", 1, 1},
			{LabelNudge, "title", 1, 0},
			{LabelNearMiss, "blocks-code", 1, 0},
			{LabelNearMiss, "code", 1, 0},
			{LabelNearMiss, "joke", 1, 1},
			{LabelNearMiss, "self", 1, 0},
			{LabelNone, "sport", 1, 1},
		},
		// unlabelled: 16..20; 17 matches both rules (im-the-boss is sent),
		// 18 and 20 just-do-it.
		Unlabelled: UnlabelledEval{Lines: 5, Fired: 3, ByRule: []RuleCount{
			{Rule: "just-do-it", Category: CategoryCommandAndControl, Sent: 2, Matched: 3},
			{Rule: "im-the-boss", Category: CategoryPositionalAuthority, Sent: 1, Matched: 1},
		}},
		Misses: []EvalItem{
			{File: "sample.jsonl", Line: 3, Label: LabelNudge, Kind: "title", Category: CategoryPositionalAuthority, Text: "As the director, the pricing stays."},
		},
		FalseNudges: []EvalItem{
			{File: "sample.jsonl", Line: 11, Label: LabelNearMiss, Kind: "joke", Category: CategoryPositionalAuthority, Text: "Ha, I'm the boss of the kitchen tonight.",
				Rule: "im-the-boss", RuleCategory: CategoryPositionalAuthority, Matched: "I'm the boss", Start: 4, End: 16},
			{File: "sample.jsonl", Line: 14, Label: LabelNone, Kind: "sport", Text: "Nike's slogan is just do it, great ad.",
				Rule: "just-do-it", RuleCategory: CategoryCommandAndControl, Matched: "just do it", Start: 17, End: 27},
		},
		UnlabelledNudges: []EvalItem{
			{File: "sample.jsonl", Line: 17, Text: "I'm the boss, just do it", Rule: "im-the-boss", RuleCategory: CategoryPositionalAuthority, Matched: "I'm the boss", Start: 0, End: 12},
			{File: "sample.jsonl", Line: 18, Text: "just do it already", Rule: "just-do-it", RuleCategory: CategoryCommandAndControl, Matched: "just do it", Start: 0, End: 10},
			{File: "sample.jsonl", Line: 20, Text: longLine20, Rule: "just-do-it", RuleCategory: CategoryCommandAndControl, Matched: "just do it", Start: len(longLine20) - 11, End: len(longLine20) - 1},
		},
	}
	if !reflect.DeepEqual(r, want) {
		got, _ := json.MarshalIndent(r, "", "  ")
		exp, _ := json.MarshalIndent(want, "", "  ")
		t.Fatalf("report:\n%s\nwant:\n%s", got, exp)
	}

	// The derived figures.
	rates := []struct {
		name      string
		got, want float64
	}{
		{"precision", r.Total.Precision(), 6.0 / 8},
		{"recall", r.Total.Recall(), 6.0 / 7},
		{"right category", r.Total.RightCategoryRate(), 5.0 / 6},
		{"near-miss rate", r.Total.NearMissRate(), 1.0 / 4},
		{"none rate", r.Total.NoneRate(), 1.0 / 3},
		{"positional-authority precision", r.ByCategory[0].Counts.Precision(), 2.0 / 3},
		{"positional-authority recall", r.ByCategory[0].Counts.Recall(), 2.0 / 3},
		{"positional-authority near-miss rate", r.ByCategory[0].Counts.NearMissRate(), 1},
		{"command-and-control right category", r.ByCategory[2].Counts.RightCategoryRate(), 1.0 / 2},
		{"uncategorised precision: one false nudge, no true one", r.ByCategory[7].Counts.Precision(), 0},
		{"uncategorised recall: no nudge lines", r.ByCategory[7].Counts.Recall(), 1},
		{"empty category precision: nothing fired", r.ByCategory[1].Counts.Precision(), 1},
		{"empty category recall: no nudge lines", r.ByCategory[1].Counts.Recall(), 1},
		{"empty category near-miss rate", r.ByCategory[1].Counts.NearMissRate(), 0},
		{"per 1,000 unlabelled", r.Unlabelled.PerThousand(), 600},
		{"kind rate", r.ByKind[0].Rate(), 1},
	}
	for _, tt := range rates {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if r.Total.Lines() != 14 || r.Total.Fired() != 8 || r.Total.FalseNudges() != 2 {
		t.Errorf("lines %d fired %d false %d", r.Total.Lines(), r.Total.Fired(), r.Total.FalseNudges())
	}
}

const longLine20 = "Long thread summary: we went over the budget, the timeline, the hiring plan, the offsite, the new laptop policy, the on-call rota and the roadmap for next quarter, and my view is simple: just do it."

func TestEvaluateBlocksText(t *testing.T) {
	m := mustCompileFile(t, "testdata/evalcorpus/rules.yaml")
	es := readSample(t)
	// Line 8's text does not match; its blocks do, and the item shows the
	// blocks' plain text, which the span indexes.
	r := Evaluate(m, []CorpusEntry{es[6]})
	if r.Total.TruePositives != 1 {
		t.Fatalf("line 8 did not fire: %+v", r.Total)
	}
	r = Evaluate(m, []CorpusEntry{{Label: LabelNone, Text: es[6].Text, Blocks: es[6].Blocks, Pos: es[6].Pos}})
	it := r.FalseNudges[0]
	if it.Text != "Sorry: we've always done it this way" || it.Text[it.Start:it.End] != it.Matched || it.Matched != "we've always done it this way" {
		t.Errorf("item = %+v", it)
	}
}

func TestEvaluateEmpty(t *testing.T) {
	m := mustCompileFile(t, "testdata/evalcorpus/rules.yaml")
	r := Evaluate(m, nil)
	if r.Lines != 0 || r.Total != (EvalCounts{}) || r.Total.Precision() != 1 || r.Total.Recall() != 1 || r.Unlabelled.PerThousand() != 0 {
		t.Errorf("empty report = %+v", r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"misses":[]`, `"false_nudges":[]`, `"unlabelled_nudges":[]`, `"by_kind":[]`, `"by_rule":[]`, `"precision":1`, `"per_thousand":0`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
	// A label Evaluate does not know counts as unlabelled.
	r = Evaluate(m, []CorpusEntry{{Label: "maybe", Text: "just do it"}})
	if r.Unlabelled.Lines != 1 || r.Unlabelled.Fired != 1 || r.Total.Lines() != 0 {
		t.Errorf("unknown label: %+v", r)
	}
}

func TestEvalCountsJSON(t *testing.T) {
	c := EvalCounts{Nudge: 4, TruePositives: 3, RightCategory: 3, NearMiss: 2, NearMissFired: 1, None: 0}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"lines":6,"nudge":4,"true_positives":3,"right_category":3,"near_miss":2,"near_miss_fired":1,"none":0,"none_fired":0,` +
		`"fired":4,"precision":0.75,"recall":0.75,"right_category_rate":1,"near_miss_rate":0.5,"none_rate":0}`
	if string(b) != want {
		t.Errorf("JSON:\n%s\nwant:\n%s", b, want)
	}
	b, _ = json.Marshal(UnlabelledEval{Lines: 2000, Fired: 3, ByRule: []RuleCount{}})
	if string(b) != `{"lines":2000,"fired":3,"by_rule":[],"per_thousand":1.5}` {
		t.Errorf("unlabelled JSON: %s", b)
	}
}

func TestEvalSummary(t *testing.T) {
	m := mustCompileFile(t, "testdata/evalcorpus/rules.yaml")
	es := readSample(t)
	s := Evaluate(m, es).Summary()
	for _, want := range []string{
		"category                 precision  recall    found right-cat near-miss nudged    none nudged\n",
		"positional-authority         0.667   0.667      2/3       2/2       1/1 100.0%     0/0      -\n",
		"shutting-down-questions          -       -        -         -                -              -\n",
		"(no category)                0.000   1.000      0/0       0/0       0/0      -     1/2  50.0%\n",
		"total                        0.750   0.857      6/7       5/6       1/4  25.0%     1/3  33.3%\n",
		"near-miss/joke                               1/1 100.0%\n",
		"unlabelled: 5 lines, 3 nudged, 600.00 per 1,000\n  just-do-it                             sent 2, matched 3\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	// It goes into logs (TestRealChat): no message text in it.
	for _, e := range es {
		if strings.Contains(s, e.Text) {
			t.Errorf("summary holds the text of line %d", e.Pos.Line)
		}
	}
	// Only what there is to show.
	if s := Evaluate(m, es[14:]).Summary(); strings.Contains(s, "precision") || !strings.HasPrefix(s, "unlabelled: 5 lines") {
		t.Errorf("unlabelled-only summary:\n%s", s)
	}
	if s := Evaluate(m, nil).Summary(); s != "" {
		t.Errorf("empty summary %q", s)
	}
}
