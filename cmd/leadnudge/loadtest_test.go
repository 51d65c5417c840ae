package main

import (
	"strings"
	"testing"
)

// The harness itself is tested in package loadtest; here only that the
// command refuses bad flags with exit status 2 and a clear reason, before
// starting anything.
func TestLoadtestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"loadtest", "--fault", "meteor"}, "unknown fault"},
		{[]string{"loadtest", "--replicas", "2"}, "need --store postgres"},
		{[]string{"loadtest", "--replicas", "4", "--store", "postgres", "--postgres-dsn", "postgres://x@127.0.0.1/x"}, "--replicas must be 1..3"},
		{[]string{"loadtest", "--store", "postgres", "--fault", "postgres-restart", "--postgres-dsn", "postgres://x@127.0.0.1/x"}, "--pg-restart-cmd"},
		{[]string{"loadtest", "--format", "yaml"}, "--format must be text or json"},
		{[]string{"loadtest", "--peer", "hubot"}, "--peer must be empty or bolt"},
	} {
		code, _, stderr := runCLI(t, "", tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
