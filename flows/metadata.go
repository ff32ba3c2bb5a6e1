package flows

import (
	"net/url"
	"slices"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/coder"
	"oauthdeck/client/safe"
)

// CheckASMetadata checks an RFC 8414 document: issuer equals expectedIssuer
// (the issuer the discovery URL was built from), required fields, code and
// S256 supported, https endpoints (loopback exempt), and what the auth
// methods imply. Used by `oauthdeck metadata`, the TUI and the conformance suite.
func CheckASMetadata(doc client.ASMetadata, expectedIssuer string) []Finding {
	var fs []Finding
	add := func(id string, sev Severity, msg, basis string) {
		fs = append(fs, Finding{ID: id, Severity: sev, Message: safe.Line(msg), Basis: basis})
	}
	switch {
	case doc.Issuer == "":
		add("as.issuer", SeverityFail, "issuer is missing", "RFC 8414 §2")
	case expectedIssuer != "" && doc.Issuer != expectedIssuer:
		add("as.issuer", SeverityFail, "issuer "+doc.Issuer+" differs from "+expectedIssuer+", the issuer the document was fetched for", "RFC 8414 §3.3")
	default:
		add("as.issuer", SeverityPass, "issuer "+doc.Issuer+" matches where the document came from", "RFC 8414 §3.3")
	}
	if u, err := url.Parse(doc.Issuer); doc.Issuer != "" && (err != nil || u.RawQuery != "" || u.Fragment != "") {
		add("as.issuer-form", SeverityFail, "issuer must be a URL without query or fragment", "RFC 8414 §2")
	}
	for _, ep := range []struct{ id, name, val string }{
		{"as.authorization_endpoint", "authorization_endpoint", doc.AuthorizationEndpoint},
		{"as.token_endpoint", "token_endpoint", doc.TokenEndpoint},
	} {
		if ep.val == "" {
			add(ep.id, SeverityFail, ep.name+" is missing", "RFC 8414 §2")
		} else {
			add(ep.id, SeverityPass, ep.name+" "+ep.val, "RFC 8414 §2")
		}
	}
	for _, ep := range []struct{ name, val string }{
		{"issuer", doc.Issuer}, {"authorization_endpoint", doc.AuthorizationEndpoint},
		{"token_endpoint", doc.TokenEndpoint}, {"registration_endpoint", doc.RegistrationEndpoint},
		{"revocation_endpoint", doc.RevocationEndpoint},
	} {
		if ep.val != "" && !secureOrLoopback(ep.val) {
			add("as.https."+ep.name, SeverityWarn, ep.name+" is not https (only loopback is exempt)", "RFC 8414 §2; MCP: AS endpoints MUST be HTTPS")
		}
	}
	switch {
	case len(doc.ResponseTypesSupported) == 0:
		add("as.response_types", SeverityFail, "response_types_supported is missing", "RFC 8414 §2")
	case !slices.Contains(doc.ResponseTypesSupported, "code"):
		add("as.response_types", SeverityFail, "response_types_supported does not list code", "OAuth 2.1")
	case slices.Contains(doc.ResponseTypesSupported, "token"):
		add("as.response_types", SeverityWarn, "response_types_supported lists token (implicit grant)", "RFC 9700 §2.1.2")
	default:
		add("as.response_types", SeverityPass, "response type code supported", "RFC 8414 §2")
	}
	switch {
	case len(doc.CodeChallengeMethodsSupported) == 0:
		add("as.pkce", SeverityFail, "code_challenge_methods_supported is missing: MCP clients must refuse to proceed", "MCP 2025-11-25; RFC 8414 §2")
	case !slices.Contains(doc.CodeChallengeMethodsSupported, "S256"):
		add("as.pkce", SeverityFail, "S256 is not among code_challenge_methods_supported", "RFC 9700 §2.1.1")
	case slices.Contains(doc.CodeChallengeMethodsSupported, "plain"):
		add("as.pkce", SeverityWarn, "plain PKCE is advertised besides S256", "RFC 9700 §2.1.1")
	default:
		add("as.pkce", SeverityPass, "PKCE S256 supported", "RFC 7636; RFC 9700 §2.1.1")
	}
	if len(doc.GrantTypesSupported) > 0 {
		if slices.Contains(doc.GrantTypesSupported, "implicit") || slices.Contains(doc.GrantTypesSupported, "password") {
			add("as.grant_types", SeverityWarn, "implicit or password grant advertised", "RFC 9700 §2.1.2, §2.4")
		}
		if !slices.Contains(doc.GrantTypesSupported, "refresh_token") {
			add("as.grant_types", SeverityInfo, "refresh_token grant not advertised", "RFC 8414 §2")
		}
	}
	methods := doc.TokenEndpointAuthMethodsSupported
	switch {
	case len(methods) == 0:
		add("as.auth_methods", SeverityInfo, "token_endpoint_auth_methods_supported absent: client_secret_basic is implied", "RFC 8414 §2")
	case len(methods) == 1 && methods[0] == string(AuthPost):
		add("as.auth_methods", SeverityInfo, "only client_secret_post: a Coder v2.30-era server; never send Basic", "Coder v2.30 tokens.go")
	default:
		add("as.auth_methods", SeverityPass, "client authentication: "+strings.Join(methods, ", "), "RFC 8414 §2")
	}
	if doc.RevocationEndpoint == "" {
		add("as.revocation", SeverityWarn, "revocation_endpoint is missing", "RFC 7009; RFC 8414 §2")
	} else {
		add("as.revocation", SeverityPass, "revocation_endpoint "+doc.RevocationEndpoint, "RFC 7009")
	}
	if doc.RegistrationEndpoint != "" {
		add("as.registration", SeverityInfo, "dynamic client registration is open at "+doc.RegistrationEndpoint, "RFC 7591; MCP")
	} else {
		add("as.registration", SeverityInfo, "no registration_endpoint: dynamic client registration is off", "RFC 7591")
	}
	if doc.AuthorizationResponseIssParameterSupported {
		add("as.iss", SeverityPass, "iss is returned on authorization responses (the listener will require it)", "RFC 9207")
	} else {
		add("as.iss", SeverityInfo, "authorization_response_iss_parameter_supported not advertised: no mix-up defence via iss", "RFC 9207; RFC 9700 §2.1")
	}
	if len(doc.ScopesSupported) == 0 {
		add("as.scopes", SeverityInfo, "scopes_supported is missing", "RFC 8414 §2 (RECOMMENDED)")
	}
	return fs
}

