package loadtest

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/leadnudge/leadnudge/bot"
	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/leadnudge/leadnudge/nudges"
)

// The shapes below mirror what bot/message.go decodes, so the expectation
// reads exactly the fields the bot reads.
type messageBody struct {
	User    string           `json:"user"`
	BotID   string           `json:"bot_id"`
	Subtype string           `json:"subtype"`
	Text    string           `json:"text"`
	TS      string           `json:"ts"`
	Blocks  []nudges.Element `json:"blocks"`
}

type eventBody struct {
	messageBody
	Channel     string       `json:"channel"`
	ChannelType string       `json:"channel_type"`
	Message     *messageBody `json:"message"`
	Previous    *messageBody `json:"previous_message"`
}

type messageEvent struct {
	EventID string    `json:"event_id"`
	Event   eventBody `json:"event"`
}

func decodeEvent(payload json.RawMessage) (messageEvent, bool) {
	var me messageEvent
	if len(payload) == 0 || json.Unmarshal(payload, &me) != nil || me.EventID == "" {
		return messageEvent{}, false
	}
	return me, true
}

// botExpectation tells which user and rule the bot should record for one
// event: the bot's own filters (bot/message.go readable), the matcher, an
// edit counting only what it added, and the strongest match.
func botExpectation(m *nudges.Matcher, minSeverity nudges.Severity, payload json.RawMessage) (user, rule string, ok bool) {
	me, ok := decodeEvent(payload)
	if !ok {
		return "", "", false
	}
	ev := &me.Event
	switch ev.ChannelType {
	case "channel", "group", "mpim", "":
	default:
		return "", "", false
	}
	msg, prev := &ev.messageBody, (*messageBody)(nil)
	if ev.Subtype == "message_changed" {
		if ev.Message == nil {
			return "", "", false
		}
		msg, prev = ev.Message, ev.Previous
		if prev == nil {
			prev = &messageBody{}
		}
	} else if ev.Subtype != "" && ev.Subtype != "thread_broadcast" && ev.Subtype != "file_share" {
		return "", "", false
	}
	if msg.BotID != "" || msg.Subtype == "bot_message" || msg.User == "" || msg.User == fakeslack.BotUserID {
		return "", "", false
	}
	relevant := func(ms []nudges.Match) []nudges.Match {
		var out []nudges.Match
		for _, x := range ms {
			if x.Rule.Severity >= minSeverity {
				out = append(out, x)
			}
		}
		return out
	}
	matches := relevant(m.Match(nudges.Message{Text: msg.Text, Blocks: msg.Blocks}))
	if prev != nil && len(matches) > 0 {
		old := relevant(m.Match(nudges.Message{Text: prev.Text, Blocks: prev.Blocks}))
		var added []nudges.Match
		for _, x := range matches {
			seen := false
			for _, o := range old {
				seen = seen || o.Rule.ID == x.Rule.ID
			}
			if !seen {
				added = append(added, x)
			}
		}
		matches = added
	}
	best, ok := nudges.Best(matches)
	if !ok {
		return "", "", false
	}
	return msg.User, best.Rule.ID, true
}

