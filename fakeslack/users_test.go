package fakeslack_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

func TestUsersListPaginates(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	var want []string
	for i := range 457 {
		id := fmt.Sprintf("U%04d", i)
		want = append(want, id)
		if err := fs.AddUser(fakeslack.User{ID: id, TZ: "Asia/Tokyo", Deleted: i == 3, IsBot: i == 4}); err != nil {
			t.Fatal(err)
		}
	}
	want = append(want, fakeslack.BotUserID) // the app's own bot user is a member too ("U0BOT" sorts last)
	slices.Sort(want)
	api := newAPI(fs, testBotToken, testAppToken)
	for _, limit := range []int{200, 1000} {
		p := api.GetUsersPaginated(slack.GetUsersOptionLimit(limit))
		var got []string
		pages := 0
		var err error
		for {
			p, err = p.Next(ctxT(t))
			if p.Done(err) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, u := range p.Users {
				got = append(got, u.ID)
				if u.ID == fakeslack.BotUserID {
					if !u.IsBot {
						t.Errorf("the bot user should be a bot: %+v", u)
					}
					continue
				}
				if u.TZ != "Asia/Tokyo" || u.Deleted != (u.ID == "U0003") || u.IsBot != (u.ID == "U0004") || u.Updated == 0 {
					t.Errorf("limit %d: user %+v", limit, u)
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: listed %d users, want %d in id order", limit, len(got), len(want))
		}
		if wantPages := (len(want) + limit - 1) / limit; pages != wantPages {
			t.Errorf("limit %d: %d pages, want %d", limit, pages, wantPages)
		}
	}
	if _, _, err := api.GetUsersInConversation(&slack.GetUsersInConversationParameters{ChannelID: "C1", Cursor: "bm9wZQ=="}); err == nil {
		t.Error("a cursor the local Slack did not issue should be refused")
	}
}

func TestConversationsMembersPaginates(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	var ids []string
	for i := range 2500 {
		ids = append(ids, fmt.Sprintf("U%05d", i))
	}
	if err := fs.AddChannel("C1", ids...); err != nil {
		t.Fatal(err)
	}
	api := newAPI(fs, testBotToken, testAppToken)
	var got []string
	cursor := ""
	for page := 0; ; page++ {
		m, next, err := api.GetUsersInConversation(&slack.GetUsersInConversationParameters{ChannelID: "C1", Cursor: cursor, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(m) > 1000 {
			t.Fatalf("page %d has %d members, more than the limit", page, len(m))
		}
		got = append(got, m...)
		if next == "" {
			break
		}
		cursor = next
	}
	want := append([]string{fakeslack.BotUserID}, ids...)
	if !slices.Equal(got, want) {
		t.Errorf("members: got %d, want %d in order", len(got), len(want))
	}
}

// TestChangeUserTellsTheApp: a new member is a team_join, a change a
// user_change, a status change also a user_status_changed, all received by
// the unmodified Socket Mode client and parsed into slack-go's types.
func TestChangeUserTellsTheApp(t *testing.T) {
	fs := startFake(t, fakeslack.Options{})
	c := startClient(t, fs, testAppToken)
	step := func(u fakeslack.User, want ...string) []slackevents.EventsAPIInnerEvent {
		t.Helper()
		sent, err := fs.ChangeUser(u)
		if err != nil {
			t.Fatal(err)
		}
		if len(sent) != len(want) {
			t.Fatalf("%d events sent, want %v", len(sent), want)
		}
		var got []slackevents.EventsAPIInnerEvent
		for _, w := range want {
			evt := c.next(t)
			c.ack(t, evt, nil)
			ea, ok := evt.Data.(slackevents.EventsAPIEvent)
			if !ok || ea.InnerEvent.Type != w {
				t.Fatalf("got %T %+v, want a %s event", evt.Data, evt.Data, w)
			}
			got = append(got, ea.InnerEvent)
		}
		return got
	}
	ev := step(fakeslack.User{ID: "U1", TZ: "Europe/Paris"}, "team_join")
	if tj, ok := ev[0].Data.(*slackevents.TeamJoinEvent); !ok || tj.User == nil || tj.User.ID != "U1" || tj.User.TZ != "Europe/Paris" {
		t.Errorf("team_join = %+v", ev[0].Data)
	}
	ev = step(fakeslack.User{ID: "U1", TZ: "America/New_York"}, "user_change")
	uc, ok := ev[0].Data.(*slackevents.UserChangeEvent)
	if !ok || uc.User.ID != "U1" || uc.User.TZ != "America/New_York" {
		t.Fatalf("user_change = %+v", ev[0].Data)
	}
	first := uc.User.Updated
	ev = step(fakeslack.User{ID: "U1", TZ: "America/New_York", StatusEmoji: ":palm_tree:", StatusText: "OOO"}, "user_change", "user_status_changed")
	sc, ok := ev[1].Data.(*slackevents.UserStatusChangedEvent)
	if !ok || sc.User.Profile.StatusEmoji != ":palm_tree:" || sc.User.Profile.StatusText != "OOO" {
		t.Fatalf("user_status_changed = %+v", ev[1].Data)
	}
	if sc.User.Updated <= first {
		t.Errorf("updated %d should be after the previous change's %d", sc.User.Updated, first)
	}
	step(fakeslack.User{ID: "U1", TZ: "America/New_York", StatusEmoji: ":palm_tree:", StatusText: "OOO"})
	if _, err := fs.ChangeUser(fakeslack.User{ID: "nope"}); err == nil {
		t.Error("a bad user id should be refused")
	}
}
