package store

import (
	"fmt"
	"time"
)

// User is one person the bot knows about, with their preferences. Zero
// times mean "never" / "not set".
type User struct {
	ID                 string    `json:"id"`                            // Slack user id
	TimeZone           string    `json:"time_zone,omitempty"`           // IANA name from users.info, e.g. "Europe/Paris"; "" if unknown
	TimeZoneUpdatedAt  time.Time `json:"time_zone_updated_at,omitzero"` // when TimeZone was last refreshed
	OptedOut           bool      `json:"opted_out"`                     // no nudges at all (/nudges off, "Stop these")
	SnoozedUntil       time.Time `json:"snoozed_until,omitzero"`        // no nudges before this instant
	WeeklyEnrolled     bool      `json:"weekly_enrolled"`               // asked for the weekly reflection (/reflect on)
	PromptsPausedUntil time.Time `json:"prompts_paused_until,omitzero"` // no weekly prompt before this instant ("Pause for a month")
	ReflectionOff      bool      `json:"reflection_off"`                // turned the weekly reflection off (/reflect off); wins over channels
	IntroSentAt        time.Time `json:"intro_sent_at,omitzero"`        // when the one-time introduction was given to a nudge
	FirstSeen          time.Time `json:"first_seen"`                    // when the store first heard of the user
	UpdatedAt          time.Time `json:"updated_at"`                    // last change to any preference
}

// Snoozed reports whether nudges to u are snoozed at instant t.
func (u User) Snoozed(t time.Time) bool { return t.Before(u.SnoozedUntil) }

// PromptsPaused reports whether weekly prompts to u are paused at instant t.
func (u User) PromptsPaused(t time.Time) bool { return t.Before(u.PromptsPausedUntil) }

// NudgeState is where a nudge is in its life: pending until the policy and
// delivery are done, then sent, failed or suppressed.
type NudgeState string

// The states of a nudge.
const (
	// NudgePending: recorded before the event was acked; not yet delivered
	// (AllowedAt tells whether the policy already let it through).
	NudgePending NudgeState = "pending"
	// NudgeSent: delivered to the person.
	NudgeSent NudgeState = "sent"
	// NudgeFailed: delivery was given up; Reason says why (no text).
	NudgeFailed NudgeState = "failed"
	// NudgeSuppressed: the policy said no; Reason says which rule.
	NudgeSuppressed NudgeState = "suppressed"
)

// Feedback is what a person said about a nudge with its buttons.
type Feedback string

// The feedback values, one per button of a nudge.
const (
	FeedbackNone       Feedback = ""
	FeedbackHelpful    Feedback = "helpful"
	FeedbackNotHelpful Feedback = "not_helpful"
	FeedbackSnooze     Feedback = "snooze"
	FeedbackStop       Feedback = "stop"
)

// Valid reports whether f is one of the known, non-empty feedback values.
func (f Feedback) Valid() bool {
	switch f {
	case FeedbackHelpful, FeedbackNotHelpful, FeedbackSnooze, FeedbackStop:
		return true
	}
	return false
}

// Delivery locates a message the bot posted, so it can be updated later
// with chat.update: a DM channel id ("D…") and the message ts. For an
// ephemeral nudge Channel is the conversation and TS may be empty.
type Delivery struct {
	Channel string `json:"channel,omitempty"`
	TS      string `json:"ts,omitempty"`
}

// NewNudge describes a match to be recorded as a pending nudge. It holds
// no message text, by design.
type NewNudge struct {
	EventID   string // Slack event_id of the message event; a second record with the same id is refused
	UserID    string // author of the message, who receives the nudge
	RuleID    string // rule that matched
	Category  string // the rule's category, for the per-category statistics
	ChannelID string // where the message was posted
	MessageTS string // ts of the message, to link to it
}

// Nudge is one entry of the nudge log.
type Nudge struct {
	ID         int64      `json:"id"`
	UserID     string     `json:"user_id"`
	RuleID     string     `json:"rule_id"`
	Category   string     `json:"category,omitempty"`
	ChannelID  string     `json:"channel_id"`
	MessageTS  string     `json:"message_ts"`
	EventID    string     `json:"event_id"`
	State      NudgeState `json:"state"`
	Reason     string     `json:"reason,omitempty"` // why suppressed or failed
	CreatedAt  time.Time  `json:"created_at"`
	AllowedAt  time.Time  `json:"allowed_at,omitzero"`  // when the policy let it through
	LeaseUntil time.Time  `json:"lease_until,omitzero"` // while pending: the current owner's lease
	Attempts   int        `json:"attempts"`             // how many times it was claimed for delivery
	FinishedAt time.Time  `json:"finished_at,omitzero"` // when it became sent, failed or suppressed
	Delivery   Delivery   `json:"delivery,omitzero"`
	Feedback   Feedback   `json:"feedback,omitempty"`
	FeedbackAt time.Time  `json:"feedback_at,omitzero"`
	// WithIntro: this nudge carries the person's one-time introduction
	// (their first allowed nudge; see DecideNudge).
	WithIntro bool `json:"with_intro,omitempty"`
}

// SentAt returns when the nudge was delivered, or the zero time.
func (n Nudge) SentAt() time.Time {
	if n.State != NudgeSent {
		return time.Time{}
	}
	return n.FinishedAt
}

// Policy is what DecideNudge enforces for one nudge.
type Policy struct {
	// Cooldown is the minimum time between two nudges of the same rule to
	// the same person; 0 disables it.
	Cooldown time.Duration
	// DailyCap is the most nudges a person gets within CapWindow; 0 or
	// less disables the cap.
	DailyCap int
	// CapWindow is the rolling window of the cap; 0 means
	// DefaultCapWindow (24 hours).
	CapWindow time.Duration
}

