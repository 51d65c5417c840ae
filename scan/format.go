package scan

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteJSON writes the report in its JSON contract form.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// skippedList is the skip reasons, most first.
func (r *Report) skippedList() []struct {
	Reason string
	N      int
} {
	var out []struct {
		Reason string
		N      int
	}
	for k, v := range r.Skipped {
		out = append(out, struct {
			Reason string
			N      int
		}{k, v})
	}
	slices.SortFunc(out, func(a, b struct {
		Reason string
		N      int
	}) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Reason, b.Reason)
	})
	return out
}

func (r *Report) skippedTotal() int {
	n := 0
	for _, v := range r.Skipped {
		n += v
	}
	return n
}

// silent is the rules that matched nothing.
func (r *Report) silent() []string {
	var ids []string
	for _, rc := range r.Rules {
		if rc.Matches == 0 {
			ids = append(ids, rc.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// skipLabels say what each skip reason means, in the report's words.
var skipLabels = map[string]string{
	"bot":              "by bots or apps",
	"subtype":          "joins, topic changes and other events",
	"no_user":          "without an author",
	"direct_message":   "in direct messages",
	"channel_excluded": "in channels the configuration excludes",
	"not_a_message":    "not messages",
	"malformed":        "without a valid timestamp",
	"unreadable":       "unreadable",
}

func (r *Report) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s messages read from %s files (%s)", commas(r.Messages), commas(r.Files), mb(r.Bytes))
	if n := r.skippedTotal(); n > 0 {
		var parts []string
		for _, s := range r.skippedList() {
			label := skipLabels[s.Reason]
			if label == "" {
				label = strings.ReplaceAll(s.Reason, "_", " ")
			}
			parts = append(parts, fmt.Sprintf("%s %s", commas(s.N), label))
		}
		fmt.Fprintf(&b, "; %s skipped: %s", commas(n), strings.Join(parts, ", "))
	}
	if r.Since != "" || r.Until != "" {
		fmt.Fprintf(&b, "; dates %s to %s", orOpen(r.Since), orOpen(r.Until))
	}
	return b.String()
}

func orOpen(s string) string {
	if s == "" {
		return "…"
	}
	return s
}

func (r *Report) verdict() string {
	return fmt.Sprintf("%s messages matched (%.2f per 1,000); after the policy (%s) the bot would have sent %s nudges (%.2f per 1,000).",
		commas(r.Matches), r.PerThousand(r.Matches), r.Policy.describe(), commas(r.Nudges), r.PerThousand(r.Nudges))
}

// describe says the policy in words: "one nudge per rule per person every 3
// days, at most 2 a day".
func (p PolicyInfo) describe() string {
	cd := "no cooldown"
	if d, err := time.ParseDuration(p.Cooldown); err == nil && d > 0 {
		switch {
		case d%(24*time.Hour) == 0:
			cd = fmt.Sprintf("a rule nudges a person at most once every %d days", d/(24*time.Hour))
		default:
			cd = fmt.Sprintf("a rule nudges a person at most once every %s", strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m"))
		}
	}
	if p.DailyCap > 0 {
		return fmt.Sprintf("%s, at most %d nudges a person a day; rules may have their own cooldown", cd, p.DailyCap)
	}
	return cd + ", no daily cap"
}

// WriteText writes the report for a terminal. Samples, when the scan kept
// any, are included: this is the only writer that shows message text.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	fmt.Fprintln(ew, r.summary()+".")
	fmt.Fprintln(ew, r.verdict())
	fmt.Fprintf(ew, "\nPeople, by the most nudges they would get in one week: none %s · 1: %s · 2–3: %s · 4 or more: %s\n",
		commas(r.People.None), commas(r.People.One), commas(r.People.TwoThree), commas(r.People.FourPlus))
	fmt.Fprintln(ew, "\nRules that would nudge, most first:")
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "rule\tcategory\tmatches\tnudges\tper 1,000")
	for _, rc := range r.Rules {
		if rc.Matches == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f\n", rc.ID, rc.Category, commas(rc.Matches), commas(rc.Nudges), r.PerThousand(rc.Nudges))
	}
	tw.Flush()
	if s := r.silent(); len(s) > 0 {
		fmt.Fprintf(ew, "\nRules that never matched (%d): %s\n", len(s), strings.Join(s, ", "))
	}
	fmt.Fprintln(ew, "\nBy category:")
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "category\tmatches\tnudges")
	for _, c := range r.Categories {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Category, commas(c.Matches), commas(c.Nudges))
	}
	tw.Flush()
	if len(r.Weeks) > 0 {
		fmt.Fprintln(ew, "\nBy week (UTC):")
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "week\tmessages\tmatches\tnudges\tnudges per 1,000")
		for _, wk := range r.Weeks {
			per := 0.0
			if wk.Messages > 0 {
				per = float64(wk.Nudges) * 1000 / float64(wk.Messages)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f\n", wk.Week, commas(wk.Messages), commas(wk.Matches), commas(wk.Nudges), per)
		}
		tw.Flush()
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(ew, "\nCould not read (%s; skipped, the scan went on):\n", commas(r.Skipped["unreadable"]))
		for i, e := range r.Errors {
			if i == 20 {
				fmt.Fprintf(ew, "  … and %d more (all of them in --format json)\n", len(r.Errors)-20)
				break
			}
			fmt.Fprintf(ew, "  %s\n", e.Error())
		}
	}
	if len(r.Samples) > 0 {
		fmt.Fprintln(ew, "\nSamples (from your export, shown here only):")
		for _, rc := range r.Rules {
			for _, s := range r.Samples[rc.ID] {
				fmt.Fprintf(ew, "  %s  %s %s  %s\n", rc.ID, s.Time.Format("2006-01-02 15:04"), s.Where, s.Excerpt)
			}
		}
	}
	return ew.err
}

