// Package loadtest is the load and fault harness behind `leadnudge loadtest`:
// it measures the whole product the way an operator would judge it.
//
// Run starts a local Slack (fakeslack, in-process, on 127.0.0.1), starts one
// to three bot replicas as separate processes (`leadnudge run`, with the
// environment pointing at the local Slack and at SQLite or PostgreSQL),
// drives simulated people in channels with a realistic message mix at a
// target rate for a bounded time, injects faults while it runs, and then
// reports events sent and acked, ack latency, message-to-DM latency, nudges
// expected against nudges delivered, duplicates, losses, and the CPU time and
// peak RSS of the replica processes.
//
// The expected nudges are computed independently of the bot's store: every
// event is decoded from the envelope the local Slack sent, passed through the
// same filters and the same compiled matcher the bot uses (nudges.Compile of
// the built-in rules), and the policy is applied in closed form. With a per
// person and rule cooldown longer than the run and a daily cap C, a person
// whose messages matched the distinct rules R gets exactly min(C, |R|)
// nudges, each of a rule in R and none twice, whatever order the replicas
// handle them in. Delivered nudges are read from the local Slack's DMs.
//
// The same load can be played, in the same run, against a peer baseline: a
// minimal Slack Bolt-for-JavaScript app (testdata/bolt-peer) on its own local
// Slack, whose expected DMs are computed with the peer's own regular
// expression.
//
// Not covered here: the weekly reflection fan-out killed half way is tested
// in package reflection (its claims and ledger are exercised there against
// a killed run); a fan-out scenario would plug in next to the kill fault in
// runBot, driving the scheduler through `leadnudge demo`'s /_demo/tick.
//
// Every loop is bounded in count and in time, and the harness only ever
// listens on and connects to loopback.
package loadtest
