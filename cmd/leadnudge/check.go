package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/leadnudge/leadnudge/nudges"
	"github.com/spf13/cobra"
)

func newCheckCmd() *cobra.Command {
	var rulesFile, format, color string
	var explain bool
	cmd := &cobra.Command{
		Use:   "check [--rules FILE] [--format text|json] [--explain] [--] [MESSAGE...]",
		Short: "Check messages against the rules, as the bot would",
		Long: `Check messages against the rules (the built-in ones unless --rules is given).

Each argument is one message; with none, standard input is read as one message.
Messages are read as Slack mrkdwn text: code, quotes, links, mentions and emoji
codes are skipped, as the bot skips them.

With --explain, every candidate the matcher found is listed with its rule and
phrase, kept or dropped and why (code, quote, quoted speech, meta talk,
reported speech, exception, question, not a clause opening).

Exit status: 0 no nudge, 1 at least one nudge, 2 error (grep's convention).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return &exitError{code: 2, err: fmt.Errorf("--format must be text or json, got %q", format)}
			}
			useColor, err := colorWanted(color, cmd.OutOrStdout())
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			m, name, err := loadRules(rulesFile)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("rules %s:\n%w", name, err)}
			}
			msgs := args
			if len(msgs) == 0 {
				b, err := io.ReadAll(cmd.InOrStdin())
				if err != nil {
					return &exitError{code: 2, err: fmt.Errorf("reading standard input: %w", err)}
				}
				msgs = []string{string(b)}
			}
			out := cmd.OutOrStdout()
			nudged := false
			for i, msg := range msgs {
				ms := m.MatchText(msg)
				nudged = nudged || len(ms) > 0
				switch {
				case format == "json":
					var js []nudges.Judgement
					if explain {
						js = m.Explain(nudges.Message{Text: msg})
					}
					err = writeCheckJSON(out, ms, js, explain)
				default:
					err = writeCheckText(out, i+1, len(msgs), msg, ms, useColor)
					if err == nil && explain {
						err = writeExplainText(out, msg, m.Explain(nudges.Message{Text: msg}), useColor)
					}
				}
				if err != nil {
					return &exitError{code: 2, err: err}
				}
			}
			if nudged {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&rulesFile, "rules", "", "rules file (default: the built-in rules)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&color, "color", "auto", "highlight matches with colour: auto, always or never")
	cmd.Flags().BoolVar(&explain, "explain", false, "list every candidate, kept or dropped with the reason")
	return cmd
}

func colorWanted(mode string, w io.Writer) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		f, ok := w.(*os.File)
		if !ok || os.Getenv("NO_COLOR") != "" {
			return false, nil
		}
		st, err := f.Stat()
		return err == nil && st.Mode()&os.ModeCharDevice != 0, nil
	}
	return false, fmt.Errorf("--color must be auto, always or never, got %q", mode)
}

type jsonMatch struct {
	Rule     string     `json:"rule"`
	Category string     `json:"category"`
	Severity string     `json:"severity"`
	Start    int        `json:"start"`
	End      int        `json:"end"`
	Phrase   string     `json:"phrase"`
	Tip      nudges.Tip `json:"tip"`
}

type jsonJudgement struct {
	Rule   string `json:"rule"`
	Phrase string `json:"phrase"`
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Text   string `json:"text"`
	Kept   bool   `json:"kept"`
	Reason string `json:"reason,omitempty"`
}

// writeCheckJSON writes one JSON object per message (JSON Lines); with
// explain, the candidates too.
func writeCheckJSON(w io.Writer, ms []nudges.Match, js []nudges.Judgement, explain bool) error {
	out := struct {
		Matches    []jsonMatch      `json:"matches"`
		Candidates *[]jsonJudgement `json:"candidates,omitempty"`
	}{Matches: make([]jsonMatch, 0, len(ms))}
	if explain {
		cands := make([]jsonJudgement, 0, len(js))
		for _, j := range js {
			cands = append(cands, jsonJudgement{Rule: j.Rule.ID, Phrase: j.Phrase, Start: j.Start, End: j.End, Text: j.Text, Kept: j.Kept, Reason: j.Reason})
		}
		out.Candidates = &cands
	}
	for _, m := range ms {
		out.Matches = append(out.Matches, jsonMatch{
			Rule: m.Rule.ID, Category: string(m.Rule.Category), Severity: m.Rule.Severity.String(),
			Start: m.Start, End: m.End, Phrase: m.Text, Tip: m.Rule.Tip,
		})
	}
	return json.NewEncoder(w).Encode(out)
}

func writeCheckText(w io.Writer, n, of int, msg string, ms []nudges.Match, color bool) error {
	var b strings.Builder
	label := "message"
	if of > 1 {
		label = fmt.Sprintf("message %d", n)
	}
	if len(ms) == 0 {
		fmt.Fprintf(&b, "%s: no nudge\n", label)
		_, err := io.WriteString(w, b.String())
		return err
	}
	plural := "s"
	if len(ms) == 1 {
		plural = ""
	}
	fmt.Fprintf(&b, "%s: %d nudge%s\n", label, len(ms), plural)
	for _, m := range ms {
		fmt.Fprintf(&b, "\n  %s\n", excerpt(msg, m.Start, m.End, color))
		fmt.Fprintf(&b, "  %s · %s · %s\n", m.Rule.ID, m.Rule.Category.Label(), m.Rule.Severity)
		fmt.Fprintf(&b, "  %s\n", m.Rule.Tip.Title)
		fmt.Fprintf(&b, "    Why: %s\n", m.Rule.Tip.Why)
		for _, t := range m.Rule.Tip.Try {
			fmt.Fprintf(&b, "    Try: %s\n", t)
		}
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// writeExplainText lists every candidate of one message, kept or dropped.
func writeExplainText(w io.Writer, msg string, js []nudges.Judgement, color bool) error {
	var b strings.Builder
	if len(js) == 0 {
		b.WriteString("  explain: no candidate: no phrase of any rule occurs in the text\n\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "  explain: %d candidate%s\n", len(js), plural(len(js)))
	for _, j := range js {
		verdict := "kept"
		if !j.Kept {
			verdict = "dropped, " + j.Reason
		}
		fmt.Fprintf(&b, "  - %s  %s\n", j.Rule.ID, excerpt(msg, j.Start, j.End, color))
		fmt.Fprintf(&b, "      phrase %q\n", j.Phrase)
		fmt.Fprintf(&b, "      %s\n", verdict)
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// excerpt shows the match with up to 40 bytes of context on each side,
// on one line, the matched words highlighted.
func excerpt(s string, start, end int, color bool) string {
	const ctx = 40
	from, to := max(0, start-ctx), min(len(s), end+ctx)
	for from > 0 && !utf8.RuneStart(s[from]) {
		from--
	}
	for to < len(s) && !utf8.RuneStart(s[to]) {
		to++
	}
	open, closing := "»", "«"
	if color {
		open, closing = "\x1b[1;7m", "\x1b[0m"
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	b.WriteString(oneLine(s[from:start]))
	b.WriteString(open)
	b.WriteString(oneLine(s[start:end]))
	b.WriteString(closing)
	b.WriteString(oneLine(s[end:to]))
	if to < len(s) {
		b.WriteString("…")
	}
	return b.String()
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return '·'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
