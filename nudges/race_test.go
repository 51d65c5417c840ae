//go:build race

package nudges

// raceEnabled: the race detector makes sync.Pool drop items on purpose, so
// allocation counts are only meaningful without it (.ci/run runs the
// allocation test once more without -race).
const raceEnabled = true
