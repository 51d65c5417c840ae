package playground

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
)

//go:embed static
var static embed.FS

// Person is someone the page can post as.
type Person struct {
	ID       string `json:"id"`
	Name     string `json:"name"`      // display name, e.g. "Ana"
	Title    string `json:"title"`     // e.g. "team lead"
	TimeZone string `json:"time_zone"` // IANA name
}

// Channel is a channel shown in the sidebar.
type Channel struct {
	ID   string `json:"id"`
	Name string `json:"name"` // without "#"
}

// Options configure the playground.
type Options struct {
	// People the page can post as (the first is selected at first); they
	// must be users of the local Slack.
	People []Person
	// Channels in the sidebar (the first is opened at first).
	Channels []Channel
	// AppName is the app's name in the sidebar (default "leadnudge").
	AppName string
	// NextWeek runs the weekly job as of its next scheduled time and
	// returns a one-line summary; nil hides the control.
	NextWeek func(ctx context.Context) (string, error)
	// Explain returns `check --explain` output for a message; nil hides
	// the Rules drawer.
	Explain func(text string) string
}

// message is one message a person posted through the page.
type message struct {
	Channel string `json:"channel"`
	User    string `json:"user"`
	Text    string `json:"text"`
	TS      string `json:"ts"`
}

// Server serves the page and its JSON endpoints.
type Server struct {
	fs   *fakeslack.Server
	opts Options

	mu         sync.Mutex
	messages   []message
	responses  map[string]string // response_url id → the user whose command it answers
	cmdChannel map[string]string // response_url id → the channel the command was typed in
	dismissed  map[string]bool   // modal view ids closed or submitted in the page
	last       string            // the last message text posted (for the Rules drawer)
}

// maxMessages bounds the page's own message log.
const maxMessages = 2000

// New builds the playground for a local Slack.
func New(s *fakeslack.Server, opts Options) (*Server, error) {
	if len(opts.People) == 0 || len(opts.Channels) == 0 {
		return nil, errors.New("playground: at least one person and one channel are needed")
	}
	if opts.AppName == "" {
		opts.AppName = "leadnudge"
	}
	return &Server{fs: s, opts: opts, responses: map[string]string{}, cmdChannel: map[string]string{}, dismissed: map[string]bool{}}, nil
}

// contentSecurityPolicy allows the page's own script, style and requests,
// and nothing else: no inline code, no other origin, no frames.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the page at "/", its files under /play/static/ and its
// JSON under /play/api/; every other path goes to next (the local Slack).
func (s *Server) Handler(next http.Handler) http.Handler {
	sub, _ := fs.Sub(static, "static") // the embedded directory exists
	files := http.StripPrefix("/play/static/", http.FileServerFS(sub))
	mux := http.NewServeMux()
	mux.Handle("/", next)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		secure(w)
		http.ServeFileFS(w, r, sub, "index.html")
	})
	mux.Handle("GET /play/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secure(w)
		files.ServeHTTP(w, r)
	}))
	mux.HandleFunc("GET /play/api/people", func(w http.ResponseWriter, _ *http.Request) {
		secure(w)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.opts.People)
	})
	mux.HandleFunc("GET /play/api/state", s.serveState)
	mux.HandleFunc("GET /play/api/events", s.serveEvents)
	mux.HandleFunc("POST /play/api/message", s.post(s.postMessage))
	mux.HandleFunc("POST /play/api/click", s.post(s.click))
	mux.HandleFunc("POST /play/api/submit", s.post(s.submit))
	mux.HandleFunc("POST /play/api/dismiss", s.post(s.dismiss))
	mux.HandleFunc("POST /play/api/home", s.post(s.openHome))
	mux.HandleFunc("POST /play/api/next-week", s.post(s.nextWeek))
	mux.HandleFunc("POST /play/api/explain", s.post(s.explain))
	return mux
}

func secure(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// request is the body of every POST.
type request struct {
	User     string            `json:"user"`
	Channel  string            `json:"channel"`
	Text     string            `json:"text"`
	Where    string            `json:"where"` // dm, home, modal, ephemeral
	TS       string            `json:"ts"`
	ViewID   string            `json:"view_id"`
	ActionID string            `json:"action_id"`
	BlockID  string            `json:"block_id"`
	Value    string            `json:"value"`
	Response string            `json:"response"` // response_url id of an ephemeral
	Values   map[string]string `json:"values"`   // block_id → text, for a modal
}

// post wraps a JSON action: same origin only, a JSON body of bounded size,
// a JSON answer.
func (s *Server) post(h func(context.Context, request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secure(w)
		if !sameOrigin(r) {
			http.Error(w, "cross-origin requests are refused", http.StatusForbidden)
			return
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			http.Error(w, "Content-Type must be application/json", http.StatusUnsupportedMediaType)
			return
		}
		var req request
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
			http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
			return
		}
		if req.User != "" && !s.known(req.User) {
			http.Error(w, "unknown person", http.StatusBadRequest)
			return
		}
		out, err := h(r.Context(), req)
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(out)
	}
}

