// Package scan runs a Slack export through the bot's own decision, before
// rollout, and reports what the bot would have sent.
//
// It reads a standard Slack export (the .zip that Slack's Import/Export
// Data page produces, or the folder it unpacks to) or JSON Lines of message
// objects, streaming: day files are decoded in parallel, one message at a
// time, so memory does not grow with the export. Every message meets the
// bot's filters (bots, subtypes, direct messages, channel allow and deny
// lists) and the matcher; the matches are then run through the delivery
// policy (cooldown per rule, daily cap) per person in timestamp order, so
// the report says how many nudges people would have received, not only
// how many messages matched.
//
// Nothing here keeps message text beyond the matcher call, except the few
// excerpts per rule a caller asks for with Options.Samples, which are
// returned to the caller (the operator's terminal) and never written into
// a report.
package scan
