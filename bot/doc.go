// Package bot is the leadnudge application: the Socket Mode event loop,
// the routing of events, the nudge policy and its private delivery (Block
// Kit DMs with feedback buttons), the /nudges command and the App Home.
//
// The data path of one message (DESIGN.md §2):
//
//	envelope ─► filter (bots, self, subtypes, channel lists) ─► nudges.Match
//	  no match ─► ack
//	  match    ─► store: record a pending nudge (claims the event id; no text) ─► ack
//	           ─► worker pool: policy (atomic in the store) ─► DM ─► mark sent
//
// Every envelope is acked within milliseconds, before any Slack Web API
// call; slow Slack calls happen in a bounded worker pool. A crash after the
// ack loses nothing: pending nudges whose owner died are claimed again after
// their lease (ClaimPendingNudges) and delivered.
//
// The package owns the small interfaces it needs (Slack, Store) and takes
// every dependency in New; it never imports the concrete store.
//
// Importing the package changes one entry of slack-go's process-wide event
// registry (slackevents.EventsAPIInnerEventMapping): message events are
// parsed into an empty value instead of slackevents.MessageEvent, because
// the bot reads each message from the envelope's raw payload and slack-go's
// reflective decode was the largest cost per envelope (bot/slackevents.go).
// Code in the same process that reads message events through
// slackevents.ParseEvent gets that empty value too.
package bot
