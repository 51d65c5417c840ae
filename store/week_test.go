package store

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestWeek(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"midweek", time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC), "2026-W10"},
		{"new year's day belongs to the previous ISO year", time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC), "2026-W53"},
		{"late December in week 1", time.Date(2024, 12, 30, 0, 0, 0, 0, time.UTC), "2025-W01"},
		{"Sunday is the last day", time.Date(2026, 3, 8, 23, 59, 59, 0, time.UTC), "2026-W10"},
		{"Monday starts the week", time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC), "2026-W11"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := WeekOf(tc.at)
			if w.String() != tc.want {
				t.Fatalf("WeekOf(%v) = %s, want %s", tc.at, w, tc.want)
			}
			p, err := ParseWeek(tc.want)
			if err != nil || p != w {
				t.Fatalf("ParseWeek(%s) = %v, %v", tc.want, p, err)
			}
			start := w.Start(time.UTC)
			if start.Weekday() != time.Monday || WeekOf(start) != w || WeekOf(start.Add(-time.Nanosecond)) == w {
				t.Fatalf("Start(%s) = %v", w, start)
			}
		})
	}
}

func TestWeekOfUsesTheLocation(t *testing.T) {
	// Friday 23:30 in Los Angeles is already Saturday in UTC, and Sunday
	// 20:00 in Los Angeles is Monday of the next week in UTC.
	la := time.FixedZone("UTC-8", -8*3600)
	sunday := time.Date(2026, 3, 8, 20, 0, 0, 0, la)
	if WeekOf(sunday).String() != "2026-W10" || WeekOf(sunday.UTC()).String() != "2026-W11" {
		t.Fatalf("WeekOf ignores the location: %s / %s", WeekOf(sunday), WeekOf(sunday.UTC()))
	}
	if got := WeekOf(sunday).Start(la); !got.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, la)) {
		t.Fatalf("Start in zone = %v", got)
	}
}

func TestWeekArithmetic(t *testing.T) {
	w := Week{2026, 52}
	if got := w.Add(1).String(); got != "2026-W53" {
		t.Fatalf("2026-W52 + 1 = %s", got)
	}
	if got := w.Add(2).String(); got != "2027-W01" {
		t.Fatalf("2026-W52 + 2 = %s", got)
	}
	if got := (Week{2025, 1}).Add(-1).String(); got != "2024-W52" {
		t.Fatalf("2025-W01 - 1 = %s", got)
	}
	if !w.Before(w.Add(1)) || w.Add(1).Before(w) || w.Before(w) {
		t.Fatal("Before is wrong")
	}
	if (Week{2025, 53}).Valid() || !(Week{2026, 53}).Valid() || (Week{2026, 0}).Valid() || (Week{0, 1}).Valid() {
		t.Fatal("Valid is wrong about week 53 or zero values")
	}
}

func TestParseWeekRejects(t *testing.T) {
	for _, s := range []string{"", "2026W10", "2026-W1", "2026-w10", "2026-W54", "2025-W53", "abcd-Wxy", "2026-W10 ", "0000-W01"} {
		if _, err := ParseWeek(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseWeek(%q) err = %v, want ErrInvalid", s, err)
		}
	}
}

func TestWeekJSON(t *testing.T) {
	b, err := json.Marshal(struct{ W Week }{Week{2026, 7}})
	if err != nil || string(b) != `{"W":"2026-W07"}` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
	var v struct{ W Week }
	if err := json.Unmarshal([]byte(`{"W":"2027-W01"}`), &v); err != nil || v.W != (Week{2027, 1}) {
		t.Fatalf("unmarshal = %v, %v", v, err)
	}
	if err := json.Unmarshal([]byte(`{"W":"2027-W99"}`), &v); err == nil {
		t.Fatal("unmarshal accepted week 99")
	}
}
