package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/store"
)

func TestDataExportAndDelete(t *testing.T) {
	t.Chdir(t.TempDir())
	db := filepath.Join(t.TempDir(), "data.db")
	t.Setenv("LEADNUDGE_STORE_DSN", db)
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveReflection(ctx, "U1", store.WeekOf(mustTime(t)), "lead-or-manage", "I explained the why twice 🎉"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.RecordPendingNudge(ctx, store.NewNudge{EventID: "Ev1", UserID: "U1", RuleID: "just-do-it", ChannelID: "C1", MessageTS: "1.1"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveReflection(ctx, "U2", store.WeekOf(mustTime(t)), "lead-or-manage", "someone else's answer"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	code, out, errOut := runCLI(t, "", "data", "export", "--user", "U1")
	if code != 0 {
		t.Fatalf("export exit %d: %s", code, errOut)
	}
	var exp store.Export
	if err := json.Unmarshal([]byte(out), &exp); err != nil {
		t.Fatal(err)
	}
	if exp.UserID != "U1" || len(exp.Reflections) != 1 || exp.Reflections[0].Answer != "I explained the why twice 🎉" || len(exp.Nudges) != 1 {
		t.Errorf("export = %+v", exp)
	}
	if strings.Contains(out, "someone else's answer") {
		t.Error("export leaked another person's reflection")
	}
	if code, _, errOut := runCLI(t, "", "data", "delete", "--user", "U1"); code != 2 || !strings.Contains(errOut, "--yes") {
		t.Errorf("delete without --yes: exit %d %q", code, errOut)
	}
	code, out, errOut = runCLI(t, "", "data", "delete", "--user", "U1", "--yes")
	if code != 0 || !strings.Contains(out, "deleted everything about U1") {
		t.Fatalf("delete exit %d: %s %s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "", "data", "export", "--user", "U1")
	if code != 0 || strings.Contains(out, "explained") {
		t.Errorf("data remains after delete: %s", out)
	}
	code, out, _ = runCLI(t, "", "data", "export", "--user", "U2")
	if code != 0 || !strings.Contains(out, "someone else's answer") {
		t.Errorf("deleting U1 touched U2: %s", out)
	}
	if code, _, _ := runCLI(t, "", "data", "export", "--user", "not-an-id"); code != 2 {
		t.Errorf("bad user id: exit %d", code)
	}
}

func mustTime(t *testing.T) (tm time.Time) {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, "2026-03-06T10:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
