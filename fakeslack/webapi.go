package fakeslack

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxBody caps request bodies (Slack's own limits are lower for most
// methods).
const maxBody = 1 << 20

type tokenKind int

const (
	botToken tokenKind = iota
	appToken
)

// apiRequest is one parsed Web API request.
type apiRequest struct {
	method string
	form   url.Values                 // form requests
	body   map[string]json.RawMessage // JSON requests
	isJSON bool
	token  string
	host   string
}

// str returns the named parameter as a string: a form value, a JSON string,
// or the JSON text of any other JSON value.
func (r *apiRequest) str(name string) string {
	if !r.isJSON {
		return r.form.Get(name)
	}
	raw, ok := r.body[name]
	if !ok {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return ""
	}
	return string(raw)
}

// rawJSON returns the named parameter as JSON: the JSON value itself, or a
// form (or JSON) string that holds JSON. ok is false when it is absent or
// not valid JSON.
func (r *apiRequest) rawJSON(name string) (json.RawMessage, bool) {
	var raw []byte
	if r.isJSON {
		v, ok := r.body[name]
		if !ok {
			return nil, false
		}
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			raw = []byte(s)
		} else {
			raw = v
		}
	} else {
		if _, ok := r.form[name]; !ok {
			return nil, false
		}
		raw = []byte(r.form.Get(name))
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || !json.Valid(raw) {
		return nil, false
	}
	return json.RawMessage(raw), true
}

// apiError is a Slack error answer: HTTP 200 {"ok":false,"error":code}.
type apiError string

// apiHandler answers one Web API method.
type apiHandler func(s *Server, r *apiRequest) (map[string]any, apiError)

type apiMethod struct {
	token tokenKind
	fn    apiHandler
}

// apiMethods is the table of Web API methods the local Slack answers.
func apiMethods() map[string]apiMethod {
	return map[string]apiMethod{
		"apps.connections.open": {appToken, (*Server).appsConnectionsOpen},
		"auth.test":             {botToken, (*Server).authTest},
		"chat.postMessage":      {botToken, (*Server).chatPostMessage},
		"chat.update":           {botToken, (*Server).chatUpdate},
		"chat.postEphemeral":    {botToken, (*Server).chatPostEphemeral},
		"chat.getPermalink":     {botToken, (*Server).chatGetPermalink},
		"conversations.open":    {botToken, (*Server).conversationsOpen},
		"conversations.members": {botToken, (*Server).conversationsMembers},
		"conversations.list":    {botToken, (*Server).conversationsList},
		"users.info":            {botToken, (*Server).usersInfo},
		"users.list":            {botToken, (*Server).usersList},
		"views.open":            {botToken, (*Server).viewsOpen},
		"views.update":          {botToken, (*Server).viewsUpdate},
		"views.publish":         {botToken, (*Server).viewsPublish},
	}
}

// parseAPIRequest reads the method's parameters from a form or JSON body
// and the token from the Authorization header or the token field.
func parseAPIRequest(r *http.Request) (*apiRequest, error) {
	req := &apiRequest{method: strings.TrimPrefix(r.URL.Path, "/api/"), host: r.Host}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	switch ct {
	case "application/json":
		req.isJSON = true
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return req, fmt.Errorf("read body: %w", err)
		}
		req.body = map[string]json.RawMessage{}
		if len(bytes.TrimSpace(data)) > 0 {
			if err := json.Unmarshal(data, &req.body); err != nil {
				return req, fmt.Errorf("decode JSON body: %w", err)
			}
		}
		// Query parameters still count, as on slack.com.
		for k, v := range r.URL.Query() {
			if _, ok := req.body[k]; !ok && len(v) > 0 {
				b, _ := json.Marshal(v[0])
				req.body[k] = b
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxBody); err != nil {
			return req, fmt.Errorf("parse multipart form: %w", err)
		}
		req.form = r.Form
	default:
		if err := r.ParseForm(); err != nil {
			return req, fmt.Errorf("parse form: %w", err)
		}
		req.form = r.Form
	}
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		req.token = strings.TrimSpace(strings.TrimPrefix(auth, "Bearer "))
	}
	if req.token == "" {
		req.token = req.str("token")
	}
	return req, nil
}

