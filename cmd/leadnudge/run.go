package main

import (
	"fmt"

	"github.com/leadnudge/leadnudge/config"
	"github.com/spf13/cobra"
)

func newRunCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the bot against Slack (config file + LEADNUDGE_* environment + flags)",
		Long: `Run the bot: connect to Slack over Socket Mode and serve until SIGINT or SIGTERM.

Tokens come from the environment (LEADNUDGE_SLACK_BOT_TOKEN, LEADNUDGE_SLACK_APP_TOKEN)
or the config file; see 'leadnudge config print' for the effective configuration.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(config.LoadOptions{Flags: cmd.Flags()})
			if err != nil {
				return &exitError{code: 2, err: configError("cannot load the configuration", err)}
			}
			if err := cfg.ValidateForRun(); err != nil {
				return &exitError{code: 2, err: configError("invalid configuration", err)}
			}
			log, err := newLogger(cfg.Log, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			defer log.Sync() //nolint:errcheck // stderr
			a, err := newApp(cmd.Context(), cfg, log)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			if err := a.run(cmd.Context()); err != nil {
				return &exitError{code: 1, err: fmt.Errorf("bot stopped: %w", err)}
			}
			return nil
		},
	}
	config.AddFlags(cmd.Flags())
	return cmd
}