// Reason explains a decision of DecideNudge.
type Reason string

// The reasons DecideNudge can give.
const (
	ReasonAllowed  Reason = ""          // the nudge may be delivered
	ReasonOptedOut Reason = "opted_out" // the person turned nudges off
	ReasonSnoozed  Reason = "snoozed"   // the person snoozed nudges
	ReasonCooldown Reason = "cooldown"  // the same rule nudged them within the cooldown
	ReasonDailyCap Reason = "daily_cap" // they already got DailyCap nudges within the window
	ReasonHandled  Reason = "handled"   // the nudge was already sent or failed
)

// Decision is the outcome of DecideNudge.
type Decision struct {
	Allowed bool
	Reason  Reason
	Nudge   Nudge // the nudge after the decision was recorded
}

// Reflection is one person's answer for one ISO week.
type Reflection struct {
	ID        int64       `json:"id"`
	UserID    string      `json:"user_id"`
	Week      Week        `json:"week"`
	PromptID  string      `json:"prompt_id,omitempty"`
	Answer    string      `json:"answer"` // byte-exact, as saved
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
	EditedAt  []time.Time `json:"edited_at,omitempty"` // each later edit, oldest first
}

// MaxAnswerBytes is the largest reflection answer SaveReflection accepts.
const MaxAnswerBytes = 4 << 20

// PromptState is where a weekly prompt ledger entry is.
type PromptState string

// The states of a weekly prompt ledger entry.
const (
	// PromptClaimed: a sender holds the claim until LeaseUntil; after that
	// another may claim it again.
	PromptClaimed PromptState = "claimed"
	// PromptSent: the prompt was delivered; it is never sent again.
	PromptSent PromptState = "sent"
	// PromptSkipped: it will not be sent this week (the person skipped the
	// week, or answered before the prompt went out).
	PromptSkipped PromptState = "skipped"
)

// PromptDelivery is one entry of the weekly prompt ledger: one person, one
// ISO week.
type PromptDelivery struct {
	UserID     string      `json:"user_id"`
	Week       Week        `json:"week"`
	PromptID   string      `json:"prompt_id,omitempty"`
	State      PromptState `json:"state"`
	ClaimedAt  time.Time   `json:"claimed_at,omitzero"`
	LeaseUntil time.Time   `json:"lease_until,omitzero"`
	Attempts   int         `json:"attempts"`
	SentAt     time.Time   `json:"sent_at,omitzero"`
	AnsweredAt time.Time   `json:"answered_at,omitzero"` // first answer saved for the week
	SkippedAt  time.Time   `json:"skipped_at,omitzero"`  // "Skip this week"
	Delivery   Delivery    `json:"delivery,omitzero"`
}

// Ignored reports whether the prompt was sent, the week is over (current is
// a later week) and the person neither answered nor skipped it.
func (p PromptDelivery) Ignored(current Week) bool {
	return p.State == PromptSent && p.AnsweredAt.IsZero() && p.SkippedAt.IsZero() && p.Week.Before(current)
}

// WeekStats counts one person's sent nudges in one ISO week.
type WeekStats struct {
	Week       Week           `json:"week"`
	Total      int            `json:"total"`
	ByCategory map[string]int `json:"by_category"`
	ByRule     map[string]int `json:"by_rule"`
}

// Stats is one person's picture for App Home: their sent nudges per week,
// oldest first, and how they rated them, over the same weeks.
type Stats struct {
	Weeks      []WeekStats      `json:"weeks"`
	Total      int              `json:"total"`
	ByCategory map[string]int   `json:"by_category"`
	ByRule     map[string]int   `json:"by_rule"`
	Feedback   map[Feedback]int `json:"feedback"` // FeedbackNone counts nudges without feedback
}

// Export is everything the store holds about one person.
type Export struct {
	UserID           string           `json:"user_id"`
	ExportedAt       time.Time        `json:"exported_at"`
	User             *User            `json:"user"` // nil if the store has no preferences row
	Nudges           []Nudge          `json:"nudges"`
	Reflections      []Reflection     `json:"reflections"`
	PromptDeliveries []PromptDelivery `json:"prompt_deliveries"`
	// PreferenceEvents are when the person snoozed, stopped or paused.
	PreferenceEvents []PreferenceEvent `json:"preference_events"`
}

// Deleted counts what DeleteUser removed.
type Deleted struct {
	Users            int64 `json:"users"`
	Nudges           int64 `json:"nudges"`
	Reflections      int64 `json:"reflections"`
	PromptDeliveries int64 `json:"prompt_deliveries"`
	PreferenceEvents int64 `json:"preference_events"`
}

// String summarises the counts, for logs.
func (d Deleted) String() string {
	return fmt.Sprintf("%d user, %d nudges, %d reflections, %d prompt deliveries, %d preference events",
		d.Users, d.Nudges, d.Reflections, d.PromptDeliveries, d.PreferenceEvents)
}

// EventKind is a preference change the store remembers the time of.
type EventKind string

// The preference events.
const (
	EventSnooze EventKind = "snooze" // nudges snoozed
	EventStop   EventKind = "stop"   // nudges turned off
	EventPause  EventKind = "pause"  // the weekly prompt paused
)

// PreferenceEvent is one preference change: what and when, nothing else.
type PreferenceEvent struct {
	Kind EventKind `json:"kind"`
	At   time.Time `json:"at"`
}
