package sandbox

import (
	"fmt"
	"time"
)

// DemoApps are the apps the demo starts with. The first three are the ones
// to run flows with: their secrets are kept in the demo's memory store, as
// the console's "keep" would, so a flow with them reaches a token. The rest
// are an estate as a deployment's history leaves it, each with one finding
// of 'oauthdeck audit' (named in its comment; the audit's tests expect exactly these): the Audit screen and the
// audit command have something real to show. Times are relative to the
// start of the demo.
func DemoApps(now time.Time) []AppSeed {
	used := func(ago time.Duration) SecretSeed { return SecretSeed{LastUsed: now.Add(-ago)} }
	recent := []SecretSeed{used(26 * time.Hour)}
	const allow = "coder:workspaces.access"
	return []AppSeed{
		// The flow apps; no allowlist (app.scope-unrestricted on 2.38).
		{Name: "cli-tool", RedirectURIs: []string{"http://127.0.0.1:9876/callback"}, Icon: "/icon/code.svg", Secrets: []SecretSeed{used(2 * time.Hour)}},
		{Name: "ci-runner", RedirectURIs: []string{"http://127.0.0.1:8085/cb"}, Secrets: []SecretSeed{used(3 * time.Hour)}},
		// A public client that registered itself (app.public on 2.38; where
		// there are no public clients, a confidential app without a secret).
		{Name: "mcp-inspector", RedirectURIs: []string{"http://127.0.0.1:6276/oauth/callback"}, Public: true, Dynamic: true, Scope: allow},

		{Name: "legacy-portal", RedirectURIs: []string{"http://portal.example.com/oauth/callback"}, Scope: allow, Secrets: recent},                      // redirect.http-remote
		{Name: "wildcard-app", RedirectURIs: []string{"https://*.apps.example.com/callback"}, Scope: allow, Secrets: recent},                            // redirect.wildcard-host
		{Name: "desktop-app", RedirectURIs: []string{"com.example.desktop:callback"}, Scope: allow, Secrets: recent},                                    // redirect.custom-scheme-no-path
		{Name: "fragment-app", RedirectURIs: []string{"https://fragment.example.com/cb#done"}, Scope: allow, Secrets: recent},                           // redirect.refused
		{Name: "dup-uris", RedirectURIs: []string{"https://dup.example.com/cb", "https://DUP.example.com/cb"}, Scope: allow, Secrets: recent},           // redirect.duplicate (2.38: the list is kept)
		{Name: "many-uris", RedirectURIs: manyURIs(12), Scope: allow, Secrets: recent},                                                                  // redirect.many (2.38)
		{Name: "stale-secret", RedirectURIs: []string{"https://stale.example.com/cb"}, Scope: allow, Secrets: []SecretSeed{used(200 * 24 * time.Hour)}}, // secret.stale (where the server records secret use, as the next two)
		{Name: "unused-secret", RedirectURIs: []string{"https://unused.example.com/cb"}, Scope: allow, Secrets: []SecretSeed{{}}},                       // secret.never-used
		{Name: "rotating-app", RedirectURIs: []string{"https://rotating.example.com/cb"}, Scope: allow,
			Secrets: []SecretSeed{used(30 * 24 * time.Hour), used(time.Hour)}}, // secret.rotation-unfinished
		{Name: "no-secret-app", RedirectURIs: []string{"https://nosecret.example.com/cb"}, Scope: allow}, // app.no-secret
		{Name: "claude-code", RedirectURIs: []string{"http://127.0.0.1:54545/callback"}, Dynamic: true, Scope: allow,
			Secrets: []SecretSeed{{}}}, // app.dcr-unused (where the server says it registered itself and records secret use)
		{Name: "blank-scope", RedirectURIs: []string{"https://blank.example.com/cb"}, Scope: " ", Secrets: recent}, // app.scope-grants-nothing (2.38)
		{Name: "clitool", RedirectURIs: []string{"http://127.0.0.1:9877/callback"}, Scope: allow, Secrets: recent}, // app.lookalike-name (cli-tool)
	}
}

// DemoFlowApps is how many of DemoApps have their secrets kept for flows.
const DemoFlowApps = 2

func manyURIs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("http://127.0.0.1:%d/callback", 7000+i)
	}
	return out
}
