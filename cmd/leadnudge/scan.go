package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/leadnudge/leadnudge/bot"
	"github.com/leadnudge/leadnudge/config"
	"github.com/leadnudge/leadnudge/nudges"
	"github.com/leadnudge/leadnudge/scan"
	"github.com/spf13/cobra"
)

// newScanCmd builds `leadnudge scan`: a Slack export through the bot's own
// decision and policy, for rules owners before rollout.
func newScanCmd() *cobra.Command {
	var rulesFile, format, since, until, output string
	var samples int
	cmd := &cobra.Command{
		Use:   "scan PATH... [--rules FILE] [--format text|json|markdown|html] [--samples N] [--since DATE] [--until DATE]",
		Short: "Show what the bot would have sent on a Slack export, before you roll it out",
		Long: `Scan a Slack export (the .zip from Slack's Import/Export Data page, or the folder
it unpacks to; JSON Lines of message objects also work) and report what the bot
would have done: messages read and skipped, matches and the nudges left after the
delivery policy (cooldown per rule, daily cap, from the configuration), per rule,
per category and per week, and how many people would get how many nudges a week.

Messages are decided exactly as the bot decides them (bots, subtypes, direct
messages and the channel allow and deny lists are skipped; rich_text blocks are
preferred; the same matcher and rules). No message text is printed unless you
ask for --samples, which shows up to N excerpts per rule in the text report on
your terminal and nowhere else.

Exit status: 0 scanned (even if some files could not be read: they are listed),
2 nothing could be read or bad arguments.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			switch format {
			case "text", "json", "markdown", "html":
			default:
				return &exitError{code: 2, err: fmt.Errorf("--format must be text, json, markdown or html, got %q", format)}
			}
			if samples < 0 {
				return &exitError{code: 2, err: fmt.Errorf("--samples must be 0 or more, got %d", samples)}
			}
			if samples > 0 && format != "text" {
				return &exitError{code: 2, err: errors.New("--samples shows message excerpts on your terminal only: use it with --format text, never in a report file")}
			}
			from, err := parseDate("--since", since, 0)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			to, err := parseDate("--until", until, 24*time.Hour) // through the end of that day
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if !from.IsZero() && !to.IsZero() && !from.Before(to) {
				return &exitError{code: 2, err: fmt.Errorf("--since %s is after --until %s", since, until)}
			}
			cfg, err := config.Load(config.LoadOptions{Flags: cmd.Flags()})
			if err != nil {
				return &exitError{code: 2, err: configError("cannot load the configuration", err)}
			}
			if err := cfg.Validate(); err != nil {
				return &exitError{code: 2, err: configError("invalid configuration", err)}
			}
			if rulesFile == "" {
				rulesFile = cfg.Rules.File
			}
			m, name, err := loadRules(rulesFile)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("rules %s:\n%w", name, err)}
			}
			sev, err := nudges.ParseSeverity(cfg.Nudges.MinSeverity)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			opts := scan.Options{
				Matcher:     m,
				MinSeverity: sev,
				Skip:        bot.SkipReason,
				Policy: scan.Policy{
					Cooldown: func(r *nudges.Rule) time.Duration {
						if r.Cooldown > 0 {
							return r.Cooldown
						}
						return cfg.Nudges.Cooldown
					},
					DefaultCooldown: cfg.Nudges.Cooldown,
					DailyCap:        cfg.Nudges.DailyCap,
				},
				Since:   from,
				Until:   to,
				Samples: samples,
			}
			if allow, deny := cfg.Nudges.Channels.Allow, cfg.Nudges.Channels.Deny; len(allow)+len(deny) > 0 {
				opts.ChannelAllowed = func(c scan.Conversation) bool {
					// an export knows each channel's name and id: resolve
					// names against this one channel
					return bot.ChannelTest(allow, deny, map[string]string{c.Name: c.ID})(c.ID)
				}
			}
			if isTerminal(cmd.ErrOrStderr()) {
				opts.Progress = progressBar(cmd.ErrOrStderr())
			}
			rep, err := scan.Run(cmd.Context(), paths, opts)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if rep.Files == 0 {
				return &exitError{code: 2, err: fmt.Errorf("no message files found in %v: expected a Slack export (.zip or folder with channels.json and one folder per channel), JSON Lines or day files", paths)}
			}
			seen := rep.Messages
			for r, n := range rep.Skipped {
				if r != "unreadable" {
					seen += n
				}
			}
			var out io.Writer = cmd.OutOrStdout()
			if output != "" && output != "-" {
				f, err := os.Create(output)
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				defer f.Close()
				out = f
			}
			switch format {
			case "json":
				err = rep.WriteJSON(out)
			case "markdown":
				err = rep.WriteMarkdown(out)
			case "html":
				err = rep.WriteHTML(out)
			default:
				err = rep.WriteText(out)
			}
			if c, ok := out.(io.Closer); ok && out != cmd.OutOrStdout() {
				if cerr := c.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("writing the report: %w", err)}
			}
			if seen == 0 && len(rep.Errors) > 0 {
				return &exitError{code: 2, err: fmt.Errorf("nothing could be read: %d files failed (listed in the report)", len(rep.Errors))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&rulesFile, "rules", "", "rules file (default: rules.file from the configuration, else the built-in rules)")
	cmd.Flags().StringVar(&format, "format", "text", "report format: text, json, markdown or html")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the report to this file instead of standard output")
	cmd.Flags().IntVar(&samples, "samples", 0, "show up to N excerpts per rule (text format, your terminal only)")
	cmd.Flags().StringVar(&since, "since", "", "first day to read, YYYY-MM-DD (UTC)")
	cmd.Flags().StringVar(&until, "until", "", "last day to read, YYYY-MM-DD (UTC), inclusive")
	config.AddFlags(cmd.Flags())
	return cmd
}

// parseDate reads a YYYY-MM-DD flag as midnight UTC, plus add.
func parseDate(flag, s string, add time.Duration) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s must be a date like 2026-12-01, got %q", flag, s)
	}
	return t.Add(add), nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws one self-rewriting line: files, messages, MB, ETA.
func progressBar(w io.Writer) func(scan.Progress) {
	return func(p scan.Progress) {
		frac := 0.0
		if p.Bytes > 0 {
			frac = float64(p.BytesDone) / float64(p.Bytes)
		}
		const width = 24
		filled := int(frac * width)
		bar := make([]rune, width)
		for i := range bar {
			bar[i] = '░'
			if i < filled {
				bar[i] = '█'
			}
		}
		eta := "…"
		if frac > 0.01 {
			left := time.Duration(float64(p.Elapsed) * (1 - frac) / frac).Round(time.Second)
			eta = left.String()
		}
		mbps := 0.0
		if s := p.Elapsed.Seconds(); s > 0 {
			mbps = float64(p.BytesDone) / (1 << 20) / s
		}
		fmt.Fprintf(w, "\r%s %3.0f%%  %d/%d files  %d messages  %.0f/%.0f MB  %.0f MB/s  ETA %s   ",
			string(bar), frac*100, p.FilesDone, p.Files, p.Messages, float64(p.BytesDone)/(1<<20), float64(p.Bytes)/(1<<20), mbps, eta)
		if p.FilesDone == p.Files {
			fmt.Fprintln(w)
		}
	}
}
