package check

import (
	"fmt"
	"net"
	"net/http"

	"context"
	"net/url"
	"time"

	"oauthdeck/client/safe"

	"oauthdeck/client"
	"oauthdeck/flows"
)

// Generic mode: the suite against any authorization server, with a client
// the user registered there and no Coder session. Consent comes from a
// command (flows.CaptureRedirect) instead of the admin session, every
// request authenticates the way the client is registered, and what needs
// Coder (its apps API for a second client, its API as a resource server,
// its MCP endpoint) is skipped with that reason.

// GivenClient is the client generic mode runs with.
type GivenClient struct {
	ID, Secret  string
	Method      flows.AuthMethod // default: from the metadata (RFC 8414 §2)
	RedirectURI string           // registered for the client; an http loopback URI
	// ConsentCommand brings a user agent from the authorization URL (in
	// OAUTHDECK_AUTH_URL) to the redirect URI, once per authorization.
	ConsentCommand string
	// ConsentTimeout bounds each authorization; default 30s.
	ConsentTimeout time.Duration
}

// Reasons a check cannot run in generic mode, said in its skip.
const (
	needsCoderAPI      = "needs Coder's API as the resource server (not Coder, or run without a Coder session)"
	needsSecondClient  = "needs a second client, which only Coder's apps API creates for the suite"
	needsSecret        = "the given client is public (no secret), so there is no secret to get wrong"
	needsCoderMCP      = "needs Coder's MCP endpoint"
	needsOneMethodOnly = "the given client is registered for one method; the others are refused by design"
	needsThrowaway     = "it would send the given client's real secret in a URL query (into the server's and proxies' logs); Coder mode uses a throwaway app"
)

func (s *suite) generic() bool { return s.cfg.Given != nil }

// skipInGeneric skips a check in generic mode with why.
func (s *suite) skipInGeneric(p *probe, why string) (verdict, bool) {
	if s.generic() {
		return p.skip("%s", why), false
	}
	return verdict{}, true
}

// needSecond skips a check that needs the suite's second client.
func (s *suite) needSecond(p *probe) (verdict, bool) {
	if s.b == nil {
		if s.generic() {
			return p.skip("%s", needsSecondClient), false
		}
		return p.skip("needs the suite's test apps, which could not be created (see setup.apps)"), false
	}
	return verdict{}, true
}

// needResource skips the RFC 8707 checks when there is no resource to ask
// for (generic mode without --resource: nothing advertised one).
func (s *suite) needResource(p *probe) (verdict, bool) {
	if s.resource == "" {
		return p.skip("no resource to ask for: nothing advertises one here, and RFC 8707 lets a server refuse one it does not know (name one with --resource)"), false
	}
	return verdict{}, true
}

// needClientSecret skips a check about wrong secrets for a public client.
func (s *suite) needClientSecret(p *probe) (verdict, bool) {
	if s.a != nil && s.a.Secret == "" {
		return p.skip("%s", needsSecret), false
	}
	return verdict{}, true
}

// useGiven is generic mode's setup: the given client, nothing created.
func (s *suite) useGiven(p *probe) verdict {
	g := s.cfg.Given
	method := g.Method
	if method == flows.AuthAuto {
		var advertised []string
		if s.as != nil {
			advertised = s.as.TokenEndpointAuthMethodsSupported
		}
		method = flows.ChooseAuthMethod(advertised, g.Secret != "")
	}
	s.a = &testApp{ID: g.ID, Name: g.ID, Secret: g.Secret, Method: method}
	s.remember(g.Secret)
	return p.pass("using the given client %s (%s); nothing is created", g.ID, method)
}

// captureConsent is generic mode's authorization: the consent command
// brings a user agent to the redirect URI, where the request is captured.
func (s *suite) captureConsent(ctx context.Context, p *probe, note, authURL, redirectURI string) (authzResult, error) {
	g := s.cfg.Given
	timeout := g.ConsentTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	var loc *url.URL
	var why string
	err := p.call(note+" (consent command)", func() error {
		var err error
		loc, why, err = flows.CaptureRedirect(ctx, g.ConsentCommand, authURL, redirectURI, timeout)
		return err
	})
	if err != nil {
		return authzResult{}, err
	}
	ev := Evidence{Note: note + " (the consent command's user agent)", Method: http.MethodGet, URL: safe.Redact(authURL), Error: why}
	if loc != nil {
		ev.Status, ev.ResponseHeader = http.StatusFound, map[string]string{"Location": safe.Redact(loc.String())}
	}
	p.cited = append(p.cited, s.cleanEvidence(ev))
	if loc == nil {
		// A refusal shows as nothing arriving, but so does a command that
		// cannot bring a user agent anywhere: only once it has delivered a
		// redirect in this run does a missing one say something.
		if !s.consentWorked {
			return authzResult{}, fmt.Errorf("the consent command has delivered no redirect in this run, so a missing one proves nothing: %s", why)
		}
		return authzResult{NoRedirect: why}, nil
	}
	s.consentWorked = true
	res := authzResult{Status: 302, Location: loc}
	lq := loc.Query()
	res.Code, res.Error, res.Description = lq.Get("code"), lq.Get("error"), lq.Get("error_description")
	res.State, res.HasState, res.Iss = lq.Get("state"), lq.Has("state"), lq.Get("iss")
	s.remember(res.Code)
	return res, nil
}

// freeLoopbackPort is a port nothing listens on at host right now.
func freeLoopbackPort(host string) (int, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, err
	}
	defer func() { _ = ln.Close() }() // only the port number was wanted
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// credentials puts client credentials where the given client's method
// wants them: the Basic header for client_secret_basic, the form
// otherwise (Coder's apps all accept the form).
func (s *suite) credentials(req *client.Request) {
	if s.a == nil || s.a.Method != flows.AuthBasic || req.Form == nil {
		return
	}
	id, secret := req.Form.Get("client_id"), req.Form.Get("client_secret")
	if id == "" || secret == "" {
		return
	}
	req.Form.Del("client_id")
	req.Form.Del("client_secret")
	if req.Header == nil {
		req.Header = make(map[string][]string)
	}
	req.Header.Set("Authorization", "Basic "+flows.BasicAuth(id, secret))
}
