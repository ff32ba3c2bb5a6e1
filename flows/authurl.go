package flows

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"

	"oauthdeck/pkce"
)

// AuthParams are the parameters of an authorization request (RFC 6749 §4.1.1,
// RFC 7636, RFC 8707). Empty fields are left out.
type AuthParams struct {
	ResponseType        string // default "code"
	ClientID            string
	RedirectURI         string
	State               string
	CodeChallenge       string
	CodeChallengeMethod string // default "S256" when CodeChallenge is set
	Resource            string
	Scope               string
	Extra               url.Values // anything else, added as given
}

// Values returns the parameters as a query.
func (p AuthParams) Values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	rt := p.ResponseType
	if rt == "" {
		rt = "code"
	}
	set("response_type", rt)
	set("client_id", p.ClientID)
	set("redirect_uri", p.RedirectURI)
	set("state", p.State)
	if p.CodeChallenge != "" {
		set("code_challenge", p.CodeChallenge)
		m := p.CodeChallengeMethod
		if m == "" {
			m = string(pkce.S256)
		}
		set("code_challenge_method", m)
	}
	set("resource", p.Resource)
	set("scope", p.Scope)
	for k, vals := range p.Extra {
		v[k] = append([]string(nil), vals...)
	}
	return v
}

// AuthorizationURL returns endpoint with params merged into its query (params
// win). Coder v2.30 reads every authorize parameter from the query, also for
// the consent POST, so this URL serves both the browser and AutoConsent.
func AuthorizationURL(endpoint string, params url.Values) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return "", fmt.Errorf("authorization endpoint %q is not an absolute URL", endpoint)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("authorization endpoint %q: scheme must be http or https", endpoint)
	}
	q := u.Query()
	for k, vals := range params {
		q[k] = append([]string(nil), vals...)
	}
	u.RawQuery = q.Encode()
	u.Fragment = ""
	return u.String(), nil
}

// NewState returns a fresh state value: 256 bits from crypto/rand, base64url.
func NewState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("reading random bytes for state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
