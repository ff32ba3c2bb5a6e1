package check

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"oauthdeck/client"
)

// maxWaitedLifetime is the longest expires_in (seconds) mcp.expired-token
// waits out. Opaque tokens cannot be made expired, only outlived, and a
// deployment's usual hours are not worth a run's time.
const maxWaitedLifetime = 10

// checkMCPExpiredToken presents an access token after its expires_in is
// over: the MCP endpoint must refuse it with 401, the answer that makes a
// client refresh or re-authorize. It runs only where tokens are short-lived
// (oauthdeck sandbox --token-lifetime 2s), reading the lifetime from a token
// the suite already holds.
func checkMCPExpiredToken(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.skipInGeneric(p, needsCoderMCP); !ok {
		return v
	}
	if v, ok := s.needApps(p); !ok {
		return v
	}
	held := s.resourceToken
	if held == nil {
		t, err := s.tokens(ctx, p, "a token to learn its lifetime")
		if err != nil {
			return p.broken("obtain a token for resource "+s.resource, err)
		}
		held = &t
	}
	if v, ok := lifetimeWorthWaiting(p, held.ExpiresIn); !ok {
		return v
	}
	// A fresh token, so that the wait is counted from its own issue.
	tok, err := s.tokens(ctx, p, "a token to let expire")
	if err != nil {
		return p.broken("obtain a token for resource "+s.resource, err)
	}
	if v, ok := lifetimeWorthWaiting(p, tok.ExpiresIn); !ok {
		return v
	}
	resp, err := s.mcpRequest(ctx, p, "MCP initialize with the token before it expires", tok.AccessToken)
	if err != nil {
		return p.broken("call the MCP endpoint", err)
	}
	if why, off := mcpOff(resp); off {
		return p.skip("%s", why)
	}
	if resp.StatusCode != http.StatusOK {
		return p.skip("the fresh token was refused with %d before it expired (mcp.bearer-use judges that), so a refusal afterwards would prove nothing", resp.StatusCode)
	}
	// expires_in is whole seconds, perhaps rounded down: one more is past it.
	wait := time.Duration(tok.ExpiresIn+1) * time.Second
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return p.broken("wait for the token to expire", ctx.Err())
	case <-timer.C:
	}
	did := fmt.Sprintf("presented %s after a token response that said expires_in %d", wait, tok.ExpiresIn)
	resp, err = s.mcpRequest(ctx, p, "MCP initialize with the token after it expired", tok.AccessToken)
	if err != nil {
		return p.broken("call the MCP endpoint", err)
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		for _, ch := range client.ParseWWWAuthenticate(strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")) {
			if strings.EqualFold(ch.Scheme, "Bearer") && ch.Params["error"] == "invalid_token" {
				return p.pass("%s, the token was refused with 401 and error=\"invalid_token\"", did)
			}
		}
		return p.pass("%s, the token was refused with 401 (no error=\"invalid_token\" in the challenge, which RFC 6750 §3.1 suggests)", did)
	case http.StatusOK:
		return p.violated("%s, the MCP endpoint still accepted the token", did)
	}
	return p.violated("%s, the token was refused, but with %d: an expired token is 401 (MCP 2025-06-18 Token Handling)", did, resp.StatusCode)
}

// lifetimeWorthWaiting skips, naming the server's expires_in, unless the
// token's lifetime is stated and short enough to wait out.
func lifetimeWorthWaiting(p *probe, expiresIn int64) (verdict, bool) {
	switch {
	case expiresIn <= 0:
		return p.skip("the token response states no expires_in, so there is no moment after which the token is known to be expired"), false
	case expiresIn > maxWaitedLifetime:
		return p.skip("the server's tokens state expires_in %d (%s); the suite waits out only lifetimes of %d s or less (oauthdeck sandbox --token-lifetime 2s serves such tokens)",
			expiresIn, time.Duration(expiresIn)*time.Second, maxWaitedLifetime), false
	}
	return verdict{}, true
}
