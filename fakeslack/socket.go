package fakeslack

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

const (
	// outQueue is how many frames may wait for one connection's writer.
	outQueue = 256
	// writeWait bounds every WebSocket write.
	writeWait = 10 * time.Second
	// maxFrame caps an incoming frame (Slack drops acks of 20 KB and more).
	maxFrame = 1 << 20
)

// envelope is one Socket Mode envelope and its delivery state.
type envelope struct {
	id              string
	typ             string
	eventID         string
	payload         json.RawMessage
	acceptsResponse bool
	retryAttempt    int
	retryReason     string

	sentAt     time.Time // when written to a connection
	acked      bool
	ackAt      time.Time
	ackPayload json.RawMessage
	timer      *time.Timer
	resolved   bool // acked, redelivered or given up: no timer pending
	expired    bool // the ack timeout passed first
	inHistory  bool
}

// frame renders the envelope as the JSON text frame Slack sends.
func (e *envelope) frame() []byte {
	m := map[string]any{
		"envelope_id":              e.id,
		"type":                     e.typ,
		"payload":                  e.payload,
		"accepts_response_payload": e.acceptsResponse,
	}
	if e.typ == "events_api" || e.retryAttempt > 0 {
		m["retry_attempt"] = e.retryAttempt
		m["retry_reason"] = e.retryReason
	}
	b, _ := json.Marshal(m) // only marshalable values
	return b
}

// snapshot returns the public record of e. s.mu held.
func (e *envelope) snapshot() Envelope {
	out := Envelope{
		EnvelopeID: e.id, Type: e.typ, EventID: e.eventID, RetryAttempt: e.retryAttempt,
		RetryReason: e.retryReason, Delivered: !e.sentAt.IsZero(), Acked: e.acked, Expired: e.expired,
		Payload: append(json.RawMessage(nil), e.payload...),
	}
	if e.acked {
		ms := math.Round(float64(e.ackAt.Sub(e.sentAt).Microseconds())) / 1000
		out.AckMS = &ms
		if e.ackPayload != nil {
			out.AckPayload = append(json.RawMessage(nil), e.ackPayload...)
		}
	}
	return out
}

// outFrame is a frame waiting for a connection's writer.
type outFrame struct {
	data []byte
	env  *envelope // nil for control messages (disconnect, raw frames)
}

// wsConn is one open Socket Mode WebSocket.
type wsConn struct {
	id       int
	ws       *websocket.Conn
	out      chan outFrame
	done     chan struct{} // closed when the connection is torn down
	draining bool          // sent a disconnect: gets no new envelopes
	closed   bool
}

// abort closes the TCP connection without a close frame.
func (c *wsConn) abort() { _ = c.ws.NetConn().Close() }

// enqueueLocked creates an envelope, queues it and dispatches. s.mu held.
func (s *Server) enqueueLocked(typ string, payload json.RawMessage, eventID string, acceptsResponse bool) (*envelope, error) {
	if s.closed {
		return nil, errors.New("server closed")
	}
	if len(s.pending) >= s.opts.HistoryLimit {
		return nil, fmt.Errorf("%d envelopes already wait for a connection", len(s.pending))
	}
	e := &envelope{id: newUUID(), typ: typ, eventID: eventID, payload: payload, acceptsResponse: acceptsResponse}
	s.addEnvelopeLocked(e)
	s.pending = append(s.pending, e)
	s.dispatchLocked()
	s.notifyLocked()
	return e, nil
}

// addEnvelopeLocked registers e and records it in the bounded history.
func (s *Server) addEnvelopeLocked(e *envelope) {
	s.envs[e.id] = e
	e.inHistory = true
	if old, ok := s.envHist.push(e); ok {
		old.inHistory = false
		if old.resolved {
			delete(s.envs, old.id)
		}
	}
}

// dispatchLocked hands queued envelopes to open connections, round robin,
// each to exactly one. s.mu held.
func (s *Server) dispatchLocked() {
	for len(s.pending) > 0 {
		c := s.pickConnLocked()
		if c == nil {
			return
		}
		e := s.pending[0]
		select {
		case c.out <- outFrame{data: e.frame(), env: e}:
			s.pending[0] = nil
			s.pending = s.pending[1:]
		default:
			return // every writer is busy; retried on the next change
		}
	}
}

