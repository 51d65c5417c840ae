package main

import (
	"fmt"
	"time"

	"github.com/leadnudge/leadnudge/config"
	"github.com/leadnudge/leadnudge/report"
	"github.com/spf13/cobra"
)

// defaultReportWeeks is how far back `leadnudge report` looks by default.
const defaultReportWeeks = 12

// newReportCmd builds `leadnudge report`: the anonymous team figures from
// the store, for the people who own the rules.
func newReportCmd() *cobra.Command {
	var since, format string
	cmd := &cobra.Command{
		Use:   "report [--since DATE] [--format text|json|html]",
		Short: "Anonymous team figures: nudges and their feedback per rule and week, reflection answer rates",
		Long: `Print the team's figures from the store (the same configuration as run):
per rule and category, nudges sent, Helpful / Not helpful, and snoozes and stops
within a day of a nudge; per week, nudges sent and the share rated helpful; the
weekly reflection's enrolment, prompts, answers, skips and pauses.

Every figure that counts people or their actions is shown only when at least
report.min_people distinct people (default 5) stand behind it; smaller ones read
"fewer than 5" (null in JSON), and figures that would give them away by
subtraction are held back too. No name, message, answer or personal count is
ever shown.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch format {
			case "text", "json", "html":
			default:
				return &exitError{code: 2, err: fmt.Errorf("--format must be text, json or html, got %q", format)}
			}
			from := time.Now().UTC().AddDate(0, 0, -7*defaultReportWeeks).Truncate(24 * time.Hour)
			if since != "" {
				t, err := parseDate("--since", since, 0)
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				from = t
			}
			cfg, err := config.Load(config.LoadOptions{Flags: cmd.Flags()})
			if err != nil {
				return &exitError{code: 2, err: configError("cannot load the configuration", err)}
			}
			if err := cfg.Validate(); err != nil {
				return &exitError{code: 2, err: configError("invalid configuration", err)}
			}
			st, err := openStoreFromConfig(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			data, err := st.TeamData(cmd.Context(), from)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			rep := report.Build(data, cfg.Report.MinPeople, time.Now())
			out := cmd.OutOrStdout()
			switch format {
			case "json":
				err = rep.WriteJSON(out)
			case "html":
				err = rep.WriteHTML(out)
			default:
				err = rep.WriteText(out)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&since, "since", "", fmt.Sprintf("first day, YYYY-MM-DD (UTC; default %d weeks ago)", defaultReportWeeks))
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or html")
	config.AddFlags(cmd.Flags())
	return cmd
}
