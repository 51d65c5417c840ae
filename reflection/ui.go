package reflection

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leadnudge/leadnudge/bot"
	"github.com/leadnudge/leadnudge/nudges"
	"github.com/leadnudge/leadnudge/store"
	"github.com/slack-go/slack"
	"go.uber.org/zap"
)

// Action ids, the modal's callback id and its input's block and action ids.
// Every id starts with "reflect_", the prefix the bot routes to us.
const (
	actionPrefix        = "reflect_"
	ActionAnswer        = "reflect_answer"
	ActionSkip          = "reflect_skip"
	ActionPause         = "reflect_pause"
	ActionHomeOn        = "reflect_home_on"
	ActionHomeOff       = "reflect_home_off"
	ActionDeleteConfirm = "reflect_delete_confirm"
	ActionDeleteCancel  = "reflect_delete_cancel"
	CallbackModal       = "reflect_modal"
	BlockAnswer         = "reflect_answer_block"
	InputAnswer         = "reflect_answer_input"
)

// MaxModalAnswer is the longest answer the modal accepts (Slack's limit for
// a plain_text_input).
const MaxModalAnswer = 3000

// sectionLimit keeps each section's text under Slack's 3,000 characters.
const sectionLimit = 2800

const privacyLine = ":lock: Private: only you can read your answer, not your manager, your team or the workspace admins."

type promptState int

const (
	stateOpen promptState = iota
	stateAnswered
	stateSkipped
	statePaused
)

// promptValue is carried by the prompt's buttons: the week and the prompt.
func promptValue(week store.Week, promptID string) string { return week.String() + "|" + promptID }

func parsePromptValue(v string) (store.Week, string, error) {
	w, id, _ := strings.Cut(v, "|")
	week, err := store.ParseWeek(w)
	return week, id, err
}

func promptText(p nudges.Prompt) string {
	return "Your weekly reflection: " + p.Text
}

// promptBlocks lays out the weekly prompt DM, and what it becomes after a
// click.
func promptBlocks(p nudges.Prompt, week store.Week, st promptState, extra ...string) []slack.Block {
	blocks := []slack.Block{
		slack.NewSectionBlock(mdText(":thought_balloon: *Your weekly reflection* ("+week.String()+")\n>"+bot.Escape(p.Text)), nil, nil),
	}
	value := promptValue(week, p.ID)
	switch st {
	case stateOpen:
		blocks = append(blocks, slack.NewActionBlock("reflect_actions",
			slack.NewButtonBlockElement(ActionAnswer, value, plainText("Answer")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionSkip, value, plainText("Skip this week")),
			slack.NewButtonBlockElement(ActionPause, value, plainText("Pause for a month")),
		))
	case stateAnswered:
		blocks = append(blocks,
			slack.NewSectionBlock(mdText(":white_check_mark: Answered. `/reflect history` shows your last answers."), nil, nil),
			slack.NewActionBlock("reflect_actions", slack.NewButtonBlockElement(ActionAnswer, value, plainText("Edit answer"))))
	case stateSkipped:
		blocks = append(blocks, slack.NewSectionBlock(mdText(":fast_forward: Skipped this week. See you next week."), nil, nil))
	case statePaused:
		msg := ":zzz: Paused."
		if len(extra) > 0 {
			msg = extra[0]
		}
		blocks = append(blocks, slack.NewSectionBlock(mdText(msg), nil, nil))
	}
	return append(blocks, slack.NewContextBlock("reflect_privacy", mdText(privacyLine)))
}

// modalMeta travels in the modal's private_metadata: which week and prompt
// it answers, and the DM to update afterwards (if opened from one).
type modalMeta struct {
	Week    string `json:"w"`
	Prompt  string `json:"p"`
	Channel string `json:"c,omitempty"`
	TS      string `json:"ts,omitempty"`
}

