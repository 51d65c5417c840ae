// Package slackjson reads the JSON Slack sends (Events API payloads) and
// exports (day files, JSON Lines) in one pass over the bytes, for the few
// fields leadnudge needs.
//
// encoding/json scans each value twice and reflects into every field;
// Slack's payloads are mostly fields the bot never reads (authorizations,
// user profiles, reactions, files), which made decoding the cost of a
// neutral message and the bottleneck of a workspace scan. This reader goes
// through the bytes once, skips what it does not need without building
// it, and reads the rest exactly as encoding/json would: keys matched
// case-insensitively, the last of duplicate keys winning, null leaving a
// field as it is, invalid UTF-8 and lone surrogates replaced. Its users
// hold their decoders to encoding/json with fuzz tests.
package slackjson
