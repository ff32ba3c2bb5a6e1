package check

import (
	"context"
	"net"
	"net/url"
	"strconv"
	"strings"

	"oauthdeck/client/coder"
	"oauthdeck/flows/internal/randtext"
	"oauthdeck/pkce"
)

const (
	notePKCERequired = "authorize without code_challenge"
	notePlain        = "authorize with code_challenge_method=plain"
	noteResponseType = "authorize with response_type=token"
)

// noteErrorRedirect keeps the first authorization error that was sent to
// the client's callback, for authorize.error-state.
func (s *suite) noteErrorRedirect(id, note string, az authzResult, state string) {
	if s.errRedirect == nil && az.Location != nil && az.Error != "" && !az.ToLogin {
		s.errRedirect, s.errSentState, s.errRedirectID, s.errRedirectNt = &az, state, id, note
	}
}

func checkErrorState(ctx context.Context, s *suite, p *probe) verdict {
	if s.errRedirect == nil {
		return p.skip("no authorization error was redirected to the client (this server answers them on its own page), so there is no state to carry")
	}
	p.cite(s.errRedirectID, s.errRedirectNt)
	az := s.errRedirect
	switch {
	case !az.HasState:
		return p.violated("the error redirect (%s) carries no state although the request sent one", az.describe())
	case az.State != s.errSentState:
		return p.violated("the error redirect carries state %q, not the one sent", az.State)
	}
	return p.pass("the error redirect (%s) returned the state unchanged", az.describe())
}

func checkPKCERequired(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	state := randtext.Alnum(22)
	az, err := s.authorize(ctx, p, notePKCERequired, s.codeQuery(codeOpts{App: s.a, State: state, Resource: s.resource}))
	if err != nil {
		return p.broken("send the authorization request", err)
	}
	s.noPKCE = &az
	s.noteErrorRedirect("authorize.pkce-required", notePKCERequired, az, state)
	if az.ToLogin {
		return p.broken("check PKCE enforcement", errSessionRefused(az))
	}
	if az.issued() {
		return p.violated("a code was issued without code_challenge: PKCE is optional on this server")
	}
	return p.pass("refused: %s", az.describe())
}

func checkPKCEDowngrade(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	if s.noPKCE == nil {
		return p.skip("needs the answer of authorize.pkce-required")
	}
	p.cite("authorize.pkce-required", notePKCERequired)
	if !s.noPKCE.issued() {
		return p.pass("authorization requests without code_challenge are refused (authorize.pkce-required), so no downgrade can start")
	}
	verifier := pkce.NewVerifier()
	s.remember(verifier)
	extra := s.goodExtra(verifier, s.resource)
	tr, err := s.exchange(ctx, p, "exchange that code with a code_verifier", s.a.ID, s.a.Secret, s.noPKCE.Code, extra)
	if err != nil {
		return p.broken("exchange the code", err)
	}
	if tr.ok() {
		return p.violated("a code issued without code_challenge was redeemed with a code_verifier: the server does not notice a stripped challenge")
	}
	if !tr.rejected() {
		return p.violated("unexpected answer: %s", tr.describe())
	}
	return p.pass("refused: %s", tr.describe())
}

func checkPlainRefused(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	verifier := pkce.NewVerifier()
	plain := pkce.Pair{Verifier: verifier, Challenge: verifier, Method: pkce.Plain}
	state := randtext.Alnum(22)
	az, err := s.authorize(ctx, p, notePlain, s.codeQuery(codeOpts{App: s.a, PKCE: &plain, State: state}))
	if err != nil {
		return p.broken("send the authorization request", err)
	}
	s.noteErrorRedirect("authorize.plain-refused", notePlain, az, state)
	if az.ToLogin {
		return p.broken("check the plain method", errSessionRefused(az))
	}
	if az.issued() {
		return p.violated("a code was issued for code_challenge_method=plain")
	}
	return p.pass("refused: %s", az.describe())
}

