package flows

import (
	"context"
	"sync"

	"oauthdeck/client"
	"oauthdeck/client/coder"
)

// DetectServer learns what the deployment is, from buildinfo, its
// authorization server metadata and, with a session, its experiments, so
// that no part of the tool assumes a Coder version. Every probe is
// optional: what could not be read stays unknown in the result.
func DetectServer(ctx context.Context, c *client.Client) coder.Server {
	// Build info (then the experiments, which only Coder has) and the
	// metadata are independent: asked side by side, the answer takes the
	// longer of the two, not their sum.
	var e, m coder.Evidence
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if d, err := c.AuthorizationServerMetadata(ctx, c.BaseURL()); err == nil {
			m.Metadata = true
			m.AuthMethods = d.Doc.TokenEndpointAuthMethodsSupported
			m.Scopes = len(d.Doc.ScopesSupported)
			m.Registration = d.Doc.RegistrationEndpoint != ""
			m.Device, m.RateLimit = d.Doc.DeviceAuthorizationEndpoint != "", d.RateLimit
		}
	}()
	if bi, err := c.BuildInfo(ctx); err == nil && bi.Version != "" {
		e.HasBuildInfo, e.Version = true, bi.Version
	}
	if e.HasBuildInfo && c.SessionToken() != "" {
		if exps, err := c.Experiments(ctx); err == nil {
			if exps == nil {
				exps = []string{}
			}
			e.Experiments = exps
		}
	}
	wg.Wait()
	e.Metadata, e.AuthMethods, e.Scopes, e.Registration, e.Device, e.RateLimit = m.Metadata, m.AuthMethods, m.Scopes, m.Registration, m.Device, m.RateLimit
	return coder.Describe(e)
}