func answerModal(p nudges.Prompt, meta modalMeta, initial string) slack.ModalViewRequest {
	in := slack.NewPlainTextInputBlockElement(plainText("A few honest sentences are plenty."), InputAnswer)
	in.Multiline = true
	in.MaxLength = MaxModalAnswer
	if utf8.RuneCountInString(initial) <= MaxModalAnswer {
		in.InitialValue = initial
	}
	md, _ := json.Marshal(meta)
	question := p.Text
	if question == "" {
		question = "What did you notice about how you led this week?"
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackModal,
		Title:           plainText("Weekly reflection"),
		Submit:          plainText("Save"),
		Close:           plainText("Cancel"),
		PrivateMetadata: string(md),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*"+bot.Escape(question)+"*", false, false), nil, nil),
			slack.NewInputBlock(BlockAnswer, plainText("Your answer ("+meta.Week+")"), plainText("Only you can read this."), in),
		}},
	}
}

func savedModal(week store.Week, edited bool) *slack.ModalViewRequest {
	msg := ":white_check_mark: Saved your reflection for " + week.String() + "."
	if edited {
		msg = ":white_check_mark: Updated your reflection for " + week.String() + "."
	}
	return &slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: CallbackModal + "_saved", Title: plainText("Weekly reflection"), Close: plainText("Done"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, msg+"\n`/reflect history` shows your last answers.", false, false), nil, nil),
			slack.NewContextBlock("reflect_privacy", slack.NewTextBlockObject(slack.MarkdownType, privacyLine, false, false)),
		}},
	}
}

// thisWeek returns the person's current ISO week (in their own zone) and
// the prompt of that week: the one the ledger says was sent, or else the
// one rotation would send next.
func (r *Reflection) thisWeek(ctx context.Context, user string) (store.Week, nudges.Prompt, store.User, error) {
	u, err := r.st.EnsureUser(ctx, user)
	if err != nil {
		return store.Week{}, nudges.Prompt{}, u, fmt.Errorf("reading preferences: %w", err)
	}
	week := store.WeekOf(r.now().In(r.location(u.TimeZone)))
	if e, err := r.st.GetPromptDelivery(ctx, user, week); err == nil && e.PromptID != "" {
		return week, r.prompt(e.PromptID), u, nil
	}
	last, err := r.st.PromptsLastSent(ctx, user)
	if err != nil {
		return week, nudges.Prompt{}, u, fmt.Errorf("reading the rotation: %w", err)
	}
	p, _ := NextPrompt(r.prompts(), last)
	return week, p, u, nil
}

// openModal opens the answer modal with a trigger id (valid for 3 s).
func (r *Reflection) openModal(ctx context.Context, b *bot.Bot, user, triggerID string, week store.Week, p nudges.Prompt, channel, ts string) error {
	initial := ""
	if prev, err := r.st.GetReflection(ctx, user, week); err == nil {
		initial = prev.Answer
	}
	view := answerModal(p, modalMeta{Week: week.String(), Prompt: p.ID, Channel: channel, TS: ts}, initial)
	return b.Call(ctx, "views.open", func(ctx context.Context) error {
		_, err := b.API().OpenViewContext(ctx, triggerID, view)
		return err
	})
}

