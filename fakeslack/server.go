package fakeslack

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	// Embedded zone data so users.info answers tz_offset on any machine.
	_ "time/tzdata"
)

// Server is a local Slack. Create it with New, serve it with Start (or mount
// Handler yourself), and stop it with Close. All methods are safe for
// concurrent use.
type Server struct {
	opts Options
	log  *slog.Logger
	lim  *limiter // Slack's rate limits; has its own lock

	lastTS atomic.Int64 // last ts handed out, in microseconds

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change
	closed  bool
	baseURL string // http://ADDR once Start ran, or learnt from a request
	httpSrv *http.Server
	wg      sync.WaitGroup // connection goroutines and timers in flight

	users map[string]*userRec
	// lastChange is the "updated" of the latest ChangeUser: each change is
	// strictly newer than the one before, even within one second.
	lastChange int64
	autoUser   int                    // users registered implicitly
	channels   map[string]*channelRec // channels seen in traffic (not DMs)
	dms        map[string]string      // D… id → user id, for users whose DM was opened

	calls   ring[Call]
	posts   ring[*postRec]
	postIdx map[string]*postRec // channel+"/"+ts → post

	views     map[string]*viewRec // view id → view
	homeViews map[string]string   // user → home view id
	triggers  map[string]*trigger
	responses map[string]*responseURL

	faults []*faultRec

	tickets   map[string]time.Time // single-use WebSocket tickets
	opens     int                  // successful apps.connections.open calls
	conns     []*wsConn            // open WebSockets, in connection order
	nextConn  int
	rr        int // round-robin cursor
	noPings   bool
	pending   []*envelope          // waiting for a connection
	envs      map[string]*envelope // by envelope id
	envHist   ring[*envelope]
	strayAcks int
}

type userRec struct {
	User
	auto bool
	// updated is when the user last changed (users.list's "updated").
	updated int64
}

type channelRec struct {
	members map[string]bool
	order   []string
	name    string
}

type postRec struct {
	Post
	evicted bool
}

type viewRec struct {
	id     string
	typ    string
	user   string
	opened time.Time
	hash   string
	body   map[string]any
	extID  string
	result []byte
}

type trigger struct {
	issued time.Time
	user   string // who it was issued to (a modal it opens is theirs)
	used   bool
}

type responseURL struct {
	issued  time.Time
	uses    int
	user    string
	channel string
}

type faultRec struct {
	Fault
	left int
}

// New returns a Server configured by opts. It does not listen yet.
func New(opts Options) (*Server, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:      o,
		log:       o.Logger.With("component", "fakeslack"),
		changed:   make(chan struct{}),
		users:     map[string]*userRec{},
		channels:  map[string]*channelRec{},
		dms:       map[string]string{},
		postIdx:   map[string]*postRec{},
		views:     map[string]*viewRec{},
		homeViews: map[string]string{},
		triggers:  map[string]*trigger{},
		responses: map[string]*responseURL{},
		tickets:   map[string]time.Time{},
		envs:      map[string]*envelope{},
		lim:       newLimiter(o.RateLimits),
	}
	s.calls.limit = o.HistoryLimit
	s.posts.limit = o.HistoryLimit
	s.envHist.limit = o.HistoryLimit
	s.users[BotUserID] = &userRec{User: User{
		ID: BotUserID, Name: BotName, RealName: "leadnudge", TZ: "UTC", IsBot: true,
	}, updated: o.Now().Unix()}
	return s, nil
}

// CheckListenAddr returns an error unless addr ("host:port") is on loopback
// or allowNonLoopback is set. An empty host (":3333") means every interface
// and is refused too.
func CheckListenAddr(addr string, allowNonLoopback bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("fakeslack: listen address %q: %w", addr, err)
	}
	if allowNonLoopback || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("fakeslack: refusing to listen on non-loopback address %q (allow it explicitly)", addr)
}

// Start listens on addr ("127.0.0.1:0" when empty) and serves in the
// background until Close. A non-loopback addr is refused unless
// Options.AllowNonLoopback is set.
func (s *Server) Start(addr string) error {
	if addr == "" {
		addr = DefaultListenAddr
	}
	if err := CheckListenAddr(addr, s.opts.AllowNonLoopback); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed || s.httpSrv != nil {
		s.mu.Unlock()
		return errors.New("fakeslack: Start called twice or after Close")
	}
	s.mu.Unlock()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("fakeslack: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.httpSrv = srv
	s.baseURL = "http://" + ln.Addr().String()
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Warn("serve failed", "err", err)
		}
	}()
	s.log.Info("listening", "addr", ln.Addr().String())
	return nil
}