func checkResponseType(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	pair := pkce.New()
	state := randtext.Alnum(22)
	az, err := s.authorize(ctx, p, noteResponseType, s.codeQuery(codeOpts{App: s.a, PKCE: &pair, ResponseType: "token", State: state}))
	if err != nil {
		return p.broken("send the authorization request", err)
	}
	s.noteErrorRedirect("authorize.response-type", noteResponseType, az, state)
	if az.ToLogin {
		return p.broken("check response_type handling", errSessionRefused(az))
	}
	if az.Location != nil && strings.Contains(az.Location.Fragment, "access_token") {
		return p.violated("an access token was returned in the redirect fragment (implicit grant)")
	}
	// Worse than the implicit grant: a token in the query lands in logs and
	// Referer headers (RFC 9700 §2.1.2), whatever error rides along.
	if az.Location != nil && strings.Contains(az.Location.RawQuery, "access_token") { // not Query(), which drops a pair holding a semicolon
		return p.violated("an access token was returned in the redirect's query (RFC 9700 §2.1.2: tokens must never travel in a URL query)")
	}
	if az.issued() {
		return p.violated("response_type=token was answered with a code, as if code had been asked for")
	}
	if az.Error != "unsupported_response_type" {
		return p.warn("refused, but not with unsupported_response_type: %s", az.describe())
	}
	return p.pass("refused: %s", az.describe())
}

func checkAuthorizeRedirectMismatch(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	other, err := s.unregisteredRedirect()
	if err != nil {
		return p.broken("build an unregistered redirect URI", err)
	}
	pair := pkce.New()
	az, err := s.authorize(ctx, p, "authorize with an unregistered redirect_uri", s.codeQuery(codeOpts{App: s.a, PKCE: &pair, RedirectURI: other, State: randtext.Alnum(22)}))
	if err != nil {
		return p.broken("send the authorization request", err)
	}
	if az.ToLogin {
		return p.broken("check redirect_uri matching", errSessionRefused(az))
	}
	if az.Location != nil && redirectBase(az.Location) == other {
		return p.violated("the server redirected to the unregistered %s (%s)", other, az.describe())
	}
	if az.issued() {
		return p.violated("a code was issued for the unregistered redirect_uri %s", other)
	}
	return p.pass("refused without redirecting to %s: %s", other, az.describe())
}

func checkLoopbackPort(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needApps(p); !ok {
		return v
	}
	u, err := url.Parse(s.redirect)
	if err != nil || u.Scheme != "http" || !coder.IsLoopbackHost(u.Hostname()) || u.Hostname() == "localhost" {
		return p.skip("the suite's redirect URI %s is not an http loopback IP literal", s.redirect)
	}
	port := 9877
	if u.Port() == "9877" {
		port = 9878
	}
	if s.generic() {
		// The suite listens there itself: a free port, not one another program may hold.
		free, err := freeLoopbackPort(u.Hostname())
		if err != nil {
			return p.broken("find a free loopback port", err)
		}
		port = free
	}
	u.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(port))
	other := u.String()
	pair := pkce.New()
	az, err := s.authorize(ctx, p, "authorize with the callback on port "+strconv.Itoa(port), s.codeQuery(codeOpts{App: s.a, PKCE: &pair, RedirectURI: other, State: randtext.Alnum(22)}))
	if err != nil {
		return p.broken("send the authorization request", err)
	}
	if az.ToLogin {
		return p.broken("check loopback port handling", errSessionRefused(az))
	}
	if !az.issued() || redirectBase(az.Location) != other {
		return p.violated("a native client's ephemeral port is refused: %s", az.describe())
	}
	return p.pass("the registered loopback callback on port %d was accepted: %s", port, az.describe())
}

// unregisteredRedirect is the registered callback with another path on the
// same host and port: a lenient prefix or host-only comparison lets it pass,
// exact matching (RFC 9700 §4.1.3) does not.
func (s *suite) unregisteredRedirect() (string, error) {
	u, err := url.Parse(s.redirect)
	if err != nil {
		return "", err
	}
	u.Path = "/oauthdeck-unregistered"
	u.RawQuery = ""
	return u.String(), nil
}

type sessionRefusedError struct{ what string }

func (e sessionRefusedError) Error() string {
	return "the admin session was not accepted at the authorization endpoint: " + e.what
}

func errSessionRefused(az authzResult) error { return sessionRefusedError{az.describe()} }
