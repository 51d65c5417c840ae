package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/bot"
	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/leadnudge/leadnudge/store"
	"github.com/leadnudge/leadnudge/store/storetest"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// eventCallback builds a whole event_callback body, as Slack sends it, so a
// test can deliver the same event_id twice.
func eventCallback(eventID, user, channel, text, ts string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": fakeslack.TeamID, "api_app_id": fakeslack.AppID,
		"event_id": eventID, "event_time": 1700000000,
		"event": map[string]any{"type": "message", "user": user, "channel": channel, "channel_type": "channel", "text": text, "ts": ts},
	})
	return b
}

func TestRedeliveredEventIsHandledOnce(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	body := eventCallback("Ev0001", "U1", "C1", "Just do it.", "1700000000.000100")
	for i := 0; i < 3; i++ {
		res, err := h.fs.SendEvent(body)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.fs.WaitForAck(h.ctx(), res.EnvelopeID); err != nil {
			t.Fatal(err)
		}
	}
	h.waitFor("a nudge", func() bool { return len(h.nudgeDMs("U1")) >= 1 })
	h.settle()
	if n := len(h.nudgeDMs("U1")); n != 1 {
		t.Fatalf("got %d nudges for one event delivered 3 times, want 1", n)
	}
	if got := h.counter(h.bots[0], "nudges", "just-do-it", "duplicate"); got != 2 {
		t.Errorf("duplicates counted = %v, want 2", got)
	}
}

func TestUnackedEnvelopeRedeliveryIsHandledOnce(t *testing.T) {
	// The local Slack redelivers an envelope whose ack it did not see in
	// time (here: it drops every connection right after sending). The
	// redelivery carries the same event_id; the person still gets one DM.
	h := newHarness(t, harnessOptions{fake: fakeslack.Options{AckTimeout: 200 * time.Millisecond}})
	for i := 0; i < 5; i++ {
		res, err := h.fs.SendMessage(fakeslack.Message{User: "U2", Channel: "C1", Text: fmt.Sprintf("Do as I say, item %d.", i)})
		if err != nil {
			t.Fatal(err)
		}
		h.fs.DropConnections()
		_ = res
	}
	h.waitFor("reconnected", func() bool { return h.fs.Connections() == 1 })
	h.waitFor("one nudge", func() bool { return len(h.nudgeDMs("U2")) >= 1 })
	h.settle()
	// Five messages of one rule from one person within the cooldown: one nudge.
	if n := len(h.nudgeDMs("U2")); n != 1 {
		t.Fatalf("got %d nudges, want 1", n)
	}
	ns, _ := h.st.ListNudges(h.ctx(), "U2", 0)
	if len(ns) != 5 {
		t.Fatalf("nudge log has %d entries for 5 events, want 5 (each event once): %+v", len(ns), ns)
	}
}

