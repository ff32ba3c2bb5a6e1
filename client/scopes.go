package client

import (
	"context"
	"net/http"
)

// AuthScopes is GET /api/v2/auth/scopes, the authenticated scope catalogue,
// in either shape Coder has served: {"external": [...]} (older), or
// {"specials", "low_level", "composites"} with what each composite
// expands to (newer).
type AuthScopes struct {
	External []string `json:"external"`
	Specials []string `json:"specials"`
	LowLevel []struct {
		Name     string `json:"name"`
		Resource string `json:"resource"`
		Action   string `json:"action"`
	} `json:"low_level"`
	Composites []struct {
		Name      string   `json:"name"`
		ExpandsTo []string `json:"expands_to"`
	} `json:"composites"`
}

// ScopeCatalogue reads GET /api/v2/auth/scopes.
func (c *Client) ScopeCatalogue(ctx context.Context) (AuthScopes, error) {
	var out AuthScopes
	err := c.do(ctx, call{method: http.MethodGet, url: "/api/v2/auth/scopes", auth: authSession, want: http.StatusOK, out: &out})
	return out, wrapOp("read the scope catalogue", err)
}
