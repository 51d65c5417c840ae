package scan

import (
	"context"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/scan/internal/exportgen"
)

// BenchmarkScan scans a generated export of about 25 MB (40 channels, 60
// days, 1,000 people) with the built-in rules and the default policy. The
// 1 GB comparison with jq is in BENCHMARKS.md.
func BenchmarkScan(b *testing.B) {
	dir := b.TempDir()
	st, err := exportgen.Write(dir, exportgen.Spec{People: 1000, Channels: 40, Days: 60, PerDay: 14,
		Start: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	opts := defaultOptions(builtinMatcher(b))
	b.SetBytes(st.Bytes)
	b.ReportAllocs()
	for b.Loop() {
		r, err := Run(context.Background(), []string{dir}, opts)
		if err != nil {
			b.Fatal(err)
		}
		if r.Messages == 0 || r.Matches == 0 {
			b.Fatalf("scanned %d messages, %d matches: the export is broken", r.Messages, r.Matches)
		}
	}
	b.ReportMetric(float64(st.Messages)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
