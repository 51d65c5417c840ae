package nudges

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// The labels of a labelled corpus line.
const (
	// LabelNudge: the line leans on positional authority; the bot should
	// nudge, with a rule of the line's category.
	LabelNudge = "nudge"
	// LabelNone: an ordinary line; the bot should stay silent.
	LabelNone = "none"
	// LabelNearMiss: a line close to a nudge in wording but fine (a
	// question, someone quoted, the author talking about themselves…); the
	// bot should stay silent.
	LabelNearMiss = "near-miss"
)

// MaxCorpusLine is the longest corpus line ReadCorpus accepts, in bytes,
// without its line ending.
const MaxCorpusLine = 1 << 20

// CorpusEntry is one line of an evaluation corpus.
type CorpusEntry struct {
	// Label is LabelNudge, LabelNone or LabelNearMiss, or empty for an
	// unlabelled line (for example a message from a real-chat dump).
	Label string
	// Kind is a free tag that groups lines in the report ("question",
	// "quoted", "plain"…); it may be empty.
	Kind string
	// Category is the category a nudge line should be nudged for; on other
	// lines it is optional (the category a near-miss is near to).
	Category Category
	// Text is the message text, Slack mrkdwn.
	Text string
	// Blocks are the message's rich_text blocks, if the line has any; the
	// matcher then reads them instead of Text.
	Blocks []Element
	// Pos is where the line is: the corpus name, its 1-based line number,
	// and the column where its JSON object starts.
	Pos Pos
}

