package audit

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"oauthdeck/client"
	"oauthdeck/client/coder"
	"oauthdeck/flows"
)

// Read collects the estate: the server (detected, never assumed), its
// metadata and DCR setting, every app, and each confidential app's secrets,
// a bounded number of calls at a time. Only the apps list is essential: any
// other part that cannot be read is left out and the rules that need it
// say nothing. progress, when set, is called after each app's secrets.
func Read(ctx context.Context, c *client.Client, opts Options, progress func(done, total int)) (Estate, error) {
	opts = opts.withDefaults()
	ctx, _ = client.WithSource(ctx, "audit")
	est := Estate{URL: c.BaseURL(), ReadAt: opts.Now()}
	var md *client.ASMetadata
	est.Server, md = flows.DetectServerMetadata(ctx, c)
	if md != nil {
		est.Scopes = md.ScopesSupported
		if est.Scopes == nil {
			est.Scopes = []string{}
		}
		est.DCROpen = md.RegistrationEndpoint != ""
	}
	if est.Server.Era == coder.EraFlag {
		if st, err := c.ProviderSettings(ctx); err == nil {
			on := st.DynamicClientRegistration
			est.DCRSetting = &on
		}
	}
	err := c.EachApp(ctx, func(a client.App) error {
		est.Apps = append(est.Apps, AppState{App: a})
		return nil
	})
	if err != nil {
		return est, err
	}
	var mu sync.Mutex
	done := 0
	tick := func() { // called by the workers, so every call ends before Read returns
		if progress != nil {
			mu.Lock()
			done++
			progress(done, len(est.Apps))
			mu.Unlock()
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.SecretsConcurrency)
	for i := range est.Apps {
		a := &est.Apps[i]
		if a.Public() {
			tick()
			continue // public apps have no secrets (Coder shows no secrets section)
		}
		g.Go(func() error {
			secrets, err := c.AppSecrets(gctx, a.App.ID)
			if err != nil && gctx.Err() != nil {
				return gctx.Err()
			}
			a.Secrets, a.SecretsErr = secrets, err
			tick()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return est, fmt.Errorf("reading the apps' secrets: %w", err)
	}
	return est, nil
}