// peerRegexp is the Bolt peer's one expression, in Go syntax.
func peerRegexp() *regexp.Regexp {
	quoted := make([]string, len(peerPhrases))
	for i, p := range peerPhrases {
		quoted[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("(?i)" + strings.Join(quoted, "|"))
}

// peerExpectation tells whom the Bolt peer should DM for one event: a
// person's message (no subtype) whose top-level text matches its regexp.
func peerExpectation(re *regexp.Regexp, payload json.RawMessage) (user string, ok bool) {
	me, ok := decodeEvent(payload)
	if !ok {
		return "", false
	}
	ev := &me.Event
	if ev.Subtype != "" || ev.User == "" || ev.BotID != "" || !re.MatchString(ev.Text) {
		return "", false
	}
	return ev.User, true
}

// tally is what was expected and what arrived.
type tally struct {
	Expected, Sent, Duplicates, Extra, Lost int
	LostDetail                              []string
	DupDetail                               []string
	DMLatencyMS                             []float64
}

// dmPosts returns the bot's DM posts per user (non-ephemeral, in a D…
// channel of a known person), oldest first.
func dmPosts(fs *fakeslack.Server, people []string) map[string][]fakeslack.Post {
	byChannel := make(map[string]string, 2*len(people))
	for _, u := range people {
		byChannel[fakeslack.DMChannel(u)] = u
		byChannel[u] = u // chat.postMessage with channel=U… lands in the DM too
	}
	out := map[string][]fakeslack.Post{}
	for _, p := range fs.Posts("") {
		if u, ok := byChannel[p.Channel]; ok && !p.Ephemeral {
			out[u] = append(out[u], p)
		}
	}
	return out
}

// nudgeRule returns the rule of a leadnudge nudge DM (by its tip title), or
// ok=false for a post that is not a nudge.
func nudgeRule(p fakeslack.Post, byTitle map[string]string) (string, bool) {
	if !strings.Contains(string(p.Blocks), bot.ActionHelpful) {
		return "", false
	}
	var blocks []struct {
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	if json.Unmarshal(p.Blocks, &blocks) != nil || len(blocks) == 0 {
		return "?", true
	}
	// the tip's title is the first bold line of a section (a first nudge
	// opens with the introduction)
	for _, b := range blocks {
		t := b.Text.Text
		if !strings.HasPrefix(t, "*") {
			continue
		}
		end := strings.Index(t[1:], "*")
		if end < 0 {
			continue
		}
		if id, ok := byTitle[t[1:1+end]]; ok {
			return id, true
		}
	}
	return "?", true
}

// tallyBot compares the nudge DMs with the closed-form policy: per person,
// min(cap, distinct matched rules) nudges, each of a matched rule, none twice.
func tallyBot(fs *fakeslack.Server, people []string, msgs []sent, m *nudges.Matcher, rs *nudges.RuleSet, dailyCap int) tally {
	byTitle := map[string]string{}
	for _, r := range rs.Rules {
		byTitle[bot.Escape(r.Tip.Title)] = r.ID
	}
	want := map[string]map[string]float64{} // user → rule → first message time
	for _, s := range msgs {
		u, r, ok := botExpectation(m, nudges.SeverityNudge, s.payload)
		if !ok {
			continue
		}
		if want[u] == nil {
			want[u] = map[string]float64{}
		}
		if t, seen := want[u][r]; !seen || s.at < t {
			want[u][r] = s.at
		}
	}
	var t tally
	got := map[string]map[string][]float64{}
	for u, posts := range dmPosts(fs, people) {
		for _, p := range posts {
			r, ok := nudgeRule(p, byTitle)
			if !ok {
				continue
			}
			t.Sent++
			if got[u] == nil {
				got[u] = map[string][]float64{}
			}
			got[u][r] = append(got[u][r], tsSeconds(p.TS))
		}
	}
	users := map[string]bool{}
	for u := range want {
		users[u] = true
	}
	for u := range got {
		users[u] = true
	}
	for _, u := range sortedKeys(users) {
		exp := min(dailyCap, len(want[u]))
		t.Expected += exp
		valid := 0
		for _, r := range sortedKeys(got[u]) {
			dms := got[u][r]
			first, expected := want[u][r]
			if !expected {
				t.Extra += len(dms)
				t.DupDetail = append(t.DupDetail, u+" "+r+": nudged for a rule none of their messages matched")
				continue
			}
			valid++
			if len(dms) > 1 {
				t.Duplicates += len(dms) - 1
				t.DupDetail = append(t.DupDetail, u+" "+r+": "+itoa(len(dms))+" nudges")
			}
			t.DMLatencyMS = append(t.DMLatencyMS, (dms[0]-first)*1000)
		}
		if valid > exp {
			t.Extra += valid - exp
			t.DupDetail = append(t.DupDetail, u+": "+itoa(valid)+" rules nudged, the daily cap allows "+itoa(exp))
		}
		if valid < exp {
			t.Lost += exp - valid
			t.LostDetail = append(t.LostDetail, u+": "+itoa(valid)+" of "+itoa(exp)+" nudges")
		}
	}
	return t
}

// tallyPeer compares the peer's DMs with its own regexp: one DM per
// matching message.
func tallyPeer(fs *fakeslack.Server, people []string, msgs []sent) tally {
	re := peerRegexp()
	want := map[string][]float64{}
	for _, s := range msgs {
		if u, ok := peerExpectation(re, s.payload); ok {
			want[u] = append(want[u], s.at)
		}
	}
	posts := dmPosts(fs, people)
	users := map[string]bool{}
	for u := range want {
		users[u] = true
	}
	for u := range posts {
		users[u] = true
	}
	var t tally
	for _, u := range sortedKeys(users) {
		w, g := want[u], posts[u]
		sort.Float64s(w)
		t.Expected += len(w)
		t.Sent += len(g)
		for i := 0; i < len(w) && i < len(g); i++ {
			t.DMLatencyMS = append(t.DMLatencyMS, (tsSeconds(g[i].TS)-w[i])*1000)
		}
		if len(g) > len(w) {
			t.Duplicates += len(g) - len(w)
			t.DupDetail = append(t.DupDetail, u+": "+itoa(len(g))+" DMs for "+itoa(len(w))+" matching messages")
		}
		if len(g) < len(w) {
			t.Lost += len(w) - len(g)
			t.LostDetail = append(t.LostDetail, u+": "+itoa(len(g))+" DMs for "+itoa(len(w))+" matching messages")
		}
	}
	return t
}
