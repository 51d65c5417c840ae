package main

import (
	"fmt"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/spf13/cobra"
)

// newFakeslackCmd builds `leadnudge fakeslack`: the local Slack on its own.
func newFakeslackCmd() *cobra.Command {
	var (
		listen, appToken, botToken string
		allowNonLoopback, echo     bool
		web                        bool
		rateLimits                 string
		postsPerMinute             int
		ackTimeout                 time.Duration
	)
	cmd := &cobra.Command{
		Use:   "fakeslack [--listen ADDR] [--app-token T] [--bot-token T] [--allow-non-loopback]",
		Short: "Run the local Slack (Web API, Socket Mode, admin API) for offline development",
		Long: `Run the local Slack: Slack's Web API and Socket Mode on loopback, plus an admin
API under /_fake/ to inject users, messages, slash commands, interactions and faults,
and to read what the bot did. Any Slack client pointed at the printed API URL
(with its trailing slash) works against it. Runs until interrupted.

By default any xapp-… token opens Socket Mode connections and any xoxb-… token
calls the Web API; --app-token/--bot-token require those exact tokens.

--web also serves the browser playground at http://ADDR/ with the demo's people
(Ana, Ben, You) and #product: connect your own bot to this local Slack and try it
from the page.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if rateLimits != "on" && rateLimits != "off" {
				return &exitError{code: 2, err: fmt.Errorf("--rate-limits must be on or off, got %q", rateLimits)}
			}
			fs, err := fakeslack.New(fakeslack.Options{
				AppToken:         appToken,
				BotToken:         botToken,
				AckTimeout:       ackTimeout,
				EchoBotMessages:  echo,
				AllowNonLoopback: allowNonLoopback,
				RateLimits:       fakeslack.RateLimits{Enabled: rateLimits == "on", PostsPerMinute: postsPerMinute},
			})
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if web {
				stop, err := serveWithPlayground(fs, listen, allowNonLoopback)
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				defer stop()
			} else if err := fs.Start(listen); err != nil {
				return &exitError{code: 2, err: err}
			}
			defer fs.Close()
			app, bot := "any xapp-… token", "any xoxb-… token"
			if appToken != "" {
				app = "the --app-token you gave"
			}
			if botToken != "" {
				bot = "the --bot-token you gave"
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, `local Slack listening
  Web API:   %s
  admin API: %s  (users, messages, events, commands, interactions, faults, calls, envelopes, dms, rates, health)

Connect a bot to it:
  LEADNUDGE_SLACK_API_URL=%s
  LEADNUDGE_SLACK_APP_TOKEN: %s
  LEADNUDGE_SLACK_BOT_TOKEN: %s
  slack-go: slack.New(botToken, slack.OptionAppLevelToken(appToken), slack.OptionAPIURL(%q))

Try:
  curl -s -XPOST %smessages -d '{"user":"U1","channel":"C1","text":"just do it"}'
  curl -s %sdms?user=U1

Press Ctrl-C to stop.
`, fs.URL(), fs.AdminURL(), fs.URL(), app, bot, fs.URL(), fs.AdminURL(), fs.AdminURL())
			if web {
				fmt.Fprintf(out, "\nBrowser playground: %s/\n", fs.BaseURL())
				printOpenHint(out, fs.BaseURL()+"/")
			}
			<-cmd.Context().Done()
			fmt.Fprintln(out, "local Slack stopped")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:3333", "address to listen on (loopback unless --allow-non-loopback)")
	f.StringVar(&appToken, "app-token", "", "require exactly this xapp-… token for apps.connections.open")
	f.StringVar(&botToken, "bot-token", "", "require exactly this xoxb-… token for the Web API")
	f.BoolVar(&allowNonLoopback, "allow-non-loopback", false, "allow listening on a non-loopback address")
	f.DurationVar(&ackTimeout, "ack-timeout", fakeslack.DefaultAckTimeout, "redeliver envelopes not acked within this time")
	f.BoolVar(&echo, "echo-bot-messages", false, "send the bot's own posts back as message events, as Slack does")
	f.StringVar(&rateLimits, "rate-limits", "on", "enforce Slack's Web API rate limits (tiers, chat.postMessage per channel and workspace; fakeslack/RATES.md): on or off")
	f.BoolVar(&web, "web", false, "also serve the browser playground (the demo's people and channel) at http://ADDR/")
	f.IntVar(&postsPerMinute, "posts-per-minute", fakeslack.DefaultPostsPerMinute, "workspace-wide chat.postMessage cap, which Slack does not publish (an assumption)")
	return cmd
}
