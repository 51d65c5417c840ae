package bot

import (
	"encoding/json"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one readiness condition with a name, for /readyz detail.
type Check struct {
	Name string
	// OK returns nil when the condition holds, or what is wrong.
	OK func() error
	// InfoOnly reports a failure in the detail without making the process
	// unready (for example a bad rules file while the last good rules run).
	InfoOnly bool
}

// Handler serves /metrics from gatherer, /healthz (the process is alive)
// and /readyz (connected to Slack and every extra check passing, with the
// detail as JSON).
func (b *Bot) Handler(gatherer prometheus.Gatherer, checks ...Check) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		detail := map[string]string{}
		ready := true
		if b.Ready() {
			detail["slack"] = "connected"
		} else {
			detail["slack"] = "not connected"
			ready = false
		}
		for _, c := range checks {
			if err := c.OK(); err != nil {
				detail[c.Name] = err.Error()
				if !c.InfoOnly {
					ready = false
				}
			} else {
				detail[c.Name] = "ok"
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if !ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ready": ready, "checks": detail})
	})
	return mux
}
