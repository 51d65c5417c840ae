package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/leadnudge/leadnudge/config"
)

// newConfigCmd builds `leadnudge config print|validate`.
func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show or check the effective configuration (file + LEADNUDGE_* env + flags)",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newConfigPrintCmd(), newConfigValidateCmd())
	return cmd
}

func newConfigPrintCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "print",
		Short: "Print the effective configuration as YAML; secrets are shown as <secret>",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(config.LoadOptions{Flags: cmd.Flags()})
			if err != nil {
				return &exitError{code: 2, err: configError("cannot load the configuration", err)}
			}
			return config.WriteYAML(cmd.OutOrStdout(), cfg)
		},
	}
	config.AddFlags(cmd.Flags())
	return cmd
}

func newConfigValidateCmd() *cobra.Command {
	var forRun bool
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the effective configuration and list every problem (exit 0 valid, 1 invalid, 2 unreadable)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(config.LoadOptions{Flags: cmd.Flags()})
			if err != nil {
				return &exitError{code: 2, err: configError("cannot load the configuration", err)}
			}
			if forRun {
				err = cfg.ValidateForRun()
			} else {
				err = cfg.Validate()
			}
			if err != nil {
				return &exitError{code: 1, err: configError("invalid configuration", err)}
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), "configuration is valid")
			return err
		},
	}
	config.AddFlags(cmd.Flags())
	cmd.Flags().BoolVar(&forRun, "for-run", false, "also require what `leadnudge run` needs (both Slack tokens)")
	return cmd
}

// configError puts each of several joined problems on its own indented line.
func configError(what string, err error) error {
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) < 2 {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s:\n  %s", what, strings.ReplaceAll(err.Error(), "\n", "\n  "))
}