// handleSubmission saves the modal's answer (before the ack) and answers
// with a confirmation view; the prompt DM is updated afterwards.
func (r *Reflection) handleSubmission(ctx context.Context, ic slack.InteractionCallback) any {
	if ic.View.CallbackID != CallbackModal {
		return nil
	}
	user := ic.User.ID
	var meta modalMeta
	_ = json.Unmarshal([]byte(ic.View.PrivateMetadata), &meta)
	week, err := store.ParseWeek(meta.Week)
	if err != nil || user == "" {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{BlockAnswer: "This form is out of date. Please type /reflect again."})
	}
	answer := ic.View.State.Values[BlockAnswer][InputAnswer].Value
	if strings.TrimSpace(answer) == "" {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{BlockAnswer: "Write something, or press Cancel."})
	}
	ref, err := r.st.SaveReflection(ctx, user, week, meta.Prompt, answer)
	if err != nil {
		r.log.Warn("saving a reflection failed", zap.String("user", user), zap.Stringer("week", week), zap.Error(err))
		return slack.NewErrorsViewSubmissionResponse(map[string]string{BlockAnswer: "Sorry, I couldn't save that just now. Please try again."})
	}
	r.log.Info("reflection saved", zap.String("user", user), zap.Stringer("week", week), zap.Int("edits", len(ref.EditedAt)), zap.String("via", "modal"))
	if b, err := r.attached(); err == nil {
		b.Go(ctx, func(ctx context.Context) {
			if meta.Channel != "" && meta.TS != "" {
				r.updatePrompt(ctx, b, meta.Channel, meta.TS, r.prompt(meta.Prompt), week, stateAnswered)
			}
			b.PublishHome(ctx, user)
		})
	}
	return slack.NewUpdateViewSubmissionResponse(savedModal(week, len(ref.EditedAt) > 0))
}

func (r *Reflection) updatePrompt(ctx context.Context, b *bot.Bot, channel, ts string, p nudges.Prompt, week store.Week, st promptState, extra ...string) {
	blocks := promptBlocks(p, week, st, extra...)
	err := b.Call(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := b.API().UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(promptText(p), false), slack.MsgOptionBlocks(blocks...))
		return err
	})
	if err != nil {
		r.log.Warn("updating the prompt message failed", zap.String("error", slackCode(err)))
	}
}

// handleAction handles the prompt's buttons, the delete confirmation and
// the App Home toggles (on the worker pool, after the ack).
func (r *Reflection) handleAction(ctx context.Context, ic slack.InteractionCallback, a *slack.BlockAction) {
	b, err := r.attached()
	if err != nil {
		return
	}
	user := ic.User.ID
	if user == "" {
		return
	}
	channel, ts := ic.Container.ChannelID, ic.Container.MessageTs
	if channel == "" {
		channel = ic.Channel.ID
	}
	if ts == "" {
		ts = ic.Message.Timestamp
	}
	switch a.ActionID {
	case ActionFatigueKeep, ActionFatiguePause, ActionFatigueStop:
		r.handleFatigue(ctx, ic, a, user, channel, ts)
	case ActionAnswer:
		week, id, err := parsePromptValue(a.Value)
		if err != nil {
			return
		}
		if err := r.openModal(ctx, b, user, ic.TriggerID, week, r.prompt(id), channel, ts); err != nil {
			r.log.Warn("opening the answer modal failed", zap.String("error", slackCode(err)))
			r.tell(ctx, b, user, ":warning: I couldn't open the form in time. Type `/reflect` followed by your answer instead.")
		}
	case ActionSkip:
		week, id, err := parsePromptValue(a.Value)
		if err != nil {
			return
		}
		if _, err := r.st.SkipPrompt(ctx, user, week); err != nil {
			r.log.Warn("skipping a week failed", zap.String("user", user), zap.Error(err))
			return
		}
		b.Metrics().Prompts.WithLabelValues("skipped_by_person").Inc()
		r.updatePrompt(ctx, b, channel, ts, r.prompt(id), week, stateSkipped)
	case ActionPause:
		week, id, err := parsePromptValue(a.Value)
		if err != nil {
			return
		}
		until := r.now().Add(r.opts.PauseFor)
		if _, err := r.st.SetPromptsPausedUntil(ctx, user, until); err != nil {
			r.log.Warn("pausing prompts failed", zap.String("user", user), zap.Error(err))
			return
		}
		u, _ := r.st.EnsureUser(ctx, user)
		day := until.In(r.location(u.TimeZone)).Format("Mon 2 Jan 2006")
		r.updatePrompt(ctx, b, channel, ts, r.prompt(id), week, statePaused,
			":zzz: Paused until "+day+". `/reflect on` resumes earlier.")
		b.PublishHome(ctx, user)
	case ActionHomeOn, ActionHomeOff:
		if err := r.setOn(ctx, user, a.ActionID == ActionHomeOn); err != nil {
			r.log.Warn("turning the reflection on or off failed", zap.String("user", user), zap.Error(err))
			return
		}
		b.PublishHome(ctx, user)
	case ActionDeleteConfirm:
		n, err := r.st.DeleteReflections(ctx, user)
		msg := fmt.Sprintf(":wastebasket: Deleted your %d reflection%s. Nothing of them is kept.", n, plural(int(n)))
		if err != nil {
			r.log.Warn("deleting reflections failed", zap.String("user", user), zap.Error(err))
			msg = "Sorry, something went wrong and nothing was deleted. Please try again."
		} else {
			r.log.Info("reflections deleted", zap.String("user", user), zap.Int64("count", n))
		}
		r.replaceOriginal(ctx, b, ic, msg)
		b.PublishHome(ctx, user)
	case ActionDeleteCancel:
		r.replaceOriginal(ctx, b, ic, "Kept your reflections. Nothing was deleted.")
	}
}

