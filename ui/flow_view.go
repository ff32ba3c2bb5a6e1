package ui

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// flowListWidth is the step list's width; the detail takes the rest.
const flowListWidth = 22

// maxBodyLines bounds each response body shown in a step's detail (the
// Requests tab has every byte).
const maxBodyLines = 14

// flowHeaderLines is the number of lines above the panes.
func flowHeaderLines(s *flowScreen) int {
	if s.run != nil && (s.pasting || s.run.note != "") {
		return 2
	}
	return 1
}

func (s *flowScreen) view() string {
	st := s.c.Styles
	if s.run == nil {
		return fitBox(s.introView(), s.width, s.height)
	}
	r := s.run
	head := st.Title.Render("Flow") + "  " + st.Subtle.Render(r.head)
	if l := r.listener; l != nil && l.Listening && !l.Closed && !l.Received {
		// Visible from every row: the listener is waiting for the browser.
		wait := "◉ " + safe.Line(l.Addr+l.Path) + " " + countdown(l.Deadline.Sub(s.c.clock()))
		head = truncate(head, max(s.width-lipgloss.Width(wait)-2, 10)) + "  " + st.Info.Render(wait)
	}
	lines := []string{truncate(head, s.width)}
	switch {
	case s.pasting:
		lines = append(lines, s.paste.View())
	case r.note != "":
		lines = append(lines, truncate(st.Warn.Render("! "+r.note), s.width))
	}
	bodyH := max(s.height-len(lines), 1)
	left := fitBox(s.listView(bodyH), flowListWidth, bodyH)
	sep := strings.TrimRight(strings.Repeat(st.Faint.Render("│")+" \n", bodyH), "\n")
	right := fitBox(s.vp.View(), max(s.width-flowListWidth-2, 1), bodyH)
	body := lipgloss.JoinHorizontal(lipgloss.Top, left, sep, right)
	return fitBox(strings.Join(lines, "\n")+"\n"+body, s.width, s.height)
}

func (s *flowScreen) introView() string {
	st := s.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Guided authorization-code flow") + "\n\n")
	b.WriteString(wrapText("Walk the OAuth2 provider one step at a time: "+stepChain()+". Every request is shown before it is sent and can be edited first (drop PKCE, change resource or redirect_uri, add parameters).", max(s.width-2, 20)) + "\n\n")
	switch sess := s.c.Session(); sess {
	case nil:
		b.WriteString(st.Warn.Render("No deployment in use: pick one in the Deployments tab (1).") + "\n")
	default:
		b.WriteString(st.Label.Render("Deployment  ") + safe.Line(sess.URL) + "\n")
		if app := s.c.SelectedApp(); app != nil {
			b.WriteString(st.Label.Render("Selected app ") + safe.Line(app.Name) + st.Faint.Render("  (from the Apps tab)") + "\n")
		}
		b.WriteString("\n" + st.Bold.Render("Press n to choose the app, consent mode, resource and scope, and start.") + "\n")
	}
	return b.String()
}

func (s *flowScreen) listView(h int) string {
	st := s.c.Styles
	r := s.run
	from, to := s.list.window(h)
	var rows []string
	for i := from; i < to; i++ {
		var row string
		if i == tokenRow {
			sym, sty := "◆", st.Faint
			switch {
			case r.tokens == nil:
			case r.tokensDead:
				sym, sty = "✗", st.Error
			default:
				sym, sty = "◆", st.OK
			}
			row = sty.Render(sym) + " Token inspector"
		} else {
			res := r.steps[i]
			sym, sty := statusSymbol(st, res.Status)
			if r.running == res.Step {
				sym, sty = "…", st.Info
			}
			name := string(res.Step)
			if r.edited[res.Step] {
				name += " ✎"
			}
			row = sty.Render(sym) + " " + name
		}
		rows = append(rows, s.list.renderRow(st, i, row, flowListWidth))
	}
	if sum := r.tally(); len(sum) > 0 && h >= len(rows)+len(sum)+1 {
		rows = append(rows, "")
		for _, line := range sum {
			rows = append(rows, "  "+st.Faint.Render(line))
		}
	}
	return strings.Join(rows, "\n")
}

