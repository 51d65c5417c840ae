package fakeslack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func TestRichTextLikeSlacksComposer(t *testing.T) {
	tests := []struct{ in, want string }{
		{"just do it", `[{"elements":[{"text":"just do it","type":"text"}],"type":"rich_text_section"}]`},
		{"run `make` &amp; *ship* it", `[{"elements":[{"text":"run ","type":"text"},{"style":{"code":true},"text":"make","type":"text"},{"text":" \u0026 ","type":"text"},{"style":{"bold":true},"text":"ship","type":"text"},{"text":" it","type":"text"}],"type":"rich_text_section"}]`},
		{"fix:\n```\ngo test\n```\ndone", `[{"elements":[{"text":"fix:\n","type":"text"}],"type":"rich_text_section"},{"elements":[{"text":"go test","type":"text"}],"type":"rich_text_preformatted"},{"elements":[{"text":"done","type":"text"}],"type":"rich_text_section"}]`},
		{"&gt; quoted\nmine", `[{"elements":[{"text":"quoted","type":"text"}],"type":"rich_text_quote"},{"elements":[{"text":"mine","type":"text"}],"type":"rich_text_section"}]`},
		{"hi <@U1> see <#C1|gen> <https://x.io|docs> <!here> :tada:", `[{"elements":[{"text":"hi ","type":"text"},{"type":"user","user_id":"U1"},{"text":" see ","type":"text"},{"channel_id":"C1","type":"channel"},{"text":" ","type":"text"},{"text":"docs","type":"link","url":"https://x.io"},{"text":" ","type":"text"},{"range":"here","type":"broadcast"},{"text":" ","type":"text"},{"name":"tada","type":"emoji"}],"type":"rich_text_section"}]`},
		{"snake_case_name and 5*3", `[{"elements":[{"text":"snake_case_name and 5*3","type":"text"}],"type":"rich_text_section"}]`},
	}
	for _, tt := range tests {
		rt := richText(tt.in)
		got, _ := json.Marshal(rt["elements"])
		if string(got) != tt.want {
			t.Errorf("richText(%q)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestConversationsList(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, id := range []string{"C3", "C1", "G2"} {
		if err := s.AddChannel(id); err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			if err := s.NameChannel(id, fmt.Sprintf("#chan-%d", i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	api := slack.New("xoxb-x", slack.OptionAPIURL(s.URL()))
	var got []string
	cursor := ""
	for {
		chs, next, err := api.GetConversations(&slack.GetConversationsParameters{Cursor: cursor, Limit: 2, Types: []string{"public_channel", "private_channel"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range chs {
			got = append(got, c.ID+"="+c.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if want := "C1=chan-1 C3=chan-0 G2=g2"; strings.Join(got, " ") != want {
		t.Errorf("conversations.list = %q, want %q", strings.Join(got, " "), want)
	}
	if err := s.NameChannel("D1", "x"); err == nil {
		t.Error("a DM cannot be named")
	}
}

func TestBlockTexts(t *testing.T) {
	raw := []byte(`[{"type":"section","text":{"type":"mrkdwn","text":"*Title*"}},{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Helpful"}},{"type":"button","text":{"type":"plain_text","text":"Stop"}}]}]`)
	if got, want := BlockTexts(raw), "*Title*\nHelpful\nStop"; got != want {
		t.Errorf("BlockTexts = %q, want %q", got, want)
	}
	if BlockTexts([]byte("nope")) != "" {
		t.Error("invalid JSON should give nothing")
	}
}