// CheckPRMetadata checks an RFC 9728 document against the resource it was
// fetched for and, when as is non-nil, against the authorization server's metadata.
func CheckPRMetadata(doc client.PRMetadata, expectedResource string, as *client.ASMetadata) []Finding {
	var fs []Finding
	add := func(id string, sev Severity, msg, basis string) {
		fs = append(fs, Finding{ID: id, Severity: sev, Message: safe.Line(msg), Basis: basis})
	}
	switch {
	case doc.Resource == "":
		add("pr.resource", SeverityFail, "resource is missing", "RFC 9728 §2")
	case expectedResource != "" && sameURL(doc.Resource, expectedResource):
		add("pr.resource", SeverityPass, "resource "+doc.Resource, "RFC 9728 §3.3")
	case expectedResource != "" && strings.HasPrefix(expectedResource, strings.TrimSuffix(doc.Resource, "/")+"/"):
		add("pr.resource", SeverityWarn, "resource "+doc.Resource+" is a parent of "+expectedResource+", the URL requested; tokens are bound to the parent", "RFC 9728 §3.3")
	case expectedResource != "":
		add("pr.resource", SeverityFail, "resource "+doc.Resource+" differs from "+expectedResource+", the resource it was fetched for", "RFC 9728 §3.3")
	default:
		add("pr.resource", SeverityPass, "resource "+doc.Resource, "RFC 9728 §3.3")
	}
	if len(doc.AuthorizationServers) == 0 {
		add("pr.authorization_servers", SeverityFail, "authorization_servers is empty: MCP needs at least one", "MCP 2025-06-18; RFC 9728 §2")
	} else {
		add("pr.authorization_servers", SeverityPass, "authorization servers: "+strings.Join(doc.AuthorizationServers, ", "), "RFC 9728 §2")
	}
	if len(doc.BearerMethodsSupported) > 0 && !slices.Contains(doc.BearerMethodsSupported, "header") {
		add("pr.bearer_methods", SeverityWarn, "bearer_methods_supported lacks header", "RFC 6750 §2.1; MCP")
	}
	if as != nil {
		if as.Issuer != "" && len(doc.AuthorizationServers) > 0 && !slices.Contains(doc.AuthorizationServers, as.Issuer) {
			add("pr.as-match", SeverityWarn, "the authorization server in use ("+as.Issuer+") is not listed in authorization_servers", "RFC 9728 §2")
		}
		if missing := missingFrom(doc.ScopesSupported, as.ScopesSupported); len(missing) > 0 {
			add("pr.scopes", SeverityWarn, "scopes in the resource metadata but not the AS metadata: "+strings.Join(missing, " "), "MCP scope selection")
		}
	}
	return fs
}

func missingFrom(a, b []string) []string {
	if len(b) == 0 {
		return nil
	}
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// secureOrLoopback accepts https, and http only for loopback hosts.
func secureOrLoopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	return u.Scheme == "https" || u.Scheme == "http" && coder.IsLoopbackHost(strings.ToLower(u.Hostname()))
}

// worst returns the most severe of fs (pass when empty).
func worst(fs []Finding) Severity {
	rank := map[Severity]int{SeverityPass: 0, SeverityInfo: 1, SeverityWarn: 2, SeverityFail: 3}
	w := SeverityPass
	for _, f := range fs {
		if rank[f.Severity] > rank[w] {
			w = f.Severity
		}
	}
	return w
}