// WriteMarkdown writes the report as Markdown, for a wiki page or an issue.
func (r *Report) WriteMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "# leadnudge scan\n\n%s.\n\n%s\n\n", md(r.summary()), md(r.verdict()))
	fmt.Fprintf(ew, "## People\n\nBy the most nudges they would get in one week.\n\n| none | 1 | 2–3 | 4 or more |\n|---:|---:|---:|---:|\n| %d | %d | %d | %d |\n\n",
		r.People.None, r.People.One, r.People.TwoThree, r.People.FourPlus)
	fmt.Fprintf(ew, "## Rules\n\n| rule | category | matches | nudges | nudges per 1,000 |\n|---|---|---:|---:|---:|\n")
	for _, rc := range r.Rules {
		if rc.Matches > 0 {
			fmt.Fprintf(ew, "| `%s` | %s | %d | %d | %.2f |\n", rc.ID, rc.Category, rc.Matches, rc.Nudges, r.PerThousand(rc.Nudges))
		}
	}
	if s := r.silent(); len(s) > 0 {
		fmt.Fprintf(ew, "\nNever matched (%d): `%s`\n", len(s), strings.Join(s, "`, `"))
	}
	fmt.Fprintf(ew, "\n## Categories\n\n| category | matches | nudges |\n|---|---:|---:|\n")
	for _, c := range r.Categories {
		fmt.Fprintf(ew, "| %s | %d | %d |\n", c.Category, c.Matches, c.Nudges)
	}
	fmt.Fprintf(ew, "\n## Weeks (UTC)\n\n| week | messages | matches | nudges |\n|---|---:|---:|---:|\n")
	for _, wk := range r.Weeks {
		fmt.Fprintf(ew, "| %s | %d | %d | %d |\n", wk.Week, wk.Messages, wk.Matches, wk.Nudges)
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(ew, "\n## Could not read\n\n")
		for _, e := range r.Errors {
			fmt.Fprintf(ew, "- %s\n", md(e.Error()))
		}
	}
	return ew.err
}

// md escapes the characters Markdown would read as markup.
func md(s string) string {
	return strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "|", `\|`, "<", "&lt;", "[", `\[`).Replace(s)
}

// bar is one bar of an SVG chart.
type bar struct {
	Label  string
	Value  int
	Second int // a second series drawn under the first (matches under nudges)
	X, Y   int
	W, H   int
	W2, H2 int
	Y2     int // where the second series' column starts (week chart)
	TextX  int
}

type chart struct {
	Width, Height int
	Bars          []bar
	Title         string
}

// ruleChart is a horizontal bar chart of nudges (and matches) per rule.
func (r *Report) ruleChart() chart {
	const rowH, labelW, barW = 18, 230, 420
	var rows []RuleCount
	for _, rc := range r.Rules {
		if rc.Matches > 0 {
			rows = append(rows, rc)
		}
	}
	rows = rows[:min(len(rows), 30)]
	top := 1
	for _, rc := range rows {
		top = max(top, rc.Matches)
	}
	c := chart{Width: labelW + barW + 60, Height: rowH*len(rows) + 4, Title: "Matches (light) and nudges (dark) per rule"}
	for i, rc := range rows {
		c.Bars = append(c.Bars, bar{Label: rc.ID, Value: rc.Nudges, Second: rc.Matches, X: labelW, Y: i*rowH + 2,
			W: rc.Nudges * barW / top, H: rowH - 4, W2: rc.Matches * barW / top, TextX: labelW + rc.Matches*barW/top + 6})
	}
	return c
}

// weekChart is a column chart of nudges (and matches) per week.
func (r *Report) weekChart() chart {
	const plotH, colW = 160, 14
	top := 1
	for _, w := range r.Weeks {
		top = max(top, w.Matches)
	}
	c := chart{Width: max(200, colW*len(r.Weeks)+20), Height: plotH + 4, Title: "Matches (light) and nudges (dark) per week"}
	for i, w := range r.Weeks {
		h, h2 := w.Nudges*plotH/top, w.Matches*plotH/top
		c.Bars = append(c.Bars, bar{Label: w.Week, Value: w.Nudges, Second: w.Matches, X: 10 + i*colW, Y: plotH + 2 - h,
			W: colW - 3, H: h, H2: h2, Y2: plotH + 2 - h2})
	}
	return c
}

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"commas": commas,
	"per":    func(r htmlReport, n int) string { return fmt.Sprintf("%.2f", r.PerThousand(n)) },
	"sub":    func(a, b int) int { return a - b },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>leadnudge scan</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1d1c1d}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem .7rem;border-bottom:1px solid #ddd;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.big{font-size:1.1rem}.muted{color:#616061}
