// Package reflection is leadnudge's weekly reflection: once a week, at a
// humane local time, each enrolled person gets one private question; they
// answer with a button and a modal or with /reflect, and only they can read
// their answers back.
//
// The parts:
//
//   - Due, a pure function of (instant, people, schedule, ledger): who is
//     due now. reflection.schedule is a 5-field cron spec read in each
//     person's own IANA time zone, so "Fridays at 16:00" is 16:00 in Paris
//     for Ana and 16:00 in Los Angeles for Ben, across daylight-saving
//     changes. Someone is due when the most recent scheduled time in their
//     zone has passed, falls in their current ISO week, and the store's
//     ledger holds nothing sent, skipped, answered or validly claimed.
//   - Tick, the weekly job as of an instant: the roster (people who turned it
//     on, plus members of reflection.channels, minus those who turned it off,
//     paused it, bots and deactivated users, from users.info with a cache),
//     Due, then a fan-out paced at reflection.rate where each delivery is
//     claimed in the store first (one winner across restarts and replicas),
//     and released on failure so the next tick retries it. Run calls Tick
//     every minute.
//   - The prompt DM with Answer (a modal), Skip this week and Pause for a
//     month; /reflect (modal, answer, history, export, delete, on, off,
//     help); the App Home section (toggle, streak, last answers).
//
// Answer text is stored by the store, byte for byte, and shown only to its
// author, escaped; it never appears in logs or metrics.
//
// Wiring: build the reflection, pass its hooks to bot.New, then attach the
// bot:
//
//	r, err := reflection.New(st, rules, opts)
//	deps.Commands, deps.Actions = r.Commands(), r.Actions()
//	deps.Home, deps.Runners = r.Home(), r.Runners()
//	b, err := bot.New(deps, botOpts)
//	r.Attach(b)
package reflection
