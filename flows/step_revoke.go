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
	if err := tc.RevokeWithForm(ctx, req.Params); err != nil {
		return err
	}
	t := *st.tokens
	proofs := deathProofs{findings: &res.Findings}
	if t.RefreshToken != "" {
		pc := f.tokenClient(st) // proofs use the unedited client
		_, err := pc.Token(ctx, pc.RefreshForm(t.RefreshToken, ""))
		proofs.prove("revoke.refresh", "the refresh token", "after revocation", err, "RFC 7009 §2.2")
	}
	if st.callsHere() {
		_, err := f.cfg.Client.MeWithBearer(ctx, t.AccessToken)
		proofs.prove("revoke.access", "the access token", "after revocation", err, "RFC 7009 §2.1 (revoking a refresh token should revoke its access tokens)")
	} else {
		proofs.skipBound("revoke.access", "the access token")
	}
	if err := proofs.err(); err != nil {
		return err
	}
	proven, unchecked := proofs.proven, proofs.unchecked
	if len(proven) == 0 {
		// Nothing refused: the tokens may still work, so they are kept.
		res.Verdict = "revocation accepted; " + strings.Join(unchecked, " and ") + " not checked"
		return nil
	}
	// "Dead" is what the console then shows: only when every token was proven.
	f.update(func(s *flowState) { s.tokensDead = len(unchecked) == 0 })
	if f.cfg.Store != nil {
		if err := DeleteTokens(ctx, f.cfg.Store, f.cfg.Client.BaseURL(), st.clientID); err != nil {
			res.Findings = append(res.Findings, Finding{ID: "store.delete", Severity: SeverityWarn, Message: safe.Line(err.Error()), Basis: "keyring"})
		}
	}
	res.Verdict = "revoked; " + strings.Join(proven, " and ") + " proven dead"
	if len(unchecked) > 0 {
		res.Verdict += "; " + strings.Join(unchecked, " and ") + " not checked"
	}
	return nil
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
