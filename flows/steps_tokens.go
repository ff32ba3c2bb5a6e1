package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"oauthdeck/client"
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
	f.update(func(s *flowState) { s.tokens = &toks })
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
		res.Findings = append(res.Findings, Finding{ID: "store.save", Severity: SeverityWarn, Message: client.SanitizeLine(err.Error()), Basis: "keyring"})
		return
	}
	res.Fields = append(res.Fields, Field{Label: "Saved to", Value: f.cfg.Store.Kind()})
}

func tokenFields(t Tokens, now time.Time) []Field {
	fs := []Field{
		{Label: "Token type", Value: client.SanitizeLine(t.TokenType)},
		{Label: "Access token", Value: Mask(t.AccessToken), Secret: true, reveal: t.AccessToken},
	}
	if !t.Expiry.IsZero() {
		fs = append(fs, Field{Label: "Expires", Value: t.Expiry.Format(time.RFC3339) + " (in " + t.Expiry.Sub(now).Round(time.Second).String() + ")"})
	}
	fs = append(fs, Field{Label: "Scope", Value: firstNonEmpty(client.SanitizeLine(t.Scope), "(none returned)")},
		Field{Label: "Refresh token", Value: firstNonEmpty(Mask(t.RefreshToken), "(none)"), Secret: t.RefreshToken != "", reveal: t.RefreshToken})
	return fs
}

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
		add("token.type", SeverityWarn, "token_type is "+client.SanitizeLine(t.TokenType)+", not Bearer", "RFC 6749 §5.1")
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
			res.Fields = append(res.Fields, Field{Label: "JWT header (unverified)", Value: client.SanitizeLine(fmt.Sprint(info.JWTHeader))},
				Field{Label: "JWT claims (unverified)", Value: client.SanitizeLine(fmt.Sprint(info.JWTClaims))})
		}
	}
	if t.RefreshToken == "" {
		add("token.refresh", SeverityInfo, "no refresh token issued", "RFC 6749 §5.1")
	}
	res.Verdict = "token decoded"
	return nil
}

// use calls GET /api/v2/users/me with the access token and shows the audience check.
func (f *Flow) use(ctx context.Context, res *StepResult) error {
	st := f.state()
	c := f.cfg.Client
	res.Request = ptr(Request{Method: http.MethodGet, URL: c.BaseURL() + "/api/v2/users/me",
		Header: headerWith("Authorization", "Bearer "+st.tokens.AccessToken)}.Redacted())
	bound := st.sentResource != "" && !sameURL(st.sentResource, st.issuer)
	u, err := c.MeWithBearer(ctx, st.tokens.AccessToken)
	if bound {
		var ae *client.APIError
		if errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden {
			res.Findings = append(res.Findings, Finding{ID: "use.audience", Severity: SeverityPass,
				Message: "the token is bound to " + client.SanitizeLine(st.sentResource) + " and Coder refused it (403 " + client.SanitizeLine(ae.Message) + ")", Basis: "RFC 8707; Coder audience check"})
			res.Verdict = "audience enforced: token for another resource refused"
			return nil
		}
		if err == nil {
			res.Findings = append(res.Findings, Finding{ID: "use.audience", Severity: SeverityWarn,
				Message: "a token bound to " + client.SanitizeLine(st.sentResource) + " was accepted by the deployment API", Basis: "RFC 8707"})
		}
	}
	var se *client.SessionError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: %w", ErrTokenRejected, err)
	}
	if err != nil {
		return fmt.Errorf("using the access token: %w", err)
	}
	res.Fields = append(res.Fields, Field{Label: "User", Value: client.SanitizeLine(u.Username)},
		Field{Label: "Email", Value: client.SanitizeLine(u.Email)}, Field{Label: "User ID", Value: client.SanitizeLine(u.ID)},
		Field{Label: "Login type", Value: client.SanitizeLine(u.LoginType)}, Field{Label: "Roles", Value: roleNames(u.Roles)})
	if !bound {
		res.Findings = append(res.Findings, Finding{ID: "use.audience", Severity: SeverityPass,
			Message: "audience " + firstNonEmpty(client.SanitizeLine(st.sentResource), "(none)") + " accepted by the deployment API", Basis: "RFC 8707"})
	}
	if c.SessionToken() != "" {
		if me, err := c.Me(ctx); err == nil {
			same := me.ID == u.ID
			sev := SeverityPass
			if !same {
				sev = SeverityInfo
			}
			res.Findings = append(res.Findings, Finding{ID: "use.identity", Severity: sev,
				Message: "token acts as " + client.SanitizeLine(u.Username) + map[bool]string{true: ", the same user as the admin session", false: ", not the admin session's user"}[same], Basis: "consent was given by that user"})
		}
	}
	res.Verdict = "token works: " + client.SanitizeLine(u.Username)
	return nil
}

