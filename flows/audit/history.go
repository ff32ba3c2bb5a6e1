package audit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"time"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// HistoryEntry is one audit-log entry about an app or one of its secrets.
// Text is safe for a terminal.
type HistoryEntry struct {
	Time    time.Time `json:"time"`
	Action  string    `json:"action"`
	Subject string    `json:"subject"` // "app", or "secret …abc123"
	Who     string    `json:"who"`
	Status  int       `json:"status"`
	Changes []string  `json:"changes,omitempty"` // "name: old → new"
}

// History is an app's audit trail, or why there is none to read.
type History struct {
	Entries []HistoryEntry `json:"entries"`
	// Unavailable says why the log could not be read (no licence, no role,
	// no such API); Entries is then empty.
	Unavailable string `json:"unavailable,omitempty"`
	Note        string `json:"note,omitempty"`
}

// historyLimit bounds each query.
const historyLimit = 200

// AppHistory reads an app's trail from Coder's audit log: the app's own
// entries, and those of its current secrets (Coder does not record which
// app a secret belonged to, so a deleted secret's entries cannot be told
// from another app's and are not listed).
func AppHistory(ctx context.Context, c *client.Client, appID string) (History, error) {
	ctx, _ = client.WithSource(ctx, "history")
	var h History
	if on, err := c.AuditLogEntitled(ctx); err == nil && !on {
		h.Unavailable = "this deployment has not enabled the audit log (a premium feature: /api/v2/entitlements says audit_log is off), so no app history is recorded"
		return h, nil
	}
	logs, count, err := c.AuditLogs(ctx, "resource_type:oauth2_provider_app resource_id:"+appID, historyLimit)
	var api *client.APIError
	switch {
	case errors.As(err, &api) && api.StatusCode == http.StatusForbidden:
		h.Unavailable = "reading the audit log needs the Owner or Auditor role, which this session does not have"
		return h, nil
	case errors.As(err, &api) && api.StatusCode == http.StatusNotFound:
		h.Unavailable = "this server has no audit log API (/api/v2/audit)"
		return h, nil
	case err != nil:
		return h, err
	}
	for _, l := range logs {
		h.Entries = append(h.Entries, entry(l, "app"))
	}
	secrets, err := c.AppSecrets(ctx, appID)
	if err == nil {
		for _, sec := range secrets {
			slogs, _, err := c.AuditLogs(ctx, "resource_type:oauth2_provider_app_secret resource_id:"+sec.ID, historyLimit)
			if err != nil {
				return h, err
			}
			for _, l := range slogs {
				h.Entries = append(h.Entries, entry(l, "secret …"+sec.ClientSecretTruncated))
			}
		}
	}
	sort.SliceStable(h.Entries, func(i, j int) bool { return h.Entries[i].Time.After(h.Entries[j].Time) })
	h.Note = "secrets deleted since are not listed: Coder does not record which app a secret belonged to"
	if count > len(logs) {
		h.Note = fmt.Sprintf("the newest %d of %d app entries; ", len(logs), count) + h.Note
	}
	if h.Entries == nil {
		h.Entries = []HistoryEntry{}
	}
	return h, nil
}

func entry(l client.AuditLog, subject string) HistoryEntry {
	e := HistoryEntry{Time: l.Time, Action: safe.Line(l.Action), Subject: safe.Line(subject), Status: l.StatusCode}
	if l.User != nil {
		e.Who = safe.Line(l.User.Username)
	}
	names := make([]string, 0, len(l.Diff))
	for k := range l.Diff {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		d := l.Diff[k]
		if d.Secret {
			e.Changes = append(e.Changes, safe.Line(k+": changed (secret)"))
			continue
		}
		e.Changes = append(e.Changes, safe.Line(fmt.Sprintf("%s: %s → %s", k, show(d.Old), show(d.New))))
	}
	return e
}

func show(v any) string {
	if v == nil {
		return "—"
	}
	if s, ok := v.(string); ok {
		if s == "" {
			return `""`
		}
		return s
	}
	return fmt.Sprint(v)
}
