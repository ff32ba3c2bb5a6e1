package client

import (
	"fmt"
	"net/url"
	"strings"

	"oauthdeck/client/safe"
)

// CrossOriginSessionError refuses to send the session token to a host other
// than the deployment's. URLs such as an authorization endpoint come from
// server metadata (in an MCP flow, from a resource the user pointed at), so a
// hostile document could otherwise collect the admin's session token.
type CrossOriginSessionError struct {
	Deployment string // origin of the deployment the session belongs to
	Target     string // origin the request was going to
}

func (e *CrossOriginSessionError) Error() string {
	return safe.Line(fmt.Sprintf(
		"refusing to send the session token for %s to %s: it is only sent to the deployment it belongs to "+
			"(use browser consent, or log in with the deployment's access URL)", e.Deployment, e.Target))
}

// checkSessionOrigin allows the session header only for the deployment's own
// origin (scheme, host and port; the default port spelled or not).
func (c *Client) checkSessionOrigin(u *url.URL) error {
	if origin(u) == origin(c.base) {
		return nil
	}
	return &CrossOriginSessionError{Deployment: origin(c.base), Target: origin(u)}
}

func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" || scheme == "http" && port == "80" || scheme == "https" && port == "443" {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}