svg text{font:12px system-ui,sans-serif;fill:#1d1c1d}
.m{fill:#c9b8d8}.u{fill:#4a154b}
</style></head><body>
<h1>leadnudge scan</h1>
<p class="big">{{.R.Summary}}.</p>
<p class="big">{{.R.Verdict}}</p>
<p class="muted">No message text is in this file: only counts per rule, per category and per week.</p>
<h2>People</h2>
<p>By the most nudges each author would get in one week.</p>
<table><tr><th class="n">none</th><th class="n">1</th><th class="n">2–3</th><th class="n">4 or more</th></tr>
<tr><td class="n">{{commas .R.People.None}}</td><td class="n">{{commas .R.People.One}}</td><td class="n">{{commas .R.People.TwoThree}}</td><td class="n">{{commas .R.People.FourPlus}}</td></tr></table>
<h2>Rules</h2>
{{with .Rules}}{{if .Bars}}<svg role="img" aria-label="{{.Title}}" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}">
{{range .Bars}}<text x="{{sub .X 6}}" y="{{.Y}}" dy="11" text-anchor="end">{{.Label}}</text><rect class="m" x="{{.X}}" y="{{.Y}}" width="{{.W2}}" height="{{.H}}"><title>{{.Label}}: {{.Second}} matches</title></rect><rect class="u" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Label}}: {{.Value}} nudges</title></rect><text x="{{.TextX}}" y="{{.Y}}" dy="11">{{.Value}} / {{.Second}}</text>
{{end}}</svg>
<p class="muted">{{.Title}}.</p>{{end}}{{end}}
<table><tr><th>rule</th><th>category</th><th class="n">matches</th><th class="n">nudges</th><th class="n">per 1,000</th></tr>
{{range .R.Rules}}{{if .Matches}}<tr><td><code>{{.ID}}</code></td><td>{{.Category}}</td><td class="n">{{commas .Matches}}</td><td class="n">{{commas .Nudges}}</td><td class="n">{{per $.R .Nudges}}</td></tr>
{{end}}{{end}}</table>
{{with .Silent}}<p>Never matched ({{len .}}): {{range $i, $id := .}}{{if $i}}, {{end}}<code>{{$id}}</code>{{end}}</p>{{end}}
<h2>Categories</h2>
<table><tr><th>category</th><th class="n">matches</th><th class="n">nudges</th></tr>
{{range .R.Categories}}<tr><td>{{.Category}}</td><td class="n">{{commas .Matches}}</td><td class="n">{{commas .Nudges}}</td></tr>
{{end}}</table>
<h2>Weeks (UTC)</h2>
{{with .Weeks}}{{if .Bars}}<svg role="img" aria-label="{{.Title}}" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}">
{{range .Bars}}<rect class="m" x="{{.X}}" y="{{.Y2}}" width="{{.W}}" height="{{.H2}}"><title>{{.Label}}: {{.Second}} matches</title></rect><rect class="u" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Label}}: {{.Value}} nudges</title></rect>
{{end}}</svg>
<p class="muted">{{.Title}}; hover a column for its week.</p>{{end}}{{end}}
<table><tr><th>week</th><th class="n">messages</th><th class="n">matches</th><th class="n">nudges</th></tr>
{{range .R.Weeks}}<tr><td>{{.Week}}</td><td class="n">{{commas .Messages}}</td><td class="n">{{commas .Matches}}</td><td class="n">{{commas .Nudges}}</td></tr>
{{end}}</table>
{{with .R.Errors}}<h2>Could not read</h2><ul>{{range .}}<li>{{.Error}}</li>{{end}}</ul>{{end}}
</body></html>
`))

// WriteHTML writes one self-contained page (inline CSS and SVG, no
// scripts, nothing fetched from the network) that can be opened offline
// and shared. It holds no message text.
func (r *Report) WriteHTML(w io.Writer) error {
	return htmlTmpl.Execute(w, struct {
		R      htmlReport
		Rules  chart
		Weeks  chart
		Silent []string
	}{htmlReport{r}, r.ruleChart(), r.weekChart(), r.silent()})
}

// htmlReport gives the template the report's sentences.
type htmlReport struct{ *Report }

func (h htmlReport) Summary() string { return h.summary() }
func (h htmlReport) Verdict() string { return h.verdict() }

// commas writes n with thousands separators.
func commas(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + commas(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func mb(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
}

// errWriter keeps the first write error, so a report is written with
// plain Fprintf calls and checked once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	_, e.err = e.w.Write(p)
	return len(p), nil
}
