package loadtest

import (
	"errors"
	"fmt"
	"github.com/leadnudge/leadnudge/config"
	"io"
	"sort"
	"strings"
	"time"
)

// Fault names accepted by ParseFaults.
const (
	FaultNone            = "none"
	FaultDisconnects     = "disconnects"
	FaultRateLimit       = "ratelimit"
	FaultKill            = "kill"
	FaultPostgresRestart = "postgres-restart"
	FaultAckDrop         = "ack-drop"
	FaultAll             = "all"
)

// Store drivers accepted by Config.Store.
const (
	StoreSQLite   = "sqlite"
	StorePostgres = "postgres"
)

// PeerBolt names the Slack Bolt for JavaScript peer baseline.
const PeerBolt = "bolt"

// Faults is a set of faults to inject during one run.
type Faults struct {
	// Disconnects makes the local Slack tell every connection to go away
	// (refresh_requested) and, alternately, drop them without a frame.
	Disconnects bool `json:"disconnects"`
	// RateLimit answers storms of chat.postMessage calls with HTTP 429 and
	// Retry-After.
	RateLimit bool `json:"ratelimit"`
	// Kill SIGKILLs a replica mid-run and restarts it.
	Kill bool `json:"kill"`
	// PostgresRestart runs Config.PGRestartCmd mid-run.
	PostgresRestart bool `json:"postgres_restart"`
	// AckDrop models lost acks: the local Slack's ack timeout is made very
	// short, so slow acks are redelivered (same event_id, retry_attempt+1),
	// and a share of events (Config.AckDropResend) is sent a second time
	// with the same event_id, as Slack does when an ack never arrives.
	AckDrop bool `json:"ack_drop"`
}

// ParseFaults reads a comma-separated list of fault names (or "none" or
// "all"; "all" leaves out postgres-restart unless withPostgres is set).
func ParseFaults(s string, withPostgres bool) (Faults, error) {
	var f Faults
	for _, name := range strings.Split(s, ",") {
		switch strings.TrimSpace(name) {
		case FaultNone, "":
		case FaultDisconnects:
			f.Disconnects = true
		case FaultRateLimit:
			f.RateLimit = true
		case FaultKill:
			f.Kill = true
		case FaultPostgresRestart:
			f.PostgresRestart = true
		case FaultAckDrop:
			f.AckDrop = true
		case FaultAll:
			f = Faults{Disconnects: true, RateLimit: true, Kill: true, AckDrop: true, PostgresRestart: withPostgres}
		default:
			return Faults{}, fmt.Errorf("unknown fault %q (want none, disconnects, ratelimit, kill, postgres-restart, ack-drop or all)", name)
		}
	}
	return f, nil
}

// Names lists the faults that are set, or "none".
func (f Faults) Names() []string {
	var out []string
	for _, x := range []struct {
		on   bool
		name string
	}{{f.Disconnects, FaultDisconnects}, {f.RateLimit, FaultRateLimit}, {f.Kill, FaultKill},
		{f.PostgresRestart, FaultPostgresRestart}, {f.AckDrop, FaultAckDrop}} {
		if x.on {
			out = append(out, x.name)
		}
	}
	if len(out) == 0 {
		return []string{FaultNone}
	}
	sort.Strings(out)
	return out
}

// Config is one load test.
type Config struct {
	// Binary is the leadnudge executable the replicas run (`Binary run`).
	Binary string
	// People and Channels size the simulated workspace.
	People, Channels int
	// Rate is the target events per second; Duration how long the load
	// lasts. Rate×Duration events are sent at most.
	Rate     float64
	Duration time.Duration
	// Replicas is how many bot processes run at once (1..3).
	Replicas int
	// Store is sqlite or postgres; PostgresDSN is required for postgres.
	Store       string
	PostgresDSN string
	// PGRestartCmd is a shell command (sh -c) that restarts the PostgreSQL
	// server, run mid-run by the postgres-restart fault.
	PGRestartCmd string
	// Faults are injected during the load.
	Faults Faults
	// Peer is "" or "bolt": play the same load against the peer baseline
	// too. PeerDir is the bolt-peer directory (with node_modules).
	Peer    string
	PeerDir string
	// Node is the node executable for the peer (default "node" on PATH).
	Node string
	// Seed makes the message mix reproducible.
	Seed int64
	// Lease is the bot's nudges.lease: how soon a replica recovers the
	// pending nudges of one that died (default: the product's default).
	Lease time.Duration
	// DailyCap is the bot's nudges.daily_cap used for the expectation
	// (default: the product's default).
	DailyCap int
	// AckDropTimeout is the local Slack's ack timeout under the ack-drop
	// fault (default 1ms); AckDropResend the share of events sent again
	// with the same event_id (default 0.1).
	AckDropTimeout time.Duration
	AckDropResend  float64
	// DisconnectEvery, StormEvery and StormSize shape the disconnect and
	// 429 faults (defaults 4s, 5s, 20 calls with Retry-After: 1).
	DisconnectEvery time.Duration
	StormEvery      time.Duration
	StormSize       int
	// Settle is how long the harness waits after the load with no new
	// delivery before it gives up (default 60s; at most 30 minutes in all).
	Settle time.Duration
	// ProfileDir, when set, turns on the first replica's http.pprof and
	// saves a CPU profile of the load phase (cpu.pprof) and an allocation
	// profile at its end (allocs.pprof) there.
	ProfileDir string
	// WorkDir holds the SQLite database and the replicas' logs; a
	// temporary directory (removed afterwards) when empty.
	WorkDir string
	// Progress receives one line per phase (never message text); nil for
	// none.
	Progress io.Writer
}

