package bot

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/leadnudge/leadnudge/nudges"
	"go.uber.org/zap"
)

// RulesWatcher reloads the rules file when it changes (polled) or when
// asked (SIGHUP). A valid file is compiled and swapped in atomically;
// messages being matched finish on the old matcher. An invalid file leaves
// the last good rules running, and its file:line:col error is logged,
// counted and shown in /readyz detail.
type RulesWatcher struct {
	// Path is the rules file.
	Path string
	// Load reads, validates and compiles the file.
	Load func(path string) (*nudges.Matcher, error)
	// Rules receives the new matcher.
	Rules   *Rules
	Log     *zap.Logger
	Metrics *Metrics
	// Interval is how often the file is checked for changes; 0 turns
	// polling off (reloads then happen only through Trigger).
	Interval time.Duration
	// Trigger asks for a reload (the caller sends on it on SIGHUP).
	Trigger <-chan os.Signal

	mu      sync.Mutex
	lastErr error
	sum     [32]byte
	stat    fileStamp
	based   bool // the baseline was taken (Baseline)
}

type fileStamp struct {
	size    int64
	modTime time.Time
}

// Baseline records the file's current content as the one loaded. Call it
// right after loading the rules the watcher guards, before Run starts, so
// an edit made while the bot starts counts as a change; Run takes it itself
// when nobody did.
func (w *RulesWatcher) Baseline() {
	b, err := os.ReadFile(w.Path)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.based = true
	if err == nil {
		w.sum = sha256.Sum256(b)
		w.stat = stampOf(w.Path)
	}
}

// Run watches until ctx ends. Without a Baseline, the file's content when
// Run starts counts as loaded.
func (w *RulesWatcher) Run(ctx context.Context) error {
	w.mu.Lock()
	based := w.based
	w.mu.Unlock()
	if !based {
		w.Baseline()
	}
	var tick <-chan time.Time
	if w.Interval > 0 {
		t := time.NewTicker(w.Interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-w.Trigger:
			w.log().Info("reloading rules on request", zap.String("file", w.Path))
			w.Reload()
		case <-tick:
			if w.changed() {
				w.Reload()
			}
		}
	}
}

func (w *RulesWatcher) log() *zap.Logger {
	if w.Log == nil {
		return zap.NewNop()
	}
	return w.Log
}

func stampOf(path string) fileStamp {
	st, err := os.Stat(path)
	if err != nil {
		return fileStamp{size: -1}
	}
	return fileStamp{size: st.Size(), modTime: st.ModTime()}
}

// changed reports whether the file's content differs from the last one
// seen (a cheap stat first, then a hash).
func (w *RulesWatcher) changed() bool {
	st := stampOf(w.Path)
	w.mu.Lock()
	defer w.mu.Unlock()
	if st == w.stat {
		return false
	}
	w.stat = st
	b, err := os.ReadFile(w.Path)
	if err != nil {
		return true // report the read error through Reload
	}
	sum := sha256.Sum256(b)
	if sum == w.sum {
		return false
	}
	return true
}

// Reload loads the file now and swaps it in if valid. It returns the error
// that kept the old rules, if any.
func (w *RulesWatcher) Reload() error {
	b, readErr := os.ReadFile(w.Path)
	m, err := w.Load(w.Path)
	w.mu.Lock()
	if readErr == nil {
		w.sum = sha256.Sum256(b)
	}
	w.lastErr = err
	w.mu.Unlock()
	if err != nil {
		if w.Metrics != nil {
			w.Metrics.RuleReloads.WithLabelValues("error").Inc()
		}
		w.log().Error("rules file is invalid: keeping the last good rules", zap.String("file", w.Path), zap.Error(err))
		return err
	}
	old := w.Rules.Load()
	w.Rules.Swap(m)
	if w.Metrics != nil {
		w.Metrics.RuleReloads.WithLabelValues("ok").Inc()
	}
	w.log().Info("rules reloaded", zap.String("file", w.Path),
		zap.Int("rules", len(m.RuleSet().Rules)), zap.Int("previous_rules", len(old.RuleSet().Rules)))
	return nil
}

// Status is nil while the running rules match the file, or the error that
// kept the last good rules (for /readyz detail).
func (w *RulesWatcher) Status() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lastErr != nil {
		return fmt.Errorf("last reload failed, running the previous rules: %w", w.lastErr)
	}
	return nil
}