// ReadCorpus reads an evaluation corpus in JSON Lines: one JSON object per
// line, of the form
//
//	{"label": "nudge"|"none"|"near-miss", "category": "…", "kind": "…", "text": "…", "blocks": […]}
//
// name is used in positions and errors only. A line without "label" is
// unlabelled; "category" must be one of Categories() when present and is
// required on a nudge line; "kind" is a free tag; "text" is required and
// must not be blank; "blocks" are Slack rich_text blocks. Other keys are
// allowed and ignored, but a key that differs from a known one only in case
// ("Label") is an error, so a typo cannot silently unlabel a line. Blank lines
// are skipped and a line may not be longer than MaxCorpusLine bytes.
//
// Every problem of the input is reported, not just the first: the error is
// then an ErrorList whose entries name name:line:col, and no entries are
// returned. A failure of r itself is returned wrapped, with the line it
// happened on.
func ReadCorpus(name string, r io.Reader) ([]CorpusEntry, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var (
		entries []CorpusEntry
		errs    ErrorList
		buf     []byte
	)
	for n := 1; ; n++ {
		line, tooLong, err := readLine(br, buf, MaxCorpusLine)
		buf = line[:0]
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
		}
		pos := Pos{File: name, Line: n, Col: 1}
		switch {
		case tooLong:
			errs = append(errs, &Error{Pos: pos, Msg: fmt.Sprintf("line is longer than %d bytes", MaxCorpusLine)})
		case len(bytes.TrimSpace(line)) > 0:
			e, lineErrs := parseCorpusLine(pos, line)
			if len(lineErrs) > 0 {
				errs = append(errs, lineErrs...)
			} else {
				entries = append(entries, e)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: reading the corpus: %w", name, n, err)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return entries, nil
}

// readLine reads the next line into buf and returns it without its line
// ending. A line longer than limit is read to its end but not kept: tooLong
// is then set. err is io.EOF after the last line.
func readLine(br *bufio.Reader, buf []byte, limit int) (line []byte, tooLong bool, err error) {
	line = buf[:0]
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			// +2 leaves room for the "\r\n" trimmed below.
			if len(line)+len(chunk) > limit+2 {
				tooLong, line = true, line[:0]
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) > limit {
			tooLong, line = true, line[:0]
		}
		return line, tooLong, err
	}
}

// jsonValue is a value of a corpus line's object and the 1-based column
// where it starts.
type jsonValue struct {
	raw json.RawMessage
	col int
}

// parseCorpusLine parses one non-blank line; pos names the line.
func parseCorpusLine(pos Pos, line []byte) (CorpusEntry, ErrorList) {
	first := len(line) - len(bytes.TrimLeft(line, " \t"))
	pos.Col = first + 1
	fields, errs := jsonObject(pos, line)
	if errs != nil {
		return CorpusEntry{}, errs
	}
	at := func(key string) Pos {
		p := pos
		if v, ok := fields[key]; ok {
			p.Col = v.col
		}
		return p
	}
	fail := func(p Pos, format string, args ...any) {
		errs = append(errs, &Error{Pos: p, Msg: fmt.Sprintf(format, args...)})
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, known := range [...]string{"label", "category", "kind", "text", "blocks"} {
			if k != known && strings.EqualFold(k, known) {
				fail(at(k), "key %q: keys are lower case: did you mean %q?", k, known)
			}
		}
	}
	// str decodes an optional string field; null counts as absent when
	// nullOK.
	str := func(key string, nullOK bool) (string, bool) {
		v, ok := fields[key]
		if !ok || nullOK && string(v.raw) == "null" {
			return "", false
		}
		var s string
		if err := json.Unmarshal(v.raw, &s); err != nil || string(v.raw) == "null" {
			fail(at(key), "%s must be a string, got %s", key, clip(string(v.raw), 40))
			return "", false
		}
		return s, true
	}
	var e CorpusEntry
	e.Pos = pos
	if label, ok := str("label", false); ok {
		switch label {
		case LabelNudge, LabelNone, LabelNearMiss:
			e.Label = label
		default:
			fail(at("label"), "unknown label %q: want %s, %s or %s (or no label for an unlabelled line)", label, LabelNudge, LabelNone, LabelNearMiss)
		}
	}
	switch c, ok := str("category", true); {
	case !ok && fields["category"].raw != nil && string(fields["category"].raw) != "null":
		// not a string: reported
	case c != "" && !validCategory(Category(c)):
		fail(at("category"), "unknown category %q: want one of %s", c, categoryList())
	case c != "":
		e.Category = Category(c)
	case e.Label == LabelNudge:
		fail(at("label"), "a nudge line needs a category: one of %s", categoryList())
	}
	e.Kind, _ = str("kind", true)
	if _, ok := fields["text"]; !ok {
		fail(pos, "text is missing")
	} else if text, ok := str("text", false); ok {
		if strings.TrimSpace(text) == "" {
			fail(at("text"), "text is empty")
		}
		e.Text = text
	}
	if v, ok := fields["blocks"]; ok && string(v.raw) != "null" {
		if err := json.Unmarshal(v.raw, &e.Blocks); err != nil {
			fail(at("blocks"), "blocks must be a list of Slack rich_text blocks: %v", err)
		}
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Pos.Col < errs[j].Pos.Col })
	return e, errs
}

// jsonObject splits a line holding one JSON object into its values, with
// the column of each. A syntax error, a value that is not an object, a
// repeated key or anything after the object is an error at its column.
func jsonObject(pos Pos, line []byte) (map[string]jsonValue, ErrorList) {
	failAt := func(off int, format string, args ...any) ErrorList {
		p := pos
		p.Col = off + 1
		return ErrorList{{Pos: p, Msg: fmt.Sprintf(format, args...)}}
	}
	syntax := func(err error) ErrorList {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return failAt(max(int(se.Offset)-1, 0), "invalid JSON: %v", se)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return failAt(len(line), "invalid JSON: unexpected end of line")
		}
		return failAt(pos.Col-1, "invalid JSON: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	tok, err := dec.Token()
	if err != nil {
		return nil, syntax(err)
	}
	if tok != json.Delim('{') {
		return nil, failAt(pos.Col-1, "a corpus line must be a JSON object, got %s", clip(string(bytes.TrimSpace(line)), 40))
	}
	fields := map[string]jsonValue{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntax(err)
		}
		key, _ := tok.(string) // inside an object, the decoder only yields string keys
		start := int(dec.InputOffset())
		for start < len(line) && (line[start] == ':' || line[start] == ' ' || line[start] == '\t' || line[start] == '\r') {
			start++
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntax(err)
		}
		if _, dup := fields[key]; dup {
			return nil, failAt(start, "key %q appears twice", key)
		}
		fields[key] = jsonValue{raw: raw, col: start + 1}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntax(err)
	}
	end := int(dec.InputOffset())
	if rest := bytes.TrimSpace(line[end:]); len(rest) > 0 {
		return nil, failAt(end+len(line[end:])-len(bytes.TrimLeft(line[end:], " \t")), "unexpected %s after the JSON object: one object per line", clip(string(rest), 20))
	}
	return fields, nil
}

