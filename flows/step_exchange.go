package flows

import (
	"context"
	"net/http"
	"time"

	"oauthdeck/client/safe"
)

// exchange redeems the code (golang.org/x/oauth2 unless the request was edited
// beyond what it can express).
func (f *Flow) exchange(ctx context.Context, res *StepResult) error {
	st := f.state()
	req, err := f.Request(StepExchange)
	if err != nil {
		return err
	}
	res.Request = ptr(req.Redacted())
	tc := f.tokenClientFor(st, req)
	tc.TokenURL = req.URL
	toks, err := tc.Token(ctx, req.Params)
	if err != nil {
		return err
	}
	f.update(func(s *flowState) { s.tokens, s.tokensDead = &toks, false })
	res.Fields = tokenFields(toks, f.cfg.Now())
	f.saveTokens(ctx, st, toks, res)
	res.Verdict = "tokens received"
	return nil
}

func (f *Flow) saveTokens(ctx context.Context, st flowState, toks Tokens, res *StepResult) {
	if f.cfg.Store == nil {
		return
	}
	if err := SaveTokens(ctx, f.cfg.Store, f.cfg.Client.BaseURL(), st.clientID, toks); err != nil {
		res.Findings = append(res.Findings, Finding{ID: "store.save", Severity: SeverityWarn, Message: safe.Line(err.Error()), Basis: "keyring"})
		return
	}
	res.Fields = append(res.Fields, Field{Label: "Saved to", Value: f.cfg.Store.Kind()})
}

func tokenFields(t Tokens, now time.Time) []Field {
	fs := []Field{
		{Label: "Token type", Value: safe.Line(t.TokenType)},
		{Label: "Access token", Value: safe.Mask(t.AccessToken), Secret: true, reveal: t.AccessToken},
	}
	if !t.Expiry.IsZero() {
		fs = append(fs, Field{Label: "Expires", Value: ClockTime(t.Expiry, now) + " (in " + t.Expiry.Sub(now).Round(time.Second).String() + ")"})
	}
	fs = append(fs, Field{Label: "Scope", Value: firstNonEmpty(safe.Line(t.Scope), "(none returned)")},
		Field{Label: "Refresh token", Value: firstNonEmpty(safe.Mask(t.RefreshToken), "(none)"), Secret: t.RefreshToken != "", reveal: t.RefreshToken})
	return fs
}

// exchangeRequest redeems the received code with the PKCE verifier.
func (f *Flow) exchangeRequest(st flowState) (Request, error) {
	if err := needFirst(st.callback.Code != "", StepExchange, StepAuthorize); err != nil {
		return Request{}, err
	}
	tc := f.tokenClient(st)
	return Request{Method: http.MethodPost, URL: st.as.TokenEndpoint, Header: tc.authHeader(),
		Params: tc.ExchangeForm(st.callback.Code, st.redirectURI, st.verifier, st.sentResource),
		Note:   "client authentication: " + describeAuth(st.authMethod)}, nil
}
