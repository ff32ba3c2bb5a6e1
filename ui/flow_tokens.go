package ui

import (
	"strings"

	"oauthdeck/client/safe"
	"oauthdeck/flows"
)

// tokenDetail is the token inspector: the current tokens, masked until
// revealed, with the expiry counting down, and the last token action.
func (s *flowScreen) tokenDetail() string {
	st := s.c.Styles
	r := s.run
	var b strings.Builder
	b.WriteString(st.Title.Render("Token inspector") + "\n")
	t := r.tokens
	if t == nil {
		b.WriteString(st.Faint.Render("No token yet. Run the flow to the exchange: a runs to the token.") + "\n")
		return b.String()
	}
	label := func(l string) string { return st.Label.Render(padRight(l, 15)) + " " }
	secret := func(v string) string {
		if v == "" {
			return st.Faint.Render("(none)")
		}
		if s.revealed {
			return st.Secret.Render(safe.Line(v))
		}
		return st.Secret.Render(safe.Mask(safe.Line(v))) // the mask keeps a few raw characters
	}
	info := flows.InspectToken(t.AccessToken)
	b.WriteString(label("Access token") + secret(t.AccessToken) + "\n")
	b.WriteString(label("Format") + tokenKindText(info) + "\n")
	b.WriteString(label("Type") + safe.Line(t.TokenType) + "\n")
	scope := safe.Line(t.Scope)
	if scope == "" {
		scope = st.Faint.Render("(none returned)")
	}
	b.WriteString(label("Scope") + scope + "\n")
	now := s.c.clock()
	switch {
	case t.Expiry.IsZero():
		b.WriteString(label("Expires") + st.Faint.Render("no expires_in sent") + "\n")
	case r.tokensDead:
		b.WriteString(label("Expires") + st.Faint.Render(flows.ClockTime(t.Expiry, now)+" (revoked before)") + "\n")
	case t.Expiry.After(now):
		b.WriteString(label("Expires") + st.OK.Render("in "+countdown(t.Expiry.Sub(now))) + st.Faint.Render("  at "+flows.ClockTime(t.Expiry, now)) + "\n")
	default:
		b.WriteString(label("Expires") + st.Error.Render("expired "+countdown(now.Sub(t.Expiry))+" ago") + "\n")
	}
	b.WriteString(label("Refresh token") + secret(t.RefreshToken) + "\n")
	if !t.Received.IsZero() {
		b.WriteString(label("Received") + flows.ClockTime(t.Received, now) + "\n")
	}
	if r.tokensDead {
		b.WriteString(label("State") + st.Error.Render("✗ revoked — proven dead") + "\n")
	} else {
		b.WriteString(label("State") + st.OK.Render("✓ live") + "\n")
	}
	b.WriteString(st.Faint.Render(s.c.Keys.Flow.tokenActions(s.c.Keys)) + "\n")
	if id := r.lastToken; id != "" {
		res := r.steps[stepIndex(id)]
		sym, sty := statusSymbol(st, res.Status)
		if r.running == id {
			sym, sty = "…", st.Info
		}
		b.WriteString("\n" + st.Title.Render("Last action: "+string(id)) + "  " + sty.Render(sym+" "+safe.Line(res.Verdict)) + "\n")
		if len(res.Fields) > 0 && id == flows.StepUse {
			b.WriteString(s.fieldsView(res.Fields))
		}
		for _, f := range res.Findings {
			b.WriteString(findingLine(st, f, "") + "\n")
		}
		b.WriteString(errorView(st, res))
	}
	return b.String()
}

func tokenKindText(info flows.TokenInfo) string {
	switch info.Kind {
	case flows.TokenCoderAPIKey:
		return "Coder API key (id " + safe.Line(info.KeyID) + "), opaque"
	case flows.TokenCoderSecret:
		return "Coder secret (prefix " + safe.Line(info.KeyID) + ")"
	case flows.TokenJWT:
		return "JWT (claims on the inspect step; signature not verified)"
	}
	return "opaque"
}