func TestTwoReplicasOnPostgresSendOneDM(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	st, err := store.Open(context.Background(), "postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := newHarness(t, harnessOptions{store: st, noStart: true})
	h.startBot(harnessOptions{})
	h.startBot(harnessOptions{})
	if h.fs.Connections() != 2 {
		t.Fatalf("%d connections, want 2", h.fs.Connections())
	}
	// The same events reach both replicas (round robin over connections).
	for i := 0; i < 6; i++ {
		body := eventCallback(fmt.Sprintf("EvDup%d", i), "U3", "C1", "That's how we've always done it.", fmt.Sprintf("1700000001.00010%d", i))
		for j := 0; j < 2; j++ {
			res, err := h.fs.SendEvent(body)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := h.fs.WaitForAck(h.ctx(), res.EnvelopeID); err != nil {
				t.Fatal(err)
			}
		}
	}
	h.waitFor("a nudge", func() bool { return len(h.nudgeDMs("U3")) >= 1 })
	h.settle()
	if n := len(h.nudgeDMs("U3")); n != 1 {
		t.Fatalf("got %d nudges across two replicas, want 1 (cooldown)", n)
	}
	dups := h.counter(h.bots[0], "nudges", "always-done-it-this-way", "duplicate") + h.counter(h.bots[1], "nudges", "always-done-it-this-way", "duplicate")
	if dups != 6 {
		t.Errorf("duplicates across replicas = %v, want 6", dups)
	}
	handled := 0
	for _, rb := range h.bots {
		handled += int(testutil.ToFloat64(rb.metrics.Matches.WithLabelValues("always-done-it-this-way")))
	}
	if handled != 12 {
		t.Errorf("matches across replicas = %d, want 12 (each replica saw events)", handled)
	}
}

func TestCooldownAndDailyCap(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	// Same rule twice: the second is within the 72 h cooldown.
	h.say("U1", "C1", "Just do it.")
	h.waitFor("first nudge", func() bool { return len(h.nudgeDMs("U1")) == 1 })
	h.say("U1", "C1", "Just do it!")
	h.settle()
	if n := len(h.nudgeDMs("U1")); n != 1 {
		t.Fatalf("cooldown: got %d nudges, want 1", n)
	}
	// Other rules: the second passes, the third hits the cap of 2 a day.
	h.say("U1", "C1", "That's how we've always done it.")
	h.waitFor("second nudge", func() bool { return len(h.nudgeDMs("U1")) == 2 })
	h.say("U1", "C1", "This is not up for discussion.")
	h.settle()
	if n := len(h.nudgeDMs("U1")); n != 2 {
		t.Fatalf("daily cap: got %d nudges, want 2", n)
	}
	if got := h.counter(h.bots[0], "nudges", "just-do-it", "suppressed"); got != 1 {
		t.Errorf("suppressed just-do-it = %v, want 1", got)
	}
}

func TestFeedbackButtons(t *testing.T) {
	h := newHarness(t, harnessOptions{bot: bot.Options{DailyCap: 100, Cooldown: time.Nanosecond}})
	h.say("U1", "C1", "Just do it.")
	h.waitFor("nudge", func() bool { return len(h.nudgeDMs("U1")) == 1 })
	h.waitSent("U1", 1)
	h.click("U1", h.nudgeDMs("U1")[0], bot.ActionHelpful)
	h.waitFor("DM updated", func() bool { return strings.Contains(blocksText(h.nudgeDMs("U1")[0]), "noted as *helpful*") })
	updated := h.nudgeDMs("U1")[0]
	if strings.Contains(string(updated.Blocks), bot.ActionHelpful) {
		t.Errorf("buttons still shown after the click: %s", updated.Blocks)
	}
	ns, _ := h.st.ListNudges(h.ctx(), "U1", 0)
	if len(ns) != 1 || ns[0].Feedback != store.FeedbackHelpful {
		t.Fatalf("feedback not recorded: %+v", ns)
	}
	if got := h.counter(h.bots[0], "feedback", "just-do-it", "helpful"); got != 1 {
		t.Errorf("feedback metric = %v", got)
	}
	// Someone else clicking the same nudge's button changes nothing.
	h.click("U2", updatedWithButtons(t, h, ns[0].ID), bot.ActionNotHelpful)
	h.settle()
	ns, _ = h.st.ListNudges(h.ctx(), "U1", 0)
	if ns[0].Feedback != store.FeedbackHelpful {
		t.Errorf("another user's click changed the feedback to %q", ns[0].Feedback)
	}

	// Snooze a week via the button: the next trigger is not delivered.
	h.say("U1", "C1", "Because I said so.")
	h.waitFor("second nudge", func() bool { return len(h.nudgeDMs("U1")) == 2 })
	h.waitSent("U1", 2)
	h.click("U1", h.nudgeDMs("U1")[1], bot.ActionSnooze)
	h.waitFor("snoozed", func() bool {
		u, err := h.st.GetUser(h.ctx(), "U1")
		return err == nil && u.SnoozedUntil.After(time.Now().Add(6*24*time.Hour))
	})
	h.say("U1", "C1", "That's how we've always done it.")
	h.settle()
	if n := len(h.nudgeDMs("U1")); n != 2 {
		t.Fatalf("snoozed user got %d nudges, want 2", n)
	}
	// "Stop these" opts out.
	if got := h.command("U1", "/nudges", "on"); !strings.Contains(got, "on") {
		t.Fatalf("/nudges on: %q", got)
	}
	h.say("U1", "C1", "Do what you're told.")
	h.waitFor("third nudge", func() bool { return len(h.nudgeDMs("U1")) == 3 })
	h.waitSent("U1", 3)
	h.click("U1", h.nudgeDMs("U1")[2], bot.ActionStop)
	h.waitFor("opted out", func() bool { u, err := h.st.GetUser(h.ctx(), "U1"); return err == nil && u.OptedOut })
	h.say("U1", "C1", "Don't question me.")
	h.settle()
	if n := len(h.nudgeDMs("U1")); n != 3 {
		t.Fatalf("opted-out user got %d nudges, want 3", n)
	}
}

// updatedWithButtons fakes a post of nudge id with buttons (to click as
// another user).
func updatedWithButtons(t *testing.T, h *harness, id int64) fakeslack.Post {
	blocks := fmt.Sprintf(`[{"type":"actions","block_id":"nudge_actions","elements":[{"type":"button","action_id":%q,"value":"%d","text":{"type":"plain_text","text":"x"}}]}]`, bot.ActionNotHelpful, id)
	return fakeslack.Post{Channel: fakeslack.DMChannel("U2"), TS: "1.1", Blocks: json.RawMessage(blocks)}
}

func TestNudgesCommand(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	if got := h.command("U1", "/nudges", "help"); !strings.Contains(got, "/nudges snooze 7d") {
		t.Errorf("help: %q", got)
	}
	if got := h.command("U1", "/nudges", ""); !strings.Contains(got, "/nudges off") {
		t.Errorf("no argument shows help: %q", got)
	}
	if got := h.command("U1", "/nudges", "status"); !strings.Contains(got, "Nudges are *on*") {
		t.Errorf("status: %q", got)
	}
	if got := h.command("U1", "/nudges", "snooze 3d"); !strings.Contains(got, "Snoozed") {
		t.Errorf("snooze: %q", got)
	}
	u, _ := h.st.GetUser(h.ctx(), "U1")
	if d := time.Until(u.SnoozedUntil); d < 71*time.Hour || d > 73*time.Hour {
		t.Errorf("snoozed for %v, want 3 days", d)
	}
	if got := h.command("U1", "/nudges", "snooze forever"); !strings.Contains(got, "couldn't read") {
		t.Errorf("bad snooze: %q", got)
	}
	if got := h.command("U1", "/nudges", "status"); !strings.Contains(got, "snoozed") {
		t.Errorf("status while snoozed: %q", got)
	}
	h.say("U1", "C1", "Just do it.")
	if got := h.command("U1", "/nudges", "off"); !strings.Contains(got, "*off*") {
		t.Errorf("off: %q", got)
	}
	if got := h.command("U1", "/nudges", "on"); !strings.Contains(got, "*on*") {
		t.Errorf("on: %q", got)
	}
	if got := h.command("U1", "/nudges", "dance <@U2>"); !strings.Contains(got, "didn't understand") || strings.Contains(got, "<@U2>") {
		t.Errorf("unknown verb must be answered, escaped: %q", got)
	}
	h.settle()
	if n := len(h.nudgeDMs("U1")); n != 0 {
		t.Errorf("a message sent while snoozed was nudged later: %d", n)
	}
}

func TestEditsNudgeOnlyForWhatTheyAdd(t *testing.T) {
	h := newHarness(t, harnessOptions{bot: bot.Options{DailyCap: 100}})
	edit := func(id, before, after string) {
		body, _ := json.Marshal(map[string]any{
			"type": "event_callback", "event_id": id, "team_id": fakeslack.TeamID,
			"event": map[string]any{
				"type": "message", "subtype": "message_changed", "hidden": true, "channel": "C1", "channel_type": "channel", "ts": "1700000002.000200",
				"message":          map[string]any{"type": "message", "user": "U1", "text": after, "ts": "1700000002.000100", "edited": map[string]any{"user": "U1", "ts": "1700000002.000200"}},
				"previous_message": map[string]any{"type": "message", "user": "U1", "text": before, "ts": "1700000002.000100"},
			},
		})
		res, err := h.fs.SendEvent(body)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.fs.WaitForAck(h.ctx(), res.EnvelopeID); err != nil {
			t.Fatal(err)
		}
	}
	edit("EvE1", "Just do it.", "Just do it, please.") // same rule as before: nothing new
	h.settle()
	if n := len(h.nudgeDMs("U1")); n != 0 {
		t.Fatalf("an edit that added nothing was nudged")
	}
	edit("EvE2", "Please review.", "Please review. Because I said so.") // adds a match
	h.waitFor("edit nudge", func() bool { return len(h.nudgeDMs("U1")) == 1 })
	ns, _ := h.st.ListNudges(h.ctx(), "U1", 0)
	if len(ns) != 1 || ns[0].MessageTS != "1700000002.000100" {
		t.Errorf("edit nudge should point at the edited message: %+v", ns)
	}
}

func TestRateLimitedThenDelivered(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	if err := h.fs.InjectFault(fakeslack.Fault{Method: "chat.postMessage", Status: 429, RetryAfter: 1, Count: 2}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	h.say("U1", "C1", "Just do it.")
	h.waitFor("nudge after 429s", func() bool { return len(h.nudgeDMs("U1")) == 1 })
	if d := time.Since(start); d < time.Second {
		t.Errorf("delivered after %v: Retry-After was not honoured", d)
	}
	if got := testutil.ToFloat64(h.bots[0].metrics.SlackRateLimits.WithLabelValues("chat.postMessage")); got != 2 {
		t.Errorf("429s counted = %v, want 2", got)
	}
	// A nudge that cannot be delivered at all is marked failed and counted.
	if err := h.fs.InjectFault(fakeslack.Fault{Method: "chat.postMessage", Error: "channel_not_found", Count: 1}); err != nil {
		t.Fatal(err)
	}
	h.say("U2", "C1", "Because I said so.")
	h.waitFor("failed nudge", func() bool {
		ns, _ := h.st.ListNudges(h.ctx(), "U2", 0)
		return len(ns) == 1 && ns[0].State == store.NudgeFailed
	})
	// (The counter moves just after the store records the failure.)
	h.waitFor("the failure counted", func() bool { return h.counter(h.bots[0], "nudges", "because-i-said-so", "failed") == 1 })
}

func TestDisconnectReconnectLosesNothing(t *testing.T) {
	h := newHarness(t, harnessOptions{bot: bot.Options{DailyCap: 100}})
	users := []string{"U1", "U2", "U3"}
	for i := 0; i < 30; i++ {
		if i%10 == 5 {
			h.fs.Disconnect("refresh_requested")
		}
		if i%10 == 8 {
			h.fs.DropConnections()
		}
		if _, err := h.fs.SendMessage(fakeslack.Message{User: users[i%3], Channel: "C1", Text: fmt.Sprintf("note %d: because I said so", i)}); err != nil {
			t.Fatal(err)
		}
	}
	h.waitFor("all acked", func() bool {
		acked := map[string]bool{}
		for _, e := range h.fs.Envelopes() {
			if e.Acked {
				acked[e.EventID] = true
			}
		}
		return len(acked) == 30
	})
	h.waitFor("nudges", func() bool { return len(h.nudgeDMs("U1"))+len(h.nudgeDMs("U2"))+len(h.nudgeDMs("U3")) == 3 })
	h.settle()
	total := 0
	for _, u := range users {
		ns, _ := h.st.ListNudges(h.ctx(), u, 0)
		total += len(ns)
	}
	if total != 30 {
		t.Errorf("nudge log has %d decisions for 30 events, want 30", total)
	}
}

func TestMalformedEnvelopesAreAckedAndCounted(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rb := h.bots[0]
	frames := []string{
		`{"envelope_id":"bad-1","type":"events_api","accepts_response_payload":false,"payload":{"type":"event_callback","event_id":"EvBad1","event":{"type":"totally_unknown_event"}}}`,
		`{"envelope_id":"bad-2","type":"events_api","payload":"not an object"}`,
		`{"envelope_id":"bad-3","type":"mystery_type","payload":{}}`,
	}
	for _, f := range frames {
		if err := h.fs.SendRaw([]byte(f)); err != nil {
			t.Fatal(err)
		}
	}
	// The loop is alive: a normal message is still nudged.
	h.say("U1", "C1", "Just do it.")
	h.waitFor("nudge", func() bool { return len(h.nudgeDMs("U1")) == 1 })
	h.waitFor("malformed counted", func() bool {
		return testutil.ToFloat64(rb.metrics.Dropped.WithLabelValues("malformed")) >= 2
	})
	if !rb.bot.Connected() {
		t.Error("bot lost its connection")
	}
}

func TestAppHomePublished(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.say("U1", "C1", "Just do it.")
	h.waitFor("nudge", func() bool { return len(h.nudgeDMs("U1")) == 1 })
	h.waitSent("U1", 1)
	body, _ := json.Marshal(map[string]any{"type": "app_home_opened", "user": "U1", "channel": fakeslack.DMChannel("U1"), "tab": "home", "event_ts": "1700000003.000100"})
	res, err := h.fs.SendEvent(body)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.fs.WaitForAck(h.ctx(), res.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	var view fakeslack.View
	h.waitFor("home view", func() bool {
		v, ok := h.fs.HomeView("U1")
		view = v
		return ok && strings.Contains(string(v.JSON), "Your last 8 weeks")
	})
	js := string(view.JSON)
	for _, want := range []string{"Nudges are *on*", bot.ActionHomeSnooze, bot.ActionHomeOff, "Command and control", "Private to you"} {
		if !strings.Contains(js, want) {
			t.Errorf("home view lacks %q: %s", want, js)
		}
	}
	// The toggle works and the view is refreshed.
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "U1"}, "container": map[string]any{"type": "view", "view_id": view.ID},
		"view":    map[string]any{"id": view.ID, "type": "home"},
		"actions": []any{map[string]any{"action_id": bot.ActionHomeOff, "block_id": "home_nudges", "value": bot.ActionHomeOff, "type": "button"}},
	})
	if _, err := h.fs.SendInteraction(payload); err != nil {
		t.Fatal(err)
	}
	h.waitFor("home refreshed", func() bool {
		v, _ := h.fs.HomeView("U1")
		return strings.Contains(string(v.JSON), "Nudges are *off*")
	})
	if u, _ := h.st.GetUser(h.ctx(), "U1"); !u.OptedOut {
		t.Error("home toggle did not opt out")
	}
}

