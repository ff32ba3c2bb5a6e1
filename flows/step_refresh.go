package flows

import (
	"context"
	"net/http"
	"strings"

	"oauthdeck/client/safe"
)

// refresh rotates the tokens and proves the old access and refresh tokens dead.
func (f *Flow) refresh(ctx context.Context, res *StepResult) error {
	st := f.state()
	if st.tokens.RefreshToken == "" {
		return errSkip{"no refresh token was issued"}
	}
	req, err := f.Request(StepRefresh)
	if err != nil {
		return err
	}
	res.Request = ptr(req.Redacted())
	old := *st.tokens
	tc := f.tokenClientFor(st, req)
	tc.TokenURL = req.URL
	fresh, err := tc.Token(ctx, req.Params)
	if err != nil {
		return err
	}
	f.update(func(s *flowState) { s.tokens, s.tokensDead = &fresh, false })
	res.Fields = tokenFields(fresh, f.cfg.Now())
	f.saveTokens(ctx, st, fresh, res)

	proofs := deathProofs{findings: &res.Findings}
	var unchanged []string
	if fresh.RefreshToken == old.RefreshToken {
		res.Findings = append(res.Findings, Finding{ID: "refresh.rotated", Severity: SeverityWarn, Message: "the refresh token was not rotated", Basis: "OAuth 2.1 §4.3.1; MCP public clients MUST rotate"})
	} else {
		res.Findings = append(res.Findings, Finding{ID: "refresh.rotated", Severity: SeverityPass, Message: "refresh token rotated", Basis: "OAuth 2.1 §4.3.1"})
	}
	t := f.useTarget(st)
	usable := t.reaches(st)
	// A refusal of the old token proves it dead only where the new one works:
	// a target that refuses every token proves nothing.
	baseline := false
	if usable {
		if _, err := f.try(ctx, st, t, fresh.AccessToken); err != nil {
			res.Findings = append(res.Findings, Finding{ID: "refresh.new-access", Severity: SeverityWarn,
				Message: "the new access token does not work at " + t.describe() + ": " + safe.Line(shortErr(err)), Basis: "RFC 6749 §6"})
		} else {
			baseline = true
			res.Findings = append(res.Findings, Finding{ID: "refresh.new-access", Severity: SeverityPass, Message: "the new access token works at " + t.describe(), Basis: "RFC 6749 §6"})
		}
	}
	switch {
	case fresh.AccessToken == old.AccessToken:
		unchanged = append(unchanged, "access")
	case t.kind == UseNothing:
		proofs.noTarget("refresh.old-access", "the old access token")
	case !usable:
		proofs.skipBound("refresh.old-access", "the old access token")
	case !baseline:
		proofs.noBaseline("refresh.old-access", "the old access token", t)
	case t.kind == UseCoder:
		_, err := f.try(ctx, st, t, old.AccessToken)
		proofs.prove("refresh.old-access", "the old access token", "after the refresh", err, "Coder deletes the old API key on refresh")
	default:
		// Elsewhere an old access token may live until it expires (RFC 6749 §6 only lets the server revoke it).
		_, err := f.try(ctx, st, t, old.AccessToken)
		proofs.proveShould("refresh.old-access", "the old access token", "after the refresh (allowed until it expires)", err, "RFC 6749 §6; RFC 9700 §4.14.2")
	}
	if fresh.RefreshToken == old.RefreshToken {
		unchanged = append(unchanged, "refresh")
	} else {
		pc := f.tokenClient(st) // proofs use the unedited client
		_, err := pc.Token(ctx, pc.RefreshForm(old.RefreshToken, ""))
		proofs.prove("refresh.old-refresh", "the old refresh token", "after the refresh", err, "RFC 9700 §4.14.2 rotation")
		if usable {
			// Replaying a rotated refresh token may revoke the whole family (reuse detection).
			if _, err := f.try(ctx, st, t, fresh.AccessToken); err != nil && baseline && tokenRefused(err) {
				// It worked a moment ago: the replay killed the family.
				f.update(func(s *flowState) {
					s.tokensDead, s.deadBy, s.deadAt = true, "revoked when the refresh step replayed the old refresh token (reuse detection)", f.cfg.Now()
					s.deadBasis = "RFC 9700 §4.14.2"
				})
				res.Findings = append(res.Findings, Finding{ID: "refresh.reuse-detection", Severity: SeverityInfo,
					Message: "replaying the old refresh token revoked the new tokens too (reuse detection); authorize again for usable tokens", Basis: "RFC 9700 §4.14.2"})
			} else if err != nil {
				res.Findings = append(res.Findings, Finding{ID: "refresh.reuse-detection", Severity: SeverityInfo,
					Message: "after replaying the old refresh token the new access token was not accepted (" + safe.Line(shortErr(err)) + "); whether the replay caused it is not known", Basis: "RFC 9700 §4.14.2"})
			} else {
				res.Findings = append(res.Findings, Finding{ID: "refresh.reuse-detection", Severity: SeverityInfo,
					Message: "replaying the old refresh token left the new tokens alive (no family revocation)", Basis: "RFC 9700 §4.14.2"})
			}
		}
	}
	if err := proofs.err(); err != nil {
		return err
	}
	res.Verdict = refreshVerdict(proofs, unchanged)
	return nil
}

// refreshVerdict says exactly what the refresh step proved: which old
// tokens were refused, which were not checked, and which came back
// unchanged (so there was nothing to prove dead).
func refreshVerdict(p deathProofs, unchanged []string) string {
	var parts []string
	if len(unchanged) == 2 {
		parts = append(parts, "refreshed, but the same access and refresh tokens came back: no old token to prove dead")
	} else {
		parts = append(parts, "refreshed")
		for _, u := range unchanged {
			parts = append(parts, "the "+u+" token came back unchanged")
		}
	}
	return strings.Join(append(parts, p.outcomes()...), "; ")
}

// refreshRequest spends the refresh token.
func (f *Flow) refreshRequest(st flowState) (Request, error) {
	if err := needFirst(st.tokens != nil && st.tokens.RefreshToken != "", StepRefresh, StepExchange); err != nil {
		return Request{}, err
	}
	tc := f.tokenClient(st)
	return Request{Method: http.MethodPost, URL: st.as.TokenEndpoint, Header: tc.authHeader(),
		Params: tc.RefreshForm(st.tokens.RefreshToken, ""), Note: "the audience carries over; then proves the old tokens are dead"}, nil
}
