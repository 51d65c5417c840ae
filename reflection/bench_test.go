package reflection_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/reflection"
	"github.com/leadnudge/leadnudge/store"
)

// BenchmarkDue100k decides who is due among 100,000 people spread over 12
// time zones, a quarter of them already done this week.
func BenchmarkDue100k(b *testing.B) {
	zones := []string{"America/Los_Angeles", "America/New_York", "America/Sao_Paulo", "UTC", "Europe/London", "Europe/Paris",
		"Europe/Berlin", "Africa/Nairobi", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland"}
	at := time.Date(2026, 1, 17, 6, 0, 0, 0, time.UTC) // Friday 16:00 has passed everywhere but Los Angeles
	people := make([]reflection.Person, 100_000)
	var entries []store.PromptDelivery
	for i := range people {
		tz := zones[i%len(zones)]
		people[i] = reflection.Person{ID: fmt.Sprintf("U%07d", i), TimeZone: tz, OptedIn: i%3 != 0, ChannelMember: i%3 == 0}
		if i%4 == 0 {
			loc, _ := time.LoadLocation(tz)
			entries = append(entries, store.PromptDelivery{UserID: people[i].ID, Week: store.WeekOf(at.In(loc)), State: store.PromptSent})
		}
	}
	ledger := reflection.NewLedger(entries)
	sched := reflection.MustParseSchedule("0 16 * * 5")
	zc := &reflection.Zones{}
	var n int
	b.ReportAllocs()
	for b.Loop() {
		n = len(reflection.Due(at, people, sched, ledger, zc))
	}
	b.ReportMetric(float64(n), "due")
}

// BenchmarkFanOut10k sends the weekly prompt to 10,000 people through the
// real bot and the local Slack (one users.list, chat.postMessage, the SQLite
// ledger) at a pace of 500 DMs a second, and reports the time against the
// theoretical minimum of people ÷ rate (20 s).
func BenchmarkFanOut10k(b *testing.B) {
	const people, rate = 10_000, 500.0
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b, envOptions{refl: reflection.Options{Channels: chanNames("C0BIG", people), Rate: rate, Workers: 16}, noRun: true, historyLimit: 50_000})
		manyUsers(e, people, "C0BIG")
		at := time.Date(2026, 1, 16, 16, 0, 0, 0, time.UTC)
		e.clk.Set(at)
		b.StartTimer()
		sum := e.tick(at)
		b.StopTimer()
		if sum.Sent != people {
			b.Fatalf("sent %d of %d: %+v", sum.Sent, people, sum)
		}
		minimum := people / rate
		b.ReportMetric(sum.Elapsed.Seconds(), "s/fanout")
		b.ReportMetric(sum.Elapsed.Seconds()/minimum, "x_minimum")
		b.ReportMetric(float64(people)/sum.Elapsed.Seconds(), "dm/s")
		b.StartTimer()
	}
}

func chanNames(prefix string, n int) []string {
	var out []string
	for i := 0; i < n; i += 900 {
		out = append(out, prefix+itoa(i/900))
	}
	return out
}