// categoryList is the valid categories, for error messages.
func categoryList() string {
	cs := Categories()
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// clip shortens s to at most n runes for an error message.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// EvalCounts are the figures of the labelled lines of a corpus, or of one
// category of them.
type EvalCounts struct {
	// Nudge is the number of nudge lines; TruePositives how many of them
	// fired; RightCategory how many of those were nudged with a rule of the
	// line's own category (judged on the rule the bot would send, Best).
	Nudge, TruePositives, RightCategory int
	// NearMiss is the number of near-miss lines, NearMissFired how many of
	// them fired.
	NearMiss, NearMissFired int
	// None is the number of none lines, NoneFired how many of them fired.
	None, NoneFired int
}

// Lines is the number of labelled lines counted.
func (c EvalCounts) Lines() int { return c.Nudge + c.NearMiss + c.None }

// Fired is the number of labelled lines that fired: true positives and
// false nudges.
func (c EvalCounts) Fired() int { return c.TruePositives + c.NearMissFired + c.NoneFired }

// FalseNudges is the number of near-miss and none lines that fired.
func (c EvalCounts) FalseNudges() int { return c.NearMissFired + c.NoneFired }

// Precision is TruePositives / Fired: the share of nudges that were right.
// It is 1 when nothing fired (nothing wrong was said).
func (c EvalCounts) Precision() float64 { return ratio(c.TruePositives, c.Fired(), 1) }

// Recall is TruePositives / Nudge: the share of nudge lines that fired. It
// is 1 when there are no nudge lines (nothing was missed).
func (c EvalCounts) Recall() float64 { return ratio(c.TruePositives, c.Nudge, 1) }

// RightCategoryRate is RightCategory / TruePositives: the share of true
// positives nudged for the right reason. It is 1 when nothing fired.
func (c EvalCounts) RightCategoryRate() float64 { return ratio(c.RightCategory, c.TruePositives, 1) }

// NearMissRate is NearMissFired / NearMiss: the false-nudge rate on
// near-miss lines. It is 0 when there are no near-miss lines (nothing was
// wrongly nudged).
func (c EvalCounts) NearMissRate() float64 { return ratio(c.NearMissFired, c.NearMiss, 0) }

// NoneRate is NoneFired / None: the false-nudge rate on none lines. It is 0
// when there are no none lines.
func (c EvalCounts) NoneRate() float64 { return ratio(c.NoneFired, c.None, 0) }

// MarshalJSON writes the counts and the rates derived from them.
func (c EvalCounts) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Lines             int     `json:"lines"`
		Nudge             int     `json:"nudge"`
		TruePositives     int     `json:"true_positives"`
		RightCategory     int     `json:"right_category"`
		NearMiss          int     `json:"near_miss"`
		NearMissFired     int     `json:"near_miss_fired"`
		None              int     `json:"none"`
		NoneFired         int     `json:"none_fired"`
		Fired             int     `json:"fired"`
		Precision         float64 `json:"precision"`
		Recall            float64 `json:"recall"`
		RightCategoryRate float64 `json:"right_category_rate"`
		NearMissRate      float64 `json:"near_miss_rate"`
		NoneRate          float64 `json:"none_rate"`
	}{
		c.Lines(), c.Nudge, c.TruePositives, c.RightCategory, c.NearMiss, c.NearMissFired, c.None, c.NoneFired,
		c.Fired(), c.Precision(), c.Recall(), c.RightCategoryRate(), c.NearMissRate(), c.NoneRate(),
	})
}

