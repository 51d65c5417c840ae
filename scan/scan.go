package scan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leadnudge/leadnudge/nudges"
	"golang.org/x/sync/errgroup"
)

// Options say how to scan. Matcher is required; the filters are the bot's
// own, passed in by the caller so a scan decides exactly as the bot does.
type Options struct {
	Matcher *nudges.Matcher
	// MinSeverity drops matches of less severe rules (the bot's
	// nudges.min_severity).
	MinSeverity nudges.Severity
	// Skip says why the bot ignores a message with these fields ("" when
	// it reads it): bots, subtypes, messages without an author.
	Skip func(subtype, botID, user string) string
	// ChannelAllowed applies the bot's channel allow and deny lists; nil
	// allows every channel.
	ChannelAllowed func(c Conversation) bool
	// Policy is the delivery policy the matches are run through.
	Policy Policy
	// Since and Until bound the messages read by timestamp: Since
	// inclusive, Until exclusive; zero means unbounded.
	Since, Until time.Time
	// Samples is how many excerpts per rule to return (0: none).
	Samples int
	// Workers is how many files are decoded at once; 0 means GOMAXPROCS.
	Workers int
	// Limits bound archives; the zero value means DefaultLimits.
	Limits Limits
	// Progress, when set, is called about five times a second, and once
	// at the end, from its own goroutine.
	Progress func(Progress)
}

// Policy is the bot's delivery policy, as the scan simulates it.
type Policy struct {
	// Cooldown returns the least time between two nudges of rule r to one
	// person (the rule's own cooldown, else nudges.cooldown); 0: none.
	Cooldown func(r *nudges.Rule) time.Duration
	// DefaultCooldown is nudges.cooldown, for the report to name.
	DefaultCooldown time.Duration
	// DailyCap is the most nudges one person gets in CapWindow; 0: none.
	DailyCap  int
	CapWindow time.Duration
}

// Progress is how far a scan has come.
type Progress struct {
	Files, FilesDone int
	Bytes, BytesDone int64
	Messages         int64
	Elapsed          time.Duration
}

// Run scans the exports at paths. It fails only when the paths cannot be
// opened as exports or an archive is unsafe; files and messages that
// cannot be read are reported in Report.Errors and counted in
// Report.Skipped, and the scan goes on.
func Run(ctx context.Context, paths []string, opts Options) (*Report, error) {
	if opts.Matcher == nil {
		return nil, errors.New("scan: no matcher")
	}
	if opts.Limits == (Limits{}) {
		opts.Limits = DefaultLimits
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Skip == nil {
		opts.Skip = func(string, string, string) string { return "" }
	}
	ex, err := openExport(paths, opts.Limits)
	if err != nil {
		return nil, err
	}
	defer ex.Close()
	srcs := ex.sources
	if !opts.Since.IsZero() || !opts.Until.IsZero() {
		// day files are named by the day in UTC: skip those wholly outside
		srcs = slices.DeleteFunc(slices.Clone(srcs), func(s source) bool {
			return !s.day.IsZero() && (!opts.Since.IsZero() && !s.day.Add(24*time.Hour).After(opts.Since) ||
				!opts.Until.IsZero() && !s.day.Before(opts.Until))
		})
	}
	// biggest files first, so the last worker is not left with a big one
	slices.SortStableFunc(srcs, func(a, b source) int { return cmp.Compare(b.size, a.size) })

	var total int64
	for _, s := range srcs {
		total += s.size
	}
	var st state
	st.files, st.bytes = len(srcs), total
	stopProgress := st.report(opts.Progress)

	rs := opts.Matcher.RuleSet()
	ruleIndex := make(map[*nudges.Rule]int, len(rs.Rules))
	for i := range rs.Rules {
		ruleIndex[&rs.Rules[i]] = i
	}
	parts := make([]*partial, opts.Workers)
	next := atomic.Int64{}
	g, gctx := errgroup.WithContext(ctx)
	for w := range parts {
		p := newPartial(len(rs.Rules))
		parts[w] = p
		g.Go(func() error {
			sc := scanner{opts: &opts, bots: ex.bots, rules: ruleIndex, p: p, st: &st}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(srcs) || gctx.Err() != nil {
					return gctx.Err()
				}
				sc.file(&srcs[i])
			}
		})
	}
	err = g.Wait()
	stopProgress()
	if err != nil {
		return nil, err
	}
	all := parts[0]
	for _, p := range parts[1:] {
		all.merge(p)
	}
	all.errs = append(ex.errs, all.errs...)
	return build(rs, all, &opts, len(srcs), total), nil
}

