package reflection_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/leadnudge/leadnudge/reflection"
	"github.com/leadnudge/leadnudge/store"
)

// Answers that must come back byte for byte.
var (
	emojiAnswer = "Led 🧭 the retro; managed 📋 the release. Ünïcödé, 日本語, and a ZWJ family 👩‍👩‍👧."
	longAnswer  = strings.Repeat("Listening first, deciding second. ", 91)[:2998] + "🚀🚀" // 3,000 characters
	weekFive    = "<@U2> <!channel> <https://evil.example|click> & *bold* " + emojiAnswer
	sqlAnswer   = "Robert'); DROP TABLE reflections;-- \" OR 1=1; SELECT * FROM users WHERE id = '' -- $1 %s \\x00"
)

func TestReflectCommandsEndToEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.addUsers("Europe/Paris", "U1")
	e.clk.Set(time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC)) // Wednesday, week 3
	week := store.Week{Year: 2026, Num: 3}

	if r := e.command("U1", "/reflect", "help").Param("text"); !strings.Contains(r, "/reflect history") || !strings.Contains(r, "Only you") {
		t.Errorf("help: %q", r)
	}
	if r := e.command("U1", "/reflect", "history").Param("text"); !strings.Contains(r, "no reflections yet") {
		t.Errorf("empty history: %q", r)
	}

	// No text: the modal for this week's prompt; submitted, it saves.
	res := e.commandTrigger("U1", "")
	meta, initial := e.modalFor(res.TriggerID)
	if initial != "" {
		t.Errorf("fresh modal prefilled with %q", initial)
	}
	ack := e.submit("U1", meta, emojiAnswer)
	if ack["response_action"] != "update" || !strings.Contains(toJSON(ack), "Saved your reflection for 2026-W03") {
		t.Errorf("submission ack %s", toJSON(ack))
	}
	ref, err := e.st.GetReflection(e.ctx(), "U1", week)
	if err != nil || ref.Answer != emojiAnswer || ref.PromptID == "" {
		t.Fatalf("saved %+v, %v", ref, err)
	}
	// A blank submission is refused in the modal itself.
	if ack := e.submit("U1", meta, "  \n "); ack["response_action"] != "errors" {
		t.Errorf("blank answer accepted: %s", toJSON(ack))
	}

	// The modal again: prefilled with the answer; /reflect TEXT edits it.
	res = e.commandTrigger("U1", "")
	if _, initial := e.modalFor(res.TriggerID); initial != emojiAnswer {
		t.Errorf("modal prefilled with %q", initial)
	}
	if r := e.command("U1", "/reflect", sqlAnswer).Param("text"); !strings.Contains(r, "Updated your reflection for 2026-W03") {
		t.Errorf("edit reply %q", r)
	}
	ref, _ = e.st.GetReflection(e.ctx(), "U1", week)
	if ref.Answer != sqlAnswer || len(ref.EditedAt) != 1 {
		t.Fatalf("after edit: %q, %d edits", ref.Answer, len(ref.EditedAt))
	}

	// Earlier weeks, through both paths; 3,000 characters.
	e.clk.Set(time.Date(2026, 1, 21, 10, 0, 0, 0, time.UTC)) // week 4
	e.command("U1", "/reflect", longAnswer)
	e.clk.Set(time.Date(2026, 1, 28, 10, 0, 0, 0, time.UTC)) // week 5
	res = e.commandTrigger("U1", "")
	meta, _ = e.modalFor(res.TriggerID)
	e.submit("U1", meta, weekFive)
	for w, want := range map[int]string{3: sqlAnswer, 4: longAnswer, 5: weekFive} {
		got, err := e.st.GetReflection(e.ctx(), "U1", store.Week{Year: 2026, Num: w})
		if err != nil || got.Answer != want {
			t.Errorf("week %d stored %q (%v), want byte-exact %q", w, got.Answer, err, want)
		}
	}

	// History: newest first, escaped (no live mentions or links), and
	// byte-exact once the entities are undone.
	h := e.command("U1", "/reflect", "history")
	hb := callBlocks(h)
	ht := texts(hb)
	if strings.Contains(string(hb), "<@U2>") || strings.Contains(string(hb), "<!channel>") || !strings.Contains(ht, "&lt;@U2&gt;") {
		t.Errorf("history not escaped: %s", ht)
	}
	for _, want := range []string{sqlAnswer, longAnswer, weekFive} {
		if !strings.Contains(unescape(strings.ReplaceAll(ht, "\n", "")), strings.ReplaceAll(want, "\n", "")) {
			t.Errorf("history lacks %q", want[:min(len(want), 40)])
		}
	}
	if i5, i3 := strings.Index(ht, "2026-W05"), strings.Index(ht, "2026-W03"); i5 < 0 || i3 < 0 || i5 > i3 {
		t.Errorf("history not newest first")
	}

	// Export: every answer, oldest first, as Markdown in DM blocks.
	before := len(e.fs.DMs("U1"))
	if r := e.command("U1", "/reflect", "export").Param("text"); !strings.Contains(r, "Sent your 3 reflections") {
		t.Errorf("export reply %q", r)
	}
	var export string
	e.waitFor("export DM", func() bool { return len(e.fs.DMs("U1")) > before })
	for _, p := range e.fs.DMs("U1")[before:] {
		export += texts(p.Blocks)
	}
	flat := unescape(strings.ReplaceAll(export, "\n", ""))
	for _, want := range []string{sqlAnswer, longAnswer, weekFive} {
		if !strings.Contains(flat, want) {
			t.Errorf("export lacks %q", want[:40])
		}
	}
	if strings.Contains(export, "<@U2>") {
		t.Error("export not escaped")
	}

	// Delete: asks first; Keep keeps; Delete erases all.
	d := e.command("U1", "/reflect", "delete")
	if !strings.Contains(d.Param("text"), "Delete all 3") {
		t.Fatalf("delete prompt %q", d.Param("text"))
	}
	respURL := d.Param("response_url")
	if respURL == "" {
		respURL = responseURLOf(t, e, "U1")
	}
	e.click("U1", fakeslack.Post{Channel: "C0GENERAL"}, reflection.ActionDeleteCancel, "keep", respURL)
	e.waitReply("Kept your reflections")
	if refs, _ := e.st.ListReflections(e.ctx(), "U1", 0); len(refs) != 3 {
		t.Fatalf("Keep deleted: %d left", len(refs))
	}
	e.click("U1", fakeslack.Post{Channel: "C0GENERAL"}, reflection.ActionDeleteConfirm, "all", respURL)
	e.waitReply("Deleted your 3 reflections")
	if refs, _ := e.st.ListReflections(e.ctx(), "U1", 0); len(refs) != 0 {
		t.Fatalf("%d reflections left after delete", len(refs))
	}
	if r := e.command("U1", "/reflect", "history").Param("text"); !strings.Contains(r, "no reflections yet") {
		t.Errorf("history after delete: %q", r)
	}
	e.assertLogsClean("Led 🧭", "DROP TABLE", "Listening first", "evil.example")
}

