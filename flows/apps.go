package flows

import (
	"slices"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/coder"
	"oauthdeck/client/safe"
)

// DroppedField is a value sent in an app's create or update body that the
// server's answer does not carry: it accepted the body (2xx) and ignored the
// field, as Coder before v2.38 does with redirect_uris and scope.
type DroppedField struct {
	Field  string   // the JSON field: "redirect_uris" or "scope"
	Values []string // what was sent and is missing from the answer
}

// DroppedAppFields compares what was sent with the app the server returned.
// The callback URL is always kept, so only the extra redirect URIs and a
// non-empty scope can be dropped. Scopes compare as sets: a server may
// reorder them.
func DroppedAppFields(sent client.AppRequest, got client.App) []DroppedField {
	var out []DroppedField
	kept := got.RedirectURIs
	if len(kept) == 0 && got.CallbackURL != "" {
		kept = []string{got.CallbackURL}
	}
	var lost []string
	for _, u := range sent.RedirectURIs {
		if !slices.Contains(kept, u) && !slices.Contains(lost, u) {
			lost = append(lost, u)
		}
	}
	if len(lost) > 0 {
		out = append(out, DroppedField{Field: "redirect_uris", Values: lost})
	}
	if sent.Scope != nil {
		have := strings.Fields(got.Scope)
		lost = nil
		for _, s := range strings.Fields(*sent.Scope) {
			if !slices.Contains(have, s) && !slices.Contains(lost, s) {
				lost = append(lost, s)
			}
		}
		if len(lost) > 0 {
			out = append(out, DroppedField{Field: "scope", Values: lost})
		}
	}
	return out
}

// DroppedText is one line for a dropped field, safe for a terminal, saying
// which Coder version keeps it.
func DroppedText(d DroppedField) string {
	what, before := "a list of redirect URIs", "an app has its callback URL only"
	if d.Field == "scope" {
		what, before = "a scope allowlist", "an app may ask for any scope"
	}
	return safe.Line("the server accepted " + d.Field + " but did not keep " + strings.Join(d.Values, ", ") +
		"; Coder keeps " + what + " from " + coder.AppFieldsSince + " on (before, " + before + ")")
}