// tally is the run so far in a few short lines: how many steps passed,
// warned, failed, were refused as the user's test asked, and were edited.
func (r *flowRun) tally() []string {
	count := map[flows.Status]int{}
	edited := 0
	for _, res := range r.steps {
		count[res.Status]++
		if res.Request != nil && r.edited[res.Step] {
			edited++
		}
	}
	var out []string
	for _, c := range []struct {
		st   flows.Status
		what string
	}{{flows.StatusPassed, "passed"}, {flows.StatusRefused, "refused as asked"}, {flows.StatusWarned, "warned"}, {flows.StatusFailed, "failed"}, {flows.StatusSkipped, "skipped"}} {
		if n := count[c.st]; n > 0 {
			out = append(out, itoa(n)+" "+c.what)
		}
	}
	if edited > 0 {
		out = append(out, itoa(edited)+" sent edited")
	}
	return out
}

// statusSymbol pairs each status with a symbol, so it reads without colour.
func statusSymbol(st *Styles, s flows.Status) (string, lipgloss.Style) {
	switch s {
	case flows.StatusPassed, flows.StatusRefused:
		return "✓", st.OK
	case flows.StatusWarned:
		return "!", st.Warn
	case flows.StatusFailed:
		return "✗", st.Error
	case flows.StatusSkipped:
		return "–", st.Faint
	case flows.StatusRunning:
		return "…", st.Info
	}
	return "·", st.Faint
}

// render rebuilds the detail pane; it runs when data, selection, size or
// styles change, and on countdown ticks.
func (s *flowScreen) render() {
	bodyH := max(s.height-flowHeaderLines(s), 1)
	w := max(s.width-flowListWidth-2, 10)
	s.vp.SetWidth(w)
	s.vp.SetHeight(bodyH)
	if s.run == nil {
		s.vp.SetContent("")
		return
	}
	s.run.head = s.run.headline()
	var content string
	if s.list.cursor == tokenRow {
		content = s.tokenDetail()
	} else {
		content = s.stepDetail(flowSteps[s.list.cursor])
	}
	// Wrap at spaces (long URLs and tokens break where they must), so the
	// pane never scrolls sideways.
	content = ansi.Wrap(content, w, " ")
	if s.list.cursor != s.lastRow {
		s.lastRow = s.list.cursor
		s.vp.SetContent(content)
		s.vp.GotoTop()
		return
	}
	s.vp.SetContent(content)
}

func (s *flowScreen) stepDetail(id flows.StepID) string {
	st := s.c.Styles
	r := s.run
	res := r.steps[stepIndex(id)]
	var b strings.Builder
	sym, sty := statusSymbol(st, res.Status)
	if r.running == id {
		sym, sty, res.Status = "…", st.Info, flows.StatusRunning
	}
	def, _ := flows.Step(id)
	b.WriteString(st.Title.Render(def.Title) + "  " + sty.Render(sym+" "+string(res.Status)) + "\n")
	b.WriteString(st.Faint.Render(def.Purpose) + "\n")
	if res.Verdict != "" && res.Err == nil { // a failure's text is in its Error section, once
		mark := ""
		switch {
		case res.Status == flows.StatusRefused:
			mark = "✓ "
		case res.Explain != nil && res.Explain.Code == "accepted":
			mark = "✗ " // accepted what a correct server refuses (a SHOULD: the step warns)
		}
		b.WriteString(sty.Render(mark+safe.Line(res.Verdict)) + "\n")
	}

	// The request: what was sent, or what will be sent (with edits).
	done := res.Status != flows.StatusPending && res.Status != flows.StatusRunning
	if done && res.Request != nil {
		b.WriteString("\n" + st.Title.Render("Request sent") + "\n" + s.requestView(*res.Request))
	} else if req, err := r.flow.Request(id); err == nil {
		label := "Request to send"
		if r.edited[id] {
			label += " (edited)"
		}
		hint := ""
		if def.Editable {
			hint = st.Faint.Render("  e edits it")
		}
		b.WriteString("\n" + st.Title.Render(label) + hint + "\n" + s.requestView(req))
	} else if errors.Is(err, flows.ErrStepOrder) {
		b.WriteString("\n" + st.Faint.Render("Not ready: "+safe.Line(err.Error())) + "\n")
	} else if !done {
		b.WriteString("\n" + st.Faint.Render("This step sends no request of its own.") + "\n")
	}

	if id == flows.StepAuthorize {
		b.WriteString(s.listenerView())
	}
	if len(res.Exchanges) > 0 {
		b.WriteString("\n" + st.Title.Render("Responses") + "\n")
		for _, ex := range res.Exchanges {
			b.WriteString(exchangeSummary(st, ex))
		}
	}
	if len(res.Fields) > 0 {
		b.WriteString("\n" + st.Title.Render("Result") + "\n" + s.fieldsView(res.Fields))
	}
	if len(res.Findings) > 0 {
		b.WriteString("\n" + st.Title.Render("Findings") + "\n")
		for _, f := range res.Findings {
			b.WriteString(findingLine(st, f, "") + "\n")
		}
	}
	b.WriteString(errorView(st, res))
	if (res.Status == flows.StatusFailed || res.Status == flows.StatusRefused) && def.Editable {
		// After a failure the user edits or resets and runs again: show what that sends.
		if req, err := r.flow.Request(id); err == nil {
			label := "Next run sends"
			if r.edited[id] {
				label += " (edited)"
			}
			b.WriteString("\n" + st.Title.Render(label) + st.Faint.Render("  e edits it") + "\n" + s.requestView(req))
		}
	}
	return b.String()
}

