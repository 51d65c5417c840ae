package bot_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/leadnudge/leadnudge/bot"
	"github.com/leadnudge/leadnudge/fakeslack"
)

func TestTriggerSendsOnePrivateDM(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	const text = "Honestly, I don't have to explain myself to the team."
	h.say("U1", "C1", text)
	h.waitFor("nudge DM", func() bool { return len(h.nudgeDMs("U1")) == 1 })
	h.settle()

	dms := h.fs.DMs("U1")
	if len(dms) != 1 {
		t.Fatalf("got %d DMs, want one: the nudge, opening with the introduction: %+v", len(dms), dms)
	}
	nudge := dms[0]
	if !strings.Contains(string(nudge.Blocks), "Nobody else sees these") || !strings.HasPrefix(nudge.Text, "Hi! I'm leadnudge") {
		t.Errorf("the first nudge does not open with the introduction: %s", nudge.Blocks)
	}
	if nudge.Channel != fakeslack.DMChannel("U1") {
		t.Errorf("nudge went to %s, want the DM %s", nudge.Channel, fakeslack.DMChannel("U1"))
	}
	for _, want := range []string{bot.ActionHelpful, bot.ActionNotHelpful, bot.ActionSnooze, bot.ActionStop} {
		if !strings.Contains(string(nudge.Blocks), want) {
			t.Errorf("nudge lacks the button %q: %s", want, nudge.Blocks)
		}
	}
	for _, want := range []string{"in <#C1>", "<https://", "|your message>", "“I don't have to explain myself”", "Why it can land badly", "Try instead", "Only you can see this"} {
		if !strings.Contains(blocksText(nudge), want) {
			t.Errorf("nudge blocks lack %q: %s", want, nudge.Blocks)
		}
	}
	if nudge.Text == "" {
		t.Error("nudge has no plain-text fallback")
	}
	// Nothing went to the channel or to anyone else.
	if p := h.fs.Posts("C1"); len(p) != 0 {
		t.Errorf("bot posted in the channel: %+v", p)
	}
	for _, u := range []string{"U2", "U3"} {
		if d := h.fs.DMs(u); len(d) != 0 {
			t.Errorf("%s got DMs: %+v", u, d)
		}
	}
	// The nudge log has the decision, not the text.
	h.waitSent("U1", 1)
	ns, err := h.st.ListNudges(h.ctx(), "U1", 0)
	if err != nil || len(ns) != 1 {
		t.Fatalf("nudge log: %v %+v", err, ns)
	}
	if ns[0].RuleID != "no-explanation-owed" || ns[0].ChannelID != "C1" || ns[0].State != "sent" || ns[0].Delivery.TS != nudge.TS {
		t.Errorf("logged nudge = %+v", ns[0])
	}
	h.assertNoText("explain myself", "Honestly")

	// A second trigger (another rule) gets no second introduction.
	h.say("U1", "C1", "Because I said so, that's why.")
	h.waitFor("second nudge", func() bool { return len(h.nudgeDMs("U1")) == 2 })
	h.settle()
	if dms := h.fs.DMs("U1"); len(dms) != 2 || strings.Contains(string(dms[1].Blocks), "Nobody else sees these") {
		t.Errorf("got %d DMs after the second nudge, want 2, the second without the introduction: %+v", len(dms), dms)
	}
}

func TestIgnoredMessages(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rb := h.bots[0]
	cases := []struct{ name, body string }{
		{"neutral", `{"type":"message","user":"U1","channel":"C1","channel_type":"channel","text":"Shipping at 5, please review the PR","ts":"1700000000.000100"}`},
		{"quoted", `{"type":"message","user":"U1","channel":"C1","channel_type":"channel","text":"He said \"just do it\" and left","ts":"1700000000.000200"}`},
		{"code", "{\"type\":\"message\",\"user\":\"U1\",\"channel\":\"C1\",\"channel_type\":\"channel\",\"text\":\"```just do it```\",\"ts\":\"1700000000.000300\"}"},
		{"block quote", `{"type":"message","user":"U1","channel":"C1","channel_type":"channel","text":"&gt; because I said so\nok","ts":"1700000000.000400"}`},
		{"bot", `{"type":"message","user":"UBOT2","bot_id":"B2","channel":"C1","channel_type":"channel","text":"just do it","ts":"1700000000.000500"}`},
		{"bot message", `{"type":"message","subtype":"bot_message","bot_id":"B2","channel":"C1","channel_type":"channel","text":"just do it","ts":"1700000000.000600"}`},
		{"self", fmt.Sprintf(`{"type":"message","user":%q,"channel":"C1","channel_type":"channel","text":"just do it","ts":"1700000000.000700"}`, fakeslack.BotUserID)},
		{"channel join", `{"type":"message","subtype":"channel_join","user":"U1","channel":"C1","channel_type":"channel","text":"<@U1> has joined","ts":"1700000000.000800"}`},
		{"im", `{"type":"message","user":"U1","channel":"D1","channel_type":"im","text":"just do it","ts":"1700000000.000900"}`},
		{"rich text quote", `{"type":"message","user":"U1","channel":"C1","channel_type":"channel","text":"just do it","ts":"1700000000.001000","blocks":[{"type":"rich_text","elements":[{"type":"rich_text_quote","elements":[{"type":"text","text":"just do it"}]}]}]}`},
	}
	for _, c := range cases {
		res, err := h.fs.SendEvent(json.RawMessage(c.body))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if _, err := h.fs.WaitForAck(h.ctx(), res.EnvelopeID); err != nil {
			t.Fatalf("%s: not acked: %v", c.name, err)
		}
	}
	h.settle()
	for _, u := range []string{"U1", "UBOT2"} {
		if d := h.fs.DMs(u); len(d) != 0 {
			t.Errorf("%s got DMs: %+v", u, d)
		}
	}
	for reason, want := range map[string]float64{"bot": 2, "self": 1, "subtype": 1, "direct_message": 1} {
		if got := h.counter(rb, "dropped", reason); got != want {
			t.Errorf("dropped{%s} = %v, want %v", reason, got, want)
		}
	}
	// A thread reply and a thread broadcast count.
	h.fs.SendMessage(fakeslack.Message{User: "U2", Channel: "C1", Text: "just do it", ThreadTS: "1700000000.000100"})
	h.waitFor("thread reply nudge", func() bool { return len(h.nudgeDMs("U2")) == 1 })
}
