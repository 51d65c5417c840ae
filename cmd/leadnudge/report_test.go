package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/store"
	"github.com/leadnudge/leadnudge/store/storetest"
)

// seedTeam sends just-do-it to six people (two rate it helpful),
// because-i-said-so to two of them and stay-in-your-lane to three others,
// through the store's own calls, and enrols four in the reflection.
func seedTeam(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	send := func(ev, user, rule string) store.Nudge {
		n, _, err := st.RecordPendingNudge(ctx, store.NewNudge{EventID: ev, UserID: user, RuleID: rule, Category: "command-and-control", ChannelID: "C1", MessageTS: "1.1"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.DecideNudge(ctx, n.ID, store.Policy{}); err != nil {
			t.Fatal(err)
		}
		n, err = st.MarkNudgeSent(ctx, n.ID, store.Delivery{Channel: "D" + user, TS: "2.2"})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i := range 6 {
		n := send(fmt.Sprint("Eva", i), fmt.Sprint("U0PERSON", i), "just-do-it")
		if i < 2 {
			if _, err := st.RecordFeedback(ctx, n.ID, n.UserID, store.FeedbackHelpful); err != nil {
				t.Fatal(err)
			}
		}
	}
	send("Evb0", "U0PERSON0", "because-i-said-so")
	send("Evb1", "U0PERSON1", "because-i-said-so")
	for i := 6; i < 9; i++ {
		send(fmt.Sprint("Evc", i), fmt.Sprint("U0PERSON", i), "stay-in-your-lane")
	}
	for i := range 4 {
		if _, err := st.SetWeeklyEnrolled(ctx, fmt.Sprint("U0PERSON", i), true); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReportCommandSQLite(t *testing.T) {
	testReportCommand(t, "sqlite", filepath.Join(t.TempDir(), "team.db"))
}

func TestReportCommandPostgres(t *testing.T) {
	testReportCommand(t, "postgres", storetest.PostgresDSN(t))
}

// testReportCommand runs `leadnudge report` on a store seeded through the
// store's own calls.
func testReportCommand(t *testing.T, driver, dsn string) {
	t.Chdir(t.TempDir())
	t.Setenv("LEADNUDGE_STORE_DRIVER", driver)
	t.Setenv("LEADNUDGE_STORE_DSN", dsn)
	st, err := store.Open(context.Background(), driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	seedTeam(t, st)
	st.Close()

	code, out, errOut := runCLI(t, "", "report", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		MinPeople int `json:"min_people"`
		Rules     []struct {
			ID      string `json:"id"`
			People  *int   `json:"people"`
			Sent    *int   `json:"sent"`
			Helpful *int   `json:"helpful"`
		} `json:"rules"`
		Reflection struct {
			Enrolled *int `json:"enrolled"`
		} `json:"reflection"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.MinPeople != 5 || len(rep.Rules) != 3 {
		t.Fatalf("report = %s", out)
	}
	// just-do-it: six people, shown; its two helpful clicks and the
	// other rules' two and three people are held back (five together:
	// the total minus just-do-it gives nobody away)
	if r := rep.Rules[0]; r.ID != "just-do-it" || r.Sent == nil || *r.Sent != 6 || r.People == nil || *r.People != 6 || r.Helpful != nil {
		t.Errorf("just-do-it = %+v", r)
	}
	for _, r := range rep.Rules[1:] {
		if r.Sent != nil || r.People != nil || r.Helpful != nil {
			t.Errorf("%s (two or three people) = %+v, want all held back", r.ID, r)
		}
	}
	if rep.Reflection.Enrolled != nil {
		t.Errorf("four enrolled shown: %d", *rep.Reflection.Enrolled)
	}
	if strings.Contains(out, "U0PERSON") {
		t.Error("the report names someone")
	}
	code, out, _ = runCLI(t, "", "report", "--set", "report.min_people=3")
	if code != 0 || !strings.Contains(out, "fewer than 3") || !strings.Contains(out, "4 people enrolled") {
		t.Errorf("text report with min_people 3:\n%s", out)
	}
	if code, _, errOut := runCLI(t, "", "report", "--set", "report.min_people=2"); code != 2 || !strings.Contains(errOut, "report.min_people") {
		t.Errorf("min_people 2: exit %d %s", code, errOut)
	}
}