// state is shared progress, updated atomically by the workers.
type state struct {
	files     int
	bytes     int64
	filesDone atomic.Int64
	bytesDone atomic.Int64
	messages  atomic.Int64
}

func (st *state) report(fn func(Progress)) (stop func()) {
	if fn == nil {
		return func() {}
	}
	start := time.Now()
	snap := func() Progress {
		return Progress{Files: st.files, FilesDone: int(st.filesDone.Load()), Bytes: st.bytes,
			BytesDone: st.bytesDone.Load(), Messages: st.messages.Load(), Elapsed: time.Since(start)}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				fn(snap())
				return
			case <-t.C:
				fn(snap())
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// match is one message the bot would nudge, before the policy: no text.
type match struct {
	user string
	ts   time.Time
	rule int32
}

// sample is an excerpt of a matched message, for the operator's eyes.
type sample struct {
	ts      time.Time
	excerpt string
	where   string
}

// partial is one worker's tally, merged at the end.
type partial struct {
	skipped   map[string]int
	messages  int
	authors   map[string]bool
	weeks     map[string]*WeekCount
	ruleMatch []int
	matches   []match
	samples   [][]sample
	errs      []FileError
}

func newPartial(nrules int) *partial {
	return &partial{skipped: map[string]int{}, authors: map[string]bool{}, weeks: map[string]*WeekCount{},
		ruleMatch: make([]int, nrules), samples: make([][]sample, nrules)}
}

func (p *partial) merge(o *partial) {
	for k, v := range o.skipped {
		p.skipped[k] += v
	}
	p.messages += o.messages
	for a := range o.authors {
		p.authors[a] = true
	}
	for k, w := range o.weeks {
		if mine, ok := p.weeks[k]; ok {
			mine.Messages += w.Messages
			mine.Matches += w.Matches
		} else {
			p.weeks[k] = w
		}
	}
	for i, n := range o.ruleMatch {
		p.ruleMatch[i] += n
	}
	p.matches = append(p.matches, o.matches...)
	for i, ss := range o.samples {
		p.samples[i] = append(p.samples[i], ss...)
	}
	p.errs = append(p.errs, o.errs...)
}

// maxErrors bounds the errors a report lists (all are counted).
const maxErrors = 1000

func (p *partial) fail(e FileError) {
	p.skipped["unreadable"]++
	if len(p.errs) < maxErrors {
		p.errs = append(p.errs, e)
	}
}

// maxInMemory is the largest day file read whole: a worker's buffer grows
// to the largest such file it meets.
const maxInMemory = 16 << 20

// readAll reads r to its end into buf, expecting about size bytes, and
// fails if it holds more than maxInMemory.
func readAll(r io.Reader, buf []byte, size int64) ([]byte, error) {
	if int64(cap(buf)) < size+1 {
		buf = make([]byte, 0, size+512)
	}
	for {
		if len(buf) == cap(buf) {
			if len(buf) > maxInMemory {
				return buf, fmt.Errorf("file is larger than its declared %d bytes", size)
			}
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// scanner is one worker.
type scanner struct {
	buf   []byte // the day file being decoded
	opts  *Options
	bots  map[string]bool
	rules map[*nudges.Rule]int
	p     *partial
	st    *state
}

// countingReader counts the bytes read, for progress.
type countingReader struct {
	r  io.Reader
	st *state
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.st.bytesDone.Add(int64(n))
	return n, err
}

func (sc *scanner) file(src *source) {
	defer sc.st.filesDone.Add(1)
	f, err := src.open()
	if err != nil {
		sc.p.fail(FileError{File: src.name, Offset: -1, Err: err.Error()})
		return
	}
	defer f.Close()
	// the conversation of a day file is known once for all its messages
	allowed := sc.opts.ChannelAllowed == nil || src.jsonl || sc.opts.ChannelAllowed(src.conv)
	each := func(m *Message) { sc.message(src, m, allowed) }
	bad := func(off int64, err error) { sc.p.fail(FileError{File: src.name, Offset: off, Err: err.Error()}) }
	in := &countingReader{f, sc.st}
	if !src.jsonl && src.size <= maxInMemory {
		// a day file (nearly always well under 1 MB) is read whole and
		// decoded by hand; larger ones stream through encoding/json
		if sc.buf, err = readAll(in, sc.buf[:0], src.size); err == nil {
			err = decodeBytes(sc.buf, false, each, bad)
		}
	} else {
		err = decodeFile(in, src.jsonl, each, bad)
	}
	if err != nil {
		fe := FileError{File: src.name, Offset: -1, Err: err.Error()}
		var oe *offsetError
		if errors.As(err, &oe) {
			fe.Offset = oe.off
		}
		sc.p.fail(fe)
	}
}

// message decides one message as the bot would.
func (sc *scanner) message(src *source, m *Message, allowed bool) {
	sc.st.messages.Add(1)
	ts, ok := parseTS(m.TS)
	if !ok {
		sc.p.skipped["malformed"]++
		return
	}
	o := sc.opts
	if !o.Since.IsZero() && ts.Before(o.Since) || !o.Until.IsZero() && !ts.Before(o.Until) {
		return // outside the dates asked for: not part of this scan
	}
	conv := src.conv
	if src.jsonl {
		conv = Conversation{ID: m.Channel, Kind: KindChannel}
		if m.ChannelType != "" {
			conv.Kind = Kind(m.ChannelType)
		}
	}
	reason := ""
	switch {
	case m.Type != "" && m.Type != "message":
		reason = "not_a_message"
	case conv.Kind == KindIM:
		reason = "direct_message"
	case sc.bots[m.User] && m.User != "":
		reason = "bot"
	default:
		reason = o.Skip(m.Subtype, m.BotID, m.User)
	}
	if reason == "" && (!allowed || src.jsonl && o.ChannelAllowed != nil && !o.ChannelAllowed(conv)) {
		reason = "channel_excluded"
	}
	if reason != "" {
		sc.p.skipped[reason]++
		return
	}
	p := sc.p
	p.messages++
	p.authors[m.User] = true
	wk := isoWeek(ts)
	w := p.weeks[wk]
	if w == nil {
		w = &WeekCount{Week: wk}
		p.weeks[wk] = w
	}
	w.Messages++
	best, ok := sc.best(m)
	if !ok {
		return
	}
	ri := sc.rules[best.Rule]
	w.Matches++
	p.ruleMatch[ri]++
	p.matches = append(p.matches, match{user: m.User, ts: ts, rule: int32(ri)})
	if o.Samples > 0 {
		p.addSample(ri, sample{ts: ts, excerpt: excerpt(m, best), where: conv.label()}, o.Samples)
	}
}

// best is the bot's choice among the message's matches at or above the
// configured severity.
func (sc *scanner) best(m *Message) (nudges.Match, bool) {
	ms := sc.opts.Matcher.Match(nudges.Message{Text: m.Text, Blocks: m.Blocks})
	kept := ms[:0]
	for _, x := range ms {
		if x.Rule.Severity >= sc.opts.MinSeverity {
			kept = append(kept, x)
		}
	}
	return nudges.Best(kept)
}

// addSample keeps the n earliest samples of a rule.
func (p *partial) addSample(ri int, s sample, n int) {
	ss := append(p.samples[ri], s)
	if len(ss) > 2*n {
		slices.SortFunc(ss, func(a, b sample) int { return a.ts.Compare(b.ts) })
		ss = ss[:n]
	}
	p.samples[ri] = ss
}

func (c Conversation) label() string {
	switch {
	case c.Kind == KindChannel && c.Name != "":
		return "#" + c.Name
	case c.Name != "":
		return c.Name
	}
	return c.ID
}

// excerpt is the matched words with a little of the message around them,
// on one line.
func excerpt(msg *Message, m nudges.Match) string {
	const around = 60
	text := msg.Text
	if m.Start > m.End || m.End > len(text) || text[m.Start:m.End] != m.Text {
		text = nudges.PlainText(msg.Blocks) // the match was read from the blocks
	}
	if m.End <= m.Start || m.End > len(text) {
		return oneLine(m.Text)
	}
	from, to := max(0, m.Start-around), min(len(text), m.End+around)
	for from > 0 && !utf8Start(text[from]) {
		from--
	}
	for to < len(text) && !utf8Start(text[to]) {
		to++
	}
	s := text[from:m.Start] + "»" + text[m.Start:m.End] + "«" + text[m.End:to]
	if from > 0 {
		s = "…" + s
	}
	if to < len(text) {
		s += "…"
	}
	return oneLine(s)
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// parseTS reads a Slack timestamp ("1733050000.123456").
func parseTS(ts string) (time.Time, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s < 0 {
		return time.Time{}, false
	}
	var us int64
	if frac != "" {
		if len(frac) > 6 {
			frac = frac[:6]
		}
		u, err := strconv.ParseInt(frac, 10, 64)
		if err != nil || u < 0 {
			return time.Time{}, false
		}
		for range 6 - len(frac) {
			u *= 10
		}
		us = u
	}
	return time.Unix(s, us*1000).UTC(), true
}

// isoWeek names the ISO week of t, e.g. "2026-W49".
func isoWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}