// pickConnLocked returns the next connection able to take an envelope.
func (s *Server) pickConnLocked() *wsConn {
	n := len(s.conns)
	for i := 0; i < n; i++ {
		c := s.conns[(s.rr+i)%n]
		if !c.draining && !c.closed && len(c.out) < cap(c.out) {
			s.rr = (s.rr + i + 1) % n
			return c
		}
	}
	return nil
}

// serveWebSocket upgrades GET /link/?ticket=… to a Socket Mode connection.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	_, ok := s.tickets[ticket]
	delete(s.tickets, ticket)
	closed := s.closed
	s.mu.Unlock()
	if !ok || closed {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	up := websocket.Upgrader{
		// slack-go dials with Origin: https://api.slack.com.
		CheckOrigin:     func(*http.Request) bool { return true },
		WriteBufferSize: 32 << 10,
	}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		s.log.Warn("websocket upgrade failed", "err", err)
		return
	}
	ws.SetReadLimit(maxFrame)
	c := &wsConn{ws: ws, out: make(chan outFrame, outQueue), done: make(chan struct{})}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.nextConn++
	c.id = s.nextConn
	open := 0
	for _, o := range s.conns {
		if !o.closed {
			open++
		}
	}
	tooMany := open >= s.opts.MaxConnections
	if !tooMany {
		s.conns = append(s.conns, c)
		hello := map[string]any{
			"type": "hello", "num_connections": open + 1,
			"connection_info": map[string]any{"app_id": AppID},
			"debug_info": map[string]any{
				"host": fmt.Sprintf("fakeslack-%d", c.id), "build_number": 1,
				"approximate_connection_time": 18060, "started": s.opts.Now().UTC().Format("2006-01-02 15:04:05.000"),
			},
		}
		b, _ := json.Marshal(hello)
		c.out <- outFrame{data: b}
		s.dispatchLocked()
	}
	s.wg.Add(1)
	s.notifyLocked()
	s.mu.Unlock()

	defer s.wg.Done()
	if tooMany {
		b, _ := json.Marshal(map[string]any{"type": "disconnect", "reason": "too_many_websockets",
			"debug_info": map[string]any{"host": "fakeslack"}})
		_ = ws.SetWriteDeadline(time.Now().Add(writeWait))
		_ = ws.WriteMessage(websocket.TextMessage, b)
		_ = ws.Close()
		return
	}
	writerDone := make(chan struct{})
	go s.writeLoop(c, writerDone)
	s.readLoop(c)
	s.teardown(c, writerDone)
}

// writeLoop is the connection's only writer of data frames; it also sends
// the server's PING control frames.
func (s *Server) writeLoop(c *wsConn, writerDone chan struct{}) {
	defer close(writerDone)
	ping := time.NewTicker(s.opts.PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-ping.C:
			s.mu.Lock()
			skip := s.noPings
			s.mu.Unlock()
			if skip {
				continue
			}
			if err := c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(writeWait)); err != nil {
				c.abort()
				return
			}
		case f := <-c.out:
			if f.env != nil {
				s.mu.Lock()
				s.markSentLocked(f.env)
				s.mu.Unlock()
			}
			_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.ws.WriteMessage(websocket.TextMessage, f.data); err != nil {
				c.abort()
				return
			}
		}
	}
}

// markSentLocked starts the ack timer of an envelope being written.
func (s *Server) markSentLocked(e *envelope) {
	e.sentAt = time.Now()
	if s.closed || s.opts.MaxRetries < 0 {
		return
	}
	e.timer = time.AfterFunc(s.opts.AckTimeout, func() { s.ackTimedOut(e) })
}

// ackTimedOut redelivers e with a new envelope id, the same payload (so the
// same event_id), retry_attempt+1 and retry_reason "timeout", unless it was
// acked or has been retried MaxRetries times.
func (s *Server) ackTimedOut(e *envelope) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || e.acked || e.resolved {
		return
	}
	e.resolved = true
	e.expired = true
	e.timer = nil
	if !e.inHistory {
		delete(s.envs, e.id)
	}
	if e.retryAttempt >= s.opts.MaxRetries {
		s.log.Debug("envelope never acked, giving up", "envelope_id", e.id, "event_id", e.eventID)
		s.notifyLocked()
		return
	}
	if len(s.pending) >= s.opts.HistoryLimit {
		s.log.Warn("redelivery dropped: queue full", "envelope_id", e.id)
		s.notifyLocked()
		return
	}
	re := &envelope{id: newUUID(), typ: e.typ, eventID: e.eventID, payload: e.payload,
		acceptsResponse: e.acceptsResponse, retryAttempt: e.retryAttempt + 1, retryReason: "timeout"}
	s.addEnvelopeLocked(re)
	s.pending = append(s.pending, re)
	s.dispatchLocked()
	s.notifyLocked()
}

