// Package store persists what leadnudge must remember — preferences, the
// nudge log, handled Slack event ids, reflections and the weekly prompt
// ledger — in SQLite (the default: embedded, pure Go, nothing to install) or
// PostgreSQL (for several replicas).
//
// Open picks the backend from the driver name ("sqlite" or "postgres") and
// applies the embedded, versioned migrations before returning. Both backends
// share one concrete type, *Store, whose methods are the whole API; the bot
// declares the small interfaces it needs and *Store satisfies them.
//
// Every guarantee the bot relies on is enforced by the database, never by
// process memory, so it holds across restarts and across replicas sharing one
// PostgreSQL database:
//
//   - ClaimEvent and RecordPendingNudge: a Slack event id is handled once
//     (first caller wins).
//   - DecideNudge: opt-out, snooze, per user+rule cooldown and the daily cap
//     are decided and recorded in one transaction that holds the user's row
//     lock (PostgreSQL) or the database write lock (SQLite BEGIN IMMEDIATE).
//   - ClaimPendingNudges and ClaimPrompt: work is claimed with a lease, so a
//     claim whose owner crashed is retried after the lease and finished work
//     is never redone.
//
// Message text is never stored: a nudge records who, which rule, where and
// when, not what was written. Reflections are only returned by methods keyed
// by their author's user id.
//
// Time comes from the clock given with WithClock, so tests can move it. All
// timestamps are stored as UTC microseconds since the Unix epoch (0 means
// "never"). The DSN is treated as a secret: it never appears in errors.
package store