func (c *Config) withDefaults() {
	if c.People == 0 {
		c.People = 200
	}
	if c.Channels == 0 {
		c.Channels = 20
	}
	if c.Rate == 0 {
		c.Rate = 200
	}
	if c.Duration == 0 {
		c.Duration = 10 * time.Second
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.Store == "" {
		c.Store = StoreSQLite
	}
	def := config.Default()
	if c.Lease == 0 {
		c.Lease = def.Nudges.Lease
	}
	if c.DailyCap == 0 {
		c.DailyCap = def.Nudges.DailyCap
	}
	if c.AckDropTimeout == 0 {
		c.AckDropTimeout = time.Millisecond
	}
	if c.AckDropResend == 0 {
		c.AckDropResend = 0.1
	}
	if c.DisconnectEvery == 0 {
		c.DisconnectEvery = 4 * time.Second
	}
	if c.StormEvery == 0 {
		c.StormEvery = 5 * time.Second
	}
	if c.StormSize == 0 {
		c.StormSize = 20
	}
	if c.Settle == 0 {
		c.Settle = 60 * time.Second
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Node == "" {
		c.Node = "node"
	}
}

func (c *Config) validate() error {
	var errs []error
	if c.Binary == "" {
		errs = append(errs, errors.New("the leadnudge binary is not set"))
	}
	if c.People < 1 || c.People > 100000 {
		errs = append(errs, errors.New("--people must be 1..100000"))
	}
	if c.Channels < 1 || c.Channels > 10000 {
		errs = append(errs, errors.New("--channels must be 1..10000"))
	}
	if c.Rate <= 0 || c.Rate > 5000 {
		errs = append(errs, errors.New("--rate must be in (0, 5000] events/s"))
	}
	if c.Duration <= 0 || c.Duration > time.Hour {
		errs = append(errs, errors.New("--duration must be in (0, 1h]"))
	}
	if n := c.Rate * c.Duration.Seconds(); n > 1_000_000 {
		errs = append(errs, fmt.Errorf("rate × duration is %.0f events; at most 1,000,000", n))
	}
	if c.Replicas < 1 || c.Replicas > 3 {
		errs = append(errs, errors.New("--replicas must be 1..3"))
	}
	switch c.Store {
	case StoreSQLite:
		if c.Replicas > 1 {
			errs = append(errs, errors.New("several replicas need --store postgres (SQLite is for one replica)"))
		}
		if c.Faults.PostgresRestart {
			errs = append(errs, errors.New("the postgres-restart fault needs --store postgres"))
		}
	case StorePostgres:
		if c.PostgresDSN == "" {
			errs = append(errs, errors.New("--store postgres needs --postgres-dsn or LEADNUDGE_TEST_POSTGRES_DSN"))
		}
		if c.Faults.PostgresRestart && c.PGRestartCmd == "" {
			errs = append(errs, errors.New("the postgres-restart fault needs --pg-restart-cmd (a shell command that restarts the server)"))
		}
	default:
		errs = append(errs, fmt.Errorf("--store must be sqlite or postgres, not %q", c.Store))
	}
	if c.Peer != "" && c.Peer != PeerBolt {
		errs = append(errs, fmt.Errorf("--peer must be empty or bolt, not %q", c.Peer))
	}
	if c.Lease < 100*time.Millisecond {
		errs = append(errs, errors.New("--lease must be at least 100ms"))
	}
	return errors.Join(errs...)
}
