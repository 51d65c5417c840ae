package main

import "github.com/spf13/cobra"

func newRulesCmd() *cobra.Command {
	return &cobra.Command{Use: "rules", Short: "Validate, test and list rules (work in progress)"}
}
