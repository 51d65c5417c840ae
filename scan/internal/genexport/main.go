// Command genexport writes a synthetic Slack export for benchmarking
// `leadnudge scan` (see BENCHMARKS.md):
//
//	go run ./scan/internal/genexport -out /tmp/export -people 1000 -channels 200 -days 365
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/leadnudge/leadnudge/scan/internal/exportgen"
)

func main() {
	out := flag.String("out", "", "directory to write the export into")
	spec := exportgen.Spec{Start: time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)}
	flag.IntVar(&spec.People, "people", 1000, "people")
	flag.IntVar(&spec.Channels, "channels", 200, "channels")
	flag.IntVar(&spec.Days, "days", 365, "days")
	flag.IntVar(&spec.PerDay, "per-day", 14, "mean messages a channel gets a day")
	flag.Uint64Var(&spec.Seed, "seed", 1, "random seed")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "genexport: -out DIR is required")
		os.Exit(2)
	}
	st, err := exportgen.Write(*out, spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genexport:", err)
		os.Exit(1)
	}
	fmt.Printf("%d files, %d messages, %.2f GB\n", st.Files, st.Messages, float64(st.Bytes)/(1<<30))
}
