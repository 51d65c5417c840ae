package fakeslack

import (
	"errors"
	"fmt"
	"net/http"
)

// normalize validates f and applies the contract's defaults: status 429
// (200 when only Error is set), count 1, retry_after 1.
func (f Fault) normalize() (Fault, error) {
	switch {
	case f.Disconnect != "" || f.DropConnections:
		if f.Method != "" {
			return f, errors.New("a fault is either a method fault or a connection fault")
		}
		return f, nil
	case f.Method == "":
		return f, errors.New(`fault needs "method", "disconnect" or "drop_connections"`)
	}
	if f.Count < 0 || f.RetryAfter < 0 || f.DelayMS < 0 {
		return f, errors.New("count, retry_after and delay_ms must not be negative")
	}
	if f.DelayMS > 600000 {
		return f, errors.New("delay_ms must be at most 600000")
	}
	if f.Count == 0 {
		f.Count = 1
	}
	if f.RetryAfter == 0 {
		f.RetryAfter = 1
	}
	if f.Status == 0 {
		switch {
		case f.Error != "":
			f.Status = http.StatusOK
		case f.DelayMS > 0:
			// Latency alone: the call then succeeds normally.
		default:
			f.Status = http.StatusTooManyRequests
		}
	}
	switch {
	case f.Status == 0 || f.Status == http.StatusTooManyRequests:
	case f.Status == http.StatusOK:
		if f.Error == "" {
			return f, errors.New(`a status 200 fault needs "error"`)
		}
	case f.Status >= 400 && f.Status <= 599:
	default:
		return f, fmt.Errorf("unsupported fault status %d", f.Status)
	}
	return f, nil
}

// answer returns the HTTP status and error code the fault answers with, or
// status 0 when it only adds latency.
func (f *faultRec) answer() (int, string) {
	switch {
	case f.Status == 0:
		return 0, ""
	case f.Status == http.StatusTooManyRequests && f.Error == "":
		return f.Status, "ratelimited"
	case f.Error != "":
		return f.Status, f.Error
	case f.Status >= 500:
		return f.Status, "internal_error"
	default:
		return f.Status, "fault"
	}
}

func (f *faultRec) retryAfter() int { return f.RetryAfter }

// InjectFault makes the local Slack misbehave: for a Method fault, the next
// Count calls of that method (after the token check) are answered with the
// fault; a Disconnect or DropConnections fault acts on the open Socket Mode
// connections at once.
func (s *Server) InjectFault(f Fault) error {
	f, err := f.normalize()
	if err != nil {
		return fmt.Errorf("fakeslack: inject fault: %w", err)
	}
	switch {
	case f.Disconnect != "":
		s.Disconnect(f.Disconnect)
		return nil
	case f.DropConnections:
		s.DropConnections()
		return nil
	}
	s.mu.Lock()
	if len(s.faults) >= s.opts.HistoryLimit {
		s.mu.Unlock()
		return errors.New("fakeslack: inject fault: too many pending faults")
	}
	s.faults = append(s.faults, &faultRec{Fault: f, left: f.Count})
	s.mu.Unlock()
	return nil
}

// ClearFaults drops every pending method fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// takeFault consumes one use of the oldest fault matching method.
func (s *Server) takeFault(method string) *faultRec {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Method != method && f.Method != "*" {
			continue
		}
		f.left--
		if f.left <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return f
	}
	return nil
}
