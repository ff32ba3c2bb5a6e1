package check

import (
	"fmt"
	"slices"
	"strings"
)

// MCPVersions are the MCP authorization specification versions a run is
// graded against, oldest first.
var MCPVersions = []string{"2025-06-18", "2025-11-25", "2026-07-28"}

// ParseMCPVersion reads a --spec value ("2026-07-28", "mcp-2026-07-28").
func ParseMCPVersion(v string) (string, error) {
	v = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(v)), "mcp-")
	if !slices.Contains(MCPVersions, v) {
		return "", fmt.Errorf("unknown MCP specification version %q (want %s)", v, strings.Join(MCPVersions, ", "))
	}
	return v, nil
}

// Documents lists what a check's basis cites, in order: "RFC 8414",
// "OAuth 2.1", "MCP 2025-06-18", "Coder 2.38", …
func Documents(basis string) []string {
	var out []string
	add := func(d string) {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	fields := strings.FieldsFunc(basis, func(r rune) bool { return r == ' ' || r == ';' || r == ',' || r == '(' || r == ')' })
	for i := 0; i+1 < len(fields); i++ {
		switch fields[i] {
		case "RFC", "OAuth", "MCP", "Coder":
			if next := fields[i+1]; next != "" && (next[0] >= '0' && next[0] <= '9') {
				add(fields[i] + " " + next)
			}
		}
	}
	return out
}

// appliesTo reports whether a check counts for MCP version v: it cites v or
// an earlier MCP version (requirements carry forward), or it cites no MCP
// version but rests on OAuth (MCP authorization is OAuth 2.1 and the RFCs
// it names). A check on Coder's own API alone counts for none.
func appliesTo(docs []string, v string) bool {
	citesMCP, oauth := false, false
	for _, d := range docs {
		if mv, ok := strings.CutPrefix(d, "MCP "); ok {
			citesMCP = true
			if mv <= v { // ISO dates compare as strings
				return true
			}
		}
		if strings.HasPrefix(d, "RFC ") || strings.HasPrefix(d, "OAuth ") {
			oauth = true
		}
	}
	return !citesMCP && oauth
}

// conformanceAliases are the official MCP conformance suite's scenario ids
// (modelcontextprotocol/conformance) that test what one of ours tests.
var conformanceAliases = map[string][]string{
	"discovery.as-metadata":        {"as-metadata-discovery"},
	"discovery.pkce-methods":       {"as-pkce-support"},
	"discovery.protected-resource": {"prm-discovery", "auth-prm-resource-exists"},
	"token.auth-methods":           {"as-token-auth-methods"},
	"mcp.www-authenticate":         {"auth-unauthenticated-request-rejected", "auth-www-auth-header-exists", "auth-www-auth-bearer-scheme", "auth-www-auth-resource-metadata"},
	"mcp.wrong-audience":           {"auth-wrong-audience-token-rejected"},
	"mcp.prm-discovery":            {"prm-discovery", "discovery-mechanism"},
	"mcp.client-registration":      {"as-cimd-supported"},
	"mcp.unknown-token":            {"auth-www-auth-error-code"},
	"mcp.expired-token":            {"auth-expired-token-rejected"},
	"mcp.scope-challenge":          {"server-scope-challenge-http-403", "server-scope-challenge-www-authenticate", "sep-2350-server-single-challenge"},
	"mcp.scope-step-up":            {"server-scope-challenge-upgraded-retry", "sep-2350-server-single-challenge"},
}

// Grade is one MCP version's score: the passes among the checks that
// count for it, MUSTs and SHOULDs apart (skipped checks are not counted).
type Grade struct {
	Spec         string `json:"spec"`
	MustPassed   int    `json:"must_passed"`
	MustTotal    int    `json:"must_total"`
	ShouldPassed int    `json:"should_passed"`
	ShouldTotal  int    `json:"should_total"`
	Skipped      int    `json:"skipped"`
	Letter       string `json:"letter"`
}

// Grades scores the results for every MCP version. A: every MUST and SHOULD
// passed; B: every MUST; C: 90% of MUSTs; D: 75%; F below (or nothing
// was tested). A warn counts as not passed.
func Grades(results []Result) []Grade {
	var out []Grade
	for _, v := range MCPVersions {
		g := Grade{Spec: "MCP " + v}
		for _, r := range results {
			if !appliesTo(r.Documents, v) {
				continue
			}
			if r.Status == Skip {
				g.Skipped++
				continue
			}
			pass := r.Status == Pass
			if r.Level == Should {
				g.ShouldTotal++
				if pass {
					g.ShouldPassed++
				}
			} else {
				g.MustTotal++
				if pass {
					g.MustPassed++
				}
			}
		}
		g.Letter = letter(g)
		out = append(out, g)
	}
	return out
}

func letter(g Grade) string {
	switch {
	case g.MustTotal == 0:
		return "F"
	case g.MustPassed == g.MustTotal && g.ShouldPassed == g.ShouldTotal:
		return "A"
	case g.MustPassed == g.MustTotal:
		return "B"
	case g.MustPassed*10 >= g.MustTotal*9:
		return "C"
	case g.MustPassed*4 >= g.MustTotal*3:
		return "D"
	}
	return "F"
}

// ForSpec keeps the checks that count for MCP version v, with the summary
// and grades recomputed: the report of a run that asked for one version.
func ForSpec(rep Report, v string) Report {
	var kept []Result
	for _, r := range rep.Checks {
		if appliesTo(r.Documents, v) {
			kept = append(kept, r)
		}
	}
	if kept == nil {
		kept = []Result{}
	}
	rep.Checks, rep.Summary = kept, Summarize(kept)
	for _, g := range Grades(kept) {
		if g.Spec == "MCP "+v {
			rep.Grades = []Grade{g}
		}
	}
	return rep
}