// waitReply waits for a response_url post containing text.
func (e *env) waitReply(text string) {
	e.t.Helper()
	e.waitFor("reply "+text, func() bool {
		for _, c := range e.fs.Calls("response_url") {
			if strings.Contains(c.Param("text"), text) {
				return true
			}
		}
		return false
	})
}

// responseURLOf returns the response_url the last command of user got.
func responseURLOf(t *testing.T, e *env, user string) string {
	t.Helper()
	for _, env := range e.fs.Envelopes() {
		var p struct {
			UserID      string `json:"user_id"`
			ResponseURL string `json:"response_url"`
		}
		if env.Type == "slash_commands" && json.Unmarshal(env.Payload, &p) == nil && p.UserID == user {
			if p.ResponseURL != "" {
				return p.ResponseURL
			}
		}
	}
	t.Fatal("no response_url")
	return ""
}

// The prompt's buttons: Answer opens the modal and its submission updates
// the DM; Skip this week and Pause for a month are recorded and shown.
func TestPromptButtons(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.addUsers("UTC", "UA", "UB", "UC")
	for _, u := range []string{"UA", "UB", "UC"} {
		e.command(u, "/reflect", "on")
	}
	at := time.Date(2026, 1, 16, 16, 0, 0, 0, time.UTC)
	if s := e.tick(at); s.Sent != 3 {
		t.Fatalf("%+v", s)
	}
	week := store.WeekOf(at)
	post := func(u string) fakeslack.Post {
		ps := e.promptDMs(u)
		if len(ps) != 1 {
			t.Fatalf("%s has %d prompts", u, len(ps))
		}
		return ps[0]
	}
	edited := func(u string) fakeslack.Post {
		var p fakeslack.Post
		e.waitFor(u+"'s prompt updated", func() bool {
			for _, x := range e.fs.DMs(u) {
				if x.Edited {
					p = x
					return true
				}
			}
			return false
		})
		return p
	}

	pa := post("UA")
	value := buttonValue(t, pa.Blocks, reflection.ActionAnswer)
	res, err := e.fs.SendInteraction(mustJSON(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UA"}, "team": map[string]any{"id": fakeslack.TeamID},
		"container": map[string]any{"type": "message", "channel_id": pa.Channel, "message_ts": pa.TS},
		"channel":   map[string]any{"id": pa.Channel}, "message": map[string]any{"ts": pa.TS},
		"actions": []any{map[string]any{"action_id": reflection.ActionAnswer, "block_id": "reflect_actions", "value": value, "type": "button"}},
	}))
	if err != nil {
		t.Fatal(err)
	}
	meta, _ := e.modalFor(res.TriggerID)
	e.submit("UA", meta, emojiAnswer)
	if txt := texts(edited("UA").Blocks); !strings.Contains(txt, "Answered") {
		t.Errorf("UA's DM after answering: %s", txt)
	}
	if p, _ := e.st.GetPromptDelivery(e.ctx(), "UA", week); p.AnsweredAt.IsZero() {
		t.Error("ledger not marked answered")
	}

	pb := post("UB")
	e.click("UB", pb, reflection.ActionSkip, buttonValue(t, pb.Blocks, reflection.ActionSkip), "")
	if txt := texts(edited("UB").Blocks); !strings.Contains(txt, "Skipped this week") {
		t.Errorf("UB's DM after skipping: %s", txt)
	}
	if p, _ := e.st.GetPromptDelivery(e.ctx(), "UB", week); p.SkippedAt.IsZero() {
		t.Error("skip not recorded")
	}

	pc := post("UC")
	e.click("UC", pc, reflection.ActionPause, buttonValue(t, pc.Blocks, reflection.ActionPause), "")
	if txt := texts(edited("UC").Blocks); !strings.Contains(txt, "Paused until") {
		t.Errorf("UC's DM after pausing: %s", txt)
	}
	u, _ := e.st.GetUser(e.ctx(), "UC")
	if d := u.PromptsPausedUntil.Sub(at); d < 29*24*time.Hour || d > 31*24*time.Hour {
		t.Errorf("paused until %s", u.PromptsPausedUntil)
	}
	// Next Friday: UA and UB are asked again, UC (paused) is not.
	e.tick(at.Add(7 * 24 * time.Hour))
	for u, want := range map[string]int{"UA": 2, "UB": 2, "UC": 1} {
		if n := len(e.promptDMs(u)); n != want {
			t.Errorf("%s: %d prompts, want %d", u, n, want)
		}
	}
	// App Home: the toggle, the streak and the last answer, escaped.
	e.b.PublishHome(e.ctx(), "UA")
	v, ok := e.fs.HomeView("UA")
	if !ok {
		t.Fatal("no home view")
	}
	ht := texts(v.JSON)
	for _, want := range []string{"Your weekly reflection", "Weekly reflection is *on*", "Streak:* 1 week", "Led 🧭 the retro"} {
		if !strings.Contains(ht, want) {
			t.Errorf("App Home lacks %q:\n%s", want, ht)
		}
	}
	if !strings.Contains(string(v.JSON), reflection.ActionHomeOff) {
		t.Error("no off toggle")
	}
	e.assertLogsClean("Led 🧭")
}

