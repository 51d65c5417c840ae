package reflection_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/leadnudge/leadnudge/fakeslack"
	"github.com/leadnudge/leadnudge/reflection"
	"github.com/leadnudge/leadnudge/store"
	"github.com/leadnudge/leadnudge/store/storetest"
)

// Two replicas on one PostgreSQL database race the same week: each person
// gets exactly one prompt.
func TestTwoReplicasOnPostgresRaceTheSameWeek(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresDSN(t)
	clk := &clock{t: time.Date(2026, 1, 16, 16, 0, 0, 0, time.UTC)}
	open := func() *store.Store {
		st, err := store.Open(context.Background(), "postgres", dsn, store.WithClock(clk.Now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	opts := reflection.Options{Channels: []string{"C0ALL0"}, Rate: 2000, Workers: 8, PostChannel: "C0REFLECT"}
	a := newEnv(t, envOptions{refl: opts, st: open(), clk: clk, noRun: true})
	b := newEnv(t, envOptions{refl: opts, st: open(), clk: clk, noRun: true, fs: a.fs})
	ids, _ := manyUsers(a, 400, "C0ALL")
	if err := a.fs.AddChannel("C0REFLECT"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	sums := make([]reflection.Summary, 2)
	for i, e := range []*env{a, b} {
		wg.Go(func() {
			s, err := e.r.Tick(context.Background(), clk.Now())
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
			sums[i] = s
		})
	}
	wg.Wait()
	if sums[0].Sent+sums[1].Sent != 400 || sums[0].Failed+sums[1].Failed != 0 {
		t.Fatalf("replicas sent %+v and %+v, want 400 in all", sums[0], sums[1])
	}
	per := promptsPerUser(a)
	for _, id := range ids {
		if n := per[id] + per[fakeslack.DMChannel(id)]; n != 1 {
			t.Fatalf("%s got %d prompts", id, n)
		}
	}
	if n := len(a.fs.Posts("C0REFLECT")); n != 1 {
		t.Errorf("%d channel posts, want 1", n)
	}
	t.Logf("replica A sent %d, replica B sent %d", sums[0].Sent, sums[1].Sent)
}
