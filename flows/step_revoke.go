package flows

import (
	"context"
	"fmt"
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
	var problems []string
	if t.RefreshToken != "" {
		pc := f.tokenClient(st) // proofs use the unedited client
		_, err := pc.Token(ctx, pc.RefreshForm(t.RefreshToken, ""))
		if err == nil {
			problems = append(problems, "the refresh token still works")
			res.Findings = append(res.Findings, Finding{ID: "revoke.refresh", Severity: SeverityFail, Message: "the refresh token still works after revocation", Basis: "RFC 7009 §2.2"})
		} else {
			res.Findings = append(res.Findings, Finding{ID: "revoke.refresh", Severity: SeverityPass, Message: "the refresh token is dead: " + safe.Line(shortErr(err)), Basis: "RFC 7009 §2.2"})
		}
	}
	if _, err := f.cfg.Client.MeWithBearer(ctx, t.AccessToken); err == nil {
		problems = append(problems, "the access token still works")
		res.Findings = append(res.Findings, Finding{ID: "revoke.access", Severity: SeverityFail, Message: "the access token still works after revocation", Basis: "RFC 7009 §2.1 (revoking a refresh token should revoke its access tokens)"})
	} else {
		res.Findings = append(res.Findings, Finding{ID: "revoke.access", Severity: SeverityPass, Message: "the access token is dead: " + safe.Line(shortErr(err)), Basis: "RFC 7009 §2.1"})
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrNotProven, strings.Join(problems, "; "))
	}
	f.update(func(s *flowState) { s.tokensDead = true })
	if f.cfg.Store != nil {
		if err := DeleteTokens(ctx, f.cfg.Store, f.cfg.Client.BaseURL(), st.clientID); err != nil {
			res.Findings = append(res.Findings, Finding{ID: "store.delete", Severity: SeverityWarn, Message: safe.Line(err.Error()), Basis: "keyring"})
		}
	}
	res.Verdict = "revoked; refresh and access tokens proven dead"
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
