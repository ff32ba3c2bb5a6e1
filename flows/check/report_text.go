package check

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"oauthdeck/client/safe"
)

// TextStyles style the text report; the caller's palette decides (the CLI
// passes its lipgloss styles, or nothing for plain text). A nil func leaves
// the text as it is.
type TextStyles struct {
	Status func(Status, string) string
	Faint  func(string) string
}

// maxTextBody bounds a response body excerpt in the text report; -o json
// carries the full (bounded) evidence.
const maxTextBody = 300

// WriteText renders the report as a table for a terminal: one line per
// check, the detail under it, and for failures and warnings the rule and the
// exchanges behind the verdict. styles adds the caller's styling; everything
// printed is sanitised first.
func WriteText(w io.Writer, rep Report, styles TextStyles) error {
	tw := &textWriter{w: w, styles: styles}
	head := "oauthdeck check: " + orDash(rep.Server.URL)
	if rep.Server.Version != "" {
		head += " (" + safe.Line(rep.Server.Version) + ", " + string(rep.Server.Era) + " era)"
	}
	tw.line(head)
	tw.line(fmt.Sprintf("  issuer %s, resource %s", orDash(rep.Server.Issuer), orDash(rep.Server.Resource)))
	tw.line("")

	idWidth := 0
	for _, r := range rep.Checks {
		idWidth = max(idWidth, len(r.ID))
	}
	for _, r := range rep.Checks {
		tw.line(fmt.Sprintf("%s  %-*s  %s", tw.status(r.Status), idWidth, safe.Line(r.ID), safe.Line(r.Title)))
		indent := strings.Repeat(" ", 6+idWidth)
		if r.Detail != "" {
			tw.wrapped(indent, r.Detail)
		}
		if r.Status == Fail || r.Status == Warn {
			tw.line(indent + tw.faint(safe.Line(fmt.Sprintf("basis: %s (%s)", r.Basis, r.Level))))
			for _, ev := range r.Evidence {
				tw.evidence(indent, ev)
			}
		}
	}
	s := rep.Summary
	tw.line("")
	tw.line(fmt.Sprintf("%d checks: %d pass, %d fail, %d warn, %d skip", len(rep.Checks), s.Pass, s.Fail, s.Warn, s.Skip))
	if len(rep.Grades) > 0 {
		var gs []string
		for _, g := range rep.Grades {
			gs = append(gs, fmt.Sprintf("%s %s (MUST %d/%d, SHOULD %d/%d)", safe.Line(g.Spec), safe.Line(g.Letter), g.MustPassed, g.MustTotal, g.ShouldPassed, g.ShouldTotal))
		}
		tw.line("graded: " + strings.Join(gs, " · "))
	}
	tw.traffic(rep.Traffic)
	return tw.err
}

// traffic says how many requests went where, and what the rate limit cost.
func (t *textWriter) traffic(tr Traffic) {
	if tr.Total == 0 {
		return
	}
	keys := make([]string, 0, len(tr.Requests))
	for k := range tr.Requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if tr.Requests[keys[i]] != tr.Requests[keys[j]] {
			return tr.Requests[keys[i]] > tr.Requests[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, 0, 4)
	for i, k := range keys {
		if i == 4 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", safe.Line(k), tr.Requests[k]))
	}
	t.line(t.faint(fmt.Sprintf("%d requests (%s)", tr.Total, strings.Join(parts, ", "))))
	switch {
	case tr.Waits > 0:
		t.line(fmt.Sprintf("rate limited %d times: waited %.1fs in %d waits on Retry-After", tr.RateLimited, tr.WaitedSeconds, tr.Waits))
	case tr.RateLimited > 0:
		t.line(fmt.Sprintf("rate limited %d times (429) without waiting: those probes say nothing", tr.RateLimited))
	}
	if tr.Bypass {
		t.line(t.faint("sent X-Coder-Bypass-Ratelimit with the owner's session"))
	}
}

type textWriter struct {
	w      io.Writer
	styles TextStyles
	err    error
}

// line writes one line. Callers sanitise every report field they put in it
// (the report may be hand-built or decoded from JSON), and only then style it.
func (t *textWriter) line(s string) {
	if t.err != nil {
		return
	}
	_, t.err = io.WriteString(t.w, s+"\n")
}

func (t *textWriter) status(st Status) string {
	label := fmt.Sprintf("%-4s", strings.ToUpper(string(st)))
	if t.styles.Status != nil {
		return t.styles.Status(st, label)
	}
	return label
}

func (t *textWriter) faint(s string) string {
	if t.styles.Faint != nil {
		return t.styles.Faint(s)
	}
	return s
}

func (t *textWriter) wrapped(indent, text string) {
	for _, l := range strings.Split(safe.Text(text), "\n") {
		t.line(indent + l)
	}
}

func (t *textWriter) evidence(indent string, ev Evidence) {
	status := "no response"
	if ev.Status != 0 {
		status = fmt.Sprint(ev.Status)
	}
	line := fmt.Sprintf("%s %s → %s", ev.Method, ev.URL, status)
	if ev.Note != "" {
		line = ev.Note + ": " + line
	}
	t.line(indent + "• " + safe.Line(line))
	if ev.Error != "" {
		t.line(indent + "    error: " + safe.Line(ev.Error))
	}
	if ev.RequestBody != "" {
		t.line(indent + "    > " + safe.Line(clip(ev.RequestBody)))
	}
	for _, k := range verdictHeaderNames(ev.ResponseHeader) { // the evidence has them all (-o json)
		t.line(indent + "    < " + safe.Line(k+": "+ev.ResponseHeader[k]))
	}
	if ev.ResponseBody != "" {
		t.line(indent + "    < " + safe.Line(clip(ev.ResponseBody)))
	}
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= maxTextBody {
		return s
	}
	cut := maxTextBody
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return safe.Line(s)
}
