package main

import "github.com/spf13/cobra"

func newCheckCmd() *cobra.Command {
	return &cobra.Command{Use: "check", Short: "Check messages against the rules (work in progress)"}
}