// replaceOriginal rewrites the (ephemeral) message a button was on.
func (r *Reflection) replaceOriginal(ctx context.Context, b *bot.Bot, ic slack.InteractionCallback, text string) {
	if ic.ResponseURL == "" {
		r.tell(ctx, b, ic.User.ID, text)
		return
	}
	err := b.Call(ctx, "response_url", func(ctx context.Context) error {
		_, _, err := b.API().PostMessageContext(ctx, ic.Channel.ID, slack.MsgOptionReplaceOriginal(ic.ResponseURL), slack.MsgOptionText(text, false))
		return err
	})
	if err != nil {
		r.log.Warn("answering a button failed", zap.String("error", slackCode(err)))
	}
}

// tell sends the person a private DM.
func (r *Reflection) tell(ctx context.Context, b *bot.Bot, user, text string, blocks ...slack.Block) {
	if _, err := b.DM(ctx, user, text, blocks); err != nil {
		r.log.Warn("sending a DM failed", zap.String("error", slackCode(err)))
	}
}

// setOn turns the reflection on (enrolled, any pause ended) or off (the
// store's reflection_off, which also wins over channel enrolment and which
// no pause undoes).
func (r *Reflection) setOn(ctx context.Context, user string, on bool) error {
	if _, err := r.st.SetWeeklyEnrolled(ctx, user, on); err != nil {
		return err
	}
	if _, err := r.st.SetReflectionOff(ctx, user, !on); err != nil {
		return err
	}
	if on {
		// Turning it on also ends a pause.
		_, err := r.st.SetPromptsPausedUntil(ctx, user, time.Time{})
		return err
	}
	return nil
}

const reflectHelp = "*Weekly reflection*: once a week, at your own local time, I ask you one short question about how you led. Only you can read your answers.\n" +
	"• `/reflect`: answer this week's question in a form\n" +
	"• `/reflect your answer…`: save it directly (again to replace it)\n" +
	"• `/reflect history`: your last 5 answers\n" +
	"• `/reflect export`: everything you answered, sent to your DM\n" +
	"• `/reflect delete`: erase all your answers (asks first)\n" +
	"• `/reflect on` / `/reflect off`: start or stop the weekly question\n" +
	"• `/reflect help`: this message"

