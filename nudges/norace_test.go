//go:build !race

package nudges

const raceEnabled = false
