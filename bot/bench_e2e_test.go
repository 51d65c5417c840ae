package bot_test

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/bot"
	"github.com/leadnudge/leadnudge/fakeslack"
)

// BenchmarkEndToEnd drives the whole path through the local Slack at a
// sustained rate: the real slack-go Socket Mode client, the bot, SQLite.
// One message in five triggers a rule (each from a different person, so
// the policy lets it through); the rest are neutral. It reports ack latency
// and message-to-DM latency percentiles and the nudges lost.
//
//	go test ./bot -run '^$' -bench EndToEnd -benchtime 4000x -count 3
func BenchmarkEndToEnd(b *testing.B) {
	for _, rate := range []int{200, 400} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) { benchEndToEnd(b, rate) })
	}
}

func benchEndToEnd(b *testing.B, rate int) {
	h := newHarness(b, harnessOptions{
		fake: fakeslack.Options{AckTimeout: 3 * time.Second, HistoryLimit: 1 << 20},
		bot:  bot.Options{DailyCap: 1 << 20, Cooldown: time.Nanosecond, PostsPerSecond: -1}, // the bot's own cost, not the posting budget
	})
	triggers := []string{"Just do it.", "Because I said so.", "That's how we've always done it.", "Not up for discussion."}
	neutral := []string{
		"Morning! Can someone review the migration PR before lunch?",
		"Deploy is green, thanks everyone :tada:",
		"I moved the sprint review to Thursday so design can join.",
		"Customer call went well, notes are in the doc.",
	}
	type sent struct {
		user, ts string
		trigger  bool
	}
	msgs := make([]sent, 0, b.N)
	interval := time.Second / time.Duration(rate)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		trigger := i%5 == 0
		user := "UN" + strconv.Itoa(i%50)
		text := neutral[i%len(neutral)]
		if trigger {
			user = "UT" + strconv.Itoa(i)
			text = triggers[(i/5)%len(triggers)]
		}
		res, err := h.fs.SendMessage(fakeslack.Message{User: user, Channel: "C1", Text: text})
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, sent{user: user, ts: res.TS, trigger: trigger})
	}
	sendTime := time.Since(start)
	want := 0
	for _, m := range msgs {
		if m.trigger {
			want++
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	got := 0
	for time.Now().Before(deadline) {
		got = len(h.fs.Calls("chat.postMessage"))
		acked := 0
		for _, e := range h.fs.Envelopes() {
			if e.Acked {
				acked++
			}
		}
		if got >= want*2 && acked >= b.N { // introduction + nudge per person
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.StopTimer()

	var acks []float64
	unacked := 0
	for _, e := range h.fs.Envelopes() {
		if e.AckMS != nil {
			acks = append(acks, *e.AckMS)
		} else {
			unacked++
		}
	}
	var dms []float64
	lost := 0
	for _, m := range msgs {
		if !m.trigger {
			continue
		}
		posts := h.fs.DMs(m.user)
		var nudge *fakeslack.Post
		for i := range posts {
			if strings.Contains(string(posts[i].Blocks), bot.ActionHelpful) {
				nudge = &posts[i]
			}
		}
		if nudge == nil {
			lost++
			continue
		}
		dms = append(dms, (tsSeconds(nudge.TS)-tsSeconds(m.ts))*1000)
	}
	b.ReportMetric(float64(b.N)/sendTime.Seconds(), "events/s")
	b.ReportMetric(percentile(acks, 50), "ack-p50-ms")
	b.ReportMetric(percentile(acks, 99), "ack-p99-ms")
	b.ReportMetric(percentile(dms, 50), "dm-p50-ms")
	b.ReportMetric(percentile(dms, 99), "dm-p99-ms")
	b.ReportMetric(float64(lost), "lost")
	b.ReportMetric(float64(unacked), "unacked")
	if lost > 0 || unacked > 0 {
		b.Errorf("%d nudges lost, %d envelopes unacked of %d events", lost, unacked, b.N)
	}
}

func tsSeconds(ts string) float64 {
	f, _ := strconv.ParseFloat(ts, 64)
	return f
}

func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}