// sameOrigin refuses requests a page on another origin could make: the
// Origin (or Referer) must name this host.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		o = r.Header.Get("Referer")
	}
	if o == "" {
		return true // not from a browser page (curl, tests)
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func (s *Server) known(id string) bool {
	return slices.ContainsFunc(s.opts.People, func(p Person) bool { return p.ID == id })
}

func (s *Server) channel(id string) (Channel, bool) {
	i := slices.IndexFunc(s.opts.Channels, func(c Channel) bool { return c.ID == id })
	if i < 0 {
		return Channel{}, false
	}
	return s.opts.Channels[i], true
}

// postMessage posts a message, or runs a slash command when the text
// starts with "/".
func (s *Server) postMessage(_ context.Context, req request) (any, error) {
	if _, ok := s.channel(req.Channel); !ok {
		return nil, errors.New("unknown channel")
	}
	text := strings.TrimSpace(req.Text)
	if text == "" {
		return nil, errors.New("empty message")
	}
	if strings.HasPrefix(text, "/") {
		cmd, rest, _ := strings.Cut(text, " ")
		res, err := s.fs.SendCommand(fakeslack.Command{User: req.User, Channel: req.Channel, Command: cmd, Text: strings.TrimSpace(rest)})
		if err != nil {
			return nil, err
		}
		s.mu.Lock()
		id := responseID(res.ResponseURL)
		s.responses[id], s.cmdChannel[id] = req.User, req.Channel
		s.mu.Unlock()
		return map[string]any{"ok": true, "command": cmd}, nil
	}
	// As Slack's clients do, the message carries &, < and > escaped: what
	// a person types is never markup.
	text = slackEscaper.Replace(text)
	res, err := s.fs.SendMessage(fakeslack.Message{User: req.User, Channel: req.Channel, Text: text})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.messages = append(s.messages, message{Channel: req.Channel, User: req.User, Text: text, TS: res.TS})
	if len(s.messages) > maxMessages {
		s.messages = slices.Delete(s.messages, 0, len(s.messages)-maxMessages)
	}
	s.last = strings.TrimSpace(req.Text)
	s.mu.Unlock()
	return map[string]any{"ok": true, "ts": res.TS}, nil
}

// slackEscaper escapes message text the way Slack's clients send it.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// responseID is the id part of a response_url (…/resp/ID).
func responseID(u string) string {
	_, id, _ := strings.Cut(u, "/resp/")
	return id
}

// click sends a button press as Slack's block_actions payload.
func (s *Server) click(_ context.Context, req request) (any, error) {
	if req.ActionID == "" {
		return nil, errors.New("no action_id")
	}
	action := map[string]any{"action_id": req.ActionID, "block_id": req.BlockID, "type": "button",
		"value": req.Value, "action_ts": fmt.Sprintf("%d.000000", time.Now().Unix())}
	p := map[string]any{
		"type": "block_actions", "user": map[string]any{"id": req.User, "team_id": fakeslack.TeamID},
		"team": map[string]any{"id": fakeslack.TeamID}, "api_app_id": fakeslack.AppID,
		"actions": []any{action},
	}
	switch req.Where {
	case "dm":
		post, ok := s.find(s.fs.DMs(req.User), req.TS)
		if !ok {
			return nil, errors.New("no such message")
		}
		var blocks []any
		_ = json.Unmarshal(post.Blocks, &blocks)
		p["container"] = map[string]any{"type": "message", "channel_id": post.Channel, "message_ts": post.TS, "is_ephemeral": false}
		p["channel"] = map[string]any{"id": post.Channel}
		p["message"] = map[string]any{"ts": post.TS, "text": post.Text, "blocks": blocks, "type": "message"}
	case "ephemeral":
		p["container"] = map[string]any{"type": "message", "channel_id": req.Channel, "message_ts": req.TS, "is_ephemeral": true}
		p["channel"] = map[string]any{"id": req.Channel}
		if req.Response != "" {
			p["response_url"] = s.fs.BaseURL() + "/resp/" + req.Response
		}
	case "home", "modal":
		v, ok := s.view(req.ViewID)
		if !ok {
			return nil, errors.New("no such view")
		}
		var view map[string]any
		_ = json.Unmarshal(v.JSON, &view)
		p["container"] = map[string]any{"type": "view", "view_id": v.ID}
		p["view"] = view
	default:
		return nil, errors.New("where must be dm, ephemeral, home or modal")
	}
	payload, _ := json.Marshal(p) // only marshalable values
	res, err := s.fs.SendInteraction(payload)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ok": true, "envelope_id": res.EnvelopeID}, nil
}

func (s *Server) find(posts []fakeslack.Post, ts string) (fakeslack.Post, bool) {
	for _, p := range posts {
		if p.TS == ts {
			return p, true
		}
	}
	return fakeslack.Post{}, false
}

func (s *Server) view(id string) (fakeslack.View, bool) {
	for _, v := range s.fs.Views() {
		if v.ID == id {
			return v, true
		}
	}
	return fakeslack.View{}, false
}

// submit sends a modal as Slack's view_submission and answers with what
// the app acked: errors to show, a view to show instead, or nothing (the
// modal closes).
func (s *Server) submit(ctx context.Context, req request) (any, error) {
	v, ok := s.view(req.ViewID)
	if !ok || v.Type != "modal" {
		return nil, errors.New("no such modal")
	}
	var view map[string]any
	_ = json.Unmarshal(v.JSON, &view)
	values := map[string]any{}
	blocks, _ := view["blocks"].([]any)
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		bid, _ := bm["block_id"].(string)
		el, _ := bm["element"].(map[string]any)
		aid, _ := el["action_id"].(string)
		if bm["type"] != "input" || bid == "" || aid == "" {
			continue
		}
		typ, _ := el["type"].(string)
		values[bid] = map[string]any{aid: map[string]any{"type": typ, "value": req.Values[bid]}}
	}
	view["state"] = map[string]any{"values": values}
	payload, _ := json.Marshal(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": req.User, "team_id": fakeslack.TeamID},
		"team": map[string]any{"id": fakeslack.TeamID}, "api_app_id": fakeslack.AppID, "view": view,
	})
	res, err := s.fs.SendInteraction(payload)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	env, err := s.fs.WaitForAck(wctx, res.EnvelopeID)
	if err != nil {
		return nil, fmt.Errorf("the app did not answer the submission: %w", err)
	}
	var ack struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           json.RawMessage   `json:"view"`
	}
	if len(env.AckPayload) > 0 {
		_ = json.Unmarshal(env.AckPayload, &ack)
	}
	switch ack.ResponseAction {
	case "errors":
		return map[string]any{"ok": true, "errors": ack.Errors}, nil
	case "update":
		return map[string]any{"ok": true, "view": ack.View}, nil
	}
	s.mu.Lock()
	s.dismissed[req.ViewID] = true
	s.mu.Unlock()
	return map[string]any{"ok": true, "closed": true}, nil
}

