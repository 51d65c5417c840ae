package fakeslack_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
)

// TestOfficialNodeSDK runs testdata/node/check.js, which uses Slack's own
// @slack/socket-mode and @slack/web-api against the local Slack: connect,
// receive a message event and a slash command and ack them, post a message,
// get rate limited, and reconnect after a disconnect. It checks the protocol
// against an implementation we did not write.
func TestOfficialNodeSDK(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("SKIPPED LOUDLY: node is not installed, so the official Slack Node SDK check cannot run; " +
			"install nodejs and npm, then run `npm ci` in fakeslack/testdata/node (.ci/setup-node.sh does both)")
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "node"))
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"@slack/socket-mode", "@slack/web-api"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			t.Skipf("SKIPPED LOUDLY: %s is missing from fakeslack/testdata/node/node_modules; "+
				"run `npm ci` there (needs node and npm; .ci/setup-node.sh does it)", pkg)
		}
	}

	fs := startFake(t, fakeslack.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "check.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FAKESLACK_API_URL="+fs.URL(), "FAKESLACK_ADMIN_URL="+fs.AdminURL())
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("node check.js (%s):\n%s", time.Since(start).Round(time.Millisecond), out)
	if err != nil {
		t.Fatalf("node check failed: %v", err)
	}
	if !strings.Contains(string(out), "\nok\n") {
		t.Fatal("node check did not finish")
	}

	// What the Node SDK did, as the local Slack saw it.
	var acked, cmdAcked int
	for _, e := range fs.Envelopes() {
		if !e.Acked {
			continue
		}
		switch e.Type {
		case "events_api":
			acked++
			if string(e.AckPayload) != "{}" {
				t.Errorf("Node's bare ack should carry payload {}, got %s", e.AckPayload)
			}
		case "slash_commands":
			cmdAcked++
			var p map[string]string
			if err := json.Unmarshal(e.AckPayload, &p); err != nil || p["text"] != "ack from node" {
				t.Errorf("slash ack payload %s", e.AckPayload)
			}
		}
	}
	if acked != 2 || cmdAcked != 1 {
		t.Errorf("acked %d events and %d commands, want 2 and 1", acked, cmdAcked)
	}
	if n := fs.ConnectionsOpened(); n < 2 {
		t.Errorf("apps.connections.open called %d times, want a reconnect", n)
	}
	posts := fs.Calls("chat.postMessage")
	if len(posts) != 2 || posts[0].Error != "" || posts[1].Error != "ratelimited" {
		t.Errorf("chat.postMessage calls %+v", posts)
	}
	for _, c := range fs.Calls("") {
		b, _ := json.Marshal(c)
		if strings.Contains(string(b), "xoxb-") || strings.Contains(string(b), "xapp-") {
			t.Errorf("recorded call leaks a token: %s", b)
		}
	}
}
