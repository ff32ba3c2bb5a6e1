package flows

import (
	"testing"

	"oauthdeck/client"
)

// v230Metadata is the document a real Coder v2.30.0 served (scopes trimmed).
func v230Metadata(base string) client.ASMetadata {
	return client.ASMetadata{
		Issuer: base, AuthorizationEndpoint: base + "/oauth2/authorize", TokenEndpoint: base + "/oauth2/tokens",
		RegistrationEndpoint: base + "/oauth2/register", RevocationEndpoint: base + "/oauth2/revoke",
		ResponseTypesSupported: []string{"code"}, GrantTypesSupported: []string{"authorization_code", "refresh_token"},
		CodeChallengeMethodsSupported: []string{"S256"}, ScopesSupported: []string{"coder:all"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post"},
	}
}

func severityOf(fs []Finding, id string) Severity {
	for _, f := range fs {
		if f.ID == id {
			return f.Severity
		}
	}
	return ""
}

func TestCheckASMetadata(t *testing.T) {
	t.Parallel()
	base := "http://127.0.0.1:3000"
	fs := CheckASMetadata(v230Metadata(base), base)
	if worst(fs) == SeverityFail || worst(fs) == SeverityWarn {
		t.Fatalf("v2.30 metadata should pass: %+v", fs)
	}
	if severityOf(fs, "as.auth_methods") != SeverityInfo {
		t.Errorf("v2.30 auth methods not recognised: %+v", fs)
	}

	for name, tc := range map[string]struct {
		mutate func(*client.ASMetadata)
		id     string
		want   Severity
	}{
		"issuer mismatch":   {func(m *client.ASMetadata) { m.Issuer = base + "/" }, "as.issuer", SeverityFail},
		"issuer missing":    {func(m *client.ASMetadata) { m.Issuer = "" }, "as.issuer", SeverityFail},
		"no PKCE list":      {func(m *client.ASMetadata) { m.CodeChallengeMethodsSupported = nil }, "as.pkce", SeverityFail},
		"plain only":        {func(m *client.ASMetadata) { m.CodeChallengeMethodsSupported = []string{"plain"} }, "as.pkce", SeverityFail},
		"plain as well":     {func(m *client.ASMetadata) { m.CodeChallengeMethodsSupported = []string{"S256", "plain"} }, "as.pkce", SeverityWarn},
		"no token endpoint": {func(m *client.ASMetadata) { m.TokenEndpoint = "" }, "as.token_endpoint", SeverityFail},
		"implicit":          {func(m *client.ASMetadata) { m.ResponseTypesSupported = []string{"code", "token"} }, "as.response_types", SeverityWarn},
		"no code":           {func(m *client.ASMetadata) { m.ResponseTypesSupported = []string{"token"} }, "as.response_types", SeverityFail},
		"no revocation":     {func(m *client.ASMetadata) { m.RevocationEndpoint = "" }, "as.revocation", SeverityWarn},
		"http non-loopback": {func(m *client.ASMetadata) { m.TokenEndpoint = "http://coder.example.com/oauth2/tokens" }, "as.https.token_endpoint", SeverityWarn},
		"iss advertised":    {func(m *client.ASMetadata) { m.AuthorizationResponseIssParameterSupported = true }, "as.iss", SeverityPass},
	} {
		m := v230Metadata(base)
		tc.mutate(&m)
		if got := severityOf(CheckASMetadata(m, base), tc.id); got != tc.want {
			t.Errorf("%s: %s = %q, want %q", name, tc.id, got, tc.want)
		}
	}
}

func TestCheckPRMetadata(t *testing.T) {
	t.Parallel()
	base := "http://127.0.0.1:3000"
	as := v230Metadata(base)
	doc := client.PRMetadata{Resource: base, AuthorizationServers: []string{base}, BearerMethodsSupported: []string{"header", "query"}}
	if w := worst(CheckPRMetadata(doc, base, &as)); w != SeverityPass {
		t.Fatalf("good PRM: worst %s", w)
	}
	if got := severityOf(CheckPRMetadata(doc, base+"/api/experimental/mcp/http", nil), "pr.resource"); got != SeverityWarn {
		t.Errorf("parent resource: %s", got)
	}
	if got := severityOf(CheckPRMetadata(doc, "https://other.example", nil), "pr.resource"); got != SeverityFail {
		t.Errorf("foreign resource: %s", got)
	}
	empty := client.PRMetadata{Resource: base}
	if got := severityOf(CheckPRMetadata(empty, base, nil), "pr.authorization_servers"); got != SeverityFail {
		t.Errorf("no authorization servers: %s", got)
	}
	other := doc
	other.AuthorizationServers = []string{"https://elsewhere.example"}
	if got := severityOf(CheckPRMetadata(other, base, &as), "pr.as-match"); got != SeverityWarn {
		t.Errorf("AS not listed: %s", got)
	}
}
