package check

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"oauthdeck/client"
	"oauthdeck/flows/internal/randtext"
)

func checkDCRRedirectRules(ctx context.Context, s *suite, p *probe) verdict {
	if v, ok := s.needMetadata(p); !ok {
		return v
	}
	if s.ep.Register == "" {
		return p.skip("the server does not offer dynamic client registration (no registration_endpoint in its metadata)")
	}
	var wrong, odd []string
	for _, c := range []struct{ label, uri string }{
		{"a non-loopback http redirect URI", "http://oauthdeck-check.invalid/callback"},
		{"a redirect URI with a fragment", "https://oauthdeck-check.invalid/callback#frag"},
	} {
		status, reg, oe, err := s.register(ctx, p, "register with "+c.label, c.uri)
		if err != nil {
			return p.broken("send the registration request", err)
		}
		switch {
		case reg != nil:
			wrong = append(wrong, fmt.Sprintf("%s (%s) was registered", c.label, c.uri))
		case status != http.StatusBadRequest || oe == nil:
			odd = append(odd, fmt.Sprintf("%s: refused with %d but without an RFC 7591 error body", c.label, status))
		case oe.Code != "invalid_redirect_uri" && oe.Code != "invalid_client_metadata":
			odd = append(odd, fmt.Sprintf("%s: refused with error=%s", c.label, oe.Code))
		}
	}
	if len(wrong) > 0 {
		return p.violated("%s", strings.Join(wrong, "; "))
	}
	// The control: a valid loopback redirect must be accepted, or the
	// refusals above may have nothing to do with the redirect rules.
	status, reg, oe, err := s.register(ctx, p, "register with a loopback redirect URI (control)", s.redirect)
	if err != nil {
		return p.broken("send the registration request", err)
	}
	if reg == nil {
		why := fmt.Sprintf("%d", status)
		if oe != nil {
			why += " " + oe.Code
		}
		return p.warn("a valid loopback redirect URI was refused too (%s), so the refusals say little about the redirect rules", why)
	}
	if len(odd) > 0 {
		return p.warn("refused, but not as RFC 7591 §3.2.2 describes: %s", strings.Join(odd, "; "))
	}
	return p.pass("non-loopback http and fragment redirect URIs refused; a loopback one accepted (and removed at the end)")
}

// register sends an RFC 7591 request for a confidential client and keeps
// whatever gets registered for cleanup. reg is nil unless the server
// answered 201 with a client_id.
func (s *suite) register(ctx context.Context, p *probe, note, redirectURI string) (int, *client.ClientRegistration, *client.OAuth2Error, error) {
	name := "oauthdeck-check-dcr-" + randtext.Alnum(6)
	body := client.ClientRegistrationRequest{
		RedirectURIs:            []string{redirectURI},
		ClientName:              name,
		GrantTypes:              []string{"authorization_code", "refresh_token"},
		ResponseTypes:           []string{"code"},
		TokenEndpointAuthMethod: "client_secret_post",
	}
	resp, err := p.do(ctx, note, client.Request{Method: http.MethodPost, URL: s.ep.Register, JSON: body})
	if err != nil {
		return 0, nil, nil, err
	}
	if resp.StatusCode/100 == 2 {
		var reg client.ClientRegistration
		if json.Unmarshal(resp.Body, &reg) == nil && reg.ClientID != "" {
			s.remember(reg.ClientSecret, reg.RegistrationAccessToken)
			s.track(createdClient{ID: reg.ClientID, Name: name, RegURI: reg.RegistrationClientURI, RegToken: reg.RegistrationAccessToken})
			return resp.StatusCode, &reg, nil, nil
		}
	}
	return resp.StatusCode, nil, resp.OAuth2Error(), nil
}
