package sandbox

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The audit log: what Coder's premium audit records for OAuth2 apps and
// their secrets (resource types oauth2_provider_app and
// oauth2_provider_app_secret; an app's name, callback_url and icon are
// tracked fields, a secret's none), served at GET /api/v2/audit with the
// documented filters. Options.NoAuditLog answers as a deployment without
// the premium feature: entitlements say so and the log stays empty.

// maxAuditEntries bounds the in-memory log.
const maxAuditEntries = 10_000

type auditEntry struct {
	id       uuid.UUID
	at       time.Time
	action   string // create, write, delete
	rtype    string
	rid      uuid.UUID
	target   string
	user     *user
	status   int
	diff     map[string]auditDiff
	requestI uuid.UUID
}

type auditDiff struct {
	Old    any  `json:"old"`
	New    any  `json:"new"`
	Secret bool `json:"secret"`
}

// auditLocked records an entry; the caller holds s.store.mu.
func (s *Server) auditLocked(r *http.Request, action, rtype string, rid uuid.UUID, target string, status int, diff map[string]auditDiff) {
	if s.opts.NoAuditLog {
		return
	}
	e := auditEntry{id: uuid.New(), at: s.now(), action: action, rtype: rtype, rid: rid, target: target, status: status, diff: diff, requestI: uuid.New()}
	if sess := sessionFrom(r); sess != nil {
		u := sess.user
		e.user = &u
	}
	if len(s.store.audit) == maxAuditEntries {
		s.store.audit = s.store.audit[1:]
	}
	s.store.audit = append(s.store.audit, e)
}

// appDiff is the tracked fields' change (Coder tracks name, callback_url
// and icon of an app), diffed as Coder does against a zero-valued app: on
// create the old values are "", on delete the new ones, and a field that
// did not change is left out.
func appDiff(old, cur *app) map[string]auditDiff {
	var before, after app
	if old != nil {
		before = *old
	}
	if cur != nil {
		after = *cur
	}
	d := map[string]auditDiff{}
	for _, f := range []struct {
		name     string
		old, new string
	}{
		{"name", before.name, after.name},
		{"callback_url", before.callbackURL(), after.callbackURL()},
		{"icon", before.icon, after.icon},
	} {
		if f.old != f.new {
			d[f.name] = auditDiff{Old: f.old, New: f.new}
		}
	}
	return d
}

type auditUserJSON struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
}

type auditLogJSON struct {
	ID               string               `json:"id"`
	RequestID        string               `json:"request_id"`
	Time             time.Time            `json:"time"`
	IP               string               `json:"ip"`
	UserAgent        string               `json:"user_agent"`
	ResourceType     string               `json:"resource_type"`
	ResourceID       string               `json:"resource_id"`
	ResourceTarget   string               `json:"resource_target"`
	ResourceIcon     string               `json:"resource_icon"`
	Action           string               `json:"action"`
	Diff             map[string]auditDiff `json:"diff"`
	StatusCode       int                  `json:"status_code"`
	AdditionalFields map[string]any       `json:"additional_fields"`
	Description      string               `json:"description"`
	ResourceLink     string               `json:"resource_link"`
	IsDeleted        bool                 `json:"is_deleted"`
	OrganizationID   string               `json:"organization_id"`
	User             *auditUserJSON       `json:"user"`
}

// handleAudit is GET /api/v2/audit?q=&limit=&offset=, newest first, for
// owners (Coder: owners and auditors).
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	if !sessionFrom(r).user.owner {
		writeForbidden(w)
		return
	}
	filters := map[string]string{}
	for _, term := range strings.Fields(r.URL.Query().Get("q")) {
		k, v, ok := strings.Cut(term, ":")
		switch k {
		case "resource_type", "resource_id", "resource_target", "action", "username":
		default:
			ok = false
		}
		if !ok {
			writeMessage(w, http.StatusBadRequest, "Invalid audit search query.", "unsupported filter "+strconv.Quote(term))
			return
		}
		filters[k] = v
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	if limit <= 0 || limit > 1000 {
		limit = 25
	}
	s.store.mu.Lock()
	var matched []auditLogJSON
	for i := len(s.store.audit) - 1; i >= 0; i-- {
		e := s.store.audit[i]
		username := ""
		if e.user != nil {
			username = e.user.username
		}
		if v, ok := filters["resource_type"]; ok && v != e.rtype ||
			filters["resource_id"] != "" && filters["resource_id"] != e.rid.String() ||
			filters["resource_target"] != "" && filters["resource_target"] != e.target ||
			filters["action"] != "" && filters["action"] != e.action ||
			filters["username"] != "" && filters["username"] != username {
			continue
		}
		j := auditLogJSON{ID: e.id.String(), RequestID: e.requestI.String(), Time: e.at, IP: "127.0.0.1", ResourceType: e.rtype,
			ResourceID: e.rid.String(), ResourceTarget: e.target, Action: e.action, Diff: e.diff, StatusCode: e.status,
			AdditionalFields: map[string]any{}, OrganizationID: s.store.orgID.String()}
		if j.Diff == nil {
			j.Diff = map[string]auditDiff{}
		}
		if e.user != nil {
			j.User = &auditUserJSON{ID: e.user.id.String(), Username: e.user.username, Email: e.user.email}
			j.Description = "{user} " + map[string]string{"create": "created", "write": "updated", "delete": "deleted"}[e.action] + " " + strings.ReplaceAll(e.rtype, "_", " ") + " {target}"
		}
		matched = append(matched, j)
	}
	s.store.mu.Unlock()
	count := len(matched)
	page := []auditLogJSON{}
	if offset < len(matched) {
		page = matched[offset:min(offset+limit, len(matched))]
	}
	writeJSON(w, http.StatusOK, map[string]any{"audit_logs": page, "count": count, "count_cap": 0})
}

// handleEntitlements is the part of GET /api/v2/entitlements a client
// asks to know whether the audit log is there.
func (s *Server) handleEntitlements(w http.ResponseWriter, _ *http.Request) {
	audit := map[string]any{"entitlement": "entitled", "enabled": true}
	if s.opts.NoAuditLog {
		audit = map[string]any{"entitlement": "not_entitled", "enabled": false}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"features":     map[string]any{"audit_log": audit},
		"warnings":     []string{},
		"errors":       []string{},
		"has_license":  !s.opts.NoAuditLog,
		"trial":        false,
		"refreshed_at": s.now(),
	})
}
