package store

import (
	"fmt"
	"time"
)

// Week is an ISO 8601 week (weeks start on Monday; week 1 holds the year's
// first Thursday). Its text form is "2026-W07", which sorts in time order.
type Week struct {
	Year int // ISO week-numbering year, which can differ from the calendar year near New Year
	Num  int // 1..53
}

// WeekOf returns the ISO week t falls in, in t's location: pass
// t.In(userLocation) to get a person's own week.
func WeekOf(t time.Time) Week {
	y, w := t.ISOWeek()
	return Week{Year: y, Num: w}
}

// ParseWeek parses the "2026-W07" form that String produces.
func ParseWeek(s string) (Week, error) {
	var w Week
	if len(s) != 8 || s[4] != '-' || s[5] != 'W' {
		return Week{}, fmt.Errorf("%w: week %q is not in the form 2026-W07", ErrInvalid, s)
	}
	if _, err := fmt.Sscanf(s, "%04d-W%02d", &w.Year, &w.Num); err != nil {
		return Week{}, fmt.Errorf("%w: week %q is not in the form 2026-W07", ErrInvalid, s)
	}
	if !w.Valid() {
		return Week{}, fmt.Errorf("%w: week %q does not exist", ErrInvalid, s)
	}
	return w, nil
}

// String returns the week as "2026-W07".
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Num) }

// Valid reports whether w is a real ISO week between years 1 and 9999 (week
// 53 exists only in some years).
func (w Week) Valid() bool {
	if w.Year < 1 || w.Year > 9999 || w.Num < 1 || w.Num > 53 {
		return false
	}
	return WeekOf(w.Start(time.UTC)) == w
}

// Start returns Monday 00:00 of week w in loc (nil means UTC).
func (w Week) Start(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	// January 4th is always in week 1.
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, loc)
	offset := (int(jan4.Weekday()) + 6) % 7 // days since Monday
	return time.Date(w.Year, time.January, 4-offset+7*(w.Num-1), 0, 0, 0, 0, loc)
}

// Add returns the week n weeks after w (n may be negative).
func (w Week) Add(n int) Week {
	s := w.Start(time.UTC)
	return WeekOf(time.Date(s.Year(), s.Month(), s.Day()+7*n, 12, 0, 0, 0, time.UTC))
}

// Before reports whether w comes before o.
func (w Week) Before(o Week) bool {
	return w.Year < o.Year || (w.Year == o.Year && w.Num < o.Num)
}

// MarshalText implements encoding.TextMarshaler ("2026-W07").
func (w Week) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (w *Week) UnmarshalText(b []byte) error {
	v, err := ParseWeek(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}
