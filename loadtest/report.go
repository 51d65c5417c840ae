package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes the report as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// Clean tells whether leadnudge lost and duplicated nothing. The peer's
// figures are a baseline, not a verdict: it has no dedupe by design.
func (rep *Report) Clean() bool {
	for _, r := range rep.Results {
		if r.Target == "leadnudge" && !r.Clean() {
			return false
		}
	}
	return true
}

// WriteText writes the report as a table with one column per target, and
// the leadnudge/peer ratios when the peer ran.
func (rep *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "leadnudge loadtest — %s — %d CPUs, %s\n", rep.Date, rep.Machine.CPUs, rep.Machine.Model)
	l := rep.Load
	fmt.Fprintf(w, "load: %d people in %d channels, %.0f events/s for %.0fs (seed %d); policy: cooldown %.0fh, daily cap %d, lease %gs; ack timeout %gs\n",
		l.People, l.Channels, l.Rate, l.DurationS, l.Seed, l.CooldownH, l.DailyCap, l.LeaseS, l.AckTimeoutS)
	fmt.Fprintln(w, "settings: the product's defaults, except:")
	for _, s := range rep.NonDefault {
		fmt.Fprintln(w, "  -", s)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{""}
	for _, r := range rep.Results {
		h := r.Target
		if r.Store != "" {
			h += fmt.Sprintf(" (%d×, %s)", r.Replicas, r.Store)
		}
		head = append(head, h)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	row := func(name string, f func(r Result) string) {
		cells := []string{name}
		for _, r := range rep.Results {
			if r.Skipped != "" {
				cells = append(cells, "-")
				continue
			}
			cells = append(cells, f(r))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	row("faults", func(r Result) string { return strings.Join(r.Faults, ",") })
	row("events sent", func(r Result) string { return fmt.Sprintf("%d in %.1fs", r.EventsSent, r.LoadSeconds) })
	row("events acked", func(r Result) string { return fmt.Sprintf("%d (%d unacked)", r.EventsAcked, r.EventsUnacked) })
	row("envelopes / redelivered", func(r Result) string { return fmt.Sprintf("%d / %d", r.Envelopes, r.Redeliveries) })
	row("ack p50 / p99 / max ms", func(r Result) string {
		return fmt.Sprintf("%.2f / %.2f / %.2f", r.AckLatency.P50, r.AckLatency.P99, r.AckLatency.Max)
	})
	row("message→DM p50 / p99 / max ms", func(r Result) string {
		return fmt.Sprintf("%.1f / %.1f / %.1f", r.DMLatency.P50, r.DMLatency.P99, r.DMLatency.Max)
	})
	row("nudges expected / sent", func(r Result) string { return fmt.Sprintf("%d / %d", r.NudgesExpected, r.NudgesSent) })
	row("lost", func(r Result) string { return itoa(r.Lost) })
	row("duplicated (+ over policy)", func(r Result) string { return fmt.Sprintf("%d (+%d)", r.Duplicates, r.Extra) })
	row("CPU s (processes)", func(r Result) string { return fmt.Sprintf("%.2f (%d)", r.CPUSeconds, r.Processes) })
	row("peak RSS MB", func(r Result) string { return fmt.Sprintf("%.1f", r.PeakRSSMB) })
	row("fault events", func(r Result) string { return faultEvents(r.FaultEvents) })
	row("settle s", func(r Result) string { return fmt.Sprintf("%.1f", r.SettleS) })
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rep.Results {
		if r.Skipped != "" {
			fmt.Fprintf(w, "\n%s: SKIPPED: %s\n", r.Target, r.Skipped)
			continue
		}
		for _, d := range r.LostDetail {
			fmt.Fprintf(w, "%s lost: %s\n", r.Target, d)
		}
		for _, d := range r.DuplicateDetail {
			fmt.Fprintf(w, "%s duplicated: %s\n", r.Target, d)
		}
		for _, n := range r.Notes {
			fmt.Fprintf(w, "%s note: %s\n", r.Target, n)
		}
	}
	if len(rep.Results) == 2 && rep.Results[1].Skipped == "" {
		a, b := rep.Results[0], rep.Results[1]
		fmt.Fprintf(w, "\nleadnudge / %s: ack p50 %s, ack p99 %s, DM p50 %s, DM p99 %s, CPU %s, peak RSS %s\n", b.Target,
			ratio(a.AckLatency.P50, b.AckLatency.P50), ratio(a.AckLatency.P99, b.AckLatency.P99),
			ratio(a.DMLatency.P50, b.DMLatency.P50), ratio(a.DMLatency.P99, b.DMLatency.P99),
			ratio(a.CPUSeconds, b.CPUSeconds), ratio(a.PeakRSSMB, b.PeakRSSMB))
	}
	verdict := "PASS: leadnudge lost nothing and duplicated nothing"
	if !rep.Clean() {
		verdict = "FAIL: leadnudge lost or duplicated nudges, or left events unacked"
	}
	_, err := fmt.Fprintln(w, "\n"+verdict)
	return err
}

func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.3g×", a/b)
}

func faultEvents(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, " ")
}
