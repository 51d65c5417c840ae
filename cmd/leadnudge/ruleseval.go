package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/leadnudge/leadnudge/nudges"
	"github.com/spf13/cobra"
)

// The lists rules eval can print.
const (
	evalListMisses     = "misses"
	evalListFalse      = "false"
	evalListUnlabelled = "unlabelled"
)

const (
	// evalTextWidth is the most characters of a message a list item shows.
	evalTextWidth = 160
	// evalMaxProblems bounds the problems printed per corpus file.
	evalMaxProblems = 100
)

func newRulesEvalCmd() *cobra.Command {
	var rulesFile, format, list string
	cmd := &cobra.Command{
		Use:   "eval CORPUS... [--rules FILE] [--format text|json] [--list misses,false,unlabelled|all|none]",
		Short: "Measure the rules' precision and recall on labelled corpora (JSON Lines)",
		Long: `Measure the rules (the built-in ones unless --rules is given) on corpora:
JSON Lines files, one message a line:

  {"label": "nudge"|"none"|"near-miss", "category": "...", "kind": "...", "text": "...", "blocks": [...]}

A nudge line needs a category; "kind" is a free tag the report groups by;
"blocks" are Slack rich_text blocks, read instead of the text as the bot does.
A line without "label" is unlabelled (a real-chat dump, say): it only counts
towards the nudges per 1,000 messages. Other keys are ignored.

A line fires when at least one rule matches; the rule shown is the one the bot
would send. Precision is the share of fired labelled lines that are nudge lines
(1 when nothing fired), recall the share of nudge lines that fired (1 when there
are none), right-cat the true positives nudged with a rule of the line's own
category.

--list picks the lists printed after the figures: misses (nudge lines that did
not fire, shown with their category), false (none and near-miss lines that
fired), unlabelled (unlabelled lines that fired), all or none. Each item is
FILE:LINE  [RULE]  TEXT, the matched words between » and «.

Exit status: 0 measured, 2 error (a bad corpus line is named FILE:LINE:COL).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return &exitError{code: 2, err: fmt.Errorf("--format must be text or json, got %q", format)}
			}
			lists, err := parseEvalLists(list)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			m, name, err := loadRules(rulesFile)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("rules %s:\n%w", name, err)}
			}
			entries, err := readCorpora(cmd.ErrOrStderr(), args)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			r := nudges.Evaluate(m, entries)
			out := cmd.OutOrStdout()
			if format == "json" {
				err = writeEvalJSON(out, name, args, r, lists)
			} else {
				err = writeEvalText(out, name, args, r, lists)
			}
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&rulesFile, "rules", "", "rules file (default: the built-in rules)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&list, "list", evalListMisses+","+evalListFalse, "lists to print: misses, false, unlabelled (comma-separated), all or none")
	return cmd
}

// parseEvalLists parses --list into the set of lists to print.
func parseEvalLists(s string) (map[string]bool, error) {
	switch strings.TrimSpace(s) {
	case "all":
		return map[string]bool{evalListMisses: true, evalListFalse: true, evalListUnlabelled: true}, nil
	case "none":
		return map[string]bool{}, nil
	}
	set := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		switch p = strings.TrimSpace(p); p {
		case evalListMisses, evalListFalse, evalListUnlabelled:
			set[p] = true
		default:
			return nil, fmt.Errorf("--list takes misses, false and unlabelled separated by commas, or all, or none; got %q", s)
		}
	}
	return set, nil
}

// readCorpora reads every corpus file. Every problem of every file is
// printed to stderr (at most evalMaxProblems a file); any problem fails the
// whole run.
func readCorpora(stderr io.Writer, paths []string) ([]nudges.CorpusEntry, error) {
	var all []nudges.CorpusEntry
	bad := 0
	for _, p := range paths {
		es, err := readCorpusFile(p)
		if err == nil {
			all = append(all, es...)
			continue
		}
		bad++
		problems := strings.Split(err.Error(), "\n")
		for i, line := range problems {
			if i == evalMaxProblems {
				fmt.Fprintf(stderr, "%s: … and %d more problems\n", p, len(problems)-i)
				break
			}
			fmt.Fprintln(stderr, line)
		}
	}
	if bad > 0 {
		return nil, fmt.Errorf("%d of %d corpus files failed (problems above)", bad, len(paths))
	}
	return all, nil
}

// readCorpusFile reads one corpus file, named in positions by its path.
func readCorpusFile(path string) ([]nudges.CorpusEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the corpus: %w", err)
	}
	defer f.Close()
	return nudges.ReadCorpus(path, f)
}

// writeEvalJSON writes the report as one JSON object, with the rules and
// corpora it measured; lists not asked for are left out.
func writeEvalJSON(w io.Writer, rules string, corpora []string, r *nudges.EvalReport, lists map[string]bool) error {
	pick := func(name string, items *[]nudges.EvalItem) *[]nudges.EvalItem {
		if lists[name] {
			return items
		}
		return nil
	}
	out := struct {
		Rules   string   `json:"rules"`
		Corpora []string `json:"corpora"`
		*nudges.EvalReport
		// These shadow the report's lists so unrequested ones are omitted.
		Misses           *[]nudges.EvalItem `json:"misses,omitempty"`
		FalseNudges      *[]nudges.EvalItem `json:"false_nudges,omitempty"`
		UnlabelledNudges *[]nudges.EvalItem `json:"unlabelled_nudges,omitempty"`
	}{
		Rules: rules, Corpora: corpora, EvalReport: r,
		Misses:           pick(evalListMisses, &r.Misses),
		FalseNudges:      pick(evalListFalse, &r.FalseNudges),
		UnlabelledNudges: pick(evalListUnlabelled, &r.UnlabelledNudges),
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeEvalText writes the figures, then the lists asked for.
func writeEvalText(w io.Writer, rules string, corpora []string, r *nudges.EvalReport, lists map[string]bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "rules:  %s\n", rules)
	fmt.Fprintf(&b, "corpus: %s: %d lines, %d labelled, %d unlabelled\n\n",
		strings.Join(corpora, ", "), r.Lines, r.Total.Lines(), r.Unlabelled.Lines)
	b.WriteString(r.Summary())
	section := func(name, title string, items []nudges.EvalItem, bracket func(nudges.EvalItem) string) {
		if !lists[name] {
			return
		}
		fmt.Fprintf(&b, "\n%s: %d\n", title, len(items))
		for _, it := range items {
			fmt.Fprintf(&b, "  %s:%d  [%s]  %s\n", it.File, it.Line, bracket(it), evalOneLine(it.Text, it.Start, it.End))
		}
	}
	rule := func(it nudges.EvalItem) string { return it.Rule }
	section(evalListMisses, "misses (nudge lines no rule fired on, with their category)", r.Misses,
		func(it nudges.EvalItem) string { return string(it.Category) })
	section(evalListFalse, "false nudges (none and near-miss lines that fired)", r.FalseNudges, rule)
	section(evalListUnlabelled, "unlabelled nudges", r.UnlabelledNudges, rule)
	_, err := io.WriteString(w, b.String())
	return err
}

// evalOneLine renders a message on one line: line breaks as ⏎, other
// control characters as ·, the words at start:end (when end > start) between
// » and «, and at most evalTextWidth characters, cut with … so that the
// matched words stay in view.
func evalOneLine(text string, start, end int) string {
	var rs []rune
	add := func(s string) {
		s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n")
		for _, r := range s {
			switch {
			case r == '\n' || r == '\r':
				r = '⏎'
			case r == '\t':
				r = ' '
			case r < 0x20 || r == 0x7f:
				r = '·'
			}
			rs = append(rs, r)
		}
	}
	open, closing := 0, 0
	if start >= 0 && end <= len(text) && start < end {
		add(text[:start])
		open = len(rs)
		rs = append(rs, '»')
		add(text[start:end])
		rs = append(rs, '«')
		closing = len(rs)
		add(text[end:])
	} else {
		add(text)
	}
	if len(rs) <= evalTextWidth {
		return string(rs)
	}
	from, prefix, width := 0, "", evalTextWidth
	if closing > evalTextWidth-1 {
		// the match would be cut off: start shortly before it
		from, prefix, width = max(0, open-40), "…", evalTextWidth-1
	}
	out := rs[from:]
	if len(out) > width {
		out = append(out[:width-1:width-1], '…')
	}
	return prefix + string(out)
}
