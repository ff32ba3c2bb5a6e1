package audit

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"oauthdeck/client/safe"
)

// Rule is one kind of finding. Adding a rule means one entry in Rules and
// its check function; the text of every finding comes from here.
type Rule struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Basis    string   `json:"basis"`
	Fix      string   `json:"fix"`
	check    func(j *judge, r Rule)
}

// Rules run in this order. Where two would report the same secret, the
// earlier one claims it (an unused dynamically registered app's secrets
// are not reported again one by one).
var Rules = []Rule{
	{ID: "deployment.dcr-open", Severity: Low, Title: "Dynamic client registration is open",
		Basis: "RFC 7591 §3; Coder never removes registered apps", Fix: "prune unused registrations (oauthdeck apps prune --dcr --unused-for 30d); on 2.38+ turn DCR off in the provider settings when no new clients are expected",
		check: checkDCROpen},
	{ID: "deployment.rate-limit-off", Severity: Medium, Title: "No rate limit on the OAuth2 endpoints",
		Basis: "RFC 6749 §10.10 (credential guessing); Coder limits each /oauth2 endpoint to 60 a minute unless --dangerous-disable-rate-limits", Fix: "drop --dangerous-disable-rate-limits (CODER_DANGEROUS_DISABLE_RATE_LIMITS); a conformance run needs only the owner's X-Coder-Bypass-Ratelimit",
		check: checkRateLimitOff},
	{ID: "deployment.upgrade", Severity: Info, Title: "What Coder 2.38 changes for these apps",
		Basis: "Coder 2.38 release (provider flag, redirect-URI rules, enforced scopes)", Fix: "fix the redirect findings and set scope allowlists before upgrading",
		check: checkUpgrade},
	{ID: "secret.use-not-recorded", Severity: Info, Title: "This server does not record when a secret is used",
		Basis: "Coder v2.30.0 observed: last_used_at stays null after use; 2.38 records it", Fix: "judge secrets by other means (the clients' owners) until the upgrade",
		check: checkUseRecorded},
	{ID: "app.dcr-unused", Severity: Medium, Title: "Dynamically registered app not in use",
		Basis: "RFC 7591 §3 (Coder never expires a registration)", Fix: "oauthdeck apps prune --dcr --unused-for 90d --dry-run, then without --dry-run",
		check: checkDCRUnused},
	{ID: "secret.rotation-unfinished", Severity: Medium, Title: "A rotation never finished: an old secret outlived its successor",
		Basis: "RFC 9700 §2.5 (client authentication); secrets rotate by overlap, then removal", Fix: "delete the old secret once nothing uses it: oauthdeck apps secrets delete APP_ID SECRET_ID",
		check: checkRotation},
	{ID: "secret.stale", Severity: Medium, Title: "Secret unused for long",
		Basis: "RFC 9700 §2.5; unused credentials are attack surface", Fix: "delete it (oauthdeck apps secrets delete APP_ID SECRET_ID), or the app if nothing uses it",
		check: checkStale},
	{ID: "secret.never-used", Severity: Low, Title: "Secret never used",
		Basis: "RFC 9700 §2.5; unused credentials are attack surface", Fix: "delete it unless a client is about to start using it",
		check: checkNeverUsed},
	{ID: "app.no-secret", Severity: Low, Title: "Confidential app without a secret",
		Basis: "RFC 6749 §2.3.1 (a confidential client authenticates at the token endpoint)", Fix: "create a secret (oauthdeck apps secrets create APP_ID) or delete the app",
		check: checkNoSecret},
	{ID: "app.public", Severity: Low, Title: "Public client",
		Basis: "RFC 6749 §2.1; RFC 7636 (PKCE is its only protection)", Fix: "expected for native and MCP clients; delete it if you do not know the client",
		check: checkPublic},
	{ID: "app.scope-unrestricted", Severity: Low, Title: "No scope allowlist (unrestricted)",
		Basis: "RFC 6749 §3.3; Coder 2.38 scopes (an empty allowlist allows every scope)", Fix: "set one: oauthdeck apps update APP_ID --scope 'coder:workspaces.access'",
		check: checkScopeUnrestricted},
	{ID: "app.scope-grants-nothing", Severity: Medium, Title: "Scope allowlist that grants nothing",
		Basis: "RFC 6749 §3.3; Coder 2.38 scopes (configured but no grantable entry: every request is invalid_scope)", Fix: "set names from the catalogue (scopes_supported): oauthdeck apps update APP_ID --scope '…'",
		check: checkScopeNothing},
	{ID: "app.lookalike-name", Severity: Medium, Title: "Name that looks like another app's",
		Basis: "RFC 6749 §10.2 (client impersonation)", Fix: "rename or delete the newer app (oauthdeck apps update APP_ID --name …)",
		check: checkLookalike},
	{ID: "redirect.http-remote", Severity: High, Title: "Plain http redirect URI to a non-loopback host",
		Basis: "RFC 9700 §4.1; RFC 8252 §8.3 — http only for loopback", Fix: "use https, or http://127.0.0.1:PORT/… for a native client",
		check: checkRedirects},
	{ID: "redirect.wildcard-host", Severity: Medium, Title: "Wildcard-looking host in a redirect URI",
		Basis: "RFC 9700 §4.1.3 (exact matching; no wildcards)", Fix: "register each exact URI instead"},
	{ID: "redirect.custom-scheme-no-path", Severity: Medium, Title: "Private-use scheme without a path",
		Basis: "RFC 8252 §7.1; refused by Coder 2.38", Fix: "register com.example.app:/callback, not com.example.app:callback"},
	{ID: "redirect.refused", Severity: Medium, Title: "Redirect URI current Coder refuses",
		Basis: "Coder 2.38 redirect-URI rules (callback-url-schemes)", Fix: "change the URI before the app is next saved or the deployment upgraded"},
	{ID: "redirect.duplicate", Severity: Low, Title: "The same redirect URI registered twice",
		Basis: "RFC 6749 §3.1.2.2", Fix: "remove the repeat (oauthdeck apps update APP_ID)"},
	{ID: "redirect.many", Severity: Low, Title: "Many redirect URIs",
		Basis: "RFC 9700 §4.1 (each URI is somewhere a code can be sent); Coder allows 32", Fix: "keep only the URIs the client uses"},
}

