package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"oauthdeck/client/safe"
	"oauthdeck/flows/check"
)

func (s *checkScreen) tableHeight() int { return max(s.height-checkHeaderLines-2, 1) }

func (s *checkScreen) View() string {
	st := s.c.Styles
	var b strings.Builder
	title := st.Title.Render("Conformance suite")
	switch sess := s.c.Session(); sess {
	case nil:
		title += "  " + st.Warn.Render("no deployment in use")
	default:
		info := safe.Line(sess.URL)
		if s.server.Version != "" {
			info += " · " + s.server.Version
		}
		title += "  " + st.Subtle.Render(info)
		if len(s.grades) > 0 && !s.running {
			title += "  " + gradesText(st, s.grades)
		}
	}
	b.WriteString(truncate(title, s.width) + "\n")
	b.WriteString(truncate(s.summaryLine(), s.width) + "\n")
	titleW := max(s.width-checkTitleCol, 10)
	b.WriteString(st.Header.Render("  "+checkColumns("CHECK", "STATUS", "TITLE", titleW)) + "\n")
	h := s.tableHeight()
	from, to := s.list.window(h)
	next := s.nextPending()
	for vi := from; vi < to; vi++ {
		i := s.shown[vi]
		r := s.rows[i]
		sym, word, sty := "·", "pending", st.Faint
		switch {
		case s.running && i == next:
			sym, word, sty = "…", "running", st.Info
		case r.res != nil:
			sym, word, sty = checkSymbol(st, r.res.Status)
		}
		line := checkColumns(r.info.ID, sty.Render(padRight(sym+" "+word, checkStatusWidth)), r.info.Title, titleW)
		b.WriteString(s.list.renderRow(st, vi, line, s.width) + "\n")
	}
	for i := to - from; i < h; i++ {
		b.WriteString("\n")
	}
	b.WriteString(truncate(s.footer(), s.width))
	return fitBox(b.String(), s.width, s.height)
}

// The table's columns after the two-cell cursor marker: header and rows
// are built by checkColumns alike, so they line up.
const (
	checkIDWidth     = 29
	checkStatusWidth = 9
	checkTitleCol    = 2 + checkIDWidth + 1 + checkStatusWidth + 1 // where TITLE starts on screen
)

func checkColumns(id, status, title string, titleW int) string {
	return padRight(id, checkIDWidth) + " " + padRight(status, checkStatusWidth) + " " + truncate(title, titleW)
}

// nextPending is the row running now: the check being re-run, else the
// first row without a result.
func (s *checkScreen) nextPending() int {
	for i, r := range s.rows {
		if s.rerun != "" && r.info.ID == s.rerun || s.rerun == "" && r.res == nil {
			return i
		}
	}
	return -1
}

func (s *checkScreen) summaryLine() string {
	st := s.c.Styles
	var results []check.Result
	for _, r := range s.rows {
		if r.res != nil {
			results = append(results, *r.res)
		}
	}
	sum := check.Summarize(results)
	pending := len(s.rows) - len(results)
	line := st.OK.Render("✓ "+itoa(sum.Pass)+" pass") + "  " + st.Warn.Render("! "+itoa(sum.Warn)+" warn") + "  " +
		st.Error.Render("✗ "+itoa(sum.Fail)+" fail") + "  " + st.Faint.Render("– "+itoa(sum.Skip)+" skip")
	switch {
	case s.running && s.rerun != "":
		line += "  " + st.Info.Render("re-running "+s.rerun+" · esc cancels")
	case s.running:
		line += "  " + st.Info.Render("running "+itoa(len(results))+"/"+itoa(len(s.rows))+" · esc cancels")
	case !s.ran:
		line += "  " + st.Subtle.Render("r runs "+itoa(len(s.rows))+" checks (makes and removes test apps)")
	case s.err != nil && errors.Is(s.err, context.Canceled):
		line += "  " + st.Warn.Render("cancelled · "+itoa(pending)+" not run")
	case s.err != nil:
		line += "  " + st.Error.Render("✗ "+explainFlowErr(s.err))
	case s.traffic.Total > 0:
		line += "  " + st.Faint.Render(trafficText(s.traffic))
	}
	return line
}

// gradesText is the run's letter per MCP version, short ("MCP 06-18 A").
func gradesText(st *Styles, gs []check.Grade) string {
	var b strings.Builder
	for _, g := range gs {
		v := strings.TrimPrefix(g.Spec, "MCP 20")
		sty := st.OK
		if g.Letter != "A" && g.Letter != "B" {
			sty = st.Warn
		}
		b.WriteString(st.Faint.Render("MCP "+v[3:]+" ") + sty.Render(g.Letter) + "  ")
	}
	return b.String()
}

// trafficText is the run's requests and what the rate limit cost, short.
func trafficText(t check.Traffic) string {
	text := itoa(t.Total) + " requests"
	switch {
	case t.Waits > 0:
		text += fmt.Sprintf(" · waited %.0fs on Retry-After (%d×429)", t.WaitedSeconds, t.RateLimited)
	case t.RateLimited > 0:
		text += " · " + itoa(t.RateLimited) + "×429, not waited on"
	}
	if t.Bypass {
		text += " · owner's rate-limit bypass sent"
	}
	return text
}

func (s *checkScreen) footer() string {
	st := s.c.Styles
	if len(s.shown) == 0 {
		if s.onlyBad {
			return st.OK.Render("No failures or warnings") + st.Faint.Render(" · f shows every check")
		}
		return ""
	}
	r := s.rows[s.shown[s.list.cursor]]
	if r.res == nil {
		return st.Faint.Render(string(r.info.Level) + " · " + safe.Line(r.info.Basis))
	}
	detail := strings.SplitN(r.res.Detail, "\n", 2)[0]
	return st.Faint.Render(string(r.res.Level)+" · "+r.res.Basis) + "  " + detail
}

func checkSymbol(st *Styles, s check.Status) (string, string, lipgloss.Style) {
	switch s {
	case check.Pass:
		return "✓", "pass", st.OK
	case check.Warn:
		return "!", "warn", st.Warn
	case check.Fail:
		return "✗", "fail", st.Error
	case check.Skip:
		return "–", "skip", st.Faint
	}
	return "?", safe.Line(string(s)), st.Faint
}
