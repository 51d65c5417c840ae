package loadtest_test

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/loadtest"
)

// buildBot compiles cmd/leadnudge into a temporary directory: the harness
// runs the replicas as separate processes, as an operator would.
func buildBot(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "leadnudge")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/leadnudge")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func progress(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(buf.String())
		}
	})
	return &buf
}

// TestHarnessDisconnects runs the real bot (one process, SQLite) for 3 s at
// 100 events/s while the local Slack disconnects it, and asserts that every
// expected nudge arrived exactly once.
func TestHarnessDisconnects(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bot and runs it for several seconds")
	}
	bin := buildBot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	rep, err := loadtest.Run(ctx, loadtest.Config{
		Binary: bin, People: 40, Channels: 5, Rate: 100, Duration: 3 * time.Second,
		Faults:          loadtest.Faults{Disconnects: true},
		DisconnectEvery: time.Second, Settle: 30 * time.Second,
		WorkDir: t.TempDir(), Progress: progress(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + text.String())
	// the bot ran on the product's defaults, and the report says what
	// differed
	if !strings.Contains(text.String(), "settings: the product's defaults, except:") ||
		!strings.Contains(text.String(), "reflection.enabled=false") || strings.Contains(text.String(), "nudges.lease=") {
		t.Errorf("the report does not list the non-default settings (and only them):\n%s", text.String())
	}
	r := rep.Results[0]
	if r.EventsSent < 250 || r.EventsUnacked != 0 {
		t.Errorf("events sent %d, unacked %d; want about 300 sent, all acked", r.EventsSent, r.EventsUnacked)
	}
	if r.NudgesExpected == 0 {
		t.Errorf("no nudges expected: the mix has no triggering messages")
	}
	if r.Lost != 0 || r.Duplicates != 0 || r.Extra != 0 || r.NudgesSent != r.NudgesExpected {
		t.Errorf("nudges: expected %d, sent %d, lost %d, duplicated %d (+%d over policy)\nlost: %v\nduplicated: %v",
			r.NudgesExpected, r.NudgesSent, r.Lost, r.Duplicates, r.Extra, r.LostDetail, r.DuplicateDetail)
	}
	if r.FaultEvents["disconnect_messages"]+r.FaultEvents["connections_dropped"] == 0 {
		t.Errorf("the disconnect fault did nothing: %v", r.FaultEvents)
	}
	if r.CPUSeconds <= 0 || r.PeakRSSMB <= 0 || r.Processes != 1 {
		t.Errorf("process figures: cpu %.2fs, peak RSS %.1f MB, %d processes", r.CPUSeconds, r.PeakRSSMB, r.Processes)
	}
	if r.AckLatency.N == 0 || r.DMLatency.N != r.NudgesSent {
		t.Errorf("latencies: %d acks, %d DM latencies for %d nudges", r.AckLatency.N, r.DMLatency.N, r.NudgesSent)
	}
}

// TestBoltPeer plays a short load against the Slack Bolt for JavaScript
// peer on its own local Slack. It needs node and `npm ci` in
// testdata/bolt-peer (.ci/setup-bolt.sh).
func TestBoltPeer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bot and runs it and node for several seconds")
	}
	dir, err := filepath.Abs("testdata/bolt-peer")
	if err != nil {
		t.Fatal(err)
	}
	if err := loadtest.PeerReady("node", dir); err != nil {
		t.Skipf("Bolt peer not runnable (node and npm needed; run `npm ci` in %s or source .ci/setup-bolt.sh): %v", dir, err)
	}
	bin := buildBot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	rep, err := loadtest.Run(ctx, loadtest.Config{
		Binary: bin, People: 30, Channels: 4, Rate: 60, Duration: 2 * time.Second,
		Peer: loadtest.PeerBolt, PeerDir: dir, Settle: 30 * time.Second,
		WorkDir: t.TempDir(), Progress: progress(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + text.String())
	if len(rep.Results) != 2 {
		t.Fatalf("want leadnudge and bolt results, got %d", len(rep.Results))
	}
	p := rep.Results[1]
	if p.Skipped != "" {
		t.Fatalf("peer skipped: %s", p.Skipped)
	}
	if p.NudgesExpected == 0 || p.Lost != 0 || p.Duplicates != 0 || p.EventsUnacked != 0 {
		t.Errorf("peer: expected %d DMs, sent %d, lost %d, duplicated %d, unacked %d\n%v %v",
			p.NudgesExpected, p.NudgesSent, p.Lost, p.Duplicates, p.EventsUnacked, p.LostDetail, p.DuplicateDetail)
	}
	if p.CPUSeconds <= 0 || p.PeakRSSMB <= 0 {
		t.Errorf("peer process figures: cpu %.2fs, peak RSS %.1f MB", p.CPUSeconds, p.PeakRSSMB)
	}
	if !strings.Contains(text.String(), "leadnudge / bolt:") {
		t.Errorf("no ratio line in the text report")
	}
}

// TestPeerReadyExplains checks that a missing peer is reported with what
// to install, instead of failing obscurely.
func TestPeerReadyExplains(t *testing.T) {
	err := loadtest.PeerReady("node", t.TempDir())
	if err == nil {
		t.Fatal("an empty directory is not a runnable peer")
	}
	if err := loadtest.PeerReady("no-such-node-binary-xyz", t.TempDir()); err == nil || !strings.Contains(err.Error(), "npm") {
		t.Errorf("a missing node should mention node and npm: %v", err)
	}
}

func TestParseFaults(t *testing.T) {
	f, err := loadtest.ParseFaults("disconnects,ack-drop", false)
	if err != nil || !f.Disconnects || !f.AckDrop || f.Kill {
		t.Errorf("ParseFaults = %+v, %v", f, err)
	}
	if f, _ := loadtest.ParseFaults("all", false); f.PostgresRestart || !f.Kill || !f.RateLimit {
		t.Errorf("all without postgres = %+v", f)
	}
	if _, err := loadtest.ParseFaults("meteor", false); err == nil {
		t.Error("an unknown fault must be an error")
	}
}