// recordedParams returns the request's parameters without any token.
func (r *apiRequest) recordedParams() map[string]any {
	out := map[string]any{}
	if r.isJSON {
		for k, raw := range r.body {
			if k == "token" {
				continue
			}
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				continue
			}
			out[k] = scrub(v)
		}
		return out
	}
	for k, v := range r.form {
		if k == "token" || len(v) == 0 {
			continue
		}
		out[k] = scrub(v[0])
	}
	return out
}

// looksLikeToken reports whether s contains something shaped like a Slack
// token; such strings are never recorded.
func looksLikeToken(s string) bool {
	for _, p := range []string{"xoxb-", "xoxp-", "xapp-", "xoxa-", "xoxe-", "xoxs-", "xoxr-"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// scrub removes "token" keys and redacts token-shaped strings, recursively.
func scrub(v any) any {
	switch t := v.(type) {
	case string:
		if looksLikeToken(t) {
			return "[redacted]"
		}
		return t
	case map[string]any:
		for k, x := range t {
			if k == "token" {
				delete(t, k)
				continue
			}
			t[k] = scrub(x)
		}
		return t
	case []any:
		for i, x := range t {
			t[i] = scrub(x)
		}
		return t
	default:
		return v
	}
}

// validToken applies the token rules: xapp-… for apps.connections.open,
// xoxb-… elsewhere, or exactly the configured token when one is set.
func (s *Server) validToken(kind tokenKind, tok string) bool {
	switch kind {
	case appToken:
		if s.opts.AppToken != "" {
			return tok == s.opts.AppToken
		}
		return strings.HasPrefix(tok, "xapp-") && len(tok) > len("xapp-")
	default:
		if s.opts.BotToken != "" {
			return tok == s.opts.BotToken
		}
		return strings.HasPrefix(tok, "xoxb-") && len(tok) > len("xoxb-")
	}
}

// errorBody is {"ok":false,"error":…}, with ok first as Slack sends it.
type errorBody struct {
	OK    bool   `json:"ok"`
	Error string `json:"error"`
}

// writeJSON answers with status and v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	s.calls.push(c)
	s.notifyLocked()
	s.mu.Unlock()
}

// serveAPI answers /api/METHOD.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	s.learnBase(r)
	at := s.opts.Now()
	req, perr := parseAPIRequest(r)
	call := Call{Method: req.method, At: at, Params: map[string]any{}}
	if perr != nil {
		call.Error = "invalid_arguments"
		s.record(call)
		writeJSON(w, http.StatusOK, errorBody{Error: "invalid_arguments"})
		return
	}
	call.Params = req.recordedParams()
	m, ok := apiMethods()[req.method]
	if !ok {
		call.Error = "unknown_method"
		s.record(call)
		writeJSON(w, http.StatusOK, errorBody{Error: "unknown_method"})
		return
	}
	if !s.validToken(m.token, req.token) {
		call.Error = "invalid_auth"
		s.record(call)
		writeJSON(w, http.StatusOK, errorBody{Error: "invalid_auth"})
		return
	}
	if f := s.takeFault(req.method); f != nil {
		if f.DelayMS > 0 {
			if !s.sleep(r, time.Duration(f.DelayMS)*time.Millisecond) {
				call.Error = "canceled"
				s.record(call)
				return
			}
		}
		if status, code := f.answer(); status != 0 {
			call.Error = code
			s.record(call)
			switch status {
			case http.StatusTooManyRequests:
				w.Header().Set("Retry-After", strconv.Itoa(f.retryAfter()))
			}
			writeJSON(w, status, errorBody{Error: code})
			return
		}
	}
	target := ""
	if req.method == "chat.postMessage" {
		s.mu.Lock()
		target, _ = s.resolveChannelLocked(req.str("channel"))
		s.mu.Unlock()
	}
	// Slack's limits run on the wall clock, whatever Options.Now says
	if ok, retry := s.lim.allow(req.method, target, time.Now()); !ok {
		call.Error = "ratelimited"
		s.record(call)
		w.Header().Set("Retry-After", strconv.Itoa(retry))
		writeJSON(w, http.StatusTooManyRequests, errorBody{Error: "ratelimited"})
		return
	}
	resp, aerr := m.fn(s, req)
	if aerr != "" {
		call.Error = string(aerr)
		s.record(call)
		// details Slack sends with some errors (invalid_blocks' errors and
		// response_metadata.messages)
		out := map[string]any{"ok": false, "error": string(aerr)}
		for k, v := range resp {
			out[k] = v
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	s.record(call)
	resp["ok"] = true
	writeJSON(w, http.StatusOK, resp)
}

// sleep waits d unless the request or the server ends first.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// serveResponseURL answers POST /resp/ID, the response_url of a slash
// command.
func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/resp/")
	call := Call{Method: "response_url", At: s.opts.Now(), Params: map[string]any{}}
	var invalid []problem
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "method_not_allowed"})
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err == nil {
		var body map[string]any
		if json.Unmarshal(data, &body) == nil {
			if raw, ok := body["blocks"]; ok {
				js, _ := json.Marshal(raw)
				invalid = checkBlocksJSON(js, "message", "/blocks")
			}
			for k, v := range body {
				call.Params[k] = v
			}
			scrub(call.Params)
		} else {
			err = errors.New("body is not a JSON object")
		}
	}
	call.Params["response_url_id"] = id
	s.mu.Lock()
	ru, ok := s.responses[id]
	switch {
	case !ok:
		call.Error = "no_such_response_url"
	case err != nil:
		call.Error = "invalid_payload"
	case len(invalid) > 0:
		call.Error = "invalid_blocks"
	case ru.uses >= 5 || s.opts.Now().Sub(ru.issued) > 30*time.Minute:
		call.Error = "used_url"
	default:
		ru.uses++
	}
	s.calls.push(call)
	s.notifyLocked()
	s.mu.Unlock()
	switch call.Error {
	case "":
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	case "invalid_blocks":
		out := blocksRefused(invalid)
		out["ok"], out["error"] = false, call.Error
		writeJSON(w, http.StatusBadRequest, out)
	case "no_such_response_url":
		writeJSON(w, http.StatusNotFound, errorBody{Error: call.Error})
	default:
		writeJSON(w, http.StatusBadRequest, errorBody{Error: call.Error})
	}
}