func roleNames(rs []client.Role) string {
	var names []string
	for _, r := range rs {
		names = append(names, client.SanitizeLine(r.Name))
	}
	return firstNonEmpty(strings.Join(names, ", "), "(none)")
}

func sameURL(a, b string) bool { return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/") }

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
	f.update(func(s *flowState) { s.tokens = &fresh })
	res.Fields = tokenFields(fresh, f.cfg.Now())
	f.saveTokens(ctx, st, fresh, res)

	var problems []string
	prove := func(id, what string, err error, basis string) {
		if err != nil {
			res.Findings = append(res.Findings, Finding{ID: id, Severity: SeverityPass, Message: what + " is dead: " + client.SanitizeLine(shortErr(err)), Basis: basis})
			return
		}
		problems = append(problems, what+" still works")
		res.Findings = append(res.Findings, Finding{ID: id, Severity: SeverityFail, Message: what + " still works after the refresh", Basis: basis})
	}
	if fresh.RefreshToken == old.RefreshToken {
		res.Findings = append(res.Findings, Finding{ID: "refresh.rotated", Severity: SeverityWarn, Message: "the refresh token was not rotated", Basis: "OAuth 2.1 §4.3.1; MCP public clients MUST rotate"})
	} else {
		res.Findings = append(res.Findings, Finding{ID: "refresh.rotated", Severity: SeverityPass, Message: "refresh token rotated", Basis: "OAuth 2.1 §4.3.1"})
	}
	usable := !(st.sentResource != "" && !sameURL(st.sentResource, st.issuer))
	if usable {
		if _, err := f.cfg.Client.MeWithBearer(ctx, fresh.AccessToken); err != nil {
			res.Findings = append(res.Findings, Finding{ID: "refresh.new-access", Severity: SeverityWarn,
				Message: "the new access token does not work: " + client.SanitizeLine(shortErr(err)), Basis: "RFC 6749 §6"})
		} else {
			res.Findings = append(res.Findings, Finding{ID: "refresh.new-access", Severity: SeverityPass, Message: "the new access token works", Basis: "RFC 6749 §6"})
		}
	}
	if fresh.AccessToken != old.AccessToken {
		_, err := f.cfg.Client.MeWithBearer(ctx, old.AccessToken)
		prove("refresh.old-access", "the old access token", err, "Coder deletes the old API key on refresh")
	}
	if fresh.RefreshToken != old.RefreshToken {
		pc := f.tokenClient(st) // proofs use the unedited client
		_, err := pc.Token(ctx, pc.RefreshForm(old.RefreshToken, ""))
		prove("refresh.old-refresh", "the old refresh token", err, "RFC 9700 §4.14.2 rotation")
		if usable {
			// Replaying a rotated refresh token may revoke the whole family (reuse detection).
			if _, err := f.cfg.Client.MeWithBearer(ctx, fresh.AccessToken); err != nil {
				res.Findings = append(res.Findings, Finding{ID: "refresh.reuse-detection", Severity: SeverityInfo,
					Message: "replaying the old refresh token revoked the new tokens too (reuse detection); authorize again for usable tokens", Basis: "RFC 9700 §4.14.2"})
			} else {
				res.Findings = append(res.Findings, Finding{ID: "refresh.reuse-detection", Severity: SeverityInfo,
					Message: "replaying the old refresh token left the new tokens alive (no family revocation)", Basis: "RFC 9700 §4.14.2"})
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrNotProven, strings.Join(problems, "; "))
	}
	res.Verdict = "rotated; old access and refresh tokens proven dead"
	return nil
}

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
			res.Findings = append(res.Findings, Finding{ID: "revoke.refresh", Severity: SeverityPass, Message: "the refresh token is dead: " + client.SanitizeLine(shortErr(err)), Basis: "RFC 7009 §2.2"})
		}
	}
	if _, err := f.cfg.Client.MeWithBearer(ctx, t.AccessToken); err == nil {
		problems = append(problems, "the access token still works")
		res.Findings = append(res.Findings, Finding{ID: "revoke.access", Severity: SeverityFail, Message: "the access token still works after revocation", Basis: "RFC 7009 §2.1 (revoking a refresh token should revoke its access tokens)"})
	} else {
		res.Findings = append(res.Findings, Finding{ID: "revoke.access", Severity: SeverityPass, Message: "the access token is dead: " + client.SanitizeLine(shortErr(err)), Basis: "RFC 7009 §2.1"})
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrNotProven, strings.Join(problems, "; "))
	}
	if f.cfg.Store != nil {
		if err := DeleteTokens(ctx, f.cfg.Store, f.cfg.Client.BaseURL(), st.clientID); err != nil {
			res.Findings = append(res.Findings, Finding{ID: "store.delete", Severity: SeverityWarn, Message: client.SanitizeLine(err.Error()), Basis: "keyring"})
		}
	}
	res.Verdict = "revoked; refresh and access tokens proven dead"
	return nil
}

