package playground

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
)

// post is a message as the page shows it.
type post struct {
	Channel   string          `json:"channel"`
	TS        string          `json:"ts"`
	User      string          `json:"user,omitempty"` // a person; "" for the app
	Text      string          `json:"text"`
	Blocks    json.RawMessage `json:"blocks,omitempty"`
	Edited    bool            `json:"edited,omitempty"`
	Ephemeral bool            `json:"ephemeral,omitempty"`
	// Response is the response_url id an ephemeral reply came through
	// (its buttons answer there).
	Response string `json:"response,omitempty"`
}

// state is everything the page shows to one person.
type state struct {
	App      string            `json:"app"`
	People   []Person          `json:"people"`
	Channels []Channel         `json:"channels"`
	Messages map[string][]post `json:"messages"` // by channel id, people's messages, the app's and ephemerals
	DM       []post            `json:"dm"`       // the app's DMs to the viewer
	Modal    *json.RawMessage  `json:"modal"`    // the viewer's open modal
	Home     *json.RawMessage  `json:"home"`     // the viewer's Home tab
	Features map[string]bool   `json:"features"`
	Names    map[string]string `json:"names"` // user and channel ids → names, for mentions
}

// serveState answers GET /play/api/state?user=U….
func (s *Server) serveState(w http.ResponseWriter, r *http.Request) {
	secure(w)
	user := r.URL.Query().Get("user")
	if !s.known(user) {
		http.Error(w, "unknown person", http.StatusBadRequest)
		return
	}
	st := state{App: s.opts.AppName, People: s.opts.People, Channels: s.opts.Channels, Messages: map[string][]post{},
		Features: map[string]bool{"next_week": s.opts.NextWeek != nil, "explain": s.opts.Explain != nil},
		Names:    map[string]string{}}
	for _, p := range s.opts.People {
		st.Names[p.ID] = p.Name
	}
	for _, c := range s.opts.Channels {
		st.Names[c.ID] = c.Name
		st.Messages[c.ID] = []post{}
	}
	s.mu.Lock()
	for _, m := range s.messages {
		st.Messages[m.Channel] = append(st.Messages[m.Channel], post{Channel: m.Channel, TS: m.TS, User: m.User, Text: m.Text})
	}
	responses := make(map[string]string, len(s.responses))
	for k, v := range s.responses {
		responses[k] = v
	}
	dismissed := make(map[string]bool, len(s.dismissed))
	for k, v := range s.dismissed {
		dismissed[k] = v
	}
	s.mu.Unlock()
	// the app's posts in channels, and ephemerals to the viewer
	for _, p := range s.fs.Posts("") {
		if _, ok := st.Messages[p.Channel]; !ok {
			continue
		}
		if p.Ephemeral && p.User != user {
			continue
		}
		st.Messages[p.Channel] = append(st.Messages[p.Channel], fromPost(p))
	}
	// replies to the viewer's slash commands (response_url), shown as
	// ephemerals in the channel the command was typed in
	for _, c := range s.fs.Calls("response_url") {
		id, _ := c.Params["response_url_id"].(string)
		if responses[id] != user || c.Error != "" {
			continue
		}
		ch := s.commandChannel(id)
		if _, ok := st.Messages[ch]; !ok {
			continue
		}
		text, _ := c.Params["text"].(string)
		blocks, _ := json.Marshal(c.Params["blocks"])
		if string(blocks) == "null" {
			blocks = nil
		}
		st.Messages[ch] = append(st.Messages[ch], post{Channel: ch, TS: tsAt(c.At), Text: text, Blocks: blocks, Ephemeral: true, Response: id})
	}
	for ch := range st.Messages {
		slices.SortStableFunc(st.Messages[ch], func(a, b post) int { return strings.Compare(a.TS, b.TS) })
	}
	st.DM = []post{}
	for _, p := range s.fs.DMs(user) {
		st.DM = append(st.DM, fromPost(p))
	}
	// the latest modal opened for the viewer and not closed in the page
	var latest *fakeslack.View
	views := s.fs.Views()
	for i := range views {
		v := &views[i]
		if v.Type == "modal" && v.User == user && !dismissed[v.ID] && (latest == nil || v.Opened.After(latest.Opened)) {
			latest = v
		}
	}
	if latest != nil {
		raw := json.RawMessage(latest.JSON)
		st.Modal = &raw
	}
	if hv, ok := s.fs.HomeView(user); ok {
		raw := json.RawMessage(hv.JSON)
		st.Home = &raw
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(st)
}

// commandChannel is the channel of the command a response_url answers
// (the local Slack records it with the command's envelope); the first
// channel when unknown.
func (s *Server) commandChannel(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.cmdChannel[id]; ok {
		return ch
	}
	return s.opts.Channels[0].ID
}

func fromPost(p fakeslack.Post) post {
	return post{Channel: p.Channel, TS: p.TS, Text: p.Text, Blocks: p.Blocks, Edited: p.Edited, Ephemeral: p.Ephemeral}
}

// tsAt makes a Slack-like ts for a reply recorded at t.
func tsAt(t time.Time) string {
	us := t.UnixMicro()
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// serveEvents streams a "change" event whenever the local Slack's state
// changes (at most ten a second), and a comment every 15 s to keep the
// connection open.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	secure(w)
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("retry: 1000\nevent: change\ndata: {}\n\n"))
	fl.Flush()
	keep := time.NewTicker(15 * time.Second)
	defer keep.Stop()
	for {
		ch := s.fs.Changed()
		select {
		case <-r.Context().Done():
			return
		case <-keep.C:
			_, _ = w.Write([]byte(": keep-alive\n\n"))
		case <-ch:
			time.Sleep(100 * time.Millisecond) // coalesce a burst of changes
			_, _ = w.Write([]byte("event: change\ndata: {}\n\n"))
		}
		fl.Flush()
	}
}