func (s *Server) authTest(*apiRequest) (map[string]any, apiError) {
	return map[string]any{
		"url": "https://" + TeamDomain + ".slack.com/", "team": "Fake", "user": BotName,
		"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID, "is_enterprise_install": false,
	}, ""
}

func (s *Server) appsConnectionsOpen(r *apiRequest) (map[string]any, apiError) {
	ticket := newUUID()
	now := s.opts.Now()
	s.mu.Lock()
	for t, at := range s.tickets {
		if now.Sub(at) > 5*time.Minute {
			delete(s.tickets, t)
		}
	}
	if len(s.tickets) >= s.opts.HistoryLimit {
		s.mu.Unlock()
		return nil, "ratelimited"
	}
	s.tickets[ticket] = now
	s.opens++
	s.mu.Unlock()
	return map[string]any{"url": "ws://" + r.host + "/link/?ticket=" + ticket + "&app_id=" + AppID}, ""
}

// resolveChannelLocked maps a channel argument to a channel id: a user id
// becomes that user's DM. ok is false for unknown channels. s.mu held.
func (s *Server) resolveChannelLocked(ch string) (string, bool) {
	if ch == "" {
		return "", false
	}
	if u, ok := s.users[ch]; ok {
		return DMChannel(u.ID), true
	}
	if _, ok := s.dms[ch]; ok {
		return ch, true
	}
	if _, ok := s.channels[ch]; ok {
		return ch, true
	}
	// Every user's DM id exists, opened or not.
	if strings.HasPrefix(ch, "D") {
		for id := range s.users {
			if DMChannel(id) == ch {
				s.dms[ch] = id
				return ch, true
			}
		}
	}
	// Once the channel table is full, trust well-formed ids.
	if len(s.channels) >= s.opts.HistoryLimit && (strings.HasPrefix(ch, "C") || strings.HasPrefix(ch, "G")) {
		return ch, true
	}
	return "", false
}