// handleCommand answers /reflect (on the worker pool, after the ack).
func (r *Reflection) handleCommand(ctx context.Context, cmd slack.SlashCommand) {
	b, err := r.attached()
	if err != nil {
		return
	}
	user := cmd.UserID
	c := ParseCommand(cmd.Text)
	switch c.Verb {
	case VerbHelp:
		b.Reply(ctx, cmd, reflectHelp)
	case VerbOn, VerbOff:
		if err := r.setOn(ctx, user, c.Verb == VerbOn); err != nil {
			r.replyError(ctx, b, cmd, err)
			return
		}
		if c.Verb == VerbOn {
			b.Reply(ctx, cmd, fmt.Sprintf("Weekly reflection is *on*. I'll ask you one question a week (%s, your local time).", describe(r.sched)))
		} else {
			b.Reply(ctx, cmd, "Weekly reflection is *off*. Your past answers stay yours; `/reflect on` brings the question back.")
		}
		b.PublishHome(ctx, user)
	case VerbModal:
		week, p, _, err := r.thisWeek(ctx, user)
		if err != nil {
			r.replyError(ctx, b, cmd, err)
			return
		}
		if err := r.openModal(ctx, b, user, cmd.TriggerID, week, p, "", ""); err != nil {
			r.log.Warn("opening the answer modal failed", zap.String("error", slackCode(err)))
			b.Reply(ctx, cmd, "This week's question: *"+bot.Escape(p.Text)+"*\nType `/reflect` followed by your answer to save it.")
		}
	case VerbAnswer:
		week, p, _, err := r.thisWeek(ctx, user)
		if err != nil {
			r.replyError(ctx, b, cmd, err)
			return
		}
		ref, err := r.st.SaveReflection(ctx, user, week, p.ID, c.Text)
		if err != nil {
			if errors.Is(err, store.ErrInvalid) {
				b.Reply(ctx, cmd, "That answer is too long to save. Please shorten it.")
				return
			}
			r.replyError(ctx, b, cmd, err)
			return
		}
		r.log.Info("reflection saved", zap.String("user", user), zap.Stringer("week", week), zap.Int("edits", len(ref.EditedAt)), zap.String("via", "command"))
		verb := "Saved"
		if len(ref.EditedAt) > 0 {
			verb = "Updated"
		}
		b.Reply(ctx, cmd, fmt.Sprintf(":white_check_mark: %s your reflection for %s (%d characters). `/reflect history` shows it; `/reflect` again replaces it.",
			verb, week, utf8.RuneCountInString(ref.Answer)))
		b.PublishHome(ctx, user)
	case VerbHistory:
		refs, err := r.st.ListReflections(ctx, user, 5)
		if err != nil {
			r.replyError(ctx, b, cmd, err)
			return
		}
		if len(refs) == 0 {
			b.Reply(ctx, cmd, "You have no reflections yet. Type `/reflect` to write this week's.")
			return
		}
		text, blocks := r.historyBlocks(refs)
		b.Reply(ctx, cmd, text, blocks...)
	case VerbExport:
		refs, err := r.st.ListReflections(ctx, user, 0)
		if err != nil {
			r.replyError(ctx, b, cmd, err)
			return
		}
		if len(refs) == 0 {
			b.Reply(ctx, cmd, "You have no reflections to export yet.")
			return
		}
		msgs := r.exportMessages(refs)
		for i, m := range msgs {
			text := fmt.Sprintf("Your reflections, exported (part %d of %d)", i+1, len(msgs))
			if _, err := b.DM(ctx, user, text, m); err != nil {
				r.log.Warn("sending the export failed", zap.String("error", slackCode(err)))
				b.Reply(ctx, cmd, "Sorry, the export could not be sent completely. Please try again.")
				return
			}
		}
		r.log.Info("reflections exported", zap.String("user", user), zap.Int("count", len(refs)), zap.Int("messages", len(msgs)))
		b.Reply(ctx, cmd, fmt.Sprintf(":outbox_tray: Sent your %d reflection%s to our DM as Markdown (%d message%s).", len(refs), plural(len(refs)), len(msgs), plural(len(msgs))))
	case VerbDelete:
		refs, err := r.st.ListReflections(ctx, user, 0)
		if err != nil {
			r.replyError(ctx, b, cmd, err)
			return
		}
		if len(refs) == 0 {
			b.Reply(ctx, cmd, "You have no reflections to delete.")
			return
		}
		q := fmt.Sprintf(":warning: Delete all %d of your reflections, with their edit history? This cannot be undone. (`/reflect export` first if you want a copy.)", len(refs))
		b.Reply(ctx, cmd, q,
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, q, false, false), nil, nil),
			slack.NewActionBlock("reflect_delete",
				slack.NewButtonBlockElement(ActionDeleteConfirm, "all", slack.NewTextBlockObject(slack.PlainTextType, "Delete them all", false, false)).WithStyle(slack.StyleDanger),
				slack.NewButtonBlockElement(ActionDeleteCancel, "keep", slack.NewTextBlockObject(slack.PlainTextType, "Keep them", false, false)),
			))
	}
}

