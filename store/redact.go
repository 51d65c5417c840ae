package store

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
)

// The DSN is a secret. Errors from drivers sometimes quote what they were
// given, so every error Open returns is passed through redactErr, which
// removes the DSN and any password found in it from the message.

var (
	// password=… in key/value DSNs and URL query strings (quoted or not).
	kvPassword = regexp.MustCompile(`(?i)password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+)`)
	// user:password@ in URLs, even ones net/url cannot parse.
	urlPassword = regexp.MustCompile(`://[^:/@\s]*:([^@\s]*)@`)
)

// secretsIn lists the strings of dsn that must never be shown, longest
// first: the DSN itself and each password in it.
func secretsIn(dsn string) []string {
	secrets := []string{dsn}
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p, url.QueryEscape(p), url.PathEscape(p))
		}
	}
	for _, m := range kvPassword.FindAllStringSubmatch(dsn, -1) {
		p := strings.Trim(m[1], "'")
		secrets = append(secrets, m[1], p)
		if up, err := url.QueryUnescape(p); err == nil {
			secrets = append(secrets, up)
		}
	}
	for _, m := range urlPassword.FindAllStringSubmatch(dsn, -1) {
		secrets = append(secrets, m[1])
		if up, err := url.PathUnescape(m[1]); err == nil {
			secrets = append(secrets, up)
		}
	}
	out := secrets[:0]
	seen := map[string]bool{}
	for _, s := range secrets {
		if len(s) >= 1 && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	// Longest first, so a password inside the DSN does not break up the
	// DSN's own replacement.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// redactedError carries a scrubbed message. It deliberately does not
// unwrap to the driver's error (whose text may hold the secret); Is still
// answers for the store's sentinels and context errors.
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }

func (e *redactedError) Is(target error) bool {
	switch target {
	case ErrInvalid, ErrSchemaTooNew, ErrNotFound, ErrConflict, context.Canceled, context.DeadlineExceeded:
		return errors.Is(e.cause, target)
	}
	return false
}

// redactErr returns err with every secret of dsn removed from its message.
func redactErr(err error, dsn string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range secretsIn(dsn) {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
	}
	msg = kvPassword.ReplaceAllString(msg, "password=xxxxx")
	msg = urlPasswordMask(msg)
	return &redactedError{msg: msg, cause: err}
}

// urlPasswordMask rewrites user:password@ in URLs to user:xxxxx@.
func urlPasswordMask(msg string) string {
	return urlPassword.ReplaceAllStringFunc(msg, func(m string) string {
		i := 3 + strings.Index(m[3:], ":") // the user part holds no colon
		return m[:i+1] + "xxxxx@"
	})
}