// blocksParam returns the blocks parameter as a JSON array ("[]" when
// absent), checked against Block Kit's limits for a message; a refusal
// comes with Slack's details.
func blocksParam(r *apiRequest) (json.RawMessage, map[string]any, apiError) {
	raw, ok := r.rawJSON("blocks")
	if !ok {
		if r.str("blocks") != "" {
			return nil, nil, "invalid_blocks"
		}
		return json.RawMessage("[]"), nil, ""
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(raw, &arr); err != nil {
		return nil, nil, "invalid_blocks"
	}
	if arr == nil {
		return json.RawMessage("[]"), nil, ""
	}
	if ps := checkBlocksJSON(raw, "message", "/blocks"); len(ps) > 0 {
		return nil, blocksRefused(ps), "invalid_blocks"
	}
	return raw, nil, ""
}

func botMessage(p Post) map[string]any {
	m := map[string]any{
		"type": "message", "user": BotUserID, "bot_id": BotID, "app_id": AppID,
		"text": p.Text, "ts": p.TS, "team": TeamID, "blocks": p.Blocks,
		"bot_profile": map[string]any{"id": BotID, "app_id": AppID, "name": BotName, "team_id": TeamID, "deleted": false},
	}
	if p.ThreadTS != "" {
		m["thread_ts"] = p.ThreadTS
	}
	return m
}

func (s *Server) chatPostMessage(r *apiRequest) (map[string]any, apiError) {
	blocks, refusal, aerr := blocksParam(r)
	if aerr != "" {
		return refusal, aerr
	}
	text := r.str("text")
	if text == "" && string(blocks) == "[]" && r.str("attachments") == "" {
		return nil, "no_text"
	}
	if utf8.RuneCountInString(text) > maxMessageText {
		return nil, "msg_too_long"
	}
	s.mu.Lock()
	ch, ok := s.resolveChannelLocked(r.str("channel"))
	if !ok {
		s.mu.Unlock()
		return nil, "channel_not_found"
	}
	p := &postRec{Post: Post{Channel: ch, TS: s.nextTS(), Text: text, Blocks: blocks, ThreadTS: r.str("thread_ts")}}
	s.addPostLocked(p)
	post := p.Post
	if s.opts.EchoBotMessages {
		ev := botMessage(post)
		ev["channel"] = ch
		ev["channel_type"] = channelType(ch)
		ev["event_ts"] = post.TS
		if inner, err := json.Marshal(ev); err == nil {
			body := s.eventCallback(inner, "")
			if _, err := s.enqueueLocked("events_api", body, eventIDOf(body), false); err != nil {
				s.log.Warn("echo of bot message dropped", "err", err)
			}
		}
	}
	s.notifyLocked()
	s.mu.Unlock()
	return map[string]any{"channel": ch, "ts": post.TS, "message": botMessage(post)}, ""
}

// addPostLocked stores a post, evicting the oldest beyond the history limit.
func (s *Server) addPostLocked(p *postRec) {
	if old, ok := s.posts.push(p); ok {
		old.evicted = true
		delete(s.postIdx, old.Channel+"/"+old.TS)
	}
	s.postIdx[p.Channel+"/"+p.TS] = p
}

func (s *Server) chatUpdate(r *apiRequest) (map[string]any, apiError) {
	blocks, refusal, aerr := blocksParam(r)
	if aerr != "" {
		return refusal, aerr
	}
	ts := r.str("ts")
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.resolveChannelLocked(r.str("channel"))
	if !ok {
		return nil, "channel_not_found"
	}
	p, ok := s.postIdx[ch+"/"+ts]
	if !ok || p.Ephemeral {
		return nil, "message_not_found"
	}
	if _, ok := r.rawJSON("blocks"); ok {
		p.Blocks = blocks
	}
	if r.str("text") != "" || r.str("blocks") != "" {
		p.Text = r.str("text")
	}
	p.Edited = true
	s.notifyLocked()
	return map[string]any{"channel": ch, "ts": ts, "text": p.Text, "message": botMessage(p.Post)}, ""
}

func (s *Server) chatPostEphemeral(r *apiRequest) (map[string]any, apiError) {
	blocks, refusal, aerr := blocksParam(r)
	if aerr != "" {
		return refusal, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	user := r.str("user")
	if _, ok := s.users[user]; !ok {
		return nil, "user_not_found"
	}
	ch, ok := s.resolveChannelLocked(r.str("channel"))
	if !ok {
		return nil, "channel_not_found"
	}
	p := &postRec{Post: Post{Channel: ch, TS: s.nextTS(), Text: r.str("text"), Blocks: blocks,
		ThreadTS: r.str("thread_ts"), User: user, Ephemeral: true}}
	s.addPostLocked(p)
	s.notifyLocked()
	return map[string]any{"message_ts": p.TS}, ""
}

func (s *Server) chatGetPermalink(r *apiRequest) (map[string]any, apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.resolveChannelLocked(r.str("channel"))
	if !ok {
		return nil, "channel_not_found"
	}
	ts := r.str("message_ts")
	if ts == "" {
		return nil, "message_not_found"
	}
	return map[string]any{
		"channel":   ch,
		"permalink": "https://" + TeamDomain + ".slack.com/archives/" + ch + "/p" + strings.Replace(ts, ".", "", 1),
	}, ""
}

func (s *Server) conversationsOpen(r *apiRequest) (map[string]any, apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch := r.str("channel"); ch != "" && r.str("users") == "" {
		id, ok := s.resolveChannelLocked(ch)
		if !ok {
			return nil, "channel_not_found"
		}
		return map[string]any{"no_op": true, "already_open": true, "channel": map[string]any{"id": id}}, ""
	}
	var users []string
	for _, u := range strings.Split(r.str("users"), ",") {
		if u = strings.TrimSpace(u); u != "" && u != BotUserID {
			users = append(users, u)
		}
	}
	if len(users) == 0 {
		return nil, "users_list_not_supplied"
	}
	for _, u := range users {
		if rec, ok := s.users[u]; !ok || rec.Deleted {
			return nil, "user_not_found"
		}
	}
	var id string
	if len(users) == 1 {
		id = DMChannel(users[0])
	} else {
		sort.Strings(users)
		sum := DMChannel(strings.Join(users, ","))
		id = "G" + sum[1:]
	}
	_, already := s.dms[id]
	if !already {
		_, already = s.channels[id]
	}
	if len(users) == 1 {
		s.dms[id] = users[0]
	} else if !already {
		s.noteChannelLocked(id, append(users, BotUserID)...)
	}
	ch := map[string]any{"id": id}
	if r.str("return_im") == "true" {
		ch["created"] = s.opts.Now().Unix()
		ch["is_open"] = true
		if len(users) == 1 {
			ch["is_im"] = true
			ch["user"] = users[0]
		} else {
			ch["is_mpim"] = true
		}
	}
	return map[string]any{"no_op": already, "already_open": already, "channel": ch}, ""
}

func (s *Server) conversationsMembers(r *apiRequest) (map[string]any, apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.resolveChannelLocked(r.str("channel"))
	if !ok {
		return nil, "channel_not_found"
	}
	var all []string
	if u, ok := s.dms[ch]; ok {
		all = []string{u, BotUserID}
	} else if c, ok := s.channels[ch]; ok {
		all = c.order
	}
	from, limit, bad := pageOf(r, len(all))
	if bad {
		return nil, "invalid_cursor"
	}
	to := min(from+limit, len(all))
	return map[string]any{"members": append([]string{}, all[from:to]...),
		"response_metadata": map[string]any{"next_cursor": nextCursor(to, len(all))}}, ""
}

// pageOf reads a paginated method's cursor and limit as Slack takes them:
// limit 1–1000 (default 100; 0 means all at once), cursor opaque. bad
// reports a cursor the local Slack did not issue.
func pageOf(r *apiRequest, n int) (from, limit int, bad bool) {
	limit = 100
	if l, err := strconv.Atoi(r.str("limit")); err == nil {
		switch {
		case l == 0:
			limit = max(n, 1)
		case l > 0:
			limit = min(l, 1000)
		}
	}
	if c := r.str("cursor"); c != "" {
		raw, err := base64.StdEncoding.DecodeString(c)
		off, ok := strings.CutPrefix(string(raw), "offset:")
		if err != nil || !ok {
			return 0, 0, true
		}
		from, err = strconv.Atoi(off)
		if err != nil || from < 0 || from > n {
			return 0, 0, true
		}
	}
	return from, limit, false
}

// nextCursor is the cursor of the page after offset to ("" at the end).
func nextCursor(to, n int) string {
	if to >= n {
		return ""
	}
	return base64.StdEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(to)))
}

