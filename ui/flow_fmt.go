package ui

import (
	"bytes"
	"encoding/json"
	"time"

	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// Small formatting helpers of the Flow and Check screens.

// findingLine is a finding as symbol, message and basis, after lead (e.g.
// "↳ " under a metadata field); the symbol carries the meaning without colour.
func findingLine(st *Styles, f flows.Finding, lead string) string {
	sym, sty := "·", st.Info
	switch f.Severity {
	case flows.SeverityPass:
		sym, sty = "✓", st.OK
	case flows.SeverityWarn:
		sym, sty = "!", st.Warn
	case flows.SeverityFail:
		sym, sty = "✗", st.Error
	case flows.SeverityInfo:
		sym, sty = "i", st.Info
	}
	return sty.Render(lead+sym+" "+safe.Line(f.Message)) + st.Faint.Render("  ("+safe.Line(f.Basis)+")")
}

// prettyBody indents a JSON body; anything else is shown as sanitised text.
func prettyBody(body []byte) string {
	var out bytes.Buffer
	if t := bytes.TrimSpace(body); len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Indent(&out, t, "", "  ") == nil {
		return safe.Text(out.String())
	}
	return safe.Text(string(body))
}

// shortDur is a request's duration for display.
func shortDur(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}