// requestView shows a request with credentials headers always masked and
// secret parameters masked until revealed. Every value is sanitised: some
// come from the server (endpoints), some from the user's edits.
func (s *flowScreen) requestView(req flows.Request) string {
	st := s.c.Styles
	red := req.Redacted()
	var b strings.Builder
	b.WriteString(st.Bold.Render(safe.Line(req.Method)+" "+safe.Line(req.URL)) + "\n")
	b.WriteString(headerLines(st, red.Header))
	where := "form"
	if req.InQuery {
		where = "query"
	}
	keys := make([]string, 0, len(req.Params))
	for k := range req.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 0 {
		b.WriteString(st.Faint.Render(where+":") + "\n")
	}
	for _, k := range keys {
		vals, masked := req.Params[k], red.Params[k]
		for i, v := range vals {
			shown := v
			if !s.revealed && i < len(masked) && masked[i] != v {
				shown = st.Secret.Render(masked[i])
			} else {
				shown = safe.Line(shown)
			}
			b.WriteString("  " + st.JSONKey.Render(safe.Line(k)) + " = " + shown + "\n")
		}
	}
	if req.Note != "" {
		b.WriteString(st.Faint.Render(safe.Line(req.Note)) + "\n")
	}
	return b.String()
}

func (s *flowScreen) listenerView() string {
	st := s.c.Styles
	l := s.run.listener
	if l == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n" + st.Title.Render("Callback listener") + "\n")
	b.WriteString(st.Label.Render("bound ") + safe.Line(l.Addr) + st.Label.Render("  path ") + safe.Line(l.Path) + "\n")
	check := func(ok bool, what string) string {
		if ok {
			return st.OK.Render("✓ " + what)
		}
		return st.Faint.Render("· " + what)
	}
	if l.Listening && !l.Closed && !l.Received {
		left := l.Deadline.Sub(s.c.clock())
		b.WriteString(st.Info.Render("waiting for the callback · "+countdown(left)+" left") + "\n")
	}
	b.WriteString(strings.Join([]string{check(l.Received, "callback"), check(l.StateOK, "state"),
		check(l.IssChecked, "iss"), check(l.Closed, "closed")}, "  ") + "\n")
	for _, rj := range l.Rejected {
		b.WriteString(st.Warn.Render("! refused: "+safe.Line(rj.Reason.Error())) + "\n")
	}
	res := s.run.steps[stepIndex(flows.StepAuthorize)]
	switch {
	case l.Err != "" && res.Status == flows.StatusPending:
		b.WriteString(st.Faint.Render("closed: the step was cancelled") + "\n")
	case l.Err != "" && (res.Err != nil || res.Refusal != nil):
		b.WriteString(st.Faint.Render("closed: see the outcome below") + "\n") // the error once, in its section
	case l.Err != "":
		b.WriteString(st.Error.Render("✗ "+safe.Line(l.Err)) + "\n")
	}
	return b.String()
}

