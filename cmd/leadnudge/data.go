package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/leadnudge/leadnudge/config"
	"github.com/leadnudge/leadnudge/store"
	"github.com/spf13/cobra"
)

// newDataCmd builds `leadnudge data export|delete --user U…` for
// administrators answering a data-subject request. It reads the same
// configuration as run (store.driver, store.dsn).
func newDataCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Export or delete everything stored about one person (data requests)",
	}
	cmd.AddCommand(newDataExportCmd(), newDataDeleteCmd())
	return cmd
}

func openStoreFromConfig(cmd *cobra.Command) (*store.Store, error) {
	cfg, err := config.Load(config.LoadOptions{Flags: cmd.Flags()})
	if err != nil {
		return nil, &exitError{code: 2, err: configError("cannot load the configuration", err)}
	}
	if err := cfg.Validate(); err != nil {
		return nil, &exitError{code: 2, err: configError("invalid configuration", err)}
	}
	st, err := store.Open(cmd.Context(), cfg.Store.Driver, cfg.Store.DSN.Reveal())
	if err != nil {
		return nil, &exitError{code: 1, err: err}
	}
	return st, nil
}

func checkUserID(u string) error {
	if u == "" || !(strings.HasPrefix(u, "U") || strings.HasPrefix(u, "W")) || strings.ContainsAny(u, " \t\n") {
		return fmt.Errorf("--user must be a Slack user id such as U0123ABCD, got %q", u)
	}
	return nil
}

func newDataExportCmd() *cobra.Command {
	var user string
	cmd := &cobra.Command{
		Use:   "export --user U…",
		Short: "Print everything stored about one person as JSON (preferences, nudge log, reflections, prompt ledger)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkUserID(user); err != nil {
				return &exitError{code: 2, err: err}
			}
			st, err := openStoreFromConfig(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			exp, err := st.ExportUser(cmd.Context(), user)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(exp)
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "Slack user id")
	config.AddFlags(cmd.Flags())
	return cmd
}

func newDataDeleteCmd() *cobra.Command {
	var user string
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete --user U… --yes",
		Short: "Erase everything stored about one person (preferences, nudge log, reflections, prompt ledger)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkUserID(user); err != nil {
				return &exitError{code: 2, err: err}
			}
			if !yes {
				return &exitError{code: 2, err: fmt.Errorf("this erases everything about %s for good: add --yes to confirm", user)}
			}
			st, err := openStoreFromConfig(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			d, err := st.DeleteUser(cmd.Context(), user)
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "deleted everything about %s: %s\n", user, d)
			return err
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "Slack user id")
	cmd.Flags().BoolVar(&yes, "yes", false, "confirm the deletion")
	config.AddFlags(cmd.Flags())
	return cmd
}