func (c *EvalCounts) add(label string, fired, rightCategory bool) {
	switch label {
	case LabelNudge:
		c.Nudge++
		if fired {
			c.TruePositives++
			if rightCategory {
				c.RightCategory++
			}
		}
	case LabelNearMiss:
		c.NearMiss++
		if fired {
			c.NearMissFired++
		}
	case LabelNone:
		c.None++
		if fired {
			c.NoneFired++
		}
	}
}

// ratio is n/d, or ifZero when d is 0.
func ratio(n, d int, ifZero float64) float64 {
	if d == 0 {
		return ifZero
	}
	return float64(n) / float64(d)
}

// CategoryEval is the figures of the labelled lines of one category (the
// category the line carries, not the one of the rule that fired).
type CategoryEval struct {
	// Category is the lines' category; empty for lines that carry none.
	Category Category   `json:"category"`
	Counts   EvalCounts `json:"counts"`
}

// KindEval is how the labelled lines of one label and kind fared.
type KindEval struct {
	Label string `json:"label"`
	Kind  string `json:"kind"`
	// Lines is the number of lines, Fired how many of them fired.
	Lines int `json:"lines"`
	Fired int `json:"fired"`
}

// Rate is Fired / Lines (recall for nudge lines, the false-nudge rate for
// the others), 0 when there are no lines.
func (k KindEval) Rate() float64 { return ratio(k.Fired, k.Lines, 0) }

// RuleCount is how often one rule fired on the unlabelled lines.
type RuleCount struct {
	Rule     string   `json:"rule"`
	Category Category `json:"category"`
	// Sent counts the lines where the rule is the one the bot would send
	// (Best); Matched the lines where it matched at all.
	Sent    int `json:"sent"`
	Matched int `json:"matched"`
}

// UnlabelledEval is the figures of the unlabelled lines.
type UnlabelledEval struct {
	// Lines is the number of unlabelled lines, Fired how many of them fired.
	Lines int `json:"lines"`
	Fired int `json:"fired"`
	// ByRule counts the rules that fired, most sent first.
	ByRule []RuleCount `json:"by_rule"`
}

// PerThousand is the nudges per 1,000 unlabelled lines; 0 when there are
// none.
func (u UnlabelledEval) PerThousand() float64 { return 1000 * ratio(u.Fired, u.Lines, 0) }

// MarshalJSON writes the figures and the rate per 1,000 lines.
func (u UnlabelledEval) MarshalJSON() ([]byte, error) {
	type plain UnlabelledEval
	return json.Marshal(struct {
		plain
		PerThousand float64 `json:"per_thousand"`
	}{plain(u), u.PerThousand()})
}

