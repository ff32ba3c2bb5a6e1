package flows

import (
	"context"
	"net/http"
	"strings"

	"oauthdeck/client/safe"
)

// revoke revokes (RFC 7009) and proves the refresh and access tokens dead.
func (f *Flow) revoke(ctx context.Context, res *StepResult) error {
	st := f.state()
	if st.as.RevocationEndpoint == "" {
		return errSkip{"the server advertises no revocation_endpoint"}
	}
	req, err := f.Request(StepRevoke)
	if err != nil {
		return err
	}
	res.Request = ptr(req.Redacted())
	tc := f.tokenClientFor(st, req)
	tc.RevocationURL = req.URL
	// The access token must work at the target before revocation for a
	// refusal after it to prove anything.
	target := f.useTarget(st)
	baseline := false
	if target.reaches(st) {
		_, err := f.try(ctx, st, target, st.tokens.AccessToken)
		baseline = err == nil
	}
	if err := tc.RevokeWithForm(ctx, req.Params); err != nil {
		return err
	}
	if st.tokensDead {
		// Dead before this request (the refresh step's replay, or an earlier revocation).
		res.Findings = append(res.Findings, Finding{ID: "revoke.already-dead", Severity: SeverityInfo, Basis: "RFC 7009 §2.2",
			Message: "the tokens were proven dead before this revocation, so refusals now would prove nothing; authorize again to revoke live tokens"})
		res.Verdict = "revocation accepted (200); the tokens were already dead, nothing more to prove"
		return nil
	}
	t := *st.tokens
	proofs := deathProofs{findings: &res.Findings}
	if t.RefreshToken != "" {
		pc := f.tokenClient(st) // proofs use the unedited client
		_, err := pc.Token(ctx, pc.RefreshForm(t.RefreshToken, ""))
		proofs.prove("revoke.refresh", "the refresh token", "after revocation", err, "RFC 7009 §2.2")
	}
	switch t := target; {
	case t.kind == UseNothing:
		proofs.noTarget("revoke.access", "the access token")
	case !t.reaches(st):
		proofs.skipBound("revoke.access", "the access token")
	case !baseline:
		proofs.noBaseline("revoke.access", "the access token", t)
	case t.kind == UseCoder:
		_, err := f.try(ctx, st, t, st.tokens.AccessToken)
		proofs.prove("revoke.access", "the access token", "after revocation", err, "RFC 7009 §2.1 (revoking a refresh token should revoke its access tokens; Coder deletes them)")
	default:
		_, err := f.try(ctx, st, t, st.tokens.AccessToken)
		proofs.proveShould("revoke.access", "the access token", "after revocation", err, "RFC 7009 §2.1 (revoking a refresh token SHOULD revoke its access tokens)")
	}
	if err := proofs.err(); err != nil {
		return err
	}
	if len(proofs.proven) == 0 {
		// Nothing refused: the tokens may still work, so they are kept.
		res.Verdict = revokeVerdict("revocation accepted", proofs)
		return nil
	}
	// "Dead" is what the console then shows: only when every token was proven.
	f.update(func(s *flowState) {
		s.tokensDead = len(proofs.unchecked)+len(proofs.survived) == 0
		s.deadBy, s.deadBasis, s.deadAt = "revoked by you (the revoke step)", "RFC 7009 §2.2", f.cfg.Now()
	})
	if f.cfg.Store != nil {
		if err := DeleteTokens(ctx, f.cfg.Store, f.cfg.Client.BaseURL(), st.clientID); err != nil {
			res.Findings = append(res.Findings, Finding{ID: "store.delete", Severity: SeverityWarn, Message: safe.Line(err.Error()), Basis: "keyring"})
		}
	}
	res.Verdict = revokeVerdict("revoked", proofs)
	return nil
}

// revokeVerdict says what the proofs after revocation showed, token by token.
func revokeVerdict(lead string, p deathProofs) string {
	return strings.Join(append([]string{lead}, p.outcomes()...), "; ")
}

// revokeRequest revokes the refresh token (the access token when there is none).
func (f *Flow) revokeRequest(st flowState) (Request, error) {
	if err := needFirst(st.tokens != nil, StepRevoke, StepExchange); err != nil {
		return Request{}, err
	}
	tc := f.tokenClient(st)
	tok, hint := st.tokens.RefreshToken, "refresh_token"
	if tok == "" {
		tok, hint = st.tokens.AccessToken, "access_token"
	}
	return Request{Method: http.MethodPost, URL: firstNonEmpty(st.as.RevocationEndpoint, "(no revocation_endpoint)"), Header: tc.authHeader(),
		Params: tc.RevokeForm(tok, hint), Note: "then proves the refresh and access tokens are dead"}, nil
}
