package bot

import (
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack/socketmode"
)

// Metrics are the bot's Prometheus metrics. Labels never carry message
// text, user ids or tokens: only event types, rule ids, Slack method names,
// Slack error codes and fixed outcome words.
type Metrics struct {
	Events          *prometheus.CounterVec
	AckLatency      prometheus.Histogram
	PreAckStore     prometheus.Histogram
	PostWait        *prometheus.HistogramVec
	PostsWaiting    *prometheus.GaugeVec
	CallPacing      *prometheus.HistogramVec
	Dropped         *prometheus.CounterVec
	Matches         *prometheus.CounterVec
	Nudges          *prometheus.CounterVec
	Feedback        *prometheus.CounterVec
	Commands        *prometheus.CounterVec
	SlackLatency    *prometheus.HistogramVec
	SlackErrors     *prometheus.CounterVec
	SlackRateLimits *prometheus.CounterVec
	Connected       prometheus.Gauge
	Connections     *prometheus.CounterVec
	QueueDepth      prometheus.Gauge
	RuleReloads     *prometheus.CounterVec
	Prompts         *prometheus.CounterVec

	// eventsByType are Events' counters of the envelope types Slack sends,
	// bound once: the hot path does no label lookup.
	eventsByType map[socketmode.EventType]prometheus.Counter
}

// countEvent counts one Socket Mode event of type t.
func (m *Metrics) countEvent(t socketmode.EventType) {
	if c, ok := m.eventsByType[t]; ok {
		c.Inc()
		return
	}
	m.Events.WithLabelValues(string(t)).Inc()
}

// NewMetrics creates the metrics and registers them with reg (a fresh
// prometheus.NewRegistry() in tests, so nothing is global).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadnudge_events_total", Help: "Socket Mode envelopes received, by type.",
		}, []string{"type"}),
		AckLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "leadnudge_ack_latency_seconds", Help: "Time from slack-go's client handing an envelope to the bot until its ack is queued for writing.",
			Buckets: []float64{.000025, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 3},
		}),
		PreAckStore: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "leadnudge_preack_store_seconds", Help: "Time of the store calls made before a matched message is acked (channel settings, recording the decision).",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2},
		}),
		PostWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "leadnudge_post_pacing_wait_seconds", Help: "Time a chat.postMessage waited for the posting budget (slack.posts_per_second), by kind (nudge, other).",
			Buckets: []float64{.001, .01, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"kind"}),
		PostsWaiting: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "leadnudge_posts_waiting", Help: "chat.postMessage calls waiting for the posting budget, by kind (nudge, other).",
		}, []string{"kind"}),
		CallPacing: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "leadnudge_call_pacing_wait_seconds", Help: "Time a call of a bulk Web API method (users.list, users.info, conversations.members, conversations.list) waited to stay under its rate-limit tier, by method.",
			Buckets: []float64{.01, .1, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"method"}),
		Dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadnudge_dropped_total", Help: "Envelopes or events acked and dropped, by reason.",
		}, []string{"reason"}),
		Matches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadnudge_matches_total", Help: "Messages that matched a rule (the rule whose tip is sent).",
		}, []string{"rule"}),
		Nudges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadnudge_nudges_total", Help: "Nudges by rule and outcome (sent, suppressed, failed, duplicate).",
		}, []string{"rule", "outcome"}),
		Feedback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadnudge_feedback_total", Help: "Feedback on nudges by rule and answer.",
		}, []string{"rule", "feedback"}),
		Commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadnudge_commands_total", Help: "Slash commands and button actions handled, by name.",
		}, []string{"command"}),
		SlackLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "leadnudge_slack_api_duration_seconds", Help: "Slack Web API call latency by method.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"method"}),
		SlackErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadnudge_slack_api_errors_total", Help: "Slack Web API errors by method and error code.",
		}, []string{"method", "error"}),
		SlackRateLimits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadnudge_slack_ratelimited_total", Help: "HTTP 429 answers from Slack by method.",
		}, []string{"method"}),
		Connected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "leadnudge_socket_connected", Help: "1 while the Socket Mode connection is up.",
		}),
		Connections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadnudge_socket_connection_events_total", Help: "Socket Mode connection lifecycle events (connecting, connected, connection_error).",
		}, []string{"event"}),
		QueueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "leadnudge_work_queue_depth", Help: "Jobs waiting for a worker.",
		}),
		RuleReloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadnudge_rules_reloads_total", Help: "Rules file reloads by result (ok, error).",
		}, []string{"result"}),
		Prompts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadnudge_weekly_prompts_total", Help: "Weekly reflection prompts by outcome (sent, skipped, failed).",
		}, []string{"outcome"}),
	}
	m.eventsByType = map[socketmode.EventType]prometheus.Counter{}
	for _, t := range []socketmode.EventType{socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive,
		socketmode.EventTypeSlashCommand, socketmode.EventTypeHello, socketmode.EventTypeConnecting, socketmode.EventTypeConnected} {
		m.eventsByType[t] = m.Events.WithLabelValues(string(t))
	}
	reg.MustRegister(m.Events, m.AckLatency, m.PreAckStore, m.PostWait, m.PostsWaiting, m.CallPacing, m.Dropped, m.Matches, m.Nudges, m.Feedback, m.Commands,
		m.SlackLatency, m.SlackErrors, m.SlackRateLimits, m.Connected, m.Connections, m.QueueDepth, m.RuleReloads, m.Prompts)
	return m
}

// InstrumentTransport wraps an HTTP transport so every Slack Web API call
// is timed by method, and 429 answers are counted. The method is the last
// path element of the URL ("chat.postMessage"); nothing else of the request
// is looked at.
func (m *Metrics) InstrumentTransport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		method := apiMethod(req.URL.Path)
		start := time.Now()
		resp, err := next.RoundTrip(req)
		m.SlackLatency.WithLabelValues(method).Observe(time.Since(start).Seconds())
		if err != nil {
			m.SlackErrors.WithLabelValues(method, "transport").Inc()
			return resp, err
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			m.SlackRateLimits.WithLabelValues(method).Inc()
		} else if resp.StatusCode >= 500 {
			m.SlackErrors.WithLabelValues(method, "http_5xx").Inc()
		}
		return resp, nil
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// apiMethod extracts a Slack method name from a Web API path, keeping label
// cardinality bounded: anything that does not look like a method is "other".
func apiMethod(path string) string {
	i := strings.LastIndexByte(path, '/')
	name := path[i+1:]
	if !strings.Contains(path, "/api/") || name == "" || len(name) > 40 {
		return "other"
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.') {
			return "other"
		}
	}
	return name
}
