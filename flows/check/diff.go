package check

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"oauthdeck/client/safe"
)

// ChangeKind is how a check's outcome moved between two runs.
type ChangeKind string

const (
	NewFailure ChangeKind = "new-failure" // failed now, did not before (a regression)
	Fixed      ChangeKind = "fixed"       // failed before, does not now
	NewCheck   ChangeKind = "new-check"   // only in the new run
	Removed    ChangeKind = "removed"     // only in the baseline
	SkippedNow ChangeKind = "skipped-now" // ran before, skipped now (no longer tested)
	Changed    ChangeKind = "changed"     // any other status change (pass ↔ warn, skip → pass)
)

// Change is one check whose outcome differs. Text is safe for a terminal.
type Change struct {
	ID     string     `json:"id"`
	Title  string     `json:"title"`
	Kind   ChangeKind `json:"kind"`
	Old    Status     `json:"old,omitempty"`
	New    Status     `json:"new,omitempty"`
	Detail string     `json:"detail,omitempty"` // the new run's detail (the old one's for a removed check)
}

// Comparison is what changed from a baseline run to a new one.
type Comparison struct {
	Baseline ServerInfo `json:"baseline"`
	Current  ServerInfo `json:"current"`
	Changes  []Change   `json:"changes"`
}

// Regressions counts the checks that fail now and did not before (a new
// check that fails counts too: it is a failure the baseline did not have).
func (c Comparison) Regressions() int {
	n := 0
	for _, ch := range c.Changes {
		if ch.Kind == NewFailure || ch.Kind == NewCheck && ch.New == Fail {
			n++
		}
	}
	return n
}

// Compare lists, in the new run's order (then the removed checks), every
// check whose status differs from the baseline's.
func Compare(baseline, current Report) Comparison {
	out := Comparison{Baseline: baseline.Server, Current: current.Server, Changes: []Change{}}
	old := map[string]Result{}
	for _, r := range baseline.Checks {
		old[r.ID] = r
	}
	seen := map[string]bool{}
	for _, r := range current.Checks {
		seen[r.ID] = true
		b, ok := old[r.ID]
		ch := Change{ID: safe.Line(r.ID), Title: safe.Line(r.Title), Old: safeStatus(b.Status), New: safeStatus(r.Status), Detail: safe.Line(firstLine(r.Detail))}
		switch {
		case !ok:
			ch.Kind, ch.Old = NewCheck, ""
		case b.Status == r.Status:
			continue
		case r.Status == Fail:
			ch.Kind = NewFailure
		case r.Status == Skip:
			ch.Kind = SkippedNow // not tested now: a former failure is not "fixed"
		case b.Status == Fail:
			ch.Kind = Fixed
		default:
			ch.Kind = Changed
		}
		out.Changes = append(out.Changes, ch)
	}
	for _, r := range baseline.Checks {
		if !seen[r.ID] {
			out.Changes = append(out.Changes, Change{ID: safe.Line(r.ID), Title: safe.Line(r.Title), Kind: Removed, Old: safeStatus(r.Status), Detail: safe.Line(firstLine(r.Detail))})
		}
	}
	return out
}

// safeStatus: a baseline is a file anyone may have written.
func safeStatus(s Status) Status { return Status(safe.Line(string(s))) }

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// maxReportBytes bounds a baseline file: a full report with evidence is a
// few hundred kilobytes.
const maxReportBytes = 32 << 20

// ReadReport reads a report written by WriteJSON (oauthdeck check -o json).
func ReadReport(r io.Reader) (Report, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxReportBytes+1))
	if err != nil {
		return Report{}, err
	}
	if len(b) > maxReportBytes {
		return Report{}, fmt.Errorf("larger than %d MiB: not a check report", maxReportBytes>>20)
	}
	var rep struct {
		Report
		Checks *[]Result `json:"checks"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return Report{}, fmt.Errorf("not a check report (oauthdeck check -o json): %s", safe.Line(err.Error()))
	}
	if rep.Checks == nil {
		return Report{}, errors.New(`not a check report (oauthdeck check -o json): it has no "checks"`)
	}
	rep.Report.Checks = *rep.Checks
	if slices.ContainsFunc(rep.Report.Checks, func(r Result) bool { return r.ID == "" }) {
		return Report{}, errors.New("not a check report: a check has no id")
	}
	return rep.Report, nil
}

// WriteComparison prints the changes, regressions first, one line each.
func WriteComparison(w io.Writer, c Comparison, styles TextStyles) error {
	tw := &textWriter{w: w, styles: styles}
	tw.line(fmt.Sprintf("Compared with %s (%s): %d changed, %d regressions", orDash(safe.Line(c.Baseline.URL)), orDash(safe.Line(c.Baseline.Version)), len(c.Changes), c.Regressions()))
	order := []ChangeKind{NewFailure, NewCheck, SkippedNow, Changed, Fixed, Removed}
	for _, kind := range order {
		for _, ch := range c.Changes {
			if ch.Kind != kind {
				continue
			}
			move := string(ch.Old) + " → " + string(ch.New)
			switch kind {
			case NewCheck:
				move = "new, " + string(ch.New)
			case Removed:
				move = "was " + string(ch.Old) + ", not run now"
			}
			text := fmt.Sprintf("  %-12s %s  %s", kind, ch.ID, move)
			if ch.Detail != "" {
				text += "  " + tw.faint(ch.Detail)
			}
			tw.line(text)
		}
	}
	return tw.err
}
