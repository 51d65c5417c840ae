package bot

import (
	"context"
	"encoding/json"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
	"go.uber.org/zap"
)

// ackTimeout bounds one ack write (slack-go's Ack would otherwise wait
// forever while disconnected).
const ackTimeout = 2 * time.Second

// loop drains the Socket Mode events channel. It never calls the Slack Web
// API: every envelope is acked here within milliseconds (after, for a
// matching message, the one store write that makes the nudge durable), and
// the rest is handed to the worker pool.
func (b *Bot) loop(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case evt, ok := <-b.sm.Events:
			if !ok {
				return nil
			}
			b.handleEvent(ctx, evt)
		}
	}
}

func (b *Bot) handleEvent(ctx context.Context, evt socketmode.Event) {
	start := time.Now()
	b.metrics.countEvent(evt.Type)
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		b.setConnected(false, "connecting")
	case socketmode.EventTypeConnectionError:
		b.setConnected(false, "connection_error")
		b.log.Warn("socket mode connection failed; slack-go retries", zap.Error(connectionError(evt)))
	case socketmode.EventTypeConnected:
		b.setConnected(true, "connected")
	case socketmode.EventTypeHello:
		b.setConnected(true, "hello")
	case socketmode.EventTypeIncomingError:
		b.setConnected(false, "incoming_error")
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("socket mode: invalid app token")
	case socketmode.EventTypeEventsAPI:
		b.onEventsAPI(ctx, evt, start)
	case socketmode.EventTypeSlashCommand:
		b.ack(ctx, evt.Request, nil, start)
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			b.drop("bad_slash_command")
			return
		}
		b.enqueue(ctx, job{kind: jobCommand, command: &cmd})
	case socketmode.EventTypeInteractive:
		b.onInteractive(ctx, evt, start)
	case socketmode.EventTypeErrorBadMessage:
		// slack-go could not parse the envelope and does not ack it; ack it
		// ourselves so Slack does not redeliver it forever.
		if bad, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			var env struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal(bad.Message, &env) == nil && env.EnvelopeID != "" {
				b.ackID(ctx, env.EnvelopeID, nil, start)
			}
		}
		b.drop("malformed")
	default:
		if evt.Request != nil && evt.Request.EnvelopeID != "" {
			b.ack(ctx, evt.Request, nil, start)
			b.drop("unknown_envelope")
		}
	}
}

func connectionError(evt socketmode.Event) error {
	if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
		return e.ErrorObj
	}
	return nil
}

func (b *Bot) setConnected(up bool, why string) {
	b.metrics.Connections.WithLabelValues(why).Inc()
	was := b.connected.Swap(up)
	if up {
		b.metrics.Connected.Set(1)
	} else {
		b.metrics.Connected.Set(0)
	}
	switch {
	case was && !up:
		b.log.Warn("socket mode connection lost; reconnecting", zap.String("event", why))
	case !was && up:
		b.log.Info("socket mode connected", zap.String("event", why))
	}
}

func (b *Bot) drop(reason string) {
	b.metrics.Dropped.WithLabelValues(reason).Inc()
	b.log.Debug("envelope dropped", zap.String("reason", reason))
}

func (b *Bot) ack(ctx context.Context, req *socketmode.Request, payload any, start time.Time) {
	if req == nil || req.EnvelopeID == "" {
		return
	}
	b.ackID(ctx, req.EnvelopeID, payload, start)
}

func (b *Bot) ackID(ctx context.Context, envelopeID string, payload any, start time.Time) {
	actx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	if err := b.sm.AckCtx(actx, envelopeID, payload); err != nil {
		b.log.Warn("ack failed; Slack will redeliver", zap.String("envelope", envelopeID), zap.Error(err))
		return
	}
	b.metrics.AckLatency.Observe(time.Since(start).Seconds())
}

func (b *Bot) onEventsAPI(ctx context.Context, evt socketmode.Event, start time.Time) {
	if evt.Request == nil {
		b.drop("no_request")
		return
	}
	ea, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		b.ack(ctx, evt.Request, nil, start)
		b.drop("malformed")
		return
	}
	switch ea.InnerEvent.Type {
	case string(slackevents.Message):
		b.onMessage(ctx, evt.Request, start)
	case string(slackevents.AppHomeOpened):
		b.ack(ctx, evt.Request, nil, start)
		if ev, ok := ea.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); ok && ev.Tab != "messages" {
			b.enqueue(ctx, job{kind: jobHome, user: ev.User})
		}
	default:
		b.ack(ctx, evt.Request, nil, start)
		if h := b.events[ea.InnerEvent.Type]; h != nil {
			h(ctx, ea.InnerEvent.Data)
			return
		}
		b.drop("ignored_event")
	}
}

func (b *Bot) onInteractive(ctx context.Context, evt socketmode.Event, start time.Time) {
	ic, ok := evt.Data.(slack.InteractionCallback)
	if !ok {
		b.ack(ctx, evt.Request, nil, start)
		b.drop("malformed")
		return
	}
	// A view submission's answer travels in the ack, so its handler runs
	// here (a store write, milliseconds); everything else is acked first.
	if ic.Type == slack.InteractionTypeViewSubmission {
		for _, h := range b.actions {
			if h.Submission != nil && h.Matches(ic) {
				resp := h.Submission(ctx, ic)
				b.ack(ctx, evt.Request, resp, start)
				return
			}
		}
		b.ack(ctx, evt.Request, nil, start)
		b.drop("unknown_view")
		return
	}
	b.ack(ctx, evt.Request, nil, start)
	b.enqueue(ctx, job{kind: jobInteraction, interaction: &ic})
}