func (r *Reflection) replyError(ctx context.Context, b *bot.Bot, cmd slack.SlashCommand, err error) {
	r.log.Warn("/reflect failed", zap.Error(err))
	b.Reply(ctx, cmd, "Sorry, something went wrong on my side and nothing was changed. Please try again in a minute.")
}

// describe says the default schedule in words, or shows the cron spec.
func describe(s Schedule) string {
	if s.String() == "0 16 * * 5" {
		return "Fridays at 16:00"
	}
	return "schedule `" + s.String() + "`"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// splitEscaped escapes s and splits it into pieces of at most sectionLimit
// characters (what a section's text may hold, with room to spare), never
// cutting an entity (&amp; &lt; &gt;) or a character in two. Escaping can
// make a text five times longer, so pieces are cut on the escaped text.
func splitEscaped(s string) []string {
	var out []string
	var b strings.Builder
	n := 0 // characters in b
	for _, r := range s {
		esc, w := string(r), 1
		switch r {
		case '&':
			esc, w = "&amp;", 5
		case '<':
			esc, w = "&lt;", 4
		case '>':
			esc, w = "&gt;", 4
		}
		if n+w > sectionLimit {
			out = append(out, b.String())
			b.Reset()
			n = 0
		}
		b.WriteString(esc)
		n += w
	}
	return append(out, b.String())
}

func (r *Reflection) reflectionHeading(ref store.Reflection) string {
	h := "*" + ref.Week.String() + "*"
	if p := r.prompt(ref.PromptID); p.Text != "" {
		h += " · _" + bot.Escape(p.Text) + "_"
	}
	if len(ref.EditedAt) > 0 {
		h += fmt.Sprintf(" (edited %d time%s)", len(ref.EditedAt), plural(len(ref.EditedAt)))
	}
	return h
}

// historyBlocks shows the last answers, escaped, in full.
func (r *Reflection) historyBlocks(refs []store.Reflection) (string, []slack.Block) {
	text := fmt.Sprintf("Your last %d reflection%s (only you see this)", len(refs), plural(len(refs)))
	blocks := []slack.Block{slack.NewSectionBlock(mdText(":notebook: *"+text+"*"), nil, nil)}
	for _, ref := range refs {
		blocks = append(blocks, slack.NewDividerBlock(), slack.NewSectionBlock(mdText(r.reflectionHeading(ref)), nil, nil))
		for _, c := range splitEscaped(ref.Answer) {
			blocks = append(blocks, slack.NewSectionBlock(mdText(c), nil, nil))
		}
	}
	return text, blocks
}

// exportMessages renders every reflection, oldest first, as Markdown in
// message blocks, split into messages of at most 40 blocks.
func (r *Reflection) exportMessages(refs []store.Reflection) [][]slack.Block {
	var all []slack.Block
	all = append(all, slack.NewSectionBlock(mdText(fmt.Sprintf(":notebook: *Your reflections: %d, oldest first.* Copy them anywhere; only you received this.", len(refs))), nil, nil))
	for i := len(refs) - 1; i >= 0; i-- {
		ref := refs[i]
		head := r.reflectionHeading(ref) + "\n_saved " + ref.CreatedAt.UTC().Format("2006-01-02 15:04") + " UTC"
		if !ref.UpdatedAt.Equal(ref.CreatedAt) {
			head += ", last edited " + ref.UpdatedAt.UTC().Format("2006-01-02 15:04") + " UTC"
		}
		head += "_"
		all = append(all, slack.NewDividerBlock(), slack.NewSectionBlock(mdText(head), nil, nil))
		for _, c := range splitEscaped(ref.Answer) {
			all = append(all, slack.NewSectionBlock(mdText(c), nil, nil))
		}
	}
	var msgs [][]slack.Block
	for len(all) > 40 {
		msgs = append(msgs, all[:40])
		all = all[40:]
	}
	return append(msgs, all)
}

// homeSection is the App Home part: on/off toggle, streak, last answers.
func (r *Reflection) homeSection(ctx context.Context, user string, u store.User) []slack.Block {
	now := r.now()
	loc := r.location(u.TimeZone)
	var status string
	var btn slack.BlockElement
	switch {
	case u.ReflectionOff:
		status = ":no_bell: Weekly reflection is *off*."
		btn = slack.NewButtonBlockElement(ActionHomeOn, "on", plainText("Turn on"))
	case u.PromptsPaused(now):
		status = ":zzz: Weekly reflection is *paused* until " + u.PromptsPausedUntil.In(loc).Format("Mon 2 Jan") + "."
		btn = slack.NewButtonBlockElement(ActionHomeOn, "on", plainText("Resume"))
	case u.WeeklyEnrolled, r.inChannels(user):
		status = fmt.Sprintf(":bell: Weekly reflection is *on*: one question, %s, your time.", describe(r.sched))
		btn = slack.NewButtonBlockElement(ActionHomeOff, "off", plainText("Turn off"))
	default:
		status = ":thought_balloon: Weekly reflection: one private question a week. Turn it on, or type `/reflect` any time."
		btn = slack.NewButtonBlockElement(ActionHomeOn, "on", plainText("Turn on"))
	}
	blocks := []slack.Block{
		slack.NewDividerBlock(),
		slack.NewHeaderBlock(plainText("Your weekly reflection")),
		slack.NewSectionBlock(mdText(status), nil, nil),
		slack.NewActionBlock("reflect_home", btn),
	}
	refs, err := r.st.ListReflections(ctx, user, 0)
	if err != nil {
		r.log.Warn("reading reflections for App Home failed", zap.Error(err))
		return blocks
	}
	streak := Streak(refs, store.WeekOf(now.In(loc)))
	line := fmt.Sprintf(":fire: *Streak:* %d week%s in a row · %d answer%s in all", streak, plural(streak), len(refs), plural(len(refs)))
	if len(refs) == 0 {
		line = ":seedling: No answers yet. Your streak starts with the first one."
	}
	blocks = append(blocks, slack.NewSectionBlock(mdText(line), nil, nil))
	if len(refs) > 0 {
		var s strings.Builder
		s.WriteString("*Your last answers*")
		for _, ref := range refs[:min(3, len(refs))] {
			fmt.Fprintf(&s, "\n• *%s* %s", ref.Week, bot.Escape(truncate(oneLine(ref.Answer), 160)))
		}
		blocks = append(blocks, slack.NewSectionBlock(mdText(s.String()), nil, nil))
	}
	return blocks
}

// inChannels reports whether the person is a member of one of
// reflection.channels, as far as the last conversations.members answers
// tell (no Slack call).
func (r *Reflection) inChannels(user string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.members {
		if slices.Contains(c.ids, user) {
			return true
		}
	}
	return false
}

// Streak counts the weeks answered in a row, ending with the current week
// (or the week before, when this week is not answered yet). refs are
// newest first.
func Streak(refs []store.Reflection, current store.Week) int {
	answered := make(map[store.Week]bool, len(refs))
	for _, ref := range refs {
		answered[ref.Week] = true
	}
	w := current
	if !answered[w] {
		w = w.Add(-1)
	}
	n := 0
	for answered[w] {
		n++
		w = w.Add(-1)
	}
	return n
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return string(rs[:n]) + "…"
}

func mdText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func plainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}
