package reflection

import "strings"

// Verb is what a /reflect command asks for.
type Verb string

// The /reflect verbs. VerbAnswer saves the text as this week's answer;
// VerbModal opens the answer modal.
const (
	VerbModal   Verb = "modal"
	VerbAnswer  Verb = "answer"
	VerbHelp    Verb = "help"
	VerbHistory Verb = "history"
	VerbExport  Verb = "export"
	VerbDelete  Verb = "delete"
	VerbOn      Verb = "on"
	VerbOff     Verb = "off"
)

var verbs = map[string]Verb{
	"help": VerbHelp, "history": VerbHistory, "export": VerbExport, "delete": VerbDelete,
	"on": VerbOn, "off": VerbOff,
}

// Command is a parsed /reflect command.
type Command struct {
	Verb Verb
	// Text is the answer to save (VerbAnswer only), exactly as typed.
	Text string
}

// ParseCommand reads the text after /reflect. A keyword is a command only
// when it is the whole text (any case, surrounding spaces ignored): so
// "/reflect on" turns the reflection on, while "/reflect on Tuesday I
// listened more" is an answer. Blank text opens the modal. Anything else is
// an answer, kept byte for byte except that Slack's escaping of &, < and >
// in slash-command text is undone, so the stored answer is what was typed.
func ParseCommand(text string) Command {
	t := strings.TrimSpace(text)
	if t == "" {
		return Command{Verb: VerbModal}
	}
	if v, ok := verbs[strings.ToLower(t)]; ok {
		return Command{Verb: v}
	}
	return Command{Verb: VerbAnswer, Text: unescapeSlack(text)}
}

// unescapeSlack undoes the escaping Slack applies to the text of messages
// and slash commands (&amp; &lt; &gt;), in one left-to-right pass so that a
// typed "&amp;lt;" comes back as "&lt;".
func unescapeSlack(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}
