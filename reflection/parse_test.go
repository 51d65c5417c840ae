package reflection_test

import (
	"strings"
	"testing"

	"github.com/leadnudge/leadnudge/reflection"
)

func TestParseCommand(t *testing.T) {
	cases := []struct {
		in   string
		verb reflection.Verb
		text string
	}{
		{"", reflection.VerbModal, ""},
		{"   \n", reflection.VerbModal, ""},
		{"help", reflection.VerbHelp, ""},
		{" HISTORY ", reflection.VerbHistory, ""},
		{"export", reflection.VerbExport, ""},
		{"Delete", reflection.VerbDelete, ""},
		{"on", reflection.VerbOn, ""},
		{"off", reflection.VerbOff, ""},
		{"on Tuesday I listened more", reflection.VerbAnswer, "on Tuesday I listened more"},
		{"delete the meeting, I said", reflection.VerbAnswer, "delete the meeting, I said"},
		{"a &lt; b &amp;&amp; c &gt; d", reflection.VerbAnswer, "a < b && c > d"},
		{"&amp;lt; stays", reflection.VerbAnswer, "&lt; stays"},
		{"  spaced  ", reflection.VerbAnswer, "  spaced  "},
	}
	for _, c := range cases {
		got := reflection.ParseCommand(c.in)
		if got.Verb != c.verb || got.Text != c.text {
			t.Errorf("ParseCommand(%q) = %+v, want %s %q", c.in, got, c.verb, c.text)
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"", "help", "on", "on it", "history", "&lt;@U1&gt;", "  export  ", "ÖFF", "delete\x00", "🚀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c := reflection.ParseCommand(in)
		trimmed := strings.ToLower(strings.TrimSpace(in))
		switch c.Verb {
		case reflection.VerbModal:
			if trimmed != "" {
				t.Fatalf("%q: modal for non-blank text", in)
			}
		case reflection.VerbAnswer:
			if trimmed == "" || c.Text == "" {
				t.Fatalf("%q: blank answer", in)
			}
			// Only Slack's three entities are undone; nothing else changes.
			want := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(in)
			if c.Text != want {
				t.Fatalf("%q: answer %q, want %q", in, c.Text, want)
			}
			switch trimmed {
			case "help", "history", "export", "delete", "on", "off":
				t.Fatalf("%q: keyword saved as an answer", in)
			}
		default:
			if string(c.Verb) != trimmed || c.Text != "" {
				t.Fatalf("%q: verb %s from %q", in, c.Verb, trimmed)
			}
		}
	})
}
