// Package exportgen writes synthetic Slack exports in the shape Slack's
// Import/Export Data produces (channels.json, users.json, one folder per
// channel of YYYY-MM-DD.json day files, messages with user_profile and
// rich_text blocks), for the scan's benchmarks. The text is generated chat
// about deploys and reviews with a sprinkling of the phrasing the rules
// look for; it is deterministic for a given Spec.
package exportgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// Spec says what to generate.
type Spec struct {
	People   int
	Channels int
	Days     int
	// PerDay is the mean number of messages a channel gets a day.
	PerDay int
	Start  time.Time
	Seed   uint64
}

// Stats is what was written.
type Stats struct {
	Files    int
	Messages int
	Bytes    int64
}

var sentences = []string{
	"the staging deploy finished and the smoke tests are green",
	"can someone review the migration PR before lunch?",
	"I moved the sprint review to Thursday so the design folks can join",
	"customer call went well, they want the export feature by end of quarter",
	"latency on the search service spiked around 09:40 UTC, rolled back to 1.8.2",
	"reminder that hiring loops for the backend role start next week",
	"the budget numbers for Q3 are in the shared folder, comments welcome by Friday",
	"I think the onboarding work should come before the billing revamp",
	"nice work on the release notes, they read really clearly",
	"did you just do it on staging or on prod?",
	"I'll just do it tonight after the standup",
	"that's how we've always done it, but I'm open to a better way if you have one",
	"lunch anyone? thinking tacos",
	"the flaky test in payments is back, I'll take a look",
	"thanks for jumping on the incident so quickly",
	"we should write this decision down somewhere people can find it",
}

var authority = []string{
	"Just do it.",
	"Because I said so.",
	"I don't have to explain myself to you.",
	"That's not up for discussion.",
	"That's how we've always done it here.",
	"Stay in your lane.",
	"Don't question me on this.",
	"My way or the highway.",
}

type profile struct {
	AvatarHash  string `json:"avatar_hash"`
	Image72     string `json:"image_72"`
	FirstName   string `json:"first_name"`
	RealName    string `json:"real_name"`
	DisplayName string `json:"display_name"`
	Team        string `json:"team"`
	Name        string `json:"name"`
	IsRestr     bool   `json:"is_restricted"`
}

type element struct {
	Type     string    `json:"type"`
	Text     string    `json:"text,omitempty"`
	UserID   string    `json:"user_id,omitempty"`
	Elements []element `json:"elements,omitempty"`
}

type block struct {
	Type     string    `json:"type"`
	BlockID  string    `json:"block_id"`
	Elements []element `json:"elements"`
}

type message struct {
	ClientMsgID  string   `json:"client_msg_id,omitempty"`
	Type         string   `json:"type"`
	Subtype      string   `json:"subtype,omitempty"`
	Text         string   `json:"text"`
	User         string   `json:"user,omitempty"`
	BotID        string   `json:"bot_id,omitempty"`
	TS           string   `json:"ts"`
	Team         string   `json:"team,omitempty"`
	UserTeam     string   `json:"user_team,omitempty"`
	SourceTeam   string   `json:"source_team,omitempty"`
	UserProfile  *profile `json:"user_profile,omitempty"`
	ThreadTS     string   `json:"thread_ts,omitempty"`
	ReplyCount   int      `json:"reply_count,omitempty"`
	ParentUserID string   `json:"parent_user_id,omitempty"`
	Blocks       []block  `json:"blocks,omitempty"`
}

