// Package audit reads a deployment's whole OAuth2 estate (every app, every
// secret, the provider's settings) and reports what needs an admin's
// attention: findings, each with a severity, the rule it rests on and the
// fix. It also picks the apps a prune would delete. The CLI's audit and
// prune commands and the console's Audit screen call the same code.
//
// Safety: a Finding is display data. Every server string in it (app
// names, URIs, IDs) is made safe by package safe where the finding is made,
// so writers print findings as they are.
package audit

import (
	"slices"
	"time"

	"oauthdeck/client"
	"oauthdeck/client/coder"
)

// Severity orders findings; Info is context that never fails a run.
type Severity string

const (
	High   Severity = "high"
	Medium Severity = "medium"
	Low    Severity = "low"
	Info   Severity = "info"
)

// Severities lists them, gravest first.
var Severities = []Severity{High, Medium, Low, Info}

// rank: higher is graver; an unknown severity ranks below Info.
func (s Severity) rank() int {
	i := slices.Index(Severities, s)
	if i < 0 {
		return 0
	}
	return len(Severities) - i
}

// AtLeast reports whether s is as grave as floor or graver.
func (s Severity) AtLeast(floor Severity) bool { return s.rank() >= floor.rank() }

// ParseSeverity reads a --fail-on value; "none" (or "") is the empty Severity.
func ParseSeverity(v string) (Severity, bool) {
	switch v {
	case "", "none":
		return "", true
	}
	s := Severity(v)
	return s, slices.Contains(Severities[:3], s)
}

// Finding is one thing found, about one app (or secret), or about the
// deployment when AppID is empty. All text is safe for a terminal.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	AppID    string   `json:"app_id,omitempty"`
	AppName  string   `json:"app_name,omitempty"`
	SecretID string   `json:"secret_id,omitempty"`
	Message  string   `json:"message"`
	Basis    string   `json:"basis"`
	Fix      string   `json:"fix"`
}

// Options tune the rules. The zero value means the defaults.
type Options struct {
	// UnusedFor is how long a secret may go unused before it is stale
	// (default 90 days).
	UnusedFor time.Duration
	// RotationGrace is how long an old secret may stay once another is in
	// use (default 7 days).
	RotationGrace time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// SecretsConcurrency bounds the per-app secrets calls (default 8).
	SecretsConcurrency int
}

func (o Options) withDefaults() Options {
	if o.UnusedFor <= 0 {
		o.UnusedFor = 90 * 24 * time.Hour
	}
	if o.RotationGrace <= 0 {
		o.RotationGrace = 7 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SecretsConcurrency <= 0 {
		o.SecretsConcurrency = 8
	}
	return o
}

// Estate is what was read: the raw server data the rules judge.
type Estate struct {
	URL    string
	Server coder.Server
	// Scopes is the published catalogue (scopes_supported); nil when the
	// metadata could not be read.
	Scopes []string
	// DCROpen: registration_endpoint is advertised. DCRSetting is the
	// owner setting where the server has one (2.38), else nil.
	DCROpen    bool
	DCRSetting *bool
	Apps       []AppState
	ReadAt     time.Time
}

// AppState is one app and its secrets as read.
type AppState struct {
	App     client.App
	Secrets []client.AppSecret
	// SecretsErr: the secrets could not be read (the app's secret rules
	// are then skipped and the report says the audit is incomplete).
	SecretsErr error
}

// Public reports a public client (no secrets, PKCE only).
func (a AppState) Public() bool { return a.App.ClientType == "public" }

// Dynamic reports an app that registered itself; ok is false when the
// server does not say (Coder before 2.38).
func (a AppState) Dynamic() (dynamic, ok bool) {
	if a.App.DynamicallyRegistered == nil {
		return false, false
	}
	return *a.App.DynamicallyRegistered, true
}

// LastUsed is the latest last_used_at of the app's secrets; zero when
// none was ever used (or the app has none).
func (a AppState) LastUsed() time.Time {
	var last time.Time
	for _, s := range a.Secrets {
		if s.LastUsedAt != nil && s.LastUsedAt.After(last) {
			last = *s.LastUsedAt
		}
	}
	return last
}

// Report is the audit's outcome.
type Report struct {
	Server   ServerSummary `json:"server"`
	Apps     int           `json:"apps"`
	Secrets  int           `json:"secrets"`
	Findings []Finding     `json:"findings"`
	Summary  Summary       `json:"summary"`
	// Incomplete lists what could not be read; the findings then cover
	// less than the whole estate.
	Incomplete []string `json:"incomplete,omitempty"`
}

// ServerSummary is the deployment part of the report (safe strings).
type ServerSummary struct {
	URL     string    `json:"url"`
	Kind    string    `json:"kind"`
	Version string    `json:"version,omitempty"`
	Era     coder.Era `json:"era"`
	Summary string    `json:"summary"`
	ReadAt  time.Time `json:"read_at"`
}

// Summary counts findings by severity.
type Summary struct {
	High   int `json:"high"`
	Medium int `json:"medium"`
	Low    int `json:"low"`
	Info   int `json:"info"`
}

func (s *Summary) add(sev Severity) {
	switch sev {
	case High:
		s.High++
	case Medium:
		s.Medium++
	case Low:
		s.Low++
	default:
		s.Info++
	}
}

// Failed reports whether the run fails under --fail-on floor: a finding
// that grave or graver, or an incomplete read (a clean result would not be
// proven). An empty floor never fails.
func (r Report) Failed(floor Severity) bool {
	if floor == "" {
		return false
	}
	if len(r.Incomplete) > 0 {
		return true
	}
	return slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Severity.AtLeast(floor) })
}
