package nudges

import (
	"strings"
	"testing"
)

// TestJudgements covers sets, word forms, gaps, contractions across a
// phrase edge, and the mood, question, reported-speech and exception
// judgements, each with the case it must keep and the case it must drop.
func TestJudgements(t *testing.T) {
	m := mustCompileFile(t, "testdata/judge.yaml")
	tests := []struct {
		name, text, want string
	}{
		// sets, forms and gaps
		{"set member", "I don't have to justify it to you", "no-explanation-owed[I don't have to justify it to you]"},
		{"set member form", "i shouldn't have to keep defending... no: i shouldn't have to defend my roadmap to you", "no-explanation-owed[i shouldn't have to defend my roadmap to you]"},
		{"inserted words within the gap", "I don't have to explain every single decision to the team", "no-explanation-owed[I don't have to explain every single decision to the team]"},
		{"gap too wide", "I don't have to explain the whole long history of this to you", ""},
		{"gap does not cross a sentence", "I don't have to explain. To you it is obvious", ""},
		{"gap does not cross a line", "I don't have to explain\nto you", ""},
		{"form of a word", "Stop questioning my decisions.", "dont-question-me[Stop questioning my decisions]"},
		{"another form", "stop questioned me", "dont-question-me[stop questioned me]"},
		{"set in exception", "I don't owe you an explanation, but happy to justify the call", ""},
		{"gap in exception", "I don't owe anyone an explanation for a sick day, I won't defend it", ""},

		// contractions both ways, also at a phrase edge
		{"contraction in text, phrase spelled out", "this isn't up for discussion", "not-up-for-discussion[isn't up for discussion]"},
		{"contraction without apostrophe", "this isnt up for discussion", "not-up-for-discussion[isnt up for discussion]"},
		{"spelled out", "this is not up for discussion", "not-up-for-discussion[not up for discussion]"},
		{"clitic s", "that's final.", "not-up-for-discussion[that's final]"},
		{"not after a non-auxiliary", "the plan wasnt... hmm, the wnt up for discussion", ""},

		// questions
		{"question dropped", "is it not up for discussion?", ""},
		{"tag question counts", "It's not up for discussion, understood?", "not-up-for-discussion[not up for discussion]"},
		{"tag without comma", "not up for discussion ok?", "not-up-for-discussion[not up for discussion]"},
		{"question later in another sentence", "Not up for discussion. Any other topics?", "not-up-for-discussion[Not up for discussion]"},
		{"rule keeps rhetorical questions", "can you stop questioning me?", "dont-question-me[stop questioning me]"},
		{"phrase keeps questions", "my call is final, why is that so hard?", "not-up-for-discussion[is final]"},
		{"other phrase of the rule skips them", "why is it not up for discussion?", ""},
		{"phrase keeps questions 2", "why can't you accept that it is final?", "not-up-for-discussion[is final]"},

		// imperative mood
		{"command", "Just do it.", "just-do-it[Just do it]"},
		{"after softeners", "ok so please just do it", "just-do-it[just do it]"},
		{"after a comma", "I hear you, just do it", "just-do-it[just do it]"},
		{"after a mention", "<@U123> just do it", "just-do-it[just do it]"},
		{"own plan", "I'll just do it tonight", ""},
		{"question", "did you just do it on staging?", ""},
		{"question even with softener", "so just do it?", ""},
		{"subject before", "we just do it by hand", ""},
		{"infinitive", "easier to just do it", ""},
		{"tag question still a command", "just do it, ok?", "just-do-it[just do it]"},

		// reported speech
		{"reported", "My old boss said it's not up for discussion", ""},
		{"reported with gap marker", "as my first manager put it, not up for discussion", ""},
		{"first person is not reported", "As I said, this is not up for discussion.", "not-up-for-discussion[not up for discussion]"},
		{"marker in another sentence", "She said hi. This is not up for discussion.", "not-up-for-discussion[not up for discussion]"},
		{"a document says, nobody speaks", "the policy says so, and this is not up for discussion", "not-up-for-discussion[not up for discussion]"},
		{"a person says", "the lead says this is not up for discussion", ""},
		{"rule keeps reported speech", "he told me because i said so", "said-so[because i said so]"},
		{"speech tag after the phrase", "not up for discussion, he said", ""},
		{"speech tag with the speaker after the verb", "not up for discussion, said the GPS, right before routing me into a lake", ""},
		{"speech tag after a dash", "not up for discussion — as my first manager put it", ""},
		{"speech tag of the author's own voice", "not up for discussion, I said, and I meant it", "not-up-for-discussion[not up for discussion]"},
		{"marker after the phrase but not a tag", "not up for discussion and my boss said the same", "not-up-for-discussion[not up for discussion]"},
		{"too many words before the marker", "not up for discussion, so the whole team said fine", "not-up-for-discussion[not up for discussion]"},
		{"just saying is no speech tag", "not up for discussion, just saying", "not-up-for-discussion[not up for discussion]"},
		{"marker in the next sentence", "This is not up for discussion. He said ok.", "not-up-for-discussion[not up for discussion]"},

		// jokes
		{"laughing word", "just do it lol", ""},
		{"laugh after the sentence", "Just do it! 😂", ""},
		{"laughing emoji code", "just do it :joy: we'll be fine", ""},
		{"written laugh", "hahaha just do it", ""},
		{"laugh in another sentence", "lol that build. Anyway, just do it.", "just-do-it[just do it]"},
		{"a smile is no laugh", "Just do it 🙂", "just-do-it[Just do it]"},
		{"an upside-down face is no laugh", "Just do it :upside_down_face:", "just-do-it[Just do it]"},
		{"a word that starts like a laugh", "just do it, lolcats aside", "just-do-it[just do it]"},
		{"rule keeps jokes", "because i said so lol", "said-so[because i said so]"},

		// meta talk and quotes still apply
		{"guard", "never say not up for discussion to a new hire", ""},
		{"quoted", `he wrote "not up for discussion" in the doc`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(m.MatchText(tt.text)); got != tt.want {
				t.Errorf("MatchText(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestExplain: every candidate is listed with its verdict, and the kept
// ones are exactly what Match returns.
func TestExplain(t *testing.T) {
	m := mustCompileFile(t, "testdata/judge.yaml")
	tests := []struct {
		text string
		want []string // "rule kept" or "rule dropped: reason prefix"
	}{
		{"did you just do it on staging?", []string{"just-do-it dropped: question"}},
		{"I'll just do it tonight", []string{"just-do-it dropped: not a clause opening"}},
		{"She said it's not up for discussion", []string{"not-up-for-discussion dropped: reported speech: \"said\""}},
		{"Not up for discussion, she said", []string{"not-up-for-discussion dropped: reported speech: \"said\" comes after it"}},
		{"never say just do it", []string{"just-do-it dropped: meta talk: guard \"never say\""}},
		{"just do it 😂", []string{"just-do-it dropped: joke: the sentence laughs"}},
		{"I don't owe you an explanation, happy to explain though", []string{"no-explanation-owed dropped: exception \"happy to {$explain}\""}},
		{"`just do it` and\n> not up for discussion\nthen \"because i said so\"", []string{"just-do-it dropped: code", "not-up-for-discussion dropped: quote", "said-so dropped: quoted speech"}},
		{"Just do it. Just do it!", []string{"just-do-it kept", "just-do-it dropped: rule already matched"}},
		{"nothing to see", nil},
	}
	for _, tt := range tests {
		js := m.Explain(Message{Text: tt.text})
		var got []string
		for _, j := range js {
			s := j.Rule.ID + " kept"
			if !j.Kept {
				s = j.Rule.ID + " dropped: " + j.Reason
			}
			got = append(got, s)
		}
		if len(got) != len(tt.want) {
			t.Errorf("Explain(%q) = %q, want %q", tt.text, got, tt.want)
			continue
		}
		for i := range got {
			if !strings.HasPrefix(got[i], tt.want[i]) {
				t.Errorf("Explain(%q)[%d] = %q, want prefix %q", tt.text, i, got[i], tt.want[i])
			}
		}
		assertExplainAgrees(t, m, Message{Text: tt.text})
	}
}

// assertExplainAgrees checks that Explain keeps exactly what Match finds.
func assertExplainAgrees(t testing.TB, m *Matcher, msg Message) {
	t.Helper()
	var kept []string
	for _, j := range m.Explain(msg) {
		if j.Kept {
			kept = append(kept, j.Rule.ID+"@"+j.Text)
		}
	}
	var matched []string
	for _, mt := range m.Match(msg) {
		matched = append(matched, mt.Rule.ID+"@"+mt.Text)
	}
	if strings.Join(kept, "|") != strings.Join(matched, "|") {
		t.Fatalf("Explain kept %q but Match found %q for %q", kept, matched, msg.Text)
	}
}

func TestWordForms(t *testing.T) {
	tests := map[string]string{
		"question": "question questions questioned questioning",
		"justify":  "justify justifies justified justifying",
		"explain":  "explain explains explained explaining",
		"approve":  "approve approves approved approving",
		"stop":     "stop stops stopped stopping",
		"push":     "push pushes pushed pushing",
		"commit":   "commit commits committed committing",
		"say":      "say says said saying",
		"earn":     "earn earns earned earnt earning",
		"agree":    "agree agrees agreed agreeing",
		"tie":      "tie ties tied tying",
		"play":     "play plays played playing",
	}
	for w, want := range tests {
		if got := strings.Join(wordForms(w), " "); got != want {
			t.Errorf("wordForms(%q) = %q, want %q", w, got, want)
		}
	}
}

func TestPhraseSyntaxErrors(t *testing.T) {
	x := newExpander([]Set{{Name: "s", Members: []string{"a", "b"}}}, false)
	tests := map[string]string{
		"{$nope} thing":         "unknown set $nope",
		"a …3":                  "must stand between words",
		"a …9 b":                "1 to 8 words",
		"a {b …2 c|d}":          "cannot stand inside",
		"a…2 b":                 "word of its own",
		"{$s|~x~y}":             "write a form as ~word",
		"{$s|x~y}":              "~ goes before a word",
		"~ b":                   "write a form as ~word",
		"{a}":                   "at least two alternatives",
		"a …2 b …2 c …2 d …2 e": "",
	}
	for ph, want := range tests {
		err := x.check(ph)
		switch {
		case want == "" && err != nil:
			t.Errorf("check(%q) = %v, want ok", ph, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("check(%q) = %v, want %q", ph, err, want)
		}
	}
	for m, want := range map[string]string{"{$s}": "cannot refer to a set", "a …2 b": "cannot hold a gap", "~ok": ""} {
		err := checkSetMember(newExpander(nil, false), m)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("checkSetMember(%q) = %v, want %q", m, err, want)
		}
	}
}

// TestLayerSets: a layered file adds members to a built-in set and uses
// it; an unknown set in a layer is an error at Compile with the phrase's
// position.
func TestLayerSets(t *testing.T) {
	base, err := ParseRules("base.yaml", []byte(`version: 1
sets:
  approve: ["sign off"]
rules:
  - id: a
    category: micromanagement
    phrases: ["nothing ships without my {$approve}"]
    tip: {title: t, why: w, try: [x]}
`))
	if err != nil {
		t.Fatal(err)
	}
	layer, err := ParseRules("ws.yaml", []byte(`version: 1
extends: builtin
sets:
  approve: ["blessing"]
  mine: ["x"]
rules:
  - id: b
    category: micromanagement
    phrases: ["{$mine} {$approve} please"]
    tip: {title: t, why: w, try: [x]}
`))
	if err != nil {
		t.Fatalf("a layer may refer to built-in sets: %v", err)
	}
	rs, err := Layer(base, layer)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(rs)
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(m.MatchText("Nothing ships without my blessing.")); got != "a[Nothing ships without my blessing]" {
		t.Errorf("layered set member: got %q", got)
	}
	if got := summary(m.MatchText("x sign off please")); got != "b[x sign off please]" {
		t.Errorf("layer rule with a built-in set: got %q", got)
	}
	bad, err := ParseRules("ws.yaml", []byte("version: 1\nextends: builtin\nrules:\n  - id: c\n    category: micromanagement\n    phrases: [\"{$nope} x\"]\n    tip: {title: t, why: w, try: [x]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	rs, err = Layer(base, bad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(rs); err == nil || !strings.Contains(err.Error(), "ws.yaml:6:15") || !strings.Contains(err.Error(), "unknown set $nope") {
		t.Errorf("Compile error = %v, want ws.yaml:6:15 … unknown set $nope", err)
	}
	if _, err := ParseRules("solo.yaml", []byte("version: 1\nrules:\n  - id: c\n    category: micromanagement\n    phrases: [\"{$nope} x\"]\n    tip: {title: t, why: w, try: [x]}\n")); err == nil || !strings.Contains(err.Error(), "solo.yaml:5:15") {
		t.Errorf("a file that does not extend builtin must define its sets: %v", err)
	}
}

// TestOwnVoice: a reporting verb in the author's own voice does not make
// what follows someone else's words.
func TestOwnVoice(t *testing.T) {
	m := mustCompileFile(t, "testdata/judge.yaml")
	for text, want := range map[string]string{
		"That said, this is not up for discussion.":               "not-up-for-discussion[not up for discussion]",
		"Having said that, this is not up for discussion.":        "not-up-for-discussion[not up for discussion]",
		"I've already said it: not up for discussion.":            "not-up-for-discussion[not up for discussion]",
		"we just told them it's not up for discussion":            "not-up-for-discussion[not up for discussion]",
		"He already said it's not up for discussion":              "",
		"she said that, honestly, it's not up for discussion now": "",
	} {
		if got := summary(m.MatchText(text)); got != want {
			t.Errorf("MatchText(%q) = %q, want %q", text, got, want)
		}
	}
}

// TestMessageEndEndsASentence: a phrase that ends at a sentence's end
// matches at the end of a message its author left without a full stop,
// and the match's span stops at the last word.
func TestMessageEndEndsASentence(t *testing.T) {
	m := compileBuiltin(t)
	blocks := []Element{{Type: "rich_text", Elements: []Element{{Type: "rich_text_section", Elements: []Element{{Type: "text", Text: "The copy stays as is. I'm your manager"}}}}}}
	tests := []struct {
		name string
		msg  Message
		want string // rule[matched words], or "" for no match
	}{
		{"with a full stop", Message{Text: "The copy stays as is. I'm your manager."}, "im-the-boss[I'm your manager.]"},
		{"without one", Message{Text: "The copy stays as is. I'm your manager"}, "im-the-boss[I'm your manager]"},
		{"without one, in blocks", Message{Blocks: blocks}, "im-the-boss[I'm your manager]"},
		{"the sentence goes on", Message{Text: "I'm your manager on paper until Monday"}, ""},
		{"ends in an emoji code", Message{Text: "I'm your manager :tada:"}, ""},
		{"ends in a question", Message{Text: "wait, I'm your manager?"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(m.Match(tt.msg)); got != tt.want {
				t.Errorf("Match(%+v)\n got %q\nwant %q", tt.msg, got, tt.want)
			}
		})
	}
}

// TestJokesInBlocks: Slack sends a typed emoji as a rich_text emoji
// element, not as its :code: in the text; a laughing one makes its sentence
// a joke there too.
func TestJokesInBlocks(t *testing.T) {
	m := mustCompileFile(t, "testdata/judge.yaml")
	msg := func(emoji string) Message {
		return Message{Blocks: []Element{{Type: "rich_text", Elements: []Element{{Type: "rich_text_section", Elements: []Element{
			{Type: "text", Text: "just do it "}, {Type: "emoji", Name: emoji},
		}}}}}}
	}
	for _, tt := range []struct{ emoji, want string }{
		{"joy", ""},
		{"rolling_on_the_floor_laughing", ""},
		{"slightly_smiling_face", "just-do-it[just do it]"},
		{"rocket", "just-do-it[just do it]"},
	} {
		if got := summary(m.Match(msg(tt.emoji))); got != tt.want {
			t.Errorf("just do it :%s: (blocks): got %q, want %q", tt.emoji, got, tt.want)
		}
	}
}