// cleanup deletes what the flow created, when asked, and proves it gone.
func (f *Flow) cleanup(ctx context.Context, res *StepResult) error {
	st := f.state()
	if st.createdAppID == "" && st.createdDCR == nil {
		return errSkip{"the flow created nothing"}
	}
	if !f.cfg.Cleanup {
		return errSkip{"kept the created client " + client.SanitizeLine(st.clientID) + " (cleanup not requested)"}
	}
	if st.cleaned {
		return errSkip{"already deleted"}
	}
	if err := f.deleteCreated(ctx, st); err != nil {
		return err
	}
	c := f.cfg.Client
	if st.createdDCR != nil {
		_, err := c.GetClientRegistration(ctx, st.createdDCR.RegistrationClientURI, st.createdDCR.RegistrationAccessToken)
		if err == nil {
			return fmt.Errorf("%w: the registered client still exists", ErrNotProven)
		}
		res.Findings = append(res.Findings, Finding{ID: "cleanup.gone", Severity: SeverityPass, Message: "registered client gone: " + client.SanitizeLine(shortErr(err)), Basis: "RFC 7592 §2.3"})
	} else {
		_, err := c.App(ctx, st.createdAppID)
		var ae *client.APIError
		if !errors.As(err, &ae) || ae.StatusCode != http.StatusNotFound {
			return fmt.Errorf("%w: reading the deleted app did not give 404 (%v)", ErrNotProven, err)
		}
		res.Findings = append(res.Findings, Finding{ID: "cleanup.gone", Severity: SeverityPass, Message: "app gone (404)", Basis: "Coder apps API"})
	}
	res.Verdict = "deleted client " + client.SanitizeLine(st.clientID)
	return nil
}

// deleteCreated removes the created app or registration.
func (f *Flow) deleteCreated(ctx context.Context, st flowState) error {
	c := f.cfg.Client
	var err error
	switch {
	case st.createdDCR != nil:
		err = c.DeleteClientRegistration(ctx, st.createdDCR.RegistrationClientURI, st.createdDCR.RegistrationAccessToken)
	case st.createdAppID != "":
		err = c.DeleteApp(ctx, st.createdAppID)
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("deleting the created client: %w", err)
	}
	f.update(func(s *flowState) { s.cleaned = true })
	return nil
}

// shortErr is err's text without the request line (for findings).
func shortErr(err error) string {
	var oe *client.OAuth2Error
	if errors.As(err, &oe) {
		return fmt.Sprintf("%d %s", oe.StatusCode, oe.Code)
	}
	var se *client.SessionError
	if errors.As(err, &se) {
		return fmt.Sprintf("%d %s", se.StatusCode, se.Detail)
	}
	var ae *client.APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("%d %s", ae.StatusCode, ae.Message)
	}
	return err.Error()
}

// tokenClientFor is the token client for an edited request: a Basic header
// removed in the edit is not added back.
func (f *Flow) tokenClientFor(st flowState, req Request) TokenClient {
	tc := f.tokenClient(st)
	if tc.Method == AuthBasic && req.Header.Get("Authorization") == "" {
		tc.Method, tc.ClientID, tc.ClientSecret = AuthPost, "", ""
	}
	return tc
}
