package report

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"text/tabwriter"
)

// WriteJSON writes the report in its JSON contract form.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Cell renders a published count, or "fewer than N" for one held back.
func (r *Report) Cell(n *int) string {
	if n == nil {
		return fmt.Sprintf("fewer than %d", r.MinPeople)
	}
	return fmt.Sprint(*n)
}

// Share renders part/whole as a percentage, when both are published and
// whole is not zero.
func (r *Report) Share(part, whole *int) string {
	if part == nil || whole == nil || *whole == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f %%", float64(*part)*100/float64(*whole))
}

// Promise is the sentence that says what the report may and may not show.
func (r *Report) Promise() string {
	return fmt.Sprintf("Anonymous totals only: a figure is shown when at least %d people stand behind it, never anyone's name, message, answer or own count.", r.MinPeople)
}

// WriteText writes the report for a terminal.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "Team report since %s. %s\n", r.Since, r.Promise())
	if len(r.Rules) == 0 {
		fmt.Fprintln(ew, "\nNo nudges were sent in this period.")
	} else {
		fmt.Fprintln(ew, "\nNudges by rule:")
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "rule\tcategory\tpeople\tsent\thelpful\tnot helpful\tsnoozed after\tstopped after")
		for _, row := range r.Rules {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", row.ID, row.Category, r.Cell(row.People), r.Cell(row.Sent),
				r.Cell(row.Helpful), r.Cell(row.NotHelpful), r.Cell(row.SnoozedAfter), r.Cell(row.StoppedAfter))
		}
		tw.Flush()
		fmt.Fprintln(ew, "\nBy category (sums of the figures shown above):")
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "category\tsent\thelpful\tnot helpful\tsnoozed after\tstopped after")
		for _, row := range r.Categories {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", row.Category, r.Cell(row.Sent), r.Cell(row.Helpful),
				r.Cell(row.NotHelpful), r.Cell(row.SnoozedAfter), r.Cell(row.StoppedAfter))
		}
		tw.Flush()
		fmt.Fprintln(ew, "\nBy week (UTC):")
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "week\tpeople\tsent\thelpful\trated helpful")
		for _, wk := range r.Weeks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", wk.Week, r.Cell(wk.People), r.Cell(wk.Sent), r.Cell(wk.Helpful), r.Share(wk.Helpful, wk.Sent))
		}
		tw.Flush()
	}
	fmt.Fprintf(ew, "\nWeekly reflection: %s people enrolled.\n", r.Cell(r.Reflection.Enrolled))
	if len(r.Reflection.Weeks) > 0 {
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "week\tprompted\tanswered\tskipped\tpaused\tanswer rate")
		for _, wk := range r.Reflection.Weeks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", wk.Week, r.Cell(wk.Prompted), r.Cell(wk.Answered), r.Cell(wk.Skipped), r.Cell(wk.Paused), r.Share(wk.Answered, wk.Prompted))
		}
		tw.Flush()
	}
	return ew.err
}

var page = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>leadnudge team report</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:62rem;padding:0 1rem;color:#1d1c1d}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem .7rem;border-bottom:1px solid #ddd;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#616061}
</style></head><body>
<h1>Team report since {{.Since}}</h1>
<p class="muted">{{.Promise}}</p>
<h2>Nudges by rule</h2>
{{if .Rules}}<table><tr><th>rule</th><th>category</th><th class="n">people</th><th class="n">sent</th><th class="n">helpful</th><th class="n">not helpful</th><th class="n">snoozed after</th><th class="n">stopped after</th></tr>
{{range .Rules}}<tr><td><code>{{.ID}}</code></td><td>{{.Category}}</td><td class="n">{{$.Cell .People}}</td><td class="n">{{$.Cell .Sent}}</td><td class="n">{{$.Cell .Helpful}}</td><td class="n">{{$.Cell .NotHelpful}}</td><td class="n">{{$.Cell .SnoozedAfter}}</td><td class="n">{{$.Cell .StoppedAfter}}</td></tr>
{{end}}</table>
<h2>By category</h2><p class="muted">Sums of the figures shown above.</p>
<table><tr><th>category</th><th class="n">sent</th><th class="n">helpful</th><th class="n">not helpful</th><th class="n">snoozed after</th><th class="n">stopped after</th></tr>
{{range .Categories}}<tr><td>{{.Category}}</td><td class="n">{{$.Cell .Sent}}</td><td class="n">{{$.Cell .Helpful}}</td><td class="n">{{$.Cell .NotHelpful}}</td><td class="n">{{$.Cell .SnoozedAfter}}</td><td class="n">{{$.Cell .StoppedAfter}}</td></tr>
{{end}}</table>
<h2>By week (UTC)</h2>
<table><tr><th>week</th><th class="n">people</th><th class="n">sent</th><th class="n">helpful</th><th class="n">rated helpful</th></tr>
{{range .Weeks}}<tr><td>{{.Week}}</td><td class="n">{{$.Cell .People}}</td><td class="n">{{$.Cell .Sent}}</td><td class="n">{{$.Cell .Helpful}}</td><td class="n">{{$.Share .Helpful .Sent}}</td></tr>
{{end}}</table>{{else}}<p>No nudges were sent in this period.</p>{{end}}
<h2>Weekly reflection</h2>
<p>{{.Cell .Reflection.Enrolled}} people enrolled.</p>
{{if .Reflection.Weeks}}<table><tr><th>week</th><th class="n">prompted</th><th class="n">answered</th><th class="n">skipped</th><th class="n">paused</th><th class="n">answer rate</th></tr>
{{range .Reflection.Weeks}}<tr><td>{{.Week}}</td><td class="n">{{$.Cell .Prompted}}</td><td class="n">{{$.Cell .Answered}}</td><td class="n">{{$.Cell .Skipped}}</td><td class="n">{{$.Cell .Paused}}</td><td class="n">{{$.Share .Answered .Prompted}}</td></tr>
{{end}}</table>{{end}}
</body></html>
`))

// WriteHTML writes one self-contained page (no scripts, nothing fetched).
func (r *Report) WriteHTML(w io.Writer) error {
	return page.Execute(w, r)
}

// errWriter keeps the first write error.
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

// Top returns the published rule rows with the most nudges sent, at most
// n, for short views (the App Home).
func (r *Report) Top(n int) []RuleRow {
	var out []RuleRow
	for _, row := range r.Rules {
		if row.Sent != nil && len(out) < n {
			out = append(out, row)
		}
	}
	return out
}
