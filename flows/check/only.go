package check

import (
	"fmt"
	"slices"
)

// Running some checks, not the whole suite (Config.Only): a check starts
// from what the checks before it left (the metadata's endpoints, the test
// apps, a code or a challenge it judges), so each selected check brings
// the ones it takes over from. They run as in a full run, in registry
// order, and only the selected checks are reported.

// appFree are the checks that never touch the suite's test apps, so running
// one alone does not create them.
var appFree = map[string]bool{
	"discovery.as-metadata": true, "discovery.issuer": true, "discovery.pkce-methods": true,
	"discovery.protected-resource": true, "token.www-authenticate": true, "setup.apps": true,
	"mcp.www-authenticate": true, "mcp.prm-discovery": true, "mcp.unknown-token": true,
	"mcp.client-registration": true, "transport.no-store": true, "discovery.cacheable": true,
	"dcr.redirect-rules": true,
}

// judgesEarlier names, for a check that judges what an earlier one met
// rather than asking again, the checks it takes that over from.
var judgesEarlier = map[string][]string{
	"authorize.state":       {"flow.pkce"},
	"authorize.iss":         {"flow.pkce"},
	"token.cache-control":   {"flow.pkce"},
	"token.pkce-downgrade":  {"authorize.pkce-required"},
	"authorize.error-state": {"authorize.pkce-required", "authorize.plain-refused", "authorize.response-type"},
	"mcp.scope-step-up":     {"mcp.scope-challenge"},
	"discovery.cacheable":   {"discovery.protected-resource"},
}

// Needs lists what running check id alone also runs, in run order: the
// metadata discovery every check starts from, the test apps unless it needs
// none, and the checks whose answers it judges.
func Needs(id string) []string {
	need := map[string]bool{}
	var add func(string)
	add = func(id string) {
		if id != "discovery.as-metadata" {
			need["discovery.as-metadata"] = true
		}
		if !appFree[id] {
			need["setup.apps"] = true
		}
		for _, dep := range judgesEarlier[id] {
			if !need[dep] {
				need[dep] = true
				add(dep)
			}
		}
	}
	add(id)
	delete(need, id)
	var out []string
	for _, d := range registry {
		if need[d.ID] {
			out = append(out, d.ID)
		}
	}
	return out
}

// selection is what a run with Config.Only runs and what it reports; both
// are nil for the whole suite.
func selection(only []string) (run, report map[string]bool, err error) {
	if len(only) == 0 {
		return nil, nil, nil
	}
	run, report = map[string]bool{}, map[string]bool{}
	for _, id := range only {
		if !slices.ContainsFunc(registry, func(d definition) bool { return d.ID == id }) {
			return nil, nil, fmt.Errorf("check: no check with id %q", id)
		}
		report[id], run[id] = true, true
		for _, dep := range Needs(id) {
			run[dep] = true
		}
	}
	return run, report, nil
}
