package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/leadnudge/leadnudge/nudges"
	"github.com/spf13/cobra"
)

func newRulesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Validate, test, list and evaluate rules (the built-in rules without FILE)",
	}
	cmd.AddCommand(newRulesValidateCmd(), newRulesTestCmd(), newRulesListCmd(), newRulesEvalCmd())
	return cmd
}

func fileArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return ""
}

// loadRulesArg loads the rules named by the optional FILE argument; a bad
// file prints its file:line:col errors and exits 2.
func loadRulesArg(cmd *cobra.Command, args []string) (*nudges.Matcher, string, error) {
	m, name, err := loadRules(fileArg(args))
	if err != nil {
		fmt.Fprintln(cmd.ErrOrStderr(), err)
		return nil, name, &exitError{code: 2, err: fmt.Errorf("%s is not valid", name)}
	}
	return m, name, nil
}

func newRulesValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate [FILE]",
		Short: "Check a rules file; errors name file:line:col (exit 2 when invalid)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, name, err := loadRulesArg(cmd, args)
			if err != nil {
				return err
			}
			rs := m.RuleSet()
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s: valid: %d rules, %d phrase variants, %d prompts\n",
				name, len(rs.Rules), m.Stats().Patterns, len(rs.Prompts))
			return err
		},
	}
}

func newRulesTestCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "test [FILE]",
		Short: "Run every rule's examples; print failures (exit 1 if any, 2 if the file is invalid)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, name, err := loadRulesArg(cmd, args)
			if err != nil {
				return err
			}
			fails := m.TestExamples()
			out := cmd.OutOrStdout()
			for _, f := range fails {
				fmt.Fprintln(out, f.Error())
			}
			total := m.ExampleCount()
			fmt.Fprintf(out, "%s: %d examples, %d passed, %d failed\n", name, total, total-len(fails), len(fails))
			if len(fails) > 0 {
				return &exitError{code: 1}
			}
			return nil
		},
	}
}

type listRule struct {
	ID       string     `json:"id"`
	Category string     `json:"category"`
	Severity string     `json:"severity"`
	Cooldown string     `json:"cooldown"`
	Phrases  []string   `json:"phrases"`
	Regex    []string   `json:"regex,omitempty"`
	Tip      nudges.Tip `json:"tip"`
	Source   string     `json:"source"`
}

func newRulesListCmd() *cobra.Command {
	var format, expand string
	cmd := &cobra.Command{
		Use:   "list [FILE] [--format text|json] [--expand RULE]",
		Short: "List the effective rules and prompts (--expand RULE: every variant of its phrases)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return &exitError{code: 2, err: fmt.Errorf("--format must be text or json, got %q", format)}
			}
			m, _, err := loadRulesArg(cmd, args)
			if err != nil {
				return err
			}
			rs := m.RuleSet()
			if expand != "" {
				return writeExpansion(cmd.OutOrStdout(), rs, expand, format)
			}
			if format == "json" {
				return writeRulesJSON(cmd.OutOrStdout(), rs)
			}
			return writeRulesText(cmd.OutOrStdout(), rs)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&expand, "expand", "", "show every variant of RULE's phrases (sets, forms, alternatives, contractions multiplied out)")
	return cmd
}

// writeExpansion prints every variant of one rule's phrases.
func writeExpansion(w io.Writer, rs *nudges.RuleSet, id, format string) error {
	r := rs.Rule(id)
	if r == nil {
		return &exitError{code: 2, err: fmt.Errorf("no rule has the id %q", id)}
	}
	exps, err := rs.Expand(r)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("rule %s: %w", id, err)}
	}
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(exps)
	}
	var b strings.Builder
	total := 0
	for _, e := range exps {
		n := 1
		for _, p := range e.Parts {
			n *= len(p)
		}
		total += n
		fmt.Fprintf(&b, "%s\n", e.Phrase)
		for i, p := range e.Parts {
			if i > 0 {
				fmt.Fprintf(&b, "  … then, within the sentence and up to %d words later:\n", e.Gaps[i-1])
			}
			for _, v := range p {
				fmt.Fprintf(&b, "    %s\n", v)
			}
		}
	}
	fmt.Fprintf(&b, "\n%s: %d phrases, %d combinations\n", id, len(exps), total)
	_, err = io.WriteString(w, b.String())
	return err
}

func writeRulesJSON(w io.Writer, rs *nudges.RuleSet) error {
	out := struct {
		Rules   []listRule      `json:"rules"`
		Prompts []nudges.Prompt `json:"prompts"`
	}{Rules: []listRule{}, Prompts: append([]nudges.Prompt{}, rs.Prompts...)}
	for i := range rs.Rules {
		r := &rs.Rules[i]
		out.Rules = append(out.Rules, listRule{
			ID: r.ID, Category: string(r.Category), Severity: r.Severity.String(),
			Cooldown: cooldownText(r), Phrases: r.PhraseTexts(), Regex: r.Regex, Tip: r.Tip, Source: r.Pos.File,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// cooldownText is a rule's own cooldown, or "default" when the operator's
// nudges.cooldown applies.
func cooldownText(r *nudges.Rule) string {
	if r.Cooldown == 0 {
		return "default"
	}
	return r.Cooldown.String()
}

func writeRulesText(w io.Writer, rs *nudges.RuleSet) error {
	var b strings.Builder
	for _, c := range nudges.Categories() {
		first := true
		for i := range rs.Rules {
			r := &rs.Rules[i]
			if r.Category != c {
				continue
			}
			if first {
				fmt.Fprintf(&b, "%s (%s)\n", c.Label(), c)
				first = false
			}
			fmt.Fprintf(&b, "  %-34s %-6s %s  [%s, cooldown %s]\n", r.ID, r.Severity, r.Tip.Title, r.Pos.File, cooldownText(r))
			fmt.Fprintf(&b, "  %-34s        %s\n", "", strings.Join(r.PhraseTexts(), " · "))
		}
	}
	fmt.Fprintf(&b, "\nWeekly reflection prompts\n")
	for _, p := range rs.Prompts {
		fmt.Fprintf(&b, "  %-34s %s\n", p.ID, p.Text)
	}
	fmt.Fprintf(&b, "\n%d rules, %d prompts\n", len(rs.Rules), len(rs.Prompts))
	_, err := io.WriteString(w, b.String())
	return err
}
