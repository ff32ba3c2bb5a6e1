package flows

import (
	"errors"
	"slices"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// explainAuth adds to an invalid_client explanation what the flow knows and
// Explain cannot: the method that was used and the other methods the server
// advertises, since a client registered for one method is refused with
// another (RFC 8414 §2 token_endpoint_auth_methods_supported).
func explainAuth(exp *Explanation, err error, st flowState) {
	var oe *client.OAuth2Error
	if exp == nil || !errors.As(err, &oe) || oe.Code != "invalid_client" {
		return
	}
	var advertised []string
	if st.as != nil {
		advertised = st.as.TokenEndpointAuthMethodsSupported
	}
	if len(advertised) == 0 {
		advertised = []string{string(AuthBasic)} // RFC 8414 §2: the default when absent
	}
	used := st.authMethod
	var others []string
	for _, m := range advertised {
		// A client with a secret is not a public one, and the other way round.
		if m != string(used) && !slices.Contains(others, m) && (m == string(AuthNone)) == (st.clientSecret == "") {
			others = append(others, m)
		}
	}
	exp.Cause = strings.TrimSpace(exp.Cause + " The client authenticated with " + string(used) + ".")
	if len(others) == 0 {
		return
	}
	flags := make([]string, 0, len(others))
	for _, m := range others {
		if f := authFlag(AuthMethod(m)); f != "" {
			flags = append(flags, f)
		}
	}
	exp.Cause += " The server also advertises " + safe.Line(strings.Join(others, ", ")) + "; a client registered for one of those is refused with any other."
	if len(flags) > 0 {
		exp.Fix = strings.TrimSpace(exp.Fix + " Or try the client's registered method: " + strings.Join(flags, " or ") + ".")
	}
}

// authFlag is the command-line choice of m, or "" when there is none.
func authFlag(m AuthMethod) string {
	switch m {
	case AuthBasic:
		return "--auth-method basic"
	case AuthPost:
		return "--auth-method post"
	case AuthNone:
		return "--auth-method none"
	}
	return ""
}