// readLoop reads the connection continuously (so pings from clients such as
// Slack's Node SDK get their pongs) and records acks.
func (s *Server) readLoop(c *wsConn) {
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if typ != websocket.TextMessage {
			continue
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(data, &ack); err != nil || ack.EnvelopeID == "" {
			s.log.Debug("ignored frame from client", "conn", c.id)
			continue
		}
		s.recordAck(ack.EnvelopeID, ack.Payload)
	}
}

// recordAck marks an envelope acked and stores its payload and latency.
func (s *Server) recordAck(id string, payload json.RawMessage) {
	at := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.envs[id]
	if !ok || e.acked {
		s.strayAcks++
		return
	}
	e.acked = true
	e.ackAt = at
	if e.sentAt.IsZero() {
		e.sentAt = at
	}
	if len(payload) > 0 && string(payload) != "null" {
		e.ackPayload = append(json.RawMessage(nil), payload...)
	}
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	e.resolved = true
	if !e.inHistory {
		delete(s.envs, e.id)
	}
	s.notifyLocked()
}

// teardown removes a finished connection; envelopes still waiting for its
// writer go back to the front of the queue.
func (s *Server) teardown(c *wsConn, writerDone chan struct{}) {
	s.mu.Lock()
	c.closed = true
	for i, o := range s.conns {
		if o == c {
			s.conns = append(s.conns[:i:i], s.conns[i+1:]...)
			break
		}
	}
	s.rr = 0
	s.mu.Unlock()
	close(c.done)
	<-writerDone
	_ = c.ws.Close()

	s.mu.Lock()
	var back []*envelope
	for {
		select {
		case f := <-c.out:
			if f.env != nil {
				back = append(back, f.env)
			}
			continue
		default:
		}
		break
	}
	s.pending = append(back, s.pending...)
	s.dispatchLocked()
	s.notifyLocked()
	s.mu.Unlock()
	s.log.Debug("connection closed", "conn", c.id)
}

// Disconnect sends {"type":"disconnect","reason":reason} to every open
// connection, stops giving them envelopes, and closes them after
// Options.DisconnectGrace (clients reconnect through apps.connections.open).
// It returns how many connections were told.
func (s *Server) Disconnect(reason string) int {
	b, _ := json.Marshal(map[string]any{"type": "disconnect", "reason": reason,
		"debug_info": map[string]any{"host": "fakeslack"}})
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.conns {
		if c.draining || c.closed {
			continue
		}
		c.draining = true
		n++
		select {
		case c.out <- outFrame{data: b}:
		default:
		}
		c := c
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			t := time.NewTimer(s.opts.DisconnectGrace)
			defer t.Stop()
			select {
			case <-t.C:
				_ = c.ws.WriteControl(websocket.CloseMessage,
					websocket.FormatCloseMessage(websocket.CloseNormalClosure, "refresh"), time.Now().Add(time.Second))
				c.abort()
			case <-c.done:
			}
		}()
	}
	s.notifyLocked()
	return n
}

// DropConnections closes every open connection abruptly (no close frame, no
// disconnect message) and returns how many it closed.
func (s *Server) DropConnections() int {
	s.mu.Lock()
	conns := append([]*wsConn(nil), s.conns...)
	s.mu.Unlock()
	for _, c := range conns {
		c.abort()
	}
	return len(conns)
}

// SendRaw writes frame as-is to one open connection (for malformed or
// unknown-type frames). It fails when no connection is open.
func (s *Server) SendRaw(frame []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.pickConnLocked()
	if c == nil {
		return errors.New("fakeslack: send raw frame: no open connection")
	}
	c.out <- outFrame{data: append([]byte(nil), frame...)}
	return nil
}

// SetPings turns the server's WebSocket pings on or off (off makes slack-go
// reconnect after its ping interval).
func (s *Server) SetPings(enabled bool) {
	s.mu.Lock()
	s.noPings = !enabled
	s.mu.Unlock()
}

// Connections returns how many Socket Mode connections are open.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// ConnectionsOpened returns how many times apps.connections.open succeeded.
func (s *Server) ConnectionsOpened() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opens
}

// Queued returns how many envelopes wait for a connection.
func (s *Server) Queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}
