package config

import (
	"fmt"
	"io"
	"log/slog"
)

// Redacted is what every printed form of a non-empty Secret shows.
const Redacted = "<secret>"

// Secret is a string that must never be printed: a token or a DSN that may
// carry a password. Every formatting and encoding path (fmt verbs, String,
// GoString, JSON, text, YAML, slog, zap) shows Redacted, or "" when the
// secret is empty so a missing token is still visible as missing. Call Reveal
// to get the value, only where it is handed to the library that needs it.
type Secret string

// Reveal returns the secret value. Never log or print what it returns.
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether the secret is non-empty.
func (s Secret) IsSet() bool { return s != "" }

func (s Secret) redacted() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// String returns Redacted (or "" for an empty secret).
func (s Secret) String() string { return s.redacted() }

// GoString returns Redacted (or "" for an empty secret), quoted, for %#v.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.redacted()) }

// Format implements fmt.Formatter so every verb and flag (%v %+v %#v %s %q
// %x %d …) prints the redacted form rather than the value.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q' || (verb == 'v' && f.Flag('#')):
		_, _ = io.WriteString(f, s.GoString())
	default:
		_, _ = io.WriteString(f, s.redacted())
	}
}

// MarshalJSON encodes the redacted form as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return fmt.Appendf(nil, "%q", s.redacted()), nil }

// MarshalText returns the redacted form; encoders that fall back to
// encoding.TextMarshaler (zap's reflection, slog's text handler) use it.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.redacted()), nil }

// MarshalYAML returns the redacted form for YAML encoders.
func (s Secret) MarshalYAML() (any, error) { return s.redacted(), nil }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.redacted()) }
