package bot_test

import (
	"encoding/json"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// startGorilla is the least a Go Socket Mode app can do: one goroutine
// that reads each frame with gorilla/websocket (the library slack-go
// uses), takes its envelope_id and writes the ack. It is the floor of Go
// and the WebSocket library, below any Socket Mode client.
func startGorilla(b *testing.B, pn benchNet) *websocket.Conn {
	b.Helper()
	sockets := miniSlack(b, pn)
	d := websocket.Dialer{NetDialContext: pn.dial, HandshakeTimeout: 5 * time.Second}
	c, _, err := d.Dial("ws://"+pn.host()+"/link/", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	go func() {
		for {
			_, data, err := c.ReadMessage()
			if err != nil {
				return
			}
			var env struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal(data, &env) != nil || env.EnvelopeID == "" {
				continue
			}
			if c.WriteMessage(websocket.TextMessage, []byte(`{"envelope_id":"`+env.EnvelopeID+`"}`)) != nil {
				return
			}
		}
	}()
	return awaitSocket(b, sockets)
}

// BenchmarkAckLatency sends one neutral envelope at a time over loopback
// TCP and waits for its ack: ns/op is the round trip the load test reports
// as ack latency (p50-µs and p99-µs too), with no load around it. "bot" is
// the bot as it runs; "slack-go" is slack-go's Socket Mode client acking
// on hand-over, nothing else (with the bot's registry entry, see
// bot/slackevents.go); "gorilla" is a one-goroutine client on the same
// WebSocket library. The steps between them are what the bot and the
// client add to an ack.
//
//	go test ./bot -run '^$' -bench AckLatency -count 6
func BenchmarkAckLatency(b *testing.B) {
	for _, c := range []struct {
		name  string
		start func(*testing.B, benchNet) *websocket.Conn
	}{
		{"gorilla", startGorilla},
		{"slack-go", startSlackGo},
		{"bot", startBot},
	} {
		b.Run(c.name, func(b *testing.B) {
			ws := c.start(b, newTCPNet(b))
			frames := neutralFrames(4096)
			took := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if err := ws.WriteMessage(websocket.TextMessage, frames[i%len(frames)]); err != nil {
					b.Fatal(err)
				}
				_, r, err := ws.NextReader()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, r); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
		})
	}
}
