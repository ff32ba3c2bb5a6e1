package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"oauthdeck/client"
)

func checkRefreshRotation(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	tok, err := s.tokens(ctx, p, "a token pair to refresh")
	if err != nil {
		return p.broken("obtain tokens", err)
	}
	if tok.RefreshToken == "" {
		return p.skip("the server issued no refresh token, so there is nothing to rotate")
	}
	tr, err := s.refresh(ctx, p, "refresh with app A's credentials", s.a.ID, s.a.Secret, tok.RefreshToken)
	if err != nil {
		return p.broken("refresh", err)
	}
	if !tr.ok() {
		return verdict{Fail, "a refresh with the client's own credentials was refused: " + tr.describe()}
	}
	s.live = &tr.Token
	switch tr.Token.RefreshToken {
	case "":
		return p.violated("the refresh response has no new refresh token")
	case tok.RefreshToken:
		return p.violated("the refresh response returned the same refresh token: it is not rotated")
	}
	old, err := s.refresh(ctx, p, "refresh again with the old refresh token", s.a.ID, s.a.Secret, tok.RefreshToken)
	if err != nil {
		return p.broken("reuse the old refresh token", err)
	}
	if old.ok() {
		s.live = &old.Token
		return p.violated("the old refresh token still works after rotation")
	}
	if !old.rejected() {
		return p.violated("unexpected answer to the old refresh token: %s", old.describe())
	}
	return p.pass("a new refresh token was issued and the old one is refused: %s", old.describe())
}

func checkRefreshClientAuth(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	if v, ok := s.needClientSecret(p); !ok {
		return v
	}
	if s.live == nil || s.live.RefreshToken == "" {
		tok, err := s.tokens(ctx, p, "a token pair to refresh")
		if err != nil {
			return p.broken("obtain tokens", err)
		}
		if tok.RefreshToken == "" {
			return p.skip("the server issued no refresh token")
		}
		s.live = &tok
	}
	var answers refusals
	cases := []struct {
		label            string
		clientID, secret string
	}{
		{"app A's client_id and a wrong secret", s.a.ID, wrongSecret()},
		{"app A's client_id and no secret", s.a.ID, ""},
	}
	if s.b != nil { // generic mode has one client
		cases = append(cases, struct {
			label            string
			clientID, secret string
		}{"app B's client_id and secret", s.b.ID, s.b.Secret})
	}
	for _, c := range cases {
		tr, err := s.refresh(ctx, p, "refresh app A's token with "+c.label, c.clientID, c.secret, s.live.RefreshToken)
		if err != nil {
			return p.broken("refresh", err)
		}
		if tr.ok() {
			s.live = &tr.Token // the old pair may be gone now; keep the newest
		}
		if !answers.note(c.label, tr) {
			return p.violated("unexpected answer with %s: %s", c.label, tr.describe())
		}
	}
	return answers.verdict(p, "app A's refresh token was refreshed with %s", ", with ")
}

func checkRevokeClientAuth(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	if v, ok := s.needClientSecret(p); !ok {
		return v
	}
	if s.ep.Revoke == "" {
		return p.skip("the server advertises no revocation_endpoint (RFC 7009 is optional)")
	}
	tok, err := s.tokens(ctx, p, "a token pair to revoke")
	if err != nil {
		return p.broken("obtain tokens", err)
	}
	target, hint := tok.RefreshToken, "refresh_token"
	if target == "" {
		target, hint = tok.AccessToken, "access_token"
	}
	tr, err := s.revoke(ctx, p, "revoke with app A's client_id and a wrong secret", s.a.ID, wrongSecret(), target, hint)
	if err != nil {
		return p.broken("send the revocation request", err)
	}
	alive, err := s.grantAlive(ctx, p, "check whether the token survived", tok)
	if err != nil {
		return p.broken("use the access token", err)
	}
	switch {
	case tr.Status == http.StatusOK && !alive:
		return p.violated("the revocation with a wrong client secret was accepted (200) and the token was revoked")
	case tr.Status == http.StatusOK:
		return p.violated("a wrong client secret was answered with 200 instead of 401 invalid_client (the token survived)")
	case !alive:
		return p.violated("the request was refused (%s) but the token stopped working anyway", tr.describe())
	case tr.Error != "invalid_client":
		return p.warn("refused, but not with invalid_client: %s", tr.describe())
	}
	return p.pass("refused (%s) and the token still works", tr.describe())
}

func checkRevoke(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	if s.ep.Revoke == "" {
		return p.skip("the server advertises no revocation_endpoint (RFC 7009 is optional)")
	}
	tok, err := s.tokens(ctx, p, "a token pair to revoke")
	if err != nil {
		return p.broken("obtain tokens", err)
	}
	if tok.RefreshToken == "" {
		return p.skip("the server issued no refresh token")
	}
	tr, err := s.revoke(ctx, p, "revoke the refresh token with app A's credentials", s.a.ID, s.a.Secret, tok.RefreshToken, "refresh_token")
	if err != nil {
		return p.broken("send the revocation request", err)
	}
	if tr.Status != http.StatusOK {
		return p.violated("revocation answered %s, not 200", tr.describe())
	}
	after, err := s.refresh(ctx, p, "refresh with the revoked refresh token", s.a.ID, s.a.Secret, tok.RefreshToken)
	if err != nil {
		return p.broken("refresh", err)
	}
	if after.ok() {
		return p.violated("the revoked refresh token still works")
	}
	if s.generic() {
		switch {
		case after.Error == "invalid_grant":
			return p.pass("200; then the refresh token is refused (%s); the access token was not checked (%s)", after.describe(), needsCoderAPI)
		case after.rejected():
			return p.warn("200; then the refresh is refused, but with %s rather than invalid_grant (RFC 6749 §5.2), so it may not be the revocation", after.describe())
		}
		return p.violated("200; then the refresh with the revoked token answered %s, which is no refusal", after.describe())
	}
	alive, err := s.stillWorks(ctx, p, "use the access token of the revoked grant", tok.AccessToken)
	if err != nil {
		return p.broken("use the access token", err)
	}
	if alive {
		return p.warn("the refresh token is dead (%s) but the access token of the same grant still works (RFC 7009 §2.1: SHOULD be invalidated too)", after.describe())
	}
	return p.pass("200; then the refresh token is refused (%s) and the access token too", after.describe())
}

// grantAlive reports whether tok survived: on Coder its access token still
// works at the API; elsewhere (no resource server to ask) its refresh token
// still refreshes with the right credentials.
func (s *suite) grantAlive(ctx context.Context, p *probe, note string, tok client.TokenResponse) (bool, error) {
	if !s.generic() {
		return s.stillWorks(ctx, p, note, tok.AccessToken)
	}
	if tok.RefreshToken == "" {
		return false, errors.New("no refresh token to try, and " + needsCoderAPI)
	}
	tr, err := s.refresh(ctx, p, note+" (refresh with the right credentials)", s.a.ID, s.a.Secret, tok.RefreshToken)
	switch {
	case err != nil:
		return false, err
	case tr.ok():
		return true, nil
	case tr.Error == "invalid_grant":
		return false, nil
	}
	return false, fmt.Errorf("the refresh answered %s", tr.describe())
}

// stillWorks reports whether the deployment's API accepts the access token.
func (s *suite) stillWorks(ctx context.Context, p *probe, note, accessToken string) (bool, error) {
	resp, err := s.bearerStatus(ctx, p, note, accessToken)
	if err != nil {
		return false, err
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusUnauthorized, http.StatusForbidden:
		return false, nil
	}
	return false, fmt.Errorf("the API answered %d", resp.StatusCode)
}