// One person can never see another's reflections: not in history, export
// or App Home, and a forged modal submission saves as the submitter.
func TestReflectionsArePrivate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.addUsers("UTC", "UANA", "UBEN")
	e.clk.Set(time.Date(2026, 1, 14, 10, 0, 0, 0, time.UTC))
	anaSecret := "ana-secret: I dodged the hard conversation"
	e.command("UANA", "/reflect", anaSecret)
	res := e.commandTrigger("UANA", "")
	anaMeta, _ := e.modalFor(res.TriggerID)
	// Ben replays Ana's modal metadata in his own submission.
	e.submit("UBEN", anaMeta, "ben's own words")
	if r, _ := e.st.GetReflection(e.ctx(), "UANA", store.Week{Year: 2026, Num: 3}); r.Answer != anaSecret {
		t.Fatalf("Ana's answer overwritten: %q", r.Answer)
	}
	for _, verb := range []string{"history", "export"} {
		before := len(e.fs.DMs("UBEN"))
		c := e.command("UBEN", "/reflect", verb)
		all := c.Param("text") + texts(callBlocks(c))
		for _, p := range e.fs.DMs("UBEN")[before:] {
			all += texts(p.Blocks)
		}
		if strings.Contains(all, "ana-secret") {
			t.Errorf("Ben's %s shows Ana's reflection", verb)
		}
		if verb == "history" && !strings.Contains(all, "ben's own words") {
			t.Errorf("Ben's history lacks his own answer: %s", all)
		}
	}
	e.b.PublishHome(e.ctx(), "UBEN")
	if v, _ := e.fs.HomeView("UBEN"); strings.Contains(string(v.JSON), "ana-secret") {
		t.Error("Ben's App Home shows Ana's reflection")
	}
	for _, d := range e.fs.DMs("UBEN") {
		if strings.Contains(texts(d.Blocks)+d.Text, "ana-secret") {
			t.Error("Ben got Ana's text by DM")
		}
	}
	e.assertLogsClean("ana-secret", "ben's own words")
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func toJSON(v any) string { return string(mustJSON(v)) }