// dismiss closes a modal in the page (Cancel, Escape).
func (s *Server) dismiss(_ context.Context, req request) (any, error) {
	s.mu.Lock()
	s.dismissed[req.ViewID] = true
	s.mu.Unlock()
	return map[string]any{"ok": true}, nil
}

// openHome tells the app its Home tab was opened (app_home_opened).
func (s *Server) openHome(_ context.Context, req request) (any, error) {
	ev, _ := json.Marshal(map[string]any{"type": "app_home_opened", "user": req.User, "channel": fakeslack.DMChannel(req.User),
		"tab": "home", "event_ts": fmt.Sprintf("%d.000000", time.Now().Unix())})
	if _, err := s.fs.SendEvent(ev); err != nil {
		return nil, err
	}
	return map[string]any{"ok": true}, nil
}

func (s *Server) nextWeek(ctx context.Context, _ request) (any, error) {
	if s.opts.NextWeek == nil {
		return nil, errors.New("no weekly job here")
	}
	summary, err := s.opts.NextWeek(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ok": true, "summary": summary}, nil
}

// explain returns the Rules drawer's text for the given message, or the
// last one posted.
func (s *Server) explain(_ context.Context, req request) (any, error) {
	if s.opts.Explain == nil {
		return nil, errors.New("no rules here")
	}
	text := req.Text
	if text == "" {
		s.mu.Lock()
		text = s.last
		s.mu.Unlock()
	}
	if text == "" {
		return map[string]any{"ok": true, "text": "", "explain": "Post a message first: this drawer shows which rule fired on it, and why."}, nil
	}
	return map[string]any{"ok": true, "text": text, "explain": s.opts.Explain(text)}, nil
}
