package fakeslack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// validUserID reports whether id looks like a Slack user id.
func validUserID(id string) bool {
	if len(id) < 2 || len(id) > 32 || (id[0] != 'U' && id[0] != 'W') {
		return false
	}
	for _, r := range id {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// validChannelID reports whether id looks like a Slack conversation id.
func validChannelID(id string) bool {
	if len(id) < 2 || len(id) > 32 || !strings.ContainsRune("CGD", rune(id[0])) {
		return false
	}
	for _, r := range id {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// normalize validates u and fills in defaults.
func (u User) normalize() (User, error) {
	if !validUserID(u.ID) {
		return u, fmt.Errorf("user id %q must be U… or W… in upper-case letters and digits", u.ID)
	}
	if u.Name == "" {
		u.Name = strings.ToLower(u.ID)
	}
	if u.RealName == "" {
		u.RealName = u.Name
	}
	if u.TZ == "" {
		u.TZ = "UTC"
	}
	if _, err := time.LoadLocation(u.TZ); err != nil {
		return u, fmt.Errorf("user %s: unknown time zone %q", u.ID, u.TZ)
	}
	return u, nil
}

// AddUser adds or replaces a workspace member.
func (s *Server) AddUser(u User) error {
	u, err := u.normalize()
	if err != nil {
		return fmt.Errorf("fakeslack: add user: %w", err)
	}
	s.mu.Lock()
	s.users[u.ID] = &userRec{User: u, updated: s.opts.Now().Unix()}
	s.notifyLocked()
	s.mu.Unlock()
	return nil
}

// ChangeUser adds or changes a workspace member the way Slack tells an
// app: a new member is announced with a team_join event, a changed one
// with user_change, plus user_status_changed when the status changed. It
// returns the envelopes sent (none when nothing changed).
func (s *Server) ChangeUser(u User) ([]EventResult, error) {
	u, err := u.normalize()
	if err != nil {
		return nil, fmt.Errorf("fakeslack: change user: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, existed := s.users[u.ID]
	if existed && !old.auto && old.User == u {
		return nil, nil
	}
	s.lastChange = max(s.opts.Now().Unix(), s.lastChange+1)
	rec := &userRec{User: u, updated: s.lastChange}
	s.users[u.ID] = rec
	types := []string{"team_join"}
	if existed {
		types = []string{"user_change"}
		if old.StatusEmoji != u.StatusEmoji || old.StatusText != u.StatusText {
			types = append(types, "user_status_changed")
		}
	}
	var out []EventResult
	for _, typ := range types {
		ev := map[string]any{"type": typ, "user": userJSON(rec), "event_ts": s.nextTS()}
		if typ != "team_join" {
			ev["cache_ts"] = rec.updated
		}
		inner, err := json.Marshal(ev)
		if err != nil {
			return out, fmt.Errorf("fakeslack: change user: %w", err)
		}
		body := s.eventCallback(inner, "")
		e, err := s.enqueueLocked("events_api", body, eventIDOf(body), false)
		if err != nil {
			return out, fmt.Errorf("fakeslack: change user: %w", err)
		}
		out = append(out, EventResult{EnvelopeID: e.id, EventID: e.eventID})
	}
	s.notifyLocked()
	return out, nil
}

// noteUserLocked registers a user first seen in injected traffic, so that
// users.info and conversations.open know whoever wrote a message.
func (s *Server) noteUserLocked(id string) {
	if _, ok := s.users[id]; ok || !validUserID(id) || s.autoUser >= s.opts.HistoryLimit {
		return
	}
	s.autoUser++
	s.users[id] = &userRec{User: User{ID: id, Name: strings.ToLower(id), RealName: strings.ToLower(id), TZ: "UTC"}, auto: true,
		updated: s.opts.Now().Unix()}
}

// maxChannelMembers bounds one channel's members (a 10,000-person
// workspace's #general fits).
const maxChannelMembers = 100_000

// noteChannelLocked registers a channel (not a DM) and its members.
func (s *Server) noteChannelLocked(ch string, members ...string) {
	if ch == "" || strings.HasPrefix(ch, "D") {
		if ch != "" && len(members) > 0 && validUserID(members[0]) {
			if _, ok := s.dms[ch]; !ok && DMChannel(members[0]) == ch {
				s.dms[ch] = members[0]
			}
		}
		return
	}
	c, ok := s.channels[ch]
	if !ok {
		if len(s.channels) >= s.opts.HistoryLimit {
			return
		}
		c = &channelRec{members: map[string]bool{}}
		s.channels[ch] = c
		if !c.members[BotUserID] {
			c.members[BotUserID] = true
			c.order = append(c.order, BotUserID)
		}
	}
	for _, m := range members {
		if m != "" && !c.members[m] && len(c.order) < maxChannelMembers {
			c.members[m] = true
			c.order = append(c.order, m)
		}
	}
}

// AddChannel makes a channel id known (with optional members), so that
// chat.postMessage to it succeeds before anyone wrote there.
func (s *Server) AddChannel(id string, members ...string) error {
	if !validChannelID(id) || strings.HasPrefix(id, "D") {
		return fmt.Errorf("fakeslack: add channel: %q must be C… or G…", id)
	}
	s.mu.Lock()
	s.noteChannelLocked(id, members...)
	s.notifyLocked()
	s.mu.Unlock()
	return nil
}

// NameChannel gives a channel its name (without "#"), as
// conversations.list reports it; an unnamed channel is named after its
// lower-cased id.
func (s *Server) NameChannel(id, name string) error {
	if !validChannelID(id) || strings.HasPrefix(id, "D") {
		return fmt.Errorf("fakeslack: name channel: %q must be C… or G…", id)
	}
	name = strings.TrimPrefix(name, "#")
	if name == "" || strings.ContainsAny(name, " #<>") {
		return fmt.Errorf("fakeslack: name channel: bad name %q", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noteChannelLocked(id)
	if c, ok := s.channels[id]; ok {
		c.name = name
	}
	s.notifyLocked()
	return nil
}

// channelType returns the channel_type Slack gives a channel id.
func channelType(ch string) string {
	switch {
	case strings.HasPrefix(ch, "D"):
		return "im"
	case strings.HasPrefix(ch, "G"):
		return "group"
	default:
		return "channel"
	}
}

// eventCallback wraps an inner event the way the Events API does. eventID
// is generated when empty. s.mu need not be held.
func (s *Server) eventCallback(inner json.RawMessage, eventID string) json.RawMessage {
	if eventID == "" {
		eventID = newID("Ev", 10)
	}
	body := struct {
		Token              string          `json:"token"`
		TeamID             string          `json:"team_id"`
		ContextTeamID      string          `json:"context_team_id"`
		APIAppID           string          `json:"api_app_id"`
		Event              json.RawMessage `json:"event"`
		Type               string          `json:"type"`
		EventID            string          `json:"event_id"`
		EventTime          int64           `json:"event_time"`
		Authorizations     []any           `json:"authorizations"`
		IsExtSharedChannel bool            `json:"is_ext_shared_channel"`
		EventContext       string          `json:"event_context"`
	}{
		Token: "fakeverificationtoken", TeamID: TeamID, ContextTeamID: TeamID, APIAppID: AppID,
		Event: inner, Type: "event_callback", EventID: eventID, EventTime: s.opts.Now().Unix(),
		Authorizations: []any{map[string]any{"enterprise_id": nil, "team_id": TeamID, "user_id": BotUserID,
			"is_bot": true, "is_enterprise_install": false}},
		EventContext: "4-" + randHex(16),
	}
	b, _ := json.Marshal(body) // only marshalable values
	return b
}

// eventIDOf returns the event_id of an event_callback body.
func eventIDOf(body json.RawMessage) string {
	var v struct {
		EventID string `json:"event_id"`
	}
	_ = json.Unmarshal(body, &v) // body was produced or checked by us
	return v.EventID
}

// normalize validates m and fills in the channel type.
func (m Message) normalize() (Message, error) {
	if !validUserID(m.User) {
		return m, fmt.Errorf("message user %q is not a user id", m.User)
	}
	if !validChannelID(m.Channel) {
		return m, fmt.Errorf("message channel %q is not a channel id (C…, G…, D…)", m.Channel)
	}
	if m.ChannelType == "" {
		m.ChannelType = channelType(m.Channel)
	}
	switch m.ChannelType {
	case "channel", "group", "im", "mpim":
	default:
		return m, fmt.Errorf("channel_type %q must be channel, group, im or mpim", m.ChannelType)
	}
	return m, nil
}

// SendMessage injects a user's message as a message events_api envelope.
func (s *Server) SendMessage(m Message) (EventResult, error) {
	m, err := m.normalize()
	if err != nil {
		return EventResult{}, fmt.Errorf("fakeslack: send message: %w", err)
	}
	ts := s.nextTS()
	ev := map[string]any{
		"type": "message", "channel": m.Channel, "channel_type": m.ChannelType, "user": m.User,
		"text": m.Text, "ts": ts, "event_ts": ts, "client_msg_id": newUUID(), "team": TeamID,
		"blocks": []any{richText(m.Text)},
	}
	if m.ThreadTS != "" {
		ev["thread_ts"] = m.ThreadTS
	}
	inner, err := json.Marshal(ev)
	if err != nil {
		return EventResult{}, fmt.Errorf("fakeslack: send message: %w", err)
	}
	body := s.eventCallback(inner, "")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noteUserLocked(m.User)
	s.noteChannelLocked(m.Channel, m.User)
	e, err := s.enqueueLocked("events_api", body, eventIDOf(body), false)
	if err != nil {
		return EventResult{}, fmt.Errorf("fakeslack: send message: %w", err)
	}
	return EventResult{EnvelopeID: e.id, EventID: e.eventID, TS: ts}, nil
}

// parseEventBody checks a POST /_fake/events body: a JSON object that is
// either a whole event_callback (used as-is) or an inner event with a type
// (wrapped in a new event_callback).
func (s *Server) parseEventBody(data []byte) (payload json.RawMessage, eventID string, inner map[string]any, err error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return nil, "", nil, errors.New("event must be a JSON object")
	}
	var typ string
	if err := json.Unmarshal(obj["type"], &typ); err != nil || typ == "" {
		return nil, "", nil, errors.New(`event needs a string "type"`)
	}
	if typ == "event_callback" {
		var body struct {
			EventID string         `json:"event_id"`
			Event   map[string]any `json:"event"`
		}
		if err := json.Unmarshal(data, &body); err != nil {
			return nil, "", nil, fmt.Errorf("event_callback: %w", err)
		}
		if t, _ := body.Event["type"].(string); t == "" {
			return nil, "", nil, errors.New(`event_callback needs an "event" object with a string "type"`)
		}
		if body.EventID == "" {
			return nil, "", nil, errors.New(`event_callback needs a string "event_id"`)
		}
		return json.RawMessage(append([]byte(nil), data...)), body.EventID, body.Event, nil
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, "", nil, fmt.Errorf("event: %w", err)
	}
	body := s.eventCallback(json.RawMessage(data), "")
	return body, eventIDOf(body), ev, nil
}

// SendEvent injects an events_api envelope. body is either an inner event
// object exactly as Slack puts it under "event" (it gets wrapped in an
// event_callback with a new event_id), or a whole event_callback body, used
// as-is so a test can resend the same event_id as Slack's retries do.
func (s *Server) SendEvent(body json.RawMessage) (EventResult, error) {
	payload, eventID, inner, err := s.parseEventBody(body)
	if err != nil {
		return EventResult{}, fmt.Errorf("fakeslack: send event: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	user, _ := inner["user"].(string)
	if ch, _ := inner["channel"].(string); validChannelID(ch) {
		s.noteChannelLocked(ch, user)
	}
	s.noteUserLocked(user)
	e, err := s.enqueueLocked("events_api", payload, eventID, false)
	if err != nil {
		return EventResult{}, fmt.Errorf("fakeslack: send event: %w", err)
	}
	return EventResult{EnvelopeID: e.id, EventID: eventID}, nil
}

// newTriggerLocked issues a trigger_id ("<n>.<n>.<hex>") for views.open,
// on behalf of user (whose modal it opens).
func (s *Server) newTriggerLocked(user string) string {
	id := fmt.Sprintf("%d.%d.%s", 1e12+rand.Int64N(9e12), 1e11+rand.Int64N(9e11), randHex(16))
	s.registerTriggerLocked(id, user)
	return id
}

// registerTriggerLocked remembers a trigger_id issued now, pruning old ones.
func (s *Server) registerTriggerLocked(id, user string) {
	now := s.opts.Now()
	if len(s.triggers) >= s.opts.HistoryLimit {
		for t, tr := range s.triggers {
			if now.Sub(tr.issued) > s.opts.TriggerTTL {
				delete(s.triggers, t)
			}
		}
		if len(s.triggers) >= s.opts.HistoryLimit {
			for t := range s.triggers {
				delete(s.triggers, t)
				break
			}
		}
	}
	s.triggers[id] = &trigger{issued: now, user: user}
}

// normalize validates c.
func (c Command) normalize() (Command, error) {
	if !validUserID(c.User) {
		return c, fmt.Errorf("command user %q is not a user id", c.User)
	}
	if !validChannelID(c.Channel) {
		return c, fmt.Errorf("command channel %q is not a channel id", c.Channel)
	}
	if len(c.Command) < 2 || len(c.Command) > 32 || c.Command[0] != '/' || strings.ContainsAny(c.Command, " \t\n") {
		return c, fmt.Errorf("command %q must be / followed by 1-31 characters", c.Command)
	}
	return c, nil
}

// SendCommand injects a slash command as a slash_commands envelope with a
// fresh trigger_id and a response_url served by this server.
func (s *Server) SendCommand(c Command) (CommandResult, error) {
	c, err := c.normalize()
	if err != nil {
		return CommandResult{}, fmt.Errorf("fakeslack: send command: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noteUserLocked(c.User)
	s.noteChannelLocked(c.Channel, c.User)
	userName := strings.ToLower(c.User)
	if u, ok := s.users[c.User]; ok {
		userName = u.Name
	}
	channelName := strings.ToLower(c.Channel)
	switch channelType(c.Channel) {
	case "im":
		channelName = "directmessage"
	case "group":
		channelName = "privategroup"
	}
	trig := s.newTriggerLocked(c.User)
	respID := TeamID + "/" + randHex(5) + "/" + randHex(12)
	now := s.opts.Now()
	for id, ru := range s.responses {
		if now.Sub(ru.issued) > 30*time.Minute || len(s.responses) >= s.opts.HistoryLimit {
			delete(s.responses, id)
		}
	}
	s.responses[respID] = &responseURL{issued: now, user: c.User, channel: c.Channel}
	respURL := s.baseURL + "/resp/" + respID
	payload, err := json.Marshal(map[string]any{
		"token": "fakeverificationtoken", "team_id": TeamID, "team_domain": TeamDomain,
		"channel_id": c.Channel, "channel_name": channelName, "user_id": c.User, "user_name": userName,
		"command": c.Command, "text": c.Text, "api_app_id": AppID, "is_enterprise_install": false,
		"response_url": respURL, "trigger_id": trig,
	})
	if err != nil {
		return CommandResult{}, fmt.Errorf("fakeslack: send command: %w", err)
	}
	e, err := s.enqueueLocked("slash_commands", payload, "", true)
	if err != nil {
		return CommandResult{}, fmt.Errorf("fakeslack: send command: %w", err)
	}
	return CommandResult{EnvelopeID: e.id, TriggerID: trig, ResponseURL: respURL}, nil
}

// SendInteraction injects a raw interactive payload (block_actions,
// view_submission, shortcut, …) as an interactive envelope. A trigger_id is
// added when the payload has none, and registered for views.open either way.
func (s *Server) SendInteraction(payload json.RawMessage) (InteractionResult, error) {
	var obj map[string]any
	if err := json.Unmarshal(payload, &obj); err != nil || obj == nil {
		return InteractionResult{}, errors.New("fakeslack: send interaction: payload must be a JSON object")
	}
	typ, _ := obj["type"].(string)
	if typ == "" {
		return InteractionResult{}, errors.New(`fakeslack: send interaction: payload needs a string "type"`)
	}
	user := ""
	if u, ok := obj["user"].(map[string]any); ok {
		user, _ = u["id"].(string)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	trig, _ := obj["trigger_id"].(string)
	if trig == "" {
		trig = s.newTriggerLocked(user)
		obj["trigger_id"] = trig
		b, err := json.Marshal(obj)
		if err != nil {
			return InteractionResult{}, fmt.Errorf("fakeslack: send interaction: %w", err)
		}
		payload = b
	} else {
		s.registerTriggerLocked(trig, user)
		payload = append(json.RawMessage(nil), payload...)
	}
	if user != "" {
		s.noteUserLocked(user)
	}
	accepts := typ == "view_submission" || typ == "block_suggestion" || typ == "view_closed"
	e, err := s.enqueueLocked("interactive", payload, "", accepts)
	if err != nil {
		return InteractionResult{}, fmt.Errorf("fakeslack: send interaction: %w", err)
	}
	return InteractionResult{EnvelopeID: e.id, TriggerID: trig}, nil
}

// Calls returns the recorded Web API and response_url calls, oldest first;
// only those of method when it is not empty.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Call{}
	s.calls.each(func(c Call) {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	})
	return out
}

// Envelopes returns the envelope history, oldest first.
func (s *Server) Envelopes() []Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Envelope{}
	s.envHist.each(func(e *envelope) { out = append(out, e.snapshot()) })
	return out
}

// Envelope returns the record of one envelope.
func (s *Server) Envelope(id string) (Envelope, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.envs[id]
	if !ok {
		return Envelope{}, false
	}
	return e.snapshot(), true
}

// Posts returns the messages the bot posted into channel (all channels when
// empty), oldest first, ephemeral ones included.
func (s *Server) Posts(channel string) []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Post{}
	s.posts.each(func(p *postRec) {
		if channel == "" || p.Channel == channel {
			out = append(out, p.Post)
		}
	})
	return out
}

// DMs returns the messages the bot posted into user's IM channel (by its D…
// id or by channel=user id), oldest first.
func (s *Server) DMs(user string) []Post {
	dm := DMChannel(user)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Post{}
	s.posts.each(func(p *postRec) {
		if p.Channel == dm && !p.Ephemeral {
			out = append(out, p.Post)
		}
	})
	return out
}

// Ephemerals returns the ephemeral messages the bot showed user.
func (s *Server) Ephemerals(user string) []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Post{}
	s.posts.each(func(p *postRec) {
		if p.Ephemeral && p.User == user {
			out = append(out, p.Post)
		}
	})
	return out
}

// Views returns every modal and home view currently stored.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []View{}
	for _, v := range s.views {
		cb, _ := v.body["callback_id"].(string)
		out = append(out, View{ID: v.id, Type: v.typ, User: v.user, Opened: v.opened, CallbackID: cb, Hash: v.hash,
			JSON: append(json.RawMessage(nil), v.result...)})
	}
	return out
}

// HomeView returns the home tab last published for user.
func (s *Server) HomeView(user string) (View, bool) {
	for _, v := range s.Views() {
		if v.Type == "home" && v.User == user {
			return v, true
		}
	}
	return View{}, false
}

// WaitForAck waits until envelope id is acked and returns its record.
func (s *Server) WaitForAck(ctx context.Context, id string) (Envelope, error) {
	var got Envelope
	err := s.WaitUntil(ctx, func() bool {
		e, ok := s.Envelope(id)
		got = e
		return ok && e.Acked
	})
	if err != nil {
		return got, fmt.Errorf("fakeslack: ack of %s: %w", id, err)
	}
	return got, nil
}

// WaitForCall waits for a recorded call of method for which match returns
// true (match may be nil) and returns it.
func (s *Server) WaitForCall(ctx context.Context, method string, match func(Call) bool) (Call, error) {
	var got Call
	err := s.WaitUntil(ctx, func() bool {
		for _, c := range s.Calls(method) {
			if match == nil || match(c) {
				got = c
				return true
			}
		}
		return false
	})
	if err != nil {
		return got, fmt.Errorf("fakeslack: call of %s: %w", method, err)
	}
	return got, nil
}

// WaitForDM waits for a message the bot posted into user's DM for which
// match returns true (match may be nil) and returns it.
func (s *Server) WaitForDM(ctx context.Context, user string, match func(Post) bool) (Post, error) {
	var got Post
	err := s.WaitUntil(ctx, func() bool {
		for _, p := range s.DMs(user) {
			if match == nil || match(p) {
				got = p
				return true
			}
		}
		return false
	})
	if err != nil {
		return got, fmt.Errorf("fakeslack: DM to %s: %w", user, err)
	}
	return got, nil
}

// WaitForConnections waits until at least n Socket Mode connections are open.
func (s *Server) WaitForConnections(ctx context.Context, n int) error {
	if err := s.WaitUntil(ctx, func() bool { return s.Connections() >= n }); err != nil {
		return fmt.Errorf("fakeslack: %d connections: %w", n, err)
	}
	return nil
}
