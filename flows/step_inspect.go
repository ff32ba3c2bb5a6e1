package flows

import (
	"context"
	"fmt"
	"strings"
	"time"

	"oauthdeck/client/safe"
)

// inspect decodes the token response: formats, expiry, JWT claims (unverified).
func (f *Flow) inspect(ctx context.Context, res *StepResult) error {
	st := f.state()
	t := *st.tokens
	now := f.cfg.Now()
	res.Fields = tokenFields(t, now)
	add := func(id string, sev Severity, msg, basis string) {
		res.Findings = append(res.Findings, Finding{ID: id, Severity: sev, Message: msg, Basis: basis})
	}
	if strings.EqualFold(t.TokenType, "bearer") {
		add("token.type", SeverityPass, "token_type Bearer", "RFC 6750")
	} else {
		add("token.type", SeverityWarn, "token_type is "+safe.Line(t.TokenType)+", not Bearer", "RFC 6749 §5.1")
	}
	if t.Expiry.IsZero() {
		add("token.expiry", SeverityInfo, "no expires_in: lifetime unknown", "RFC 6749 §5.1 (RECOMMENDED)")
	} else {
		add("token.expiry", SeverityPass, "expires "+t.Expiry.Format(time.RFC3339), "RFC 6749 §5.1")
	}
	for _, tok := range []struct{ label, val string }{{"access", t.AccessToken}, {"refresh", t.RefreshToken}, {"id", t.IDToken}} {
		if tok.val == "" {
			continue
		}
		info := InspectToken(tok.val)
		desc := map[TokenKind]string{
			TokenCoderAPIKey: "Coder API key (id " + info.KeyID + "): opaque, usable as a session token",
			TokenCoderSecret: "Coder formatted secret (prefix " + info.KeyID + ")",
			TokenJWT:         "JWT (decoded below, signature NOT verified)",
			TokenOpaque:      "opaque token",
		}[info.Kind]
		res.Fields = append(res.Fields, Field{Label: "Format (" + tok.label + ")", Value: desc})
		if info.Kind == TokenJWT {
			res.Fields = append(res.Fields, Field{Label: "JWT header (unverified)", Value: safe.Line(fmt.Sprint(info.JWTHeader))},
				Field{Label: "JWT claims (unverified)", Value: safe.Line(fmt.Sprint(info.JWTClaims))})
		}
	}
	if t.RefreshToken == "" {
		add("token.refresh", SeverityInfo, "no refresh token issued", "RFC 6749 §5.1")
	}
	res.Verdict = "token decoded"
	return nil
}
