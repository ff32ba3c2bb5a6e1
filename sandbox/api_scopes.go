package sandbox

import (
	"net/http"
	"slices"
	"strings"
)

// handleAuthScopes is GET /api/v2/auth/scopes, the authenticated scope
// catalogue of the 2.38 line (coder-upstream-2026.md §1.3), in its newer
// shape: the specials (aliases), the low-level resource:action names, and
// each composite with what it expands to. Older profiles, which do not
// enforce scopes, answer it as an unknown route.
func (s *Server) handleAuthScopes(w http.ResponseWriter, _ *http.Request) {
	if !s.b.scopesEnforced {
		writeRouteNotFound(w)
		return
	}
	type lowLevel struct {
		Name     string `json:"name"`
		Resource string `json:"resource"`
		Action   string `json:"action"`
	}
	type composite struct {
		Name      string   `json:"name"`
		ExpandsTo []string `json:"expands_to"`
	}
	low, comps := []lowLevel{}, []composite{}
	for _, name := range scopeCatalogue {
		res, action, _ := strings.Cut(name, ":")
		switch {
		case res == "coder":
			// Only the composites whose coverage is modelled (validate.go):
			// an empty expansion would claim one covers nothing.
			if covers, ok := compositeCovers[name]; ok {
				covers = slices.Sorted(slices.Values(covers))
				comps = append(comps, composite{Name: name, ExpandsTo: covers})
			}
		case action != "*":
			low = append(low, lowLevel{Name: name, Resource: res, Action: action})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"specials":   []string{"all", "application_connect"},
		"low_level":  low,
		"composites": comps,
	})
}