func TestEphemeralDelivery(t *testing.T) {
	h := newHarness(t, harnessOptions{bot: bot.Options{Delivery: bot.DeliveryEphemeral}})
	h.say("U1", "C1", "Just do it.")
	h.waitFor("ephemeral", func() bool { return len(h.fs.Ephemerals("U1")) == 1 })
	h.settle()
	if d := h.fs.DMs("U1"); len(d) != 0 {
		t.Errorf("ephemeral mode sent DMs: %+v", d)
	}
	e := h.fs.Ephemerals("U1")[0]
	if e.Channel != "C1" || !strings.Contains(string(e.Blocks), bot.ActionHelpful) {
		t.Errorf("ephemeral = %+v", e)
	}
}

func TestEscapesEchoedWords(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	// rich_text carries raw characters; the matched words are echoed back.
	body, _ := json.Marshal(map[string]any{
		"type": "event_callback", "event_id": "EvEsc", "team_id": fakeslack.TeamID,
		"event": map[string]any{"type": "message", "user": "U1", "channel": "C1", "channel_type": "channel", "ts": "1700000004.000100", "text": "x",
			"blocks": []any{map[string]any{"type": "rich_text", "elements": []any{map[string]any{"type": "rich_text_section", "elements": []any{
				map[string]any{"type": "text", "text": "Just do it <!channel> & <http://evil|click>"}}}}}}},
	})
	if _, err := h.fs.SendEvent(body); err != nil {
		t.Fatal(err)
	}
	h.waitFor("nudge", func() bool { return len(h.nudgeDMs("U1")) == 1 })
	txt := blocksText(h.nudgeDMs("U1")[0])
	if strings.Contains(txt, "<!channel>") || strings.Contains(txt, "<http://evil") {
		t.Errorf("unescaped user text in the nudge: %s", txt)
	}
}

