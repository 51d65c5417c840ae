package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/leadnudge/leadnudge/nudges"
	"github.com/leadnudge/leadnudge/playground"
	"github.com/leadnudge/leadnudge/store"
)

// playgroundPeople are the people the browser playground posts as (the
// demo's users, in the order of its "Post as" picker).
func playgroundPeople() []playground.Person {
	people := []playground.Person{
		{ID: demoAna, Name: "Ana", Title: "team lead"},
		{ID: demoBen, Name: "Ben", Title: "engineer"},
		{ID: demoYou, Name: "You"},
	}
	for i := range people { // the zones are the demo users' own
		for _, u := range demoUsers {
			if u.ID == people[i].ID {
				people[i].TimeZone = u.TZ
			}
		}
	}
	return people
}

// seedWorkspace adds the demo's people and channel to a local Slack.
func seedWorkspace(fs *fakeslack.Server) error {
	for _, u := range demoUsers {
		if err := fs.AddUser(u); err != nil {
			return err
		}
	}
	if err := fs.AddChannel(demoChannel, demoAna, demoBen, demoYou); err != nil {
		return err
	}
	return fs.NameChannel(demoChannel, demoChannelNm)
}

// explainText is `leadnudge check --explain` for one message, as text.
func explainText(m *nudges.Matcher, msg string) string {
	var b strings.Builder
	if err := writeCheckText(&b, 1, 1, msg, m.MatchText(msg), false); err != nil {
		return err.Error()
	}
	if err := writeExplainText(&b, msg, m.Explain(nudges.Message{Text: msg}), false); err != nil {
		return err.Error()
	}
	return b.String()
}

// nextWeekly runs the weekly job as of the next Friday 16:00 at which every
// demo person is due (16:00 in the westernmost zone), one week later at
// each call.
func (d *demo) nextWeekly(ctx context.Context) (string, error) {
	if d.app == nil || d.app.reflection == nil {
		return "", fmt.Errorf("the weekly reflection is off (reflection.enabled)")
	}
	d.webMu.Lock()
	if d.weekAt.IsZero() {
		for _, p := range playgroundPeople() {
			loc, err := time.LoadLocation(p.TimeZone)
			if err != nil {
				d.webMu.Unlock()
				return "", err
			}
			mon := store.WeekOf(time.Now().In(loc)).Start(loc)
			at := time.Date(mon.Year(), mon.Month(), mon.Day()+4, 16, 0, 0, 0, loc)
			if at.After(d.weekAt) {
				d.weekAt = at
			}
		}
	} else {
		d.weekAt = d.weekAt.AddDate(0, 0, 7)
	}
	at := d.weekAt
	d.webMu.Unlock()
	sum, err := d.app.reflection.Tick(ctx, at)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Weekly job as of %s UTC: %d sent, %d skipped.", at.UTC().Format("Mon 2 Jan 15:04"), sum.Sent, sum.Skipped), nil
}

// printOpenHint tells how to open url: the command of the desktop, when
// there is one.
func printOpenHint(w io.Writer, url string) {
	switch {
	case runtime.GOOS == "darwin":
		fmt.Fprintf(w, "Open it:  open %s\n", url)
	case runtime.GOOS == "windows":
		fmt.Fprintf(w, "Open it:  start %s\n", url)
	case os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "":
		fmt.Fprintf(w, "Open it:  xdg-open %s\n", url)
	default:
		fmt.Fprintf(w, "Open it in a browser on this machine (or forward the port: ssh -L 8080:127.0.0.1:8080 HOST).\n")
	}
}

// serveWithPlayground serves the local Slack and the playground (no weekly
// job, no rules drawer: the bot runs elsewhere) on listen; stop shuts the
// listener down.
func serveWithPlayground(fs *fakeslack.Server, listen string, allowNonLoopback bool) (stop func(), err error) {
	if err := fakeslack.CheckListenAddr(listen, allowNonLoopback); err != nil {
		return nil, err
	}
	if err := seedWorkspace(fs); err != nil {
		return nil, err
	}
	pg, err := playground.New(fs, playground.Options{People: playgroundPeople(),
		Channels: []playground.Channel{{ID: demoChannel, Name: demoChannelNm}}})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, err
	}
	fs.SetBaseURL("http://" + ln.Addr().String())
	srv := &http.Server{Handler: pg.Handler(fs.Handler()), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Shutdown
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(ctx) //nolint:errcheck
	}, nil
}