// RuleByID finds a rule.
func RuleByID(id string) (Rule, bool) {
	i := slices.IndexFunc(Rules, func(r Rule) bool { return r.ID == id })
	if i < 0 {
		return Rule{}, false
	}
	return Rules[i], true
}

// judge carries one run: the estate, the options and what was found.
type judge struct {
	est      *Estate
	opts     Options
	now      time.Time
	found    []Finding
	claimed  map[string]bool // secret IDs (and app IDs) a rule has spoken for
	redirect map[string][]uriFinding
	rules    map[string]Rule // by ID (rules that emit for their neighbours read them here)
}

func (j *judge) emit(r Rule, a *AppState, secretID, msg string) {
	f := Finding{Rule: r.ID, Severity: r.Severity, Message: safe.Line(msg), Basis: r.Basis, Fix: r.Fix}
	if a != nil {
		f.AppID, f.AppName = safe.Line(a.App.ID), safe.Line(a.App.Name)
	}
	f.SecretID = safe.Line(secretID)
	j.found = append(j.found, f)
}

// Judge applies every rule to the estate.
func Judge(est Estate, opts Options) Report {
	opts = opts.withDefaults()
	j := &judge{est: &est, opts: opts, now: est.ReadAt, claimed: map[string]bool{}}
	if j.now.IsZero() {
		j.now = opts.Now()
	}
	j.redirect = classifyAll(&est)
	j.rules = make(map[string]Rule, len(Rules))
	for _, r := range Rules {
		j.rules[r.ID] = r
	}
	for _, r := range Rules {
		if r.check != nil {
			r.check(j, r)
		}
	}
	rep := Report{
		Server: ServerSummary{
			URL: safe.Line(est.URL), Kind: est.Server.Kind, Version: safe.Line(est.Server.Version),
			Era: est.Server.Era, Summary: safe.Line(est.Server.Summary()), ReadAt: j.now,
		},
		Apps: len(est.Apps), Findings: j.found,
	}
	for _, a := range est.Apps {
		rep.Secrets += len(a.Secrets)
		if a.SecretsErr != nil {
			rep.Incomplete = append(rep.Incomplete, safe.Line(fmt.Sprintf("the secrets of %s (%s): %v", a.App.Name, a.App.ID, a.SecretsErr)))
		}
	}
	if est.Scopes == nil {
		rep.Incomplete = append(rep.Incomplete, "the authorization server metadata (the DCR and scope-catalogue rules had nothing to judge)")
	}
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int {
		return cmp.Or(b.Severity.rank()-a.Severity.rank(), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.AppName, b.AppName), cmp.Compare(a.SecretID, b.SecretID))
	})
	for _, f := range rep.Findings {
		rep.Summary.add(f.Severity)
	}
	return rep
}

// ago says how long before now t was, in whole days (or hours under one).
func ago(now, t time.Time) string {
	d := now.Sub(t)
	if d < 24*time.Hour {
		return plural(int(d.Hours()), "hour") + " ago"
	}
	return plural(int(d.Hours()/24), "day") + " ago"
}

// days is a duration in whole days, for messages.
func days(d time.Duration) string { return plural(int(d.Hours()/24), "day") }

// plural is "1 day", "2 days".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