// Close stops the listener, closes every WebSocket and stops redelivery
// timers. It waits for the server's goroutines and is safe to call twice.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	srv := s.httpSrv
	conns := append([]*wsConn(nil), s.conns...)
	for _, e := range s.envs {
		if e.timer != nil {
			e.timer.Stop()
		}
	}
	s.notifyLocked()
	s.mu.Unlock()
	var err error
	if srv != nil {
		err = srv.Close()
	}
	for _, c := range conns {
		c.abort()
	}
	s.wg.Wait()
	if err != nil {
		return fmt.Errorf("fakeslack: close: %w", err)
	}
	return nil
}

// Handler returns the server's HTTP handler (Web API, WebSocket, admin API,
// response_url). Use it to mount the local Slack on your own listener; then
// the base URL is learnt from the first request's Host header.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/link/", s.serveWebSocket)
	mux.HandleFunc("/resp/", s.serveResponseURL)
	mux.HandleFunc("/_fake/", s.serveAdmin)
	return mux
}

// BaseURL returns "http://ADDR" (no trailing slash).
func (s *Server) BaseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL
}

// URL returns the Web API base "http://ADDR/api/", with the trailing slash
// slack.OptionAPIURL needs.
func (s *Server) URL() string { return s.BaseURL() + "/api/" }

// AdminURL returns the admin API base "http://ADDR/_fake/".
func (s *Server) AdminURL() string { return s.BaseURL() + "/_fake/" }

// SetBaseURL sets the base URL ("http://ADDR") when Handler is mounted on
// a listener the server did not open, before any request arrives.
func (s *Server) SetBaseURL(base string) {
	s.mu.Lock()
	s.baseURL = strings.TrimSuffix(base, "/")
	s.mu.Unlock()
}

// learnBase remembers the base URL from a request when Handler is mounted on
// a listener the server did not open.
func (s *Server) learnBase(r *http.Request) {
	s.mu.Lock()
	if s.baseURL == "" && r.Host != "" {
		s.baseURL = "http://" + r.Host
	}
	s.mu.Unlock()
}

// Changed returns a channel that is closed at the next change of the
// server's state (a call, an envelope, an ack, a connection): a push
// signal for live views of it, such as the browser playground.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// notifyLocked wakes every waiter. s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// WaitUntil blocks until cond returns true or ctx ends. cond is evaluated
// again after every change of the server's state (a call, an envelope, an
// ack, a connection), never while the server's lock is held, so it may call
// any Server method.
func (s *Server) WaitUntil(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		closed := s.closed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		if closed {
			return errors.New("fakeslack: server closed while waiting")
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("fakeslack: wait: %w", ctx.Err())
		case <-ch:
		}
	}
}

// nextTS returns a Slack ts: wall-clock epoch seconds with six decimals,
// unique and increasing.
func (s *Server) nextTS() string {
	for {
		last := s.lastTS.Load()
		now := s.opts.Now().UnixMicro()
		if now <= last {
			now = last + 1
		}
		if s.lastTS.CompareAndSwap(last, now) {
			return fmt.Sprintf("%d.%06d", now/1e6, now%1e6)
		}
	}
}

// randHex returns n random bytes as lower-case hex.
func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// newUUID returns a random RFC 4122 version 4 UUID.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newID returns a Slack-style id: prefix followed by upper-case alphanumerics.
func newID(prefix string, n int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b)
}

// DMChannel returns the stable D… id of the bot's IM with user. It is
// derived from the user id, so it is the same across restarts.
func DMChannel(user string) string {
	sum := sha256.Sum256([]byte("im:" + user))
	return "D" + strings.ToUpper(hex.EncodeToString(sum[:5]))
}

// ring is a bounded history: appending beyond limit drops the oldest item.
type ring[T any] struct {
	items []T
	start int
	limit int
}

// push appends v and returns the evicted item, if any.
func (r *ring[T]) push(v T) (evicted T, ok bool) {
	if len(r.items) < r.limit {
		r.items = append(r.items, v)
		return evicted, false
	}
	evicted = r.items[r.start]
	r.items[r.start] = v
	r.start = (r.start + 1) % len(r.items)
	return evicted, true
}

// each calls f on every item, oldest first.
func (r *ring[T]) each(f func(T)) {
	n := len(r.items)
	for i := 0; i < n; i++ {
		f(r.items[(r.start+i)%n])
	}
}

// RateStats returns, per Web API method, how many calls the local Slack
// received and how many it answered with 429 (its own rate limits, not
// injected faults).
func (s *Server) RateStats() map[string]MethodStats { return s.lim.snapshot() }
