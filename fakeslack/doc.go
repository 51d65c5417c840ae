// Package fakeslack is a local Slack: it speaks Slack's Web API and Socket Mode
// wire protocols on loopback well enough that the unmodified slack-go Socket
// Mode client, and Slack's official SDKs in other languages, cannot tell it
// from slack.com for everything leadnudge uses.
//
// A Server serves three things on one listener:
//
//   - the Web API under http://ADDR/api/ (note the trailing slash; pass URL()
//     to slack.OptionAPIURL), answering auth.test, apps.connections.open,
//     conversations.open, conversations.members, conversations.list,
//     chat.postMessage, chat.update, chat.postEphemeral, chat.getPermalink,
//     users.info, users.list, views.open, views.update and views.publish
//     (paginated methods with Slack's cursors), plus the response_url
//     target of slash commands under /resp/;
//   - the Socket Mode WebSocket under /link/, reached through the single-use
//     URL that apps.connections.open returns;
//   - the admin API under http://ADDR/_fake/ (users, messages, raw events,
//     slash commands, interactions, faults, recorded calls, envelopes, DMs,
//     health), the contract other tools drive over HTTP.
//
// Every admin operation also has an in-process Go equivalent on *Server
// (AddUser, ChangeUser, SendMessage, SendEvent, SendCommand, SendInteraction, InjectFault,
// Calls, Envelopes, DMs, Connections) plus waiting helpers for tests
// (WaitForAck, WaitForCall, WaitForDM, WaitUntil).
//
// Typical use in a Go test:
//
//	fs, err := fakeslack.New(fakeslack.Options{AckTimeout: 200 * time.Millisecond})
//	if err != nil { t.Fatal(err) }
//	if err := fs.Start("127.0.0.1:0"); err != nil { t.Fatal(err) }
//	defer fs.Close()
//	api := slack.New("xoxb-test", slack.OptionAppLevelToken("xapp-test"),
//		slack.OptionAPIURL(fs.URL()))
//
// The package imports nothing from the rest of leadnudge, so it stays a
// faithful stand-in for Slack rather than a mirror of the bot's code.
package fakeslack