// TestLongestAnswersShownBackPassBlockKit: five weeks of 3,000-character
// answers made of the characters that grow most when escaped, shown back
// by /reflect history, /reflect export and the App Home; the local Slack
// checks every payload against Block Kit's limits, and none is refused.
func TestLongestAnswersShownBackPassBlockKit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.addUsers("Europe/Paris", "U1")
	worst := strings.Repeat("&<>", 1000) // 3,000 characters, 15,000 once escaped
	for w := range 5 {
		e.clk.Set(time.Date(2026, 1, 14+7*w, 10, 0, 0, 0, time.UTC))
		if r := e.command("U1", "/reflect", worst).Param("text"); !strings.Contains(r, "your reflection for") {
			t.Fatalf("week %d: %q", w, r)
		}
	}
	if r := e.command("U1", "/reflect", "history"); r.Error != "" || !strings.Contains(r.Param("text"), "Your last 5 reflections") {
		t.Errorf("history: error %q, text %q", r.Error, r.Param("text"))
	}
	e.command("U1", "/reflect", "export")
	e.waitFor("the export", func() bool { return len(e.fs.DMs("U1")) > 0 })
	for _, c := range e.fs.Calls("") {
		switch c.Error {
		case "invalid_blocks", "invalid_arguments", "msg_too_long":
			t.Errorf("%s refused: %s %v", c.Method, c.Error, c.Params["response_metadata"])
		}
	}
}
