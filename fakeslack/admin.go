package fakeslack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// adminError answers a bad admin request: 400 {"ok":false,"error":msg}.
func adminError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// decodeAdmin decodes a JSON object body into v. Unknown fields are
// ignored so newer tools keep working; trailing data is an error.
func decodeAdmin(data []byte, v any) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return errors.New("body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode body: %w", err)
	}
	if dec.More() {
		return errors.New("decode body: trailing data after the JSON object")
	}
	return nil
}

// parseUser parses a POST /_fake/users body.
func parseUser(data []byte) (User, error) {
	var u User
	if err := decodeAdmin(data, &u); err != nil {
		return u, err
	}
	return u.normalize()
}

// parseMessage parses a POST /_fake/messages body.
func parseMessage(data []byte) (Message, error) {
	var m Message
	if err := decodeAdmin(data, &m); err != nil {
		return m, err
	}
	return m.normalize()
}

// parseCommand parses a POST /_fake/commands body.
func parseCommand(data []byte) (Command, error) {
	var c Command
	if err := decodeAdmin(data, &c); err != nil {
		return c, err
	}
	return c.normalize()
}

// parseFault parses a POST /_fake/faults body.
func parseFault(data []byte) (Fault, error) {
	var f Fault
	if err := decodeAdmin(data, &f); err != nil {
		return f, err
	}
	return f.normalize()
}

// serveAdmin answers the admin API under /_fake/ (DESIGN.md §6).
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	s.learnBase(r)
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/_fake/"), "/")
	post := map[string]func([]byte) (any, error){
		"users": func(d []byte) (any, error) {
			u, err := parseUser(d)
			if err != nil {
				return nil, err
			}
			return map[string]any{"ok": true}, s.AddUser(u)
		},
		"users/change": func(d []byte) (any, error) {
			u, err := parseUser(d)
			if err != nil {
				return nil, err
			}
			sent, err := s.ChangeUser(u)
			if err != nil {
				return nil, err
			}
			return map[string]any{"ok": true, "events": sent}, nil
		},
		"messages": func(d []byte) (any, error) {
			m, err := parseMessage(d)
			if err != nil {
				return nil, err
			}
			return s.SendMessage(m)
		},
		"events": func(d []byte) (any, error) { return s.SendEvent(d) },
		"commands": func(d []byte) (any, error) {
			c, err := parseCommand(d)
			if err != nil {
				return nil, err
			}
			return s.SendCommand(c)
		},
		"interactions": func(d []byte) (any, error) { return s.SendInteraction(d) },
		"faults": func(d []byte) (any, error) {
			f, err := parseFault(d)
			if err != nil {
				return nil, err
			}
			return map[string]any{"ok": true}, s.InjectFault(f)
		},
	}
	get := map[string]func() (any, error){
		"calls":     func() (any, error) { return s.Calls(r.URL.Query().Get("method")), nil },
		"envelopes": func() (any, error) { return s.Envelopes(), nil },
		"dms": func() (any, error) {
			user := r.URL.Query().Get("user")
			if user == "" {
				return nil, errors.New("query parameter user is required")
			}
			return s.DMs(user), nil
		},
		"rates": func() (any, error) {
			return map[string]any{"enabled": s.opts.RateLimits.Enabled, "methods": s.RateStats()}, nil
		},
		"health": func() (any, error) {
			return map[string]any{"connections": s.Connections()}, nil
		},
	}
	var (
		res any
		err error
	)
	if h, ok := post[path]; ok {
		if r.Method != http.MethodPost {
			adminError(w, http.StatusMethodNotAllowed, "use POST")
			return
		}
		data, rerr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if rerr != nil {
			adminError(w, http.StatusBadRequest, "read body: "+rerr.Error())
			return
		}
		res, err = h(data)
	} else if h, ok := get[path]; ok {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			adminError(w, http.StatusMethodNotAllowed, "use GET")
			return
		}
		res, err = h()
	} else {
		adminError(w, http.StatusNotFound, "unknown admin endpoint /_fake/"+path)
		return
	}
	if err != nil {
		adminError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), "fakeslack: "))
		return
	}
	writeJSON(w, http.StatusOK, res)
}
