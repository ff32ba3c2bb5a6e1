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
	srv, _ := DetectServerMetadata(ctx, c)
	return srv
}

// DetectServerMetadata is DetectServer that also hands back the
// authorization server metadata it read (nil when none could be), for
// callers that need both without asking twice.
func DetectServerMetadata(ctx context.Context, c *client.Client) (coder.Server, *client.ASMetadata) {
	// Build info (then the experiments, which only Coder has) and the
	// metadata are independent: asked side by side, the answer takes the
	// longer of the two, not their sum. The goroutine fills only the
	// build-info fields of e; this one only the metadata fields.
	var e coder.Evidence
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if bi, err := c.BuildInfo(ctx); err == nil && bi.Version != "" {
			e.HasBuildInfo, e.Version = true, bi.Version
			if c.SessionToken() != "" {
				if exps, err := c.Experiments(ctx); err == nil {
					if exps == nil {
						exps = []string{}
					}
					e.Experiments = exps
				}
			}
		}
	}()
	var md *client.ASMetadata
	if d, err := c.AuthorizationServerMetadata(ctx, c.BaseURL()); err == nil {
		md = &d.Doc
		e.Metadata = true
		e.AuthMethods = d.Doc.TokenEndpointAuthMethodsSupported
		e.Scopes = len(d.Doc.ScopesSupported)
		e.Registration = d.Doc.RegistrationEndpoint != ""
		e.Device, e.RateLimit = d.Doc.DeviceAuthorizationEndpoint != "", d.RateLimit
	}
	wg.Wait()
	return coder.Describe(e), md
}
