package audit

import (
	"fmt"
	"slices"
	"strings"

	"oauthdeck/client/coder"
)

func checkDCROpen(j *judge, r Rule) {
	if !j.est.DCROpen || j.est.Server.Kind != "coder" {
		return
	}
	n, known := 0, false
	for _, a := range j.est.Apps {
		if dyn, ok := a.Dynamic(); ok {
			known = true
			if dyn {
				n++
			}
		}
	}
	msg := "dynamic client registration is open: anyone who can reach the deployment can register an app, and Coder never removes one"
	if known {
		msg += fmt.Sprintf(" (%d registered so far)", n)
	}
	if j.est.Server.Era == coder.EraFlag {
		msg += "; turning DCR off stops new registrations but keeps the existing ones"
	} else {
		msg += "; before Coder 2.38 it cannot be turned off"
	}
	j.emit(r, nil, "", msg)
}

// checkRateLimitOff: Coder 2.38 states its limit (X-Ratelimit-Limit) on the
// metadata answer, which draws on the same limit as /oauth2; no header there
// means the limits are off. Older releases never send one, so say nothing.
func checkRateLimitOff(j *judge, r Rule) {
	s := j.est.Server
	if s.Kind != "coder" || s.Era != coder.EraFlag || !s.Features.Metadata || s.Features.RateLimit > 0 {
		return
	}
	j.emit(r, nil, "", "the metadata answer carries no X-Ratelimit-Limit: this deployment runs without rate limits, so codes, refresh tokens and client secrets can be guessed at full speed")
}

func checkUpgrade(j *judge, r Rule) {
	if j.est.Server.Kind != "coder" || j.est.Server.Era == coder.EraFlag {
		return
	}
	var changes []string
	if j.est.Server.Era == coder.EraV230 {
		changes = append(changes, "PKCE becomes required (clients that send no code_challenge break)")
	}
	refused, apps := 0, 0
	for _, a := range j.est.Apps {
		n := 0
		for _, u := range j.redirect[a.App.ID] {
			if u.rule != "redirect.duplicate" && u.rule != "redirect.many" && u.rule != "redirect.wildcard-host" {
				n++
			}
		}
		if n > 0 {
			refused, apps = refused+n, apps+1
		}
	}
	if refused > 0 {
		changes = append(changes, fmt.Sprintf("its apps API refuses %d of these redirect URIs (%d apps): those apps cannot be saved unchanged", refused, apps))
	}
	changes = append(changes,
		fmt.Sprintf("scope allowlists are enforced (the %d apps here have none, which allows every scope)", len(j.est.Apps)),
		"an app with several redirect URIs must be sent redirect_uri at authorize",
		"the provider is turned on by CODER_OAUTH2_PROVIDER_ENABLE instead of the oauth2 experiment")
	j.emit(r, nil, "", "Coder 2.38: "+strings.Join(changes, "; "))
}

func checkPublic(j *judge, r Rule) {
	for i := range j.est.Apps {
		if a := &j.est.Apps[i]; a.Public() {
			j.emit(r, a, "", "public client (token_endpoint_auth_method none): its client_id is all a caller needs, and PKCE alone protects its codes")
		}
	}
}

// scopesKept: the server keeps an allowlist per app (2.38's app fields).
func (j *judge) scopesKept() bool { return j.est.Server.Features.RedirectURIList }

func checkScopeUnrestricted(j *judge, r Rule) {
	if !j.scopesKept() || !j.est.Server.Features.ScopesEnforced {
		return
	}
	for i := range j.est.Apps {
		if a := &j.est.Apps[i]; a.App.Scope == "" {
			j.emit(r, a, "", "no scope allowlist: the app may be granted any scope its users hold, coder:all included")
		}
	}
}

// scopeAliases are the names Coder accepts besides its catalogue.
var scopeAliases = []string{"all", "application_connect"}

func checkScopeNothing(j *judge, r Rule) {
	if !j.scopesKept() {
		return
	}
	for i := range j.est.Apps {
		a := &j.est.Apps[i]
		if a.App.Scope == "" {
			continue
		}
		names := strings.Fields(a.App.Scope)
		switch {
		case len(names) == 0:
			j.emit(r, a, "", "the scope allowlist is configured but blank: every authorization is refused with invalid_scope")
		case len(j.est.Scopes) > 0 && !slices.ContainsFunc(names, j.grantable):
			j.emit(r, a, "", fmt.Sprintf("no name in the scope allowlist (%s) is in the published catalogue: every authorization is refused with invalid_scope", strings.Join(names, " ")))
		}
	}
}

func (j *judge) grantable(name string) bool {
	return slices.Contains(j.est.Scopes, name) || slices.Contains(scopeAliases, name)
}

func checkLookalike(j *judge, r Rule) {
	groups := map[string][]*AppState{}
	for i := range j.est.Apps {
		a := &j.est.Apps[i]
		k := skeleton(a.App.Name)
		groups[k] = append(groups[k], a)
	}
	for _, g := range groups {
		if len(g) < 2 {
			continue
		}
		slices.SortFunc(g, func(a, b *AppState) int { return strings.Compare(a.App.Name, b.App.Name) })
		for _, a := range g[1:] {
			verb := "looks like"
			if a.App.Name == g[0].App.Name {
				verb = "has the same name as"
			}
			j.emit(r, a, "", fmt.Sprintf("“%s” %s “%s” (%s): a user at the consent screen cannot tell them apart", a.App.Name, verb, g[0].App.Name, g[0].App.ID))
		}
	}
}

// skeleton folds what a reader confuses: case, separators, and the digits
// that pass for letters.
func skeleton(name string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(name) {
		switch c {
		case '-', '_', '.', ' ':
			continue
		case '0':
			c = 'o'
		case '1', 'i':
			c = 'l'
		case '3':
			c = 'e'
		case '5':
			c = 's'
		}
		b.WriteRune(c)
	}
	return b.String()
}