func TestNoMessageTextInLogsOrDatabase(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	secret := []string{"Quarterly zebra plan: just do it", "Because I said so, Bob", "nothing to see, mango"}
	for _, s := range secret {
		h.say("U1", "C1", s)
	}
	h.waitFor("nudges", func() bool { return len(h.nudgeDMs("U1")) == 2 })
	h.settle()
	h.assertNoText("zebra", "Bob", "mango", "Quarterly")
	if len(h.logs.All()) == 0 {
		t.Fatal("no logs were captured; the check would be vacuous")
	}
	for _, e := range h.logs.All() {
		for k, v := range e.ContextMap() {
			if s, ok := v.(string); ok && (strings.HasPrefix(s, "xoxb-") || strings.HasPrefix(s, "xapp-")) {
				t.Errorf("token in log field %s", k)
			}
		}
	}
}

func TestPendingNudgeOfACrashedBotIsDelivered(t *testing.T) {
	// A bot recorded a nudge (the durable step before the ack) and died
	// before delivering it. The next bot delivers it once its lease ends.
	h := newHarness(t, harnessOptions{noStart: true})
	n, created, err := h.st.RecordPendingNudge(h.ctx(), store.NewNudge{
		EventID: "EvCrash", UserID: "U2", RuleID: "because-i-said-so", Category: "positional-authority",
		ChannelID: "C1", MessageTS: "1700000005.000100",
	}, time.Millisecond)
	if err != nil || !created {
		t.Fatalf("record: %v %v", created, err)
	}
	time.Sleep(5 * time.Millisecond)
	h.startBot(harnessOptions{})
	h.waitFor("recovered nudge", func() bool { return len(h.nudgeDMs("U2")) == 1 })
	h.waitFor("nudge marked sent", func() bool {
		got, err := h.st.GetNudge(h.ctx(), n.ID)
		return err == nil && got.State == store.NudgeSent
	})
	// the permalink is built from auth.test's workspace URL, with no call
	if txt := blocksText(h.nudgeDMs("U2")[0]); !strings.Contains(txt, "A message of yours in <https://") ||
		!strings.Contains(txt, ".slack.com/archives/C1/p1700000005000100|your message> in <#C1>") || len(h.fs.Calls("chat.getPermalink")) != 0 {
		t.Errorf("a recovered nudge (no words kept) should say so: %s", blocksText(h.nudgeDMs("U2")[0]))
	}
	// The same event redelivered by Slack afterwards is not nudged again.
	res, err := h.fs.SendEvent(eventCallback("EvCrash", "U2", "C1", "Because I said so.", "1700000005.000100"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.fs.WaitForAck(h.ctx(), res.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	h.settle()
	if n := len(h.nudgeDMs("U2")); n != 1 {
		t.Errorf("got %d nudges, want 1", n)
	}
}

func TestChannelOptOut(t *testing.T) {
	h := newHarness(t, harnessOptions{bot: bot.Options{DailyCap: 100, Cooldown: time.Nanosecond}})
	if got := h.command("U2", "/nudges", "channel off"); !strings.Contains(got, "*off* in <#C1>") {
		t.Fatalf("channel off: %q", got)
	}
	h.say("U1", "C1", "Just do it.")
	h.say("U1", "C2", "Because I said so.")
	h.waitFor("nudge from the other channel", func() bool { return len(h.nudgeDMs("U1")) == 1 })
	h.settle()
	if n := len(h.nudgeDMs("U1")); n != 1 {
		t.Fatalf("got %d nudges, want only the one from C2", n)
	}
	if got := h.counter(h.bots[0], "dropped", "channel_off"); got != 1 {
		t.Errorf("channel_off drops = %v, want 1", got)
	}
	if got := h.command("U2", "/nudges", "channel on"); !strings.Contains(got, "*on* again") {
		t.Fatalf("channel on: %q", got)
	}
	h.say("U1", "C1", "Do as I say.")
	h.waitFor("nudge after channel on", func() bool { return len(h.nudgeDMs("U1")) == 2 })
	if got := h.command("U2", "/nudges", "channel maybe"); !strings.Contains(got, "/nudges channel off") {
		t.Errorf("bad channel verb: %q", got)
	}
}

func TestChannelAllowDenyByIDAndName(t *testing.T) {
	h := newHarness(t, harnessOptions{noStart: true})
	for id, name := range map[string]string{"C1": "general", "C2": "leads", "C3": "random", "C4": "secret-project"} {
		if err := h.fs.NameChannel(id, name); err != nil {
			t.Fatal(err)
		}
	}
	h.startBot(harnessOptions{bot: bot.Options{
		DailyCap: 100, Cooldown: time.Nanosecond,
		AllowChannels: []string{"#general", "leads", "C4"},
		DenyChannels:  []string{"#secret-project"},
	}})
	for i, ch := range []string{"C1", "C2", "C3", "C4"} {
		h.say(fmt.Sprintf("UA%d", i), ch, "Just do it.")
	}
	h.waitFor("nudges in allowed channels", func() bool { return len(h.nudgeDMs("UA0"))+len(h.nudgeDMs("UA1")) == 2 })
	h.settle()
	if n := len(h.nudgeDMs("UA2")); n != 0 {
		t.Errorf("#random is not in the allow list but got %d nudges", n)
	}
	if n := len(h.nudgeDMs("UA3")); n != 0 {
		t.Errorf("#secret-project is denied (by name) but got %d nudges", n)
	}
	if got := h.counter(h.bots[0], "dropped", "channel_excluded"); got != 2 {
		t.Errorf("channel_excluded = %v, want 2", got)
	}
}

func TestAbusiveInputIsAnsweredNotCrashed(t *testing.T) {
	h := newHarness(t, harnessOptions{bot: bot.Options{DailyCap: 100, Cooldown: time.Nanosecond}})
	long := strings.Repeat("all good here, shipping on time. ", 40000/33) + "Just do it."
	nested := map[string]any{"type": "rich_text_section", "elements": []any{map[string]any{"type": "text", "text": "because I said so"}}}
	for i := 0; i < 100; i++ {
		nested = map[string]any{"type": "rich_text_list", "elements": []any{nested}}
	}
	bodies := []map[string]any{
		{"type": "message", "user": "UL", "channel": "C1", "channel_type": "channel", "ts": "1700000006.000100", "text": long},
		{"type": "message", "user": "UU", "channel": "C1", "channel_type": "channel", "ts": "1700000006.000200", "text": "bad \xff\xfe bytes, then: because I said so"},
		{"type": "message", "user": "UN", "channel": "C1", "channel_type": "channel", "ts": "1700000006.000300", "text": "x",
			"blocks": []any{map[string]any{"type": "rich_text", "elements": []any{nested}}}},
		{"type": "message", "user": "UX", "channel": "C1", "channel_type": "channel", "ts": "1700000006.000400", "text": strings.Repeat("<@U1>:tada:`x`", 3000)},
	}
	for _, body := range bodies {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		res, err := h.fs.SendEvent(raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.fs.WaitForAck(h.ctx(), res.EnvelopeID); err != nil {
			t.Fatalf("not acked: %v", err)
		}
	}
	h.waitFor("the long message's nudge", func() bool { return len(h.nudgeDMs("UL")) == 1 })
	h.waitFor("the invalid UTF-8 message's nudge", func() bool { return len(h.nudgeDMs("UU")) == 1 })
	h.settle()
	if n := len(h.nudgeDMs("UN")); n != 0 {
		t.Errorf("content nested 100 levels deep should be ignored, got %d nudges", n)
	}
	if !h.bots[0].bot.Connected() {
		t.Error("the bot lost its connection")
	}
	// The loop is still alive.
	h.say("U1", "C1", "Just do it.")
	h.waitFor("a nudge afterwards", func() bool { return len(h.nudgeDMs("U1")) == 1 })
}

// A delivery that outlives its lease (long Retry-After waits) keeps the
// lease, so no other worker takes the nudge over and sends it twice; and a
// nudge whose retries run out under 429s stays pending and is delivered
// later instead of being lost.
func TestRateLimitStormNeitherDuplicatesNorLoses(t *testing.T) {
	h := newHarness(t, harnessOptions{bot: bot.Options{Lease: 300 * time.Millisecond, MaxRetries: 1, DailyCap: 100, Cooldown: time.Nanosecond}})
	// Delivery 1 waits 2 × 1 s of Retry-After: far beyond the 300 ms lease.
	if err := h.fs.InjectFault(fakeslack.Fault{Method: "chat.postMessage", Status: 429, RetryAfter: 1, Count: 1}); err != nil {
		t.Fatal(err)
	}
	h.say("U1", "C1", "Just do it.")
	h.waitFor("the nudge", func() bool { return len(h.nudgeDMs("U1")) == 1 })
	h.waitSent("U1", 1)
	time.Sleep(time.Second) // room for a wrongful second delivery
	if n := len(h.nudgeDMs("U1")); n != 1 {
		t.Fatalf("%d nudges for one message, want 1", n)
	}
	// Delivery 2: more 429s than retries. It stays pending, is retried
	// after its lease, and arrives once.
	if err := h.fs.InjectFault(fakeslack.Fault{Method: "chat.postMessage", Status: 429, RetryAfter: 1, Count: 3}); err != nil {
		t.Fatal(err)
	}
	h.say("U2", "C1", "Because I said so.")
	h.waitFor("the retried nudge", func() bool { return len(h.nudgeDMs("U2")) == 1 })
	h.waitSent("U2", 1)
	time.Sleep(time.Second)
	if n := len(h.nudgeDMs("U2")); n != 1 {
		t.Fatalf("%d nudges, want 1", n)
	}
	if got := h.counter(h.bots[0], "nudges", "because-i-said-so", "retry"); got < 1 {
		t.Errorf("retries counted = %v, want at least 1", got)
	}
	if got := h.counter(h.bots[0], "nudges", "because-i-said-so", "failed"); got != 0 {
		t.Errorf("a transient failure was marked failed")
	}
}

// flakyStore fails the first RecordPendingNudge calls, as a database that
// is briefly unreachable would.
type flakyStore struct {
	bot.Store
	failures atomic.Int32
}

func (f *flakyStore) RecordPendingNudge(ctx context.Context, n store.NewNudge, lease time.Duration) (store.Nudge, bool, error) {
	if f.failures.Add(-1) >= 0 {
		return store.Nudge{}, false, errors.New("store unavailable (injected)")
	}
	return f.Store.RecordPendingNudge(ctx, n, lease)
}

// When the store cannot record the decision, the envelope is left unacked:
// the local Slack redelivers it (same event_id) and the nudge is not lost.
func TestStoreOutageBeforeTheAckLosesNothing(t *testing.T) {
	var fs *flakyStore
	h := newHarness(t, harnessOptions{
		fake: fakeslack.Options{AckTimeout: 200 * time.Millisecond},
		deps: func(d *bot.Deps) {
			fs = &flakyStore{Store: d.Store}
			fs.failures.Store(2)
			d.Store = fs
		},
	})
	res, err := h.fs.SendMessage(fakeslack.Message{User: "U1", Channel: "C1", Text: "Just do it."})
	if err != nil {
		t.Fatal(err)
	}
	h.waitFor("the nudge after redeliveries", func() bool { return len(h.nudgeDMs("U1")) == 1 })
	h.settle()
	if n := len(h.nudgeDMs("U1")); n != 1 {
		t.Fatalf("%d nudges, want 1", n)
	}
	attempts := 0
	for _, e := range h.fs.Envelopes() {
		if e.EventID == res.EventID {
			attempts++
		}
	}
	if attempts != 3 {
		t.Errorf("the event was delivered %d times, want 3 (two unacked, then acked)", attempts)
	}
	if got := h.counter(h.bots[0], "dropped", "store_error"); got != 2 {
		t.Errorf("store_error = %v, want 2", got)
	}
}

// On shutdown the bot stops taking work but lets a delivery in flight
// finish (within ShutdownTimeout): the nudge is sent and marked sent.
func TestShutdownFinishesInFlightDelivery(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	if err := h.fs.InjectFault(fakeslack.Fault{Method: "chat.postMessage", DelayMS: 800, Count: 2}); err != nil {
		t.Fatal(err)
	}
	h.say("U1", "C1", "Just do it.")
	h.waitFor("delivery in flight", func() bool {
		ns, err := h.st.ListNudges(context.Background(), "U1", 0)
		return err == nil && len(ns) == 1 && !ns[0].AllowedAt.IsZero()
	})
	time.Sleep(100 * time.Millisecond) // the post is on its way (held 800 ms)
	start := time.Now()
	h.bots[0].stop(t)
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	if n := len(h.nudgeDMs("U1")); n != 1 {
		t.Fatalf("the in-flight nudge was not delivered before shutdown (%d DMs)", n)
	}
	ns, err := h.st.ListNudges(context.Background(), "U1", 0)
	if err != nil || len(ns) != 1 || ns[0].State != store.NudgeSent {
		t.Fatalf("nudge after shutdown = %+v, %v", ns, err)
	}
}

// openHome sends app_home_opened for user and returns the published view
// once it holds want.
func openHome(t *testing.T, h *harness, user, want string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"type": "app_home_opened", "user": user, "channel": fakeslack.DMChannel(user), "tab": "home", "event_ts": "1700000003.000100"})
	res, err := h.fs.SendEvent(body)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.fs.WaitForAck(h.ctx(), res.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	var js string
	h.waitFor(user+"'s home view", func() bool {
		v, ok := h.fs.HomeView(user)
		js = string(v.JSON)
		return ok && strings.Contains(js, want)
	})
	return js
}

// TestAppHomeTeamOverview: an admin's App Home shows the anonymous team
// figures, held to report.min_people; anyone else's does not, and both
// say what admins can see.
func TestAppHomeTeamOverview(t *testing.T) {
	h := newHarness(t, harnessOptions{bot: bot.Options{Admins: []string{"U1"}, MinPeople: 3}})
	for _, u := range []string{"U4", "U5", "U6"} {
		if err := h.fs.AddUser(fakeslack.User{ID: u, Name: strings.ToLower(u), TZ: "UTC"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []string{"U1", "U2", "U3"} {
		h.say(u, "C1", "Just do it.")
		h.waitSent(u, 1)
	}
	// two rules with one and two people: held back, and together three,
	// so the week's total minus just-do-it's gives nobody away
	h.say("U4", "C1", "Because I said so.")
	h.waitSent("U4", 1)
	for _, u := range []string{"U5", "U6"} {
		h.say(u, "C1", "That's how we've always done it.")
		h.waitSent(u, 1)
	}

	js := openHome(t, h, "U1", "Team overview")
	for _, want := range []string{"`just-do-it`: 3 sent to 3 people", "2 more rules with figures held back", "6 sent", "across at least 3 people", "leadnudge report"} {
		if !strings.Contains(js, want) {
			t.Errorf("admin's home lacks %q:\n%s", want, js)
		}
	}
	if strings.Contains(js, "because-i-said-so") || strings.Contains(js, "always-done") {
		t.Errorf("a rule fewer than 3 people got is named in the overview:\n%s", js)
	}
	// the words people read (not view ids and hashes) name nobody
	words := strings.Join(viewTexts(t, js), "\n")
	for _, who := range []string{"U2", "U3", "U4", "Ben", "Cai"} {
		if strings.Contains(words, who) {
			t.Errorf("the admin's home names %s:\n%s", who, words)
		}
	}
	other := openHome(t, h, "U2", "Private to you")
	if strings.Contains(other, "Team overview") {
		t.Error("a person who is not an admin sees the team overview")
	}
	if !strings.Contains(other, "Admins see only anonymous totals across at least 3 people") {
		t.Errorf("the home's privacy note does not say what admins see:\n%s", other)
	}
	if dm := h.fs.DMs("U2"); len(dm) == 0 || !strings.Contains(string(dm[0].Blocks), "Admins see only anonymous totals") {
		t.Errorf("the introduction does not say what admins see: %+v", dm)
	}
}

// TestMetricsNameNobody: after nudges, feedback and an App Home, no metric
// carries a label that could name a person or a channel: the team figures
// exist only in the k-anonymous report.
func TestMetricsNameNobody(t *testing.T) {
	h := newHarness(t, harnessOptions{noStart: true})
	rb := h.startBot(harnessOptions{bot: bot.Options{Admins: []string{"U1"}}})
	h.say("U1", "C1", "Just do it.")
	h.waitSent("U1", 1)
	openHome(t, h, "U1", "Team overview")
	mfs, err := rb.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) == 0 {
		t.Fatal("no metrics gathered")
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				name, v := strings.ToLower(l.GetName()), l.GetValue()
				if strings.Contains(name, "user") || strings.Contains(name, "channel") || strings.Contains(name, "person") ||
					v == "U1" || v == "C1" || strings.HasPrefix(v, "D") && len(v) > 8 {
					t.Errorf("metric %s has label %s=%q", mf.GetName(), l.GetName(), v)
				}
			}
		}
	}
}

// viewTexts returns every "text" string of a view's blocks.
func viewTexts(t *testing.T, viewJSON string) []string {
	t.Helper()
	var v struct {
		Blocks []any `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(viewJSON), &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(x any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, v := range x {
				if s, ok := v.(string); ok && k == "text" {
					out = append(out, s)
				}
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	walk(v.Blocks)
	if len(out) == 0 {
		t.Fatalf("no text in view %s", viewJSON)
	}
	return out
}

// introCount counts the introductions a person received.
func introCount(h *harness, user string) int {
	n := 0
	for _, p := range h.fs.DMs(user) {
		n += strings.Count(string(p.Blocks), "Nobody else sees these")
	}
	return n
}

// TestIntroductionOnceThroughA429Storm: the first nudge is refused with
// 429s, given up for now, retried after its lease, refused again, and
// finally delivered: the person gets one message, the nudge with its
// introduction, once.
func TestIntroductionOnceThroughA429Storm(t *testing.T) {
	h := newHarness(t, harnessOptions{bot: bot.Options{Lease: 300 * time.Millisecond, MaxRetries: 1}})
	if err := h.fs.InjectFault(fakeslack.Fault{Method: "chat.postMessage", Status: 429, RetryAfter: 1, Count: 4}); err != nil {
		t.Fatal(err)
	}
	h.say("U1", "C1", "Just do it.")
	h.waitSent("U1", 1)
	time.Sleep(700 * time.Millisecond) // room for a wrongful second delivery
	if dms := h.fs.DMs("U1"); len(dms) != 1 || introCount(h, "U1") != 1 || len(h.nudgeDMs("U1")) != 1 {
		t.Fatalf("after the storm: %d DMs, %d introductions, %d nudges; want 1, 1, 1", len(dms), introCount(h, "U1"), len(h.nudgeDMs("U1")))
	}
	if got := h.counter(h.bots[0], "nudges", "just-do-it", "retry"); got < 1 {
		t.Errorf("retries = %v: the storm did not hit the first nudge", got)
	}
}

// TestIntroductionOnceThroughACrash: the bot dies while its first nudge
// to a person waits out a Retry-After; the next bot delivers the nudge,
// introduction included, once.
func TestIntroductionOnceThroughACrash(t *testing.T) {
	h := newHarness(t, harnessOptions{noStart: true})
	a := h.startBot(harnessOptions{bot: bot.Options{Lease: 300 * time.Millisecond, ShutdownTimeout: time.Millisecond}})
	if err := h.fs.InjectFault(fakeslack.Fault{Method: "chat.postMessage", Status: 429, RetryAfter: 3, Count: 1}); err != nil {
		t.Fatal(err)
	}
	h.say("U1", "C1", "Just do it.")
	h.waitFor("the first nudge in flight", func() bool {
		ns, err := h.st.ListNudges(h.ctx(), "U1", 0)
		return err == nil && len(ns) == 1 && ns[0].WithIntro && ns[0].State == store.NudgePending
	})
	time.Sleep(100 * time.Millisecond) // the post is refused; the bot waits out Retry-After
	a.stop(t)                          // a shutdown that cannot wait: the delivery is cut off
	if n := len(h.fs.DMs("U1")); n != 0 {
		t.Fatalf("%d DMs before the restart, want 0", n)
	}
	h.startBot(harnessOptions{bot: bot.Options{Lease: 300 * time.Millisecond}})
	h.waitSent("U1", 1)
	time.Sleep(700 * time.Millisecond)
	if dms := h.fs.DMs("U1"); len(dms) != 1 || introCount(h, "U1") != 1 || len(h.nudgeDMs("U1")) != 1 {
		t.Fatalf("after the restart: %d DMs, %d introductions, %d nudges; want 1, 1, 1", len(dms), introCount(h, "U1"), len(h.nudgeDMs("U1")))
	}
}

// TestRecoveryAfterAKillOnDefaults: a process recorded three nudges (the
// durable step before the ack, with the default lease) and was killed
// before delivering them. A new process with the default configuration,
// started a second later, delivers all three within 15 s of its start: the
// lease runs out at most 10 s after the kill, and recovery looks at
// start-up and then every third of a lease.
func TestRecoveryAfterAKillOnDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: waits out a default lease (about 10 s)")
	}
	h := newHarness(t, harnessOptions{noStart: true})
	users := []string{"U1", "U2", "U3"}
	for i, u := range users {
		if _, _, err := h.st.RecordPendingNudge(h.ctx(), store.NewNudge{
			EventID: fmt.Sprint("EvKill", i), UserID: u, RuleID: "just-do-it", Category: "command-and-control",
			ChannelID: "C1", MessageTS: fmt.Sprintf("1700000010.%06d", i),
		}, bot.DefaultLease); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(time.Second) // the kill, and a supervisor's restart
	start := time.Now()
	h.startBot(harnessOptions{}) // every option at its default
	for sent := 0; sent < len(users); {
		if time.Since(start) > 20*time.Second {
			t.Fatalf("%d of %d nudges delivered 20 s after the restart", sent, len(users))
		}
		time.Sleep(20 * time.Millisecond)
		sent = 0
		for _, u := range users {
			if ns, err := h.st.ListNudges(h.ctx(), u, 0); err == nil && len(ns) == 1 && ns[0].State == store.NudgeSent {
				sent++
			}
		}
	}
	took := time.Since(start)
	t.Logf("all recorded nudges delivered %.1f s after the restart", took.Seconds())
	if took > 15*time.Second {
		t.Errorf("delivered %.1f s after the restart, want within 15 s", took.Seconds())
	}
	for _, u := range users {
		if n := len(h.nudgeDMs(u)); n != 1 {
			t.Errorf("%s got %d nudges, want 1", u, n)
		}
	}
}

// TestEveryPayloadPassesBlockKit: a nudge of every built-in rule (the
// longest tips among them, each the first of its day, so with the
// introduction on top), feedback on them, and the fullest App Home an
// admin can get: the local Slack checks each payload against Block Kit's
// limits, and refuses none.
func TestEveryPayloadPassesBlockKit(t *testing.T) {
	h := newHarness(t, harnessOptions{bot: bot.Options{Admins: []string{"U1"}, MinPeople: 3, DailyCap: 1000, Cooldown: time.Nanosecond, PostsPerSecond: -1}})
	rs := builtinMatcher(t).RuleSet()
	for i, r := range rs.Rules {
		user := []string{"U1", "U2", "U3"}[i%3]
		h.say(user, "C1", r.Examples.Match[0].Text)
	}
	h.waitFor("a nudge of every rule", func() bool {
		n := 0
		for _, u := range []string{"U1", "U2", "U3"} {
			n += len(h.nudgeDMs(u))
		}
		return n == len(rs.Rules)
	})
	for _, u := range []string{"U1", "U2", "U3"} {
		h.waitSent(u, len(h.nudgeDMs(u)))
	}
	for i, p := range h.nudgeDMs("U1") {
		h.click("U1", p, []string{bot.ActionHelpful, bot.ActionNotHelpful}[i%2])
	}
	js := openHome(t, h, "U1", "Team overview")
	if !strings.Contains(js, "Your last 8 weeks") {
		t.Errorf("the home lacks the person's own section")
	}
	for _, c := range h.fs.Calls("") {
		switch c.Error {
		case "invalid_blocks", "invalid_arguments", "msg_too_long":
			t.Errorf("%s refused: %s", c.Method, c.Error)
		}
	}
	if calls := len(h.fs.Calls("chat.postMessage")); calls < len(rs.Rules) {
		t.Errorf("%d posts for %d nudges", calls, len(rs.Rules))
	}
}

// TestTransientFailureRetriedSoon: with the default lease (10 s), a nudge
// whose delivery gave up for now on 429s is handed back as soon as
// Retry-After allows (its lease shortened to that), not a whole lease
// later.
func TestTransientFailureRetriedSoon(t *testing.T) {
	h := newHarness(t, harnessOptions{bot: bot.Options{MaxRetries: 1}})
	if err := h.fs.InjectFault(fakeslack.Fault{Method: "chat.postMessage", Status: 429, RetryAfter: 1, Count: 2}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	h.say("U1", "C1", "Just do it.")
	h.waitSent("U1", 1)
	took := time.Since(start)
	t.Logf("delivered %.1f s after the message, through two 429s", took.Seconds())
	if took > 7*time.Second {
		t.Errorf("delivered %.1f s after the message: the retry waited for the 10 s lease", took.Seconds())
	}
	if got := h.counter(h.bots[0], "nudges", "just-do-it", "retry"); got != 1 {
		t.Errorf("retries = %v, want 1", got)
	}
}

// TestOneCallPerNudge: 300 people new to the bot, one triggering message
// each. Each nudge costs one chat.postMessage (posted to the user id, the
// introduction in the same message, the permalink built from auth.test's
// workspace URL); everything else the bot called, start-up included, is
// under 0.05 calls a nudge.
func TestOneCallPerNudge(t *testing.T) {
	const people = 300
	h := newHarness(t, harnessOptions{bot: bot.Options{PostsPerSecond: -1}}) // no pacing: this counts calls
	for i := range people {
		if err := h.fs.AddUser(fakeslack.User{ID: fmt.Sprintf("UNEW%04d", i), Name: fmt.Sprint("new", i), TZ: "UTC"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range people {
		h.say(fmt.Sprintf("UNEW%04d", i), "C1", "Just do it.")
	}
	h.waitFor("every nudge sent", func() bool {
		for i := people - 1; i >= 0; i-- {
			ns, err := h.st.ListNudges(h.ctx(), fmt.Sprintf("UNEW%04d", i), 0)
			if err != nil || len(ns) != 1 || ns[0].State != store.NudgeSent {
				return false
			}
		}
		return true
	})
	byMethod := map[string]int{}
	total := 0
	for _, c := range h.fs.Calls("") {
		if c.Method == "response_url" {
			continue
		}
		byMethod[c.Method]++
		total++
	}
	t.Logf("calls for %d nudges: %v", people, byMethod)
	if per := float64(total) / people; per > 1.05 {
		t.Errorf("%.3f calls a nudge, want at most 1.05: %v", per, byMethod)
	}
	if byMethod["chat.postMessage"] != people {
		t.Errorf("%d chat.postMessage for %d nudges", byMethod["chat.postMessage"], people)
	}
	for m, n := range byMethod {
		if m != "chat.postMessage" && float64(n)/people > 0.05 {
			t.Errorf("%s: %.3f calls a nudge, want at most 0.05", m, float64(n)/people)
		}
	}
	for i := range people {
		u := fmt.Sprintf("UNEW%04d", i)
		if dms := h.fs.DMs(u); len(dms) != 1 || !strings.Contains(string(dms[0].Blocks), "Nobody else sees these") {
			t.Fatalf("%s: %d DMs, want one nudge with its introduction", u, len(dms))
		}
	}
}

// TestSaturatedPoolNeverStallsAcks: one worker, a queue of one, and a
// Slack that takes 300 ms a post. Ten matching messages are acked at once
// all the same (the event loop never waits for a worker); the nudges that
// found no room are delivered by the recovery loop once their lease ends.
func TestSaturatedPoolNeverStallsAcks(t *testing.T) {
	h := newHarness(t, harnessOptions{bot: bot.Options{Workers: 1, QueueSize: 1, Lease: 500 * time.Millisecond}})
	if err := h.fs.InjectFault(fakeslack.Fault{Method: "chat.postMessage", DelayMS: 300, Count: 100}); err != nil {
		t.Fatal(err)
	}
	users := []string{"U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9", "U10"}
	for _, u := range users[3:] {
		if err := h.fs.AddUser(fakeslack.User{ID: u, Name: strings.ToLower(u), TZ: "UTC"}); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	for _, u := range users {
		h.say(u, "C1", "Just do it.") // waits for the ack
	}
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Errorf("ten acks took %s: the event loop waited for the pool", took)
	}
	for _, u := range users {
		h.waitSent(u, 1)
	}
	if got := h.counter(h.bots[0], "dropped", "queue_full_deferred"); got < 1 {
		t.Errorf("queue_full_deferred = %v: the pool was never full", got)
	}
	for _, u := range users {
		if n := len(h.nudgeDMs(u)); n != 1 {
			t.Errorf("%s got %d nudges", u, n)
		}
	}
}

// TestRateLimitedBeyondMaxAttempts: 429s are Slack pacing the app, not a
// failure: a nudge refused more often than MaxDeliveryAttempts allows is
// still delivered, once Slack lets it through.
func TestRateLimitedBeyondMaxAttempts(t *testing.T) {
	h := newHarness(t, harnessOptions{bot: bot.Options{Lease: 300 * time.Millisecond, MaxRetries: 1}})
	// each attempt meets two 429s (one call and one retry); twelve of them
	// outlast bot.MaxDeliveryAttempts (5) attempts
	if err := h.fs.InjectFault(fakeslack.Fault{Method: "chat.postMessage", Status: 429, RetryAfter: 1, Count: 12}); err != nil {
		t.Fatal(err)
	}
	h.say("U1", "C1", "Just do it.")
	var n store.Nudge
	for deadline := time.Now().Add(40 * time.Second); ; {
		ns, _ := h.st.ListNudges(h.ctx(), "U1", 0)
		if len(ns) == 1 && ns[0].State != store.NudgePending {
			n = ns[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the nudge is still pending after 40 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n.State != store.NudgeSent || n.Attempts <= bot.MaxDeliveryAttempts {
		t.Fatalf("nudge %s after %d attempts; want sent after more than %d", n.State, n.Attempts, bot.MaxDeliveryAttempts)
	}
}
