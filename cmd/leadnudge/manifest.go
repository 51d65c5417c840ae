package main

import (
	"github.com/spf13/cobra"

	"github.com/leadnudge/leadnudge/deploy"
)

// newManifestCmd prints the Slack app manifest (deploy/slack-app-manifest.yaml,
// embedded in the binary), ready to paste into "Create New App → From an app
// manifest".
func newManifestCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "manifest",
		Short: "Print the Slack app manifest (YAML) to create the app from",
		Long: "Print the Slack app manifest (deploy/slack-app-manifest.yaml) to stdout.\n\n" +
			"At https://api.slack.com/apps choose Create New App → From an app manifest and paste it.\n" +
			"Then create an app-level token with connections:write (Basic Information → App-Level Tokens)\n" +
			"for LEADNUDGE_SLACK_APP_TOKEN, install the app, and use its bot token for LEADNUDGE_SLACK_BOT_TOKEN.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(deploy.Manifest())
			return err
		},
	}
}