// EvalItem is one line of a report's lists.
type EvalItem struct {
	// File and Line locate the corpus line.
	File string `json:"file"`
	Line int    `json:"line"`
	// Label, Kind and Category are the line's.
	Label    string   `json:"label,omitempty"`
	Kind     string   `json:"kind,omitempty"`
	Category Category `json:"category,omitempty"`
	// Text is the text the matcher read: the line's text, or the plain text
	// of its rich_text blocks (see PlainText).
	Text string `json:"text"`
	// Rule and RuleCategory name the rule the bot would send (Best); empty
	// for a line that did not fire.
	Rule         string   `json:"rule,omitempty"`
	RuleCategory Category `json:"rule_category,omitempty"`
	// Matched is the rule's matched words; Start and End their byte span in
	// Text (both zero for a line that did not fire).
	Matched string `json:"matched,omitempty"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
}

// EvalReport is how a rule set fares on a corpus.
type EvalReport struct {
	// Lines is the number of corpus lines evaluated, labelled or not.
	Lines int `json:"lines"`
	// Total is the figures of every labelled line.
	Total EvalCounts `json:"total"`
	// ByCategory has one entry per category of Categories(), in that order,
	// then one for labelled lines without a category if there are any.
	ByCategory []CategoryEval `json:"by_category"`
	// ByKind has one entry per label and kind of the labelled lines that
	// carry a kind: nudge, near-miss, then none; kinds in byte order.
	ByKind []KindEval `json:"by_kind"`
	// Unlabelled is the figures of the unlabelled lines.
	Unlabelled UnlabelledEval `json:"unlabelled"`
	// Misses are the nudge lines that did not fire, in corpus order.
	Misses []EvalItem `json:"misses"`
	// FalseNudges are the near-miss and none lines that fired, in corpus
	// order.
	FalseNudges []EvalItem `json:"false_nudges"`
	// UnlabelledNudges are the unlabelled lines that fired, in corpus order.
	UnlabelledNudges []EvalItem `json:"unlabelled_nudges"`
}

// Evaluate runs every entry through m, as the bot would read the message
// (Match on its text and blocks), and measures the result against the
// labels. A line fires when at least one rule matches; the rule the bot
// would send is Best of the matches. Entries with a label other than
// LabelNudge, LabelNone or LabelNearMiss count as unlabelled.
//
// The rates follow from EvalCounts: precision is 1 when no labelled line
// fired, recall 1 when there are no nudge lines, and the false-nudge rates 0
// when there are no near-miss or none lines.
func Evaluate(m *Matcher, entries []CorpusEntry) *EvalReport {
	r := &EvalReport{
		Misses:           []EvalItem{},
		FalseNudges:      []EvalItem{},
		UnlabelledNudges: []EvalItem{},
		ByKind:           []KindEval{},
		Unlabelled:       UnlabelledEval{ByRule: []RuleCount{}},
	}
	byCat := map[Category]int{}
	for _, c := range Categories() {
		byCat[c] = len(r.ByCategory)
		r.ByCategory = append(r.ByCategory, CategoryEval{Category: c})
	}
	type kindKey struct{ label, kind string }
	byKind := map[kindKey]int{}
	byRule := map[*Rule]int{}
	for i := range entries {
		e := &entries[i]
		r.Lines++
		ms := m.Match(Message{Text: e.Text, Blocks: e.Blocks})
		best, fired := Best(ms)
		item := func() EvalItem {
			it := EvalItem{File: e.Pos.File, Line: e.Pos.Line, Label: e.Label, Kind: e.Kind, Category: e.Category, Text: e.Text}
			if hasRichText(e.Blocks) {
				it.Text = PlainText(e.Blocks)
			}
			if fired {
				it.Rule, it.RuleCategory = best.Rule.ID, best.Rule.Category
				it.Matched, it.Start, it.End = best.Text, best.Start, best.End
			}
			return it
		}
		switch e.Label {
		case LabelNudge, LabelNone, LabelNearMiss:
		default:
			u := &r.Unlabelled
			u.Lines++
			if !fired {
				continue
			}
			u.Fired++
			for _, mt := range ms {
				rc := ruleCount(u, byRule, mt.Rule)
				rc.Matched++
				if mt.Rule == best.Rule {
					rc.Sent++
				}
			}
			r.UnlabelledNudges = append(r.UnlabelledNudges, item())
			continue
		}
		right := fired && best.Rule.Category == e.Category
		r.Total.add(e.Label, fired, right)
		ci, ok := byCat[e.Category]
		if !ok {
			ci = len(r.ByCategory)
			byCat[e.Category] = ci
			r.ByCategory = append(r.ByCategory, CategoryEval{Category: e.Category})
		}
		r.ByCategory[ci].Counts.add(e.Label, fired, right)
		if e.Kind != "" {
			k := kindKey{e.Label, e.Kind}
			ki, ok := byKind[k]
			if !ok {
				ki = len(r.ByKind)
				byKind[k] = ki
				r.ByKind = append(r.ByKind, KindEval{Label: e.Label, Kind: e.Kind})
			}
			r.ByKind[ki].Lines++
			if fired {
				r.ByKind[ki].Fired++
			}
		}
		switch {
		case e.Label == LabelNudge && !fired:
			r.Misses = append(r.Misses, item())
		case e.Label != LabelNudge && fired:
			r.FalseNudges = append(r.FalseNudges, item())
		}
	}
	labelOrder := map[string]int{LabelNudge: 0, LabelNearMiss: 1, LabelNone: 2}
	sort.SliceStable(r.ByKind, func(i, j int) bool {
		a, b := r.ByKind[i], r.ByKind[j]
		if a.Label != b.Label {
			return labelOrder[a.Label] < labelOrder[b.Label]
		}
		return a.Kind < b.Kind
	})
	sort.SliceStable(r.Unlabelled.ByRule, func(i, j int) bool {
		a, b := r.Unlabelled.ByRule[i], r.Unlabelled.ByRule[j]
		if a.Sent != b.Sent {
			return a.Sent > b.Sent
		}
		if a.Matched != b.Matched {
			return a.Matched > b.Matched
		}
		return a.Rule < b.Rule
	})
	return r
}

// ruleCount returns the unlabelled count of rule, adding it when new.
func ruleCount(u *UnlabelledEval, index map[*Rule]int, rule *Rule) *RuleCount {
	i, ok := index[rule]
	if !ok {
		i = len(u.ByRule)
		index[rule] = i
		u.ByRule = append(u.ByRule, RuleCount{Rule: rule.ID, Category: rule.Category})
	}
	return &u.ByRule[i]
}

// Summary renders the report's figures as plain text tables: per category
// (the labelled lines), per label and kind, and the unlabelled lines with
// the rules that fired on them. It holds no message text, so it can go into
// logs; a table with no lines to show is left out.
func (r *EvalReport) Summary() string {
	var b strings.Builder
	if r.Total.Lines() > 0 {
		fmt.Fprintf(&b, "%-24s %9s %7s %8s %9s %16s %14s\n", "category", "precision", "recall", "found", "right-cat", "near-miss nudged", "none nudged")
		row := func(name string, c EvalCounts) {
			if c.Lines() == 0 {
				fmt.Fprintf(&b, "%-24s %9s %7s %8s %9s %16s %14s\n", name, "-", "-", "-", "-", "-", "-")
				return
			}
			fmt.Fprintf(&b, "%-24s %9.3f %7.3f %8s %9s %16s %14s\n", name, c.Precision(), c.Recall(),
				fmt.Sprintf("%d/%d", c.TruePositives, c.Nudge), fmt.Sprintf("%d/%d", c.RightCategory, c.TruePositives),
				share(c.NearMissFired, c.NearMiss), share(c.NoneFired, c.None))
		}
		for _, ce := range r.ByCategory {
			name := string(ce.Category)
			if name == "" {
				name = "(no category)"
			}
			row(name, ce.Counts)
		}
		row("total", r.Total)
	}
	if len(r.ByKind) > 0 {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%-40s %14s\n", "label/kind", "nudged")
		for _, k := range r.ByKind {
			fmt.Fprintf(&b, "%-40s %14s\n", k.Label+"/"+k.Kind, share(k.Fired, k.Lines))
		}
	}
	if u := r.Unlabelled; u.Lines > 0 {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "unlabelled: %d lines, %d nudged, %.2f per 1,000\n", u.Lines, u.Fired, u.PerThousand())
		for _, rc := range u.ByRule {
			fmt.Fprintf(&b, "  %-38s sent %d, matched %d\n", rc.Rule, rc.Sent, rc.Matched)
		}
	}
	return b.String()
}

// share renders n of d as "n/d pct%", or "0/0 -" when d is 0.
func share(n, d int) string {
	if d == 0 {
		return "0/0      -"
	}
	return fmt.Sprintf("%d/%d %5.1f%%", n, d, 100*float64(n)/float64(d))
}
