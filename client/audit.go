package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// AuditLog is one entry of Coder's audit log (premium), as GET
// /api/v2/audit returns it; only what oauthdeck shows is decoded.
type AuditLog struct {
	ID             string               `json:"id"`
	Time           time.Time            `json:"time"`
	Action         string               `json:"action"` // create, write, delete, …
	ResourceType   string               `json:"resource_type"`
	ResourceID     string               `json:"resource_id"`
	ResourceTarget string               `json:"resource_target"`
	StatusCode     int                  `json:"status_code"`
	Diff           map[string]AuditDiff `json:"diff"`
	User           *struct {
		Username string `json:"username"`
		Email    string `json:"email"`
	} `json:"user"`
}

// AuditDiff is one tracked field's change.
type AuditDiff struct {
	Old    any  `json:"old"`
	New    any  `json:"new"`
	Secret bool `json:"secret"`
}

// AuditLogs is GET /api/v2/audit?q=… (newest first), at most limit entries,
// with the total count that matched.
func (c *Client) AuditLogs(ctx context.Context, q string, limit int) ([]AuditLog, int, error) {
	var out struct {
		Logs  []AuditLog `json:"audit_logs"`
		Count int        `json:"count"`
	}
	path := "/api/v2/audit?" + url.Values{"q": {q}, "limit": {strconv.Itoa(limit)}}.Encode()
	err := c.do(ctx, call{method: http.MethodGet, url: path, auth: authSession, want: http.StatusOK, out: &out})
	return out.Logs, out.Count, wrapOp("read the audit log", err)
}

// AuditLogEntitled reads GET /api/v2/entitlements: whether the deployment
// has the premium audit log switched on.
func (c *Client) AuditLogEntitled(ctx context.Context) (bool, error) {
	var out struct {
		Features map[string]struct {
			Entitlement string `json:"entitlement"`
			Enabled     bool   `json:"enabled"`
		} `json:"features"`
	}
	err := c.do(ctx, call{method: http.MethodGet, url: "/api/v2/entitlements", auth: authSession, want: http.StatusOK, out: &out})
	if err != nil {
		return false, wrapOp("read the entitlements", err)
	}
	f := out.Features["audit_log"]
	return f.Enabled && f.Entitlement != "not_entitled", nil
}
