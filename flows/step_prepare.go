package flows

import (
	"context"

	"oauthdeck/client/safe"
	"oauthdeck/pkce"
)

// prepare makes a fresh PKCE pair and state and builds the authorization URL.
func (f *Flow) prepare(ctx context.Context, res *StepResult) error {
	st := f.state()
	pair := pkce.New()
	state, err := NewState()
	if err != nil {
		return err
	}
	resource := f.cfg.Resource
	if resource == "" {
		resource = st.resource
	}
	if f.cfg.NoResource {
		resource = ""
	}
	p := AuthParams{ClientID: st.clientID, RedirectURI: st.callbackURL, State: state,
		CodeChallenge: pair.Challenge, CodeChallengeMethod: string(pair.Method), Resource: resource, Scope: f.cfg.Scope}
	authURL, err := AuthorizationURL(st.as.AuthorizationEndpoint, p.Values())
	if err != nil {
		return err
	}
	f.update(func(st *flowState) {
		st.verifier, st.state, st.redirectURI, st.sentResource = pair.Verifier, state, p.RedirectURI, resource
		st.authParams, st.authURL = p.Values(), authURL
		st.callback, st.tokens, st.tokensDead = Callback{}, nil, false
	})
	res.Fields = append(res.Fields,
		Field{Label: "PKCE verifier", Value: safe.Mask(pair.Verifier), Secret: true, reveal: pair.Verifier},
		Field{Label: "PKCE challenge", Value: pair.Challenge + " (" + string(pair.Method) + ")"},
		Field{Label: "State", Value: state + " (256 bits; public: it is part of the URL)"},
		Field{Label: "Resource", Value: firstNonEmpty(safe.Line(safe.Redact(resource)), "(none)")},
		Field{Label: "Redirect URI", Value: safe.Line(p.RedirectURI)},
		Field{Label: "Authorization URL", Value: safe.Line(authURL)})
	if resource != "" && resource != st.issuer {
		res.Findings = append(res.Findings, Finding{ID: "prepare.resource", Severity: SeverityInfo,
			Message: "resource differs from the issuer: Coder will refuse the token on its own API (403)", Basis: "RFC 8707; Coder audience check"})
	}
	f.emit(Event{Kind: EventAuthURL, Step: StepPrepare, Message: safe.Line(authURL)})
	res.Verdict = "fresh PKCE S256 pair and state; authorization URL ready"
	return nil
}