// usersList lists every member (bots and deactivated ones included), sorted
// by id, paginated as Slack does.
func (s *Server) usersList(r *apiRequest) (map[string]any, apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.users))
	for id := range s.users {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	from, limit, bad := pageOf(r, len(ids))
	if bad {
		return nil, "invalid_cursor"
	}
	to := min(from+limit, len(ids))
	members := make([]any, 0, to-from)
	for _, id := range ids[from:to] {
		members = append(members, userJSON(s.users[id]))
	}
	return map[string]any{"members": members, "cache_ts": s.opts.Now().Unix(),
		"response_metadata": map[string]any{"next_cursor": nextCursor(to, len(ids))}}, ""
}

// conversationsList lists the channels the local Slack knows (the ones
// added, named or seen in traffic), sorted by id, paginated with an opaque
// cursor as Slack does.
func (s *Server) conversationsList(r *apiRequest) (map[string]any, apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := 100
	if l, err := strconv.Atoi(r.str("limit")); err == nil && l > 0 && l <= 1000 {
		limit = l
	}
	ids := make([]string, 0, len(s.channels))
	for id := range s.channels {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	start := 0
	if c := r.str("cursor"); c != "" {
		start = sort.SearchStrings(ids, c)
	}
	out := []any{}
	next := ""
	for i := start; i < len(ids); i++ {
		if len(out) == limit {
			next = ids[i]
			break
		}
		c := s.channels[ids[i]]
		name := c.name
		if name == "" {
			name = strings.ToLower(ids[i])
		}
		out = append(out, map[string]any{
			"id": ids[i], "name": name, "is_channel": strings.HasPrefix(ids[i], "C"), "is_group": strings.HasPrefix(ids[i], "G"),
			"is_private": strings.HasPrefix(ids[i], "G"), "is_member": c.members[BotUserID], "is_archived": false,
		})
	}
	return map[string]any{"channels": out, "response_metadata": map[string]any{"next_cursor": next}}, ""
}

func userJSON(rec *userRec) map[string]any {
	u := rec.User
	loc, err := time.LoadLocation(u.TZ)
	if err != nil {
		loc = time.UTC
	}
	now := time.Now().In(loc)
	label, offset := now.Zone()
	return map[string]any{
		"id": u.ID, "team_id": TeamID, "name": u.Name, "deleted": u.Deleted, "real_name": u.RealName,
		"tz": u.TZ, "tz_label": label, "tz_offset": offset, "is_bot": u.IsBot, "is_app_user": false,
		"is_admin": false, "is_owner": false, "locale": "en-US", "updated": rec.updated,
		"profile": map[string]any{
			"real_name": u.RealName, "display_name": u.Name, "real_name_normalized": u.RealName,
			"display_name_normalized": u.Name, "team": TeamID,
			"status_emoji": u.StatusEmoji, "status_text": u.StatusText,
		},
	}
}

func (s *Server) usersInfo(r *apiRequest) (map[string]any, apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[r.str("user")]
	if !ok {
		return nil, "user_not_found"
	}
	return map[string]any{"user": userJSON(u)}, ""
}

// viewParam returns the view argument as an object with a type.
func viewParam(r *apiRequest) (map[string]any, apiError) {
	raw, ok := r.rawJSON("view")
	if !ok {
		return nil, "invalid_arguments"
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return nil, "invalid_arguments"
	}
	if t, _ := v["type"].(string); t != "modal" && t != "home" {
		return nil, "invalid_arguments"
	}
	if ps := checkView(v); len(ps) > 0 {
		return viewRefused(ps), "invalid_arguments"
	}
	return v, ""
}

// storeViewLocked saves body as view vr (new hash) and returns the answer.
func (s *Server) storeViewLocked(vr *viewRec, body map[string]any) map[string]any {
	vr.body = body
	vr.hash = fmt.Sprintf("%d.%s", s.opts.Now().Unix(), randHex(6))
	out := map[string]any{}
	for k, v := range body {
		out[k] = v
	}
	for k, def := range map[string]any{"callback_id": "", "private_metadata": "", "external_id": "",
		"clear_on_close": false, "notify_on_close": false, "submit": nil, "close": nil} {
		if _, ok := out[k]; !ok {
			out[k] = def
		}
	}
	if ext, _ := out["external_id"].(string); ext != "" {
		vr.extID = ext
	}
	out["id"] = vr.id
	out["team_id"] = TeamID
	out["app_id"] = AppID
	out["bot_id"] = BotID
	out["app_installed_team_id"] = TeamID
	out["hash"] = vr.hash
	out["root_view_id"] = vr.id
	out["previous_view_id"] = nil
	out["state"] = map[string]any{"values": map[string]any{}}
	out["type"] = vr.typ
	vr.result, _ = json.Marshal(out)
	s.notifyLocked()
	return out
}

func (s *Server) viewsOpen(r *apiRequest) (map[string]any, apiError) {
	body, aerr := viewParam(r)
	if aerr != "" {
		return body, aerr // with Slack's details, if any
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tr, ok := s.triggers[r.str("trigger_id")]
	switch {
	case !ok:
		return nil, "expired_trigger_id"
	case tr.used:
		return nil, "exchanged_trigger_id"
	case s.opts.Now().Sub(tr.issued) > s.opts.TriggerTTL:
		return nil, "expired_trigger_id"
	}
	tr.used = true
	if len(s.views) >= s.opts.HistoryLimit {
		s.evictViewLocked()
	}
	vr := &viewRec{id: newID("V", 10), typ: "modal", user: tr.user, opened: s.opts.Now()}
	s.views[vr.id] = vr
	return map[string]any{"view": s.storeViewLocked(vr, body)}, ""
}

// evictViewLocked drops one modal to keep the view table bounded.
func (s *Server) evictViewLocked() {
	for id, v := range s.views {
		if v.typ == "modal" {
			delete(s.views, id)
			return
		}
	}
}

func (s *Server) viewsUpdate(r *apiRequest) (map[string]any, apiError) {
	body, aerr := viewParam(r)
	if aerr != "" {
		return body, aerr // with Slack's details, if any
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var vr *viewRec
	if id := r.str("view_id"); id != "" {
		vr = s.views[id]
	} else if ext := r.str("external_id"); ext != "" {
		for _, v := range s.views {
			if v.extID == ext {
				vr = v
				break
			}
		}
	} else {
		return nil, "invalid_arguments"
	}
	if vr == nil {
		return nil, "not_found"
	}
	if h := r.str("hash"); h != "" && h != vr.hash {
		return nil, "hash_conflict"
	}
	return map[string]any{"view": s.storeViewLocked(vr, body)}, ""
}

func (s *Server) viewsPublish(r *apiRequest) (map[string]any, apiError) {
	body, aerr := viewParam(r)
	if aerr != "" {
		return body, aerr // with Slack's details, if any
	}
	if t, _ := body["type"].(string); t != "home" {
		return nil, "invalid_arguments"
	}
	user := r.str("user_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[user]; !ok {
		return nil, "user_not_found"
	}
	var vr *viewRec
	if id, ok := s.homeViews[user]; ok {
		vr = s.views[id]
	}
	if vr == nil {
		vr = &viewRec{id: newID("V", 10), typ: "home", user: user}
		s.views[vr.id] = vr
		s.homeViews[user] = vr.id
	} else if h := r.str("hash"); h != "" && h != vr.hash {
		return nil, "hash_conflict"
	}
	return map[string]any{"view": s.storeViewLocked(vr, body)}, ""
}