// Write generates an export into dir (created if needed).
func Write(dir string, s Spec) (Stats, error) {
	var st Stats
	r := rand.New(rand.NewPCG(s.Seed, 1))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return st, err
	}
	type user struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		IsBot   bool   `json:"is_bot"`
		Deleted bool   `json:"deleted"`
		TZ      string `json:"tz"`
	}
	users := make([]user, s.People)
	for i := range users {
		users[i] = user{ID: fmt.Sprintf("U%08d", i), Name: fmt.Sprintf("person%d", i), TZ: "Europe/Berlin"}
	}
	type channel struct {
		ID      string   `json:"id"`
		Name    string   `json:"name"`
		Created int64    `json:"created"`
		Members []string `json:"members"`
	}
	chans := make([]channel, s.Channels)
	for i := range chans {
		chans[i] = channel{ID: fmt.Sprintf("C%08d", i), Name: fmt.Sprintf("team-%03d", i), Created: s.Start.Unix()}
		for range 8 {
			chans[i].Members = append(chans[i].Members, users[r.IntN(len(users))].ID)
		}
	}
	if err := writeJSON(filepath.Join(dir, "users.json"), users, &st); err != nil {
		return st, err
	}
	if err := writeJSON(filepath.Join(dir, "channels.json"), chans, &st); err != nil {
		return st, err
	}
	for _, c := range chans {
		if err := os.MkdirAll(filepath.Join(dir, c.Name), 0o755); err != nil {
			return st, err
		}
		for d := range s.Days {
			day := s.Start.AddDate(0, 0, d)
			n := r.IntN(2*s.PerDay + 1)
			if n == 0 {
				continue
			}
			msgs := make([]message, 0, n)
			sec := day.Unix() + 8*3600
			for k := range n {
				sec += int64(r.IntN(1200))
				msgs = append(msgs, genMessage(r, c.Members, sec, k))
			}
			if err := writeJSON(filepath.Join(dir, c.Name, day.Format(time.DateOnly)+".json"), msgs, &st); err != nil {
				return st, err
			}
			st.Messages += n
		}
	}
	return st, nil
}

func genMessage(r *rand.Rand, members []string, sec int64, k int) message {
	ts := fmt.Sprintf("%d.%06d", sec, r.IntN(1000000))
	switch x := r.IntN(100); {
	case x < 3:
		return message{Type: "message", Subtype: "bot_message", BotID: "B0DEPLOY", Text: "Deploy of api to production finished in 4m12s", TS: ts}
	case x < 5:
		u := members[r.IntN(len(members))]
		return message{Type: "message", Subtype: "channel_join", User: u, Text: "<@" + u + "> has joined the channel", TS: ts}
	}
	u := members[r.IntN(len(members))]
	text := sentences[r.IntN(len(sentences))]
	if r.IntN(3) == 0 {
		text += ". " + sentences[r.IntN(len(sentences))]
	}
	if r.IntN(200) == 0 {
		text += " " + authority[r.IntN(len(authority))]
	}
	name := "person" + u[1:]
	m := message{
		ClientMsgID: fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<16), r.IntN(1<<16), r.Uint64()&(1<<48-1)),
		Type:        "message", Text: text, User: u, TS: ts, Team: "T0ACME", UserTeam: "T0ACME", SourceTeam: "T0ACME",
		UserProfile: &profile{AvatarHash: fmt.Sprintf("g%011x", r.Uint64()&(1<<44-1)), Image72: "https://secure.gravatar.com/avatar/" + fmt.Sprintf("%032x", r.Uint64()) + ".jpg?s=72&d=retro",
			FirstName: name, RealName: name, DisplayName: name, Team: "T0ACME", Name: name},
		Blocks: []block{{Type: "rich_text", BlockID: fmt.Sprintf("%05x", r.IntN(1<<20)), Elements: []element{{Type: "rich_text_section", Elements: []element{{Type: "text", Text: text}}}}}},
	}
	if k > 0 && r.IntN(5) == 0 {
		m.ThreadTS = fmt.Sprintf("%d.000100", sec-int64(r.IntN(600)))
		m.ParentUserID = members[r.IntN(len(members))]
	}
	return m
}

func writeJSON(path string, v any, st *Stats) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ") // Slack's exports are indented
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	info, err := f.Stat()
	if err == nil {
		st.Bytes += info.Size()
		st.Files++
	}
	return f.Close()
}
