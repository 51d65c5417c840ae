package main

import (
	"errors"
	"fmt"
	"github.com/leadnudge/leadnudge/config"
	"os"

	"github.com/leadnudge/leadnudge/loadtest"
	"github.com/spf13/cobra"
)

// newLoadtestCmd builds `leadnudge loadtest`: the load and fault harness
// (logic in package loadtest; this file is flags only).
func newLoadtestCmd() *cobra.Command {
	var (
		cfg                        loadtest.Config
		store, fault, format, peer string
	)
	cmd := &cobra.Command{
		Use:   "loadtest [--people N] [--channels N] [--rate R] [--duration D] [--replicas 1..3] [--store sqlite|postgres] [--fault F] [--peer bolt]",
		Short: "Measure the real bot end to end against the local Slack, under load and faults",
		Long: `Run the real bot (1 to 3 'leadnudge run' processes) against an in-process local Slack
on 127.0.0.1, drive simulated people with a realistic message mix (about 5% triggering,
thread replies, edits, other bots, code and quotes) at --rate events/s for --duration,
inject faults, and report events sent and acked, ack and message-to-DM latency, nudges
expected (from the matcher and the policy) against nudges delivered, duplicates, losses,
and the CPU time and peak RSS of the bot processes.

--fault: none, disconnects (refresh_requested and abrupt drops every few seconds),
ratelimit (429 storms with Retry-After on chat.postMessage), kill (SIGKILL a replica
mid-run, restart it; pending nudges recover after --lease), postgres-restart (runs
--pg-restart-cmd mid-run), ack-drop (a 1ms ack timeout so Slack redelivers slow acks,
and 10% of events sent again with the same event_id, as after a lost ack),
all; or a comma-separated list.

--peer bolt plays the same load, in the same run, against a minimal Slack Bolt for
JavaScript app (loadtest/testdata/bolt-peer; needs node and 'npm ci' there) on its own
local Slack, and prints both side by side.

Exit status: 0 when nothing was lost or duplicated, 1 otherwise, 2 on a usage error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return &exitError{code: 2, err: fmt.Errorf("--format must be text or json, not %q", format)}
			}
			cfg.Store, cfg.Peer = store, peer
			if cfg.PostgresDSN == "" {
				cfg.PostgresDSN = os.Getenv("LEADNUDGE_TEST_POSTGRES_DSN")
			}
			faults, err := loadtest.ParseFaults(fault, store == loadtest.StorePostgres && cfg.PGRestartCmd != "")
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			cfg.Faults = faults
			if cfg.Binary == "" {
				if cfg.Binary, err = os.Executable(); err != nil {
					return &exitError{code: 2, err: fmt.Errorf("finding the leadnudge executable: %w", err)}
				}
			}
			cfg.Progress = cmd.ErrOrStderr()
			rep, err := loadtest.Run(cmd.Context(), cfg)
			if err != nil {
				if rep == nil {
					return &exitError{code: 2, err: err}
				}
				return &exitError{code: 1, err: err}
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				err = rep.WriteJSON(out)
			} else {
				err = rep.WriteText(out)
			}
			if err != nil {
				return err
			}
			if !rep.Clean() {
				return &exitError{code: 1, err: errors.New("nudges were lost or duplicated (see the report)")}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&cfg.People, "people", 200, "simulated people")
	f.IntVar(&cfg.Channels, "channels", 20, "simulated channels")
	f.Float64Var(&cfg.Rate, "rate", 200, "target events per second")
	f.DurationVar(&cfg.Duration, "duration", 0, "how long the load lasts (default 10s)")
	f.IntVar(&cfg.Replicas, "replicas", 1, "bot processes (1..3; more than 1 needs --store postgres)")
	f.StringVar(&store, "store", "sqlite", "sqlite or postgres")
	f.StringVar(&cfg.PostgresDSN, "postgres-dsn", "", "PostgreSQL DSN for --store postgres (default $LEADNUDGE_TEST_POSTGRES_DSN)")
	f.StringVar(&cfg.PGRestartCmd, "pg-restart-cmd", "", "shell command that restarts PostgreSQL, for --fault postgres-restart")
	f.StringVar(&fault, "fault", "none", "none|disconnects|ratelimit|kill|postgres-restart|ack-drop|all, or a comma-separated list")
	f.StringVar(&peer, "peer", "", `"bolt": also run the Slack Bolt for JavaScript peer baseline`)
	f.StringVar(&cfg.PeerDir, "peer-dir", "loadtest/testdata/bolt-peer", "directory of the Bolt peer (app.js, node_modules)")
	f.StringVar(&cfg.Node, "node", "node", "node executable for the peer")
	f.Int64Var(&cfg.Seed, "seed", 1, "seed of the message mix")
	f.DurationVar(&cfg.Lease, "lease", 0, "the bot's nudges.lease (default: the product's, "+config.Default().Nudges.Lease.String()+")")
	f.IntVar(&cfg.DailyCap, "daily-cap", 0, fmt.Sprintf("the bot's nudges.daily_cap (default: the product's, %d)", config.Default().Nudges.DailyCap))
	f.DurationVar(&cfg.AckDropTimeout, "ack-timeout", 0, "the local Slack's ack timeout under --fault ack-drop (default 1ms)")
	f.Float64Var(&cfg.AckDropResend, "resend", 0, "share of events sent again with the same event_id under --fault ack-drop (default 0.1)")
	f.IntVar(&cfg.StormSize, "storm-size", 0, "429 answers per storm under --fault ratelimit (default 20, one storm every 5s)")
	f.DurationVar(&cfg.Settle, "settle", 0, "after the load, give up when no delivery arrived for this long (default 60s)")
	f.StringVar(&cfg.ProfileDir, "profile", "", "save CPU and allocation profiles of the first replica during the load here (turns on its http.pprof)")
	f.StringVar(&cfg.WorkDir, "work-dir", "", "keep the SQLite database and the bot logs here (default: a temporary directory, removed)")
	f.StringVar(&format, "format", "text", "text or json")
	f.StringVar(&cfg.Binary, "binary", "", "leadnudge executable for the replicas (default: this one)")
	return cmd
}