// countdown formats a remaining duration as m:ss (0:00 once past).
func countdown(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Round(time.Second)
	h := int(d / time.Hour)
	m := int(d%time.Hour) / int(time.Minute)
	sec := int(d%time.Minute) / int(time.Second)
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%d:%02d", m, sec)
}

// exchangeSummary is one recorded exchange: request line, status, and the
// start of the (already redacted) response body.
func exchangeSummary(st *Styles, ex client.Exchange) string {
	var b strings.Builder
	b.WriteString(st.Subtle.Render("→ #"+itoa(int(ex.ID))+" ") + safe.Line(ex.Method) + " " + safe.Line(ex.URL) + "\n")
	switch {
	case ex.Err != "":
		b.WriteString(st.Error.Render("✗ "+safe.Line(ex.Err)) + "\n")
	case ex.StatusCode != 0:
		sty := st.OK
		if ex.StatusCode >= 400 {
			sty = st.Error
		} else if ex.StatusCode >= 300 {
			sty = st.Warn
		}
		b.WriteString(sty.Render("← "+itoa(ex.StatusCode)+" "+http.StatusText(ex.StatusCode)) + st.Faint.Render(" "+shortDur(ex.Duration)) + "\n")
		if loc := ex.ResponseHeader.Get("Location"); loc != "" {
			b.WriteString(st.JSONKey.Render("Location:") + " " + safe.Line(loc) + "\n")
		}
		if wa := ex.ResponseHeader.Get("WWW-Authenticate"); wa != "" {
			b.WriteString(st.JSONKey.Render("WWW-Authenticate:") + " " + safe.Line(wa) + "\n")
		}
		if len(ex.ResponseBody) > 0 {
			lines := strings.Split(prettyBody(ex.ResponseBody), "\n")
			if len(lines) > maxBodyLines {
				more := len(lines) - maxBodyLines
				lines = append(lines[:maxBodyLines], st.Faint.Render("… "+itoa(more)+" more lines (Requests tab)"))
			}
			b.WriteString(strings.Join(lines, "\n") + "\n")
		}
	}
	return b.String()
}

func (s *flowScreen) fieldsView(fields []flows.Field) string {
	st := s.c.Styles
	var b strings.Builder
	for _, f := range fields {
		v := safe.Line(f.Value)
		if f.Secret {
			if s.revealed {
				v = safe.Line(f.Reveal())
			}
			v = st.Secret.Render(v)
		}
		b.WriteString(st.Label.Render(padRight(safe.Line(f.Label), 20)) + " " + v + "\n")
	}
	return b.String()
}

// errorView is a failed step's error with the explainer's cause and fix.
func errorView(st *Styles, res flows.StepResult) string {
	var b strings.Builder
	switch {
	case res.Err != nil:
		b.WriteString("\n" + st.Title.Render("Error") + "\n")
		line := explainError(res.Err) // network errors in words; the cause follows
		if res.Explain == nil || flows.Unreachable(res.Err) {
			line = explainFlowErr(res.Err)
		}
		b.WriteString(st.Error.Render("✗ "+line) + "\n")
	case res.Explain != nil: // judged: refused as it should (an edit, a revoked token), or accepted
		b.WriteString("\n" + st.Title.Render("Why") + "\n")
	default:
		return ""
	}
	if exp := res.Explain; exp != nil {
		if exp.Cause != "" {
			b.WriteString(st.Label.Render("Cause ") + safe.Line(exp.Cause) + "\n")
		}
		if exp.Fix != "" {
			b.WriteString(st.Label.Render("Fix   ") + safe.Line(exp.Fix) + "\n")
		}
		if exp.Basis != "" {
			b.WriteString(st.Faint.Render("Basis "+safe.Line(exp.Basis)) + "\n")
		}
	}
	return b.String()
}

// stepChain is the engine's steps as "a → b → c".
func stepChain() string {
	names := make([]string, len(flowSteps))
	for i, id := range flowSteps {
		names[i] = string(id)
	}
	return strings.Join(names, " → ")
}
