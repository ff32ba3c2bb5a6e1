// Package check is the conformance suite behind `oauthdeck check`: it runs
// the whole authorization-code chain plus negative probes against a Coder
// deployment's OAuth2 provider and reports one Result per check, each with
// the exchanges it rests on and the RFC or spec section it applies.
//
// The suite creates its own apps (and, where the server offers dynamic
// registration, its own registered clients) and removes them at the end,
// also when the context is cancelled midway.
//
// # Adding a check
//
//  1. Write its function, func(ctx, s *suite, p *probe) verdict, in the
//     checks_<area>.go of its area: send requests through p.do (they become
//     the result's evidence, redacted), and end with p.pass, p.violated,
//     p.warn, p.skip or p.broken, saying only what was tested.
//  2. Add one row to registry (registry.go) where its order makes sense:
//     a stable id (never renamed), a title, the rule it rests on and its
//     Level (Must or Should).
//  3. A test that reaches each of its verdicts, against the sandbox or a
//     small httptest server that misbehaves in exactly that way.
package check

import (
	"context"
	"errors"
	"time"

	"oauthdeck/client"
	"oauthdeck/client/coder"
)

// Status is a check's verdict.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail" // a MUST is broken, or the check could not be carried out
	Warn Status = "warn" // a SHOULD is broken, or the server answered oddly but safely
	Skip Status = "skip" // not applicable to this server; Detail says why
)

// Level is the strength of the rule a check rests on. Breaking a MUST fails
// the check; breaking a SHOULD only warns.
type Level string

const (
	Must   Level = "MUST"
	Should Level = "SHOULD"
)

// Evidence is one HTTP exchange a verdict rests on, redacted (no token,
// secret, code or verifier survives) and sanitised for a terminal.
type Evidence struct {
	Note           string            `json:"note,omitempty"` // what the exchange was meant to show
	Method         string            `json:"method"`
	URL            string            `json:"url"`
	RequestHeader  map[string]string `json:"request_header,omitempty"`
	RequestBody    string            `json:"request_body,omitempty"`
	Status         int               `json:"status"` // 0 when no response arrived
	ResponseHeader map[string]string `json:"response_header,omitempty"`
	ResponseBody   string            `json:"response_body,omitempty"`
	Error          string            `json:"error,omitempty"`

	// reqCut and respCut: the recorder kept only the start of the body,
	// so its length here is not the whole body's.
	reqCut, respCut bool
}

// Result is one check's outcome.
type Result struct {
	ID       string     `json:"id"`
	Status   Status     `json:"status"`
	Title    string     `json:"title"`
	Basis    string     `json:"basis"`
	Level    Level      `json:"level"`
	Detail   string     `json:"detail,omitempty"`
	Evidence []Evidence `json:"evidence"`
	// Documents are what Basis cites ("RFC 8414", "MCP 2025-11-25"); the
	// grades count a check for the MCP versions it applies to.
	Documents []string `json:"documents,omitempty"`
	// Conformance names the official MCP conformance suite's scenarios
	// that test the same thing (modelcontextprotocol/conformance).
	Conformance []string `json:"conformance,omitempty"`
}

// ServerInfo describes the deployment the suite ran against.
type ServerInfo struct {
	URL         string    `json:"url"`
	Kind        string    `json:"kind"` // "coder", or "oauth2" for a server without Coder's buildinfo
	Version     string    `json:"version,omitempty"`
	Era         coder.Era `json:"era"`
	Issuer      string    `json:"issuer,omitempty"`
	Resource    string    `json:"resource"`
	AuthMethods []string  `json:"token_endpoint_auth_methods,omitempty"`
	DCR         bool      `json:"dynamic_client_registration"`
	// Features is what was detected before the run (buildinfo, metadata, experiments).
	Features coder.ServerFeatures `json:"features"`
}

// Summary counts results by status.
type Summary struct {
	Pass int `json:"pass"`
	Fail int `json:"fail"`
	Warn int `json:"warn"`
	Skip int `json:"skip"`
}

// Report is a whole run, checks in registry order.
type Report struct {
	Server  ServerInfo `json:"server"`
	Checks  []Result   `json:"checks"`
	Summary Summary    `json:"summary"`
	Grades  []Grade    `json:"grades,omitempty"` // per MCP specification version
	Traffic Traffic    `json:"traffic"`
}

// Traffic is what the run sent: requests per endpoint, the 429s it met and
// how long it waited on their Retry-After, and whether it sent the owner's
// rate-limit bypass (Coder 2.38 limits each /oauth2 endpoint to 60 a minute).
type Traffic struct {
	Requests      map[string]int `json:"requests"`
	Total         int            `json:"total"`
	RateLimited   int            `json:"rate_limited"`
	Waits         int            `json:"waits"`
	WaitedSeconds float64        `json:"waited_seconds"`
	Bypass        bool           `json:"rate_limit_bypass"`
}

// Failed reports whether any check failed; `oauthdeck check` exits non-zero then.
func (r Report) Failed() bool { return r.Summary.Fail > 0 }

// Config is what Run needs.
type Config struct {
	// Client is the admin's session (an owner: the suite creates and deletes apps).
	Client *client.Client
	// Recorder is the recorder Client was built with, if any. With it, each
	// result carries the exact (redacted) exchanges; without it, the suite
	// builds evidence from its own raw probes only.
	Recorder *client.Recorder
	// Resource is the RFC 8707 resource the suite asks tokens for; it must be
	// the audience Coder's API accepts. Default: the deployment URL.
	Resource string
	// RedirectURI is the test apps' callback. Nothing listens on it: the suite
	// completes consent with the admin's session and reads the redirect.
	// Default: http://127.0.0.1:9876/callback (Coder's own scripts use that port).
	RedirectURI string
	// OnResult, when set, is called with each result in registry order,
	// from Run's goroutine, once it and every check before it have
	// completed. It must not block for long.
	OnResult func(Result)
	// CleanupTimeout bounds the removal of what the suite created, which runs
	// on a fresh context even when ctx was cancelled. Default 15s.
	CleanupTimeout time.Duration
	// Given switches the suite to generic mode: the client the user
	// registered at any authorization server, consent by its command, no
	// Coder session needed and nothing created but DCR clients.
	Given *GivenClient
	// NoRateLimitBypass keeps the suite from sending X-Coder-Bypass-Ratelimit
	// with an owner's session; it then paces itself on Retry-After.
	NoRateLimitBypass bool
	// MCPURL is the MCP endpoint the mcp.* checks probe. Default: Coder's
	// own, /api/experimental/mcp/http on the deployment.
	MCPURL string
	// Only, when set, runs just these check ids (and what each needs, see
	// Needs) and reports just them; the report then has no grades, which
	// are for whole runs. An unknown id is an error before anything is sent.
	Only []string
	// Parallelism is how many checks may run at a time (0: DefaultParallelism;
	// 1: one after another, as before). Checks that share the test apps'
	// state on the server always run one after another in registry order;
	// the report is the same either way. Generic mode (Given) runs one at a
	// time.
	Parallelism int
}

// DefaultRedirectURI is the callback the suite's apps are registered with.
const DefaultRedirectURI = "http://127.0.0.1:9876/callback"

// Run executes every check and returns the report, checks in registry
// order; checks that do not depend on each other run side by side (see
// Config.Parallelism). It returns an
// error only when the run could not be carried out as a whole (bad config,
// ctx cancelled, cleanup failed); the report then holds what completed.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Client == nil {
		return Report{}, errors.New("check: Config.Client is required (the admin session)")
	}
	run, report, err := selection(cfg.Only)
	if err != nil {
		return Report{}, err
	}
	s := newSuite(cfg)
	s.runs, s.reports = run, report
	before := cfg.Client.Traffic()
	runErr := s.runAll(ctx)
	cleanupErr := s.cleanup(ctx)
	if s.bypassed {
		cfg.Client.SetRateLimitBypass(false)
	}
	rep := s.report()
	rep.Traffic = trafficSince(before, cfg.Client.Traffic(), s.bypassed)
	if cleanupErr != nil {
		// Kept beside a cancellation: what is left matters most then.
		return rep, errors.Join(runErr, &CleanupError{Err: cleanupErr})
	}
	return rep, runErr
}

// trafficSince is what was sent between two readings of the client's counts.
func trafficSince(before, after client.Traffic, bypass bool) Traffic {
	t := Traffic{Requests: map[string]int{}, Total: after.Total - before.Total,
		RateLimited: after.RateLimited - before.RateLimited, Waits: after.Waits - before.Waits,
		WaitedSeconds: (after.Waited - before.Waited).Seconds(), Bypass: bypass}
	for k, n := range after.Requests {
		if d := n - before.Requests[k]; d > 0 {
			t.Requests[k] = d
		}
	}
	return t
}

// CleanupError is the suite failing to remove test clients it created;
// Err names each one left (name and ID) and why.
type CleanupError struct{ Err error }

func (e *CleanupError) Error() string {
	return "check: removing the suite's test clients: " + e.Err.Error()
}

func (e *CleanupError) Unwrap() error { return e.Err }

// Summarize counts results by status.
func Summarize(results []Result) Summary {
	var sum Summary
	for _, r := range results {
		switch r.Status {
		case Pass:
			sum.Pass++
		case Fail:
			sum.Fail++
		case Warn:
			sum.Warn++
		case Skip:
			sum.Skip++
		}
	}
	return sum
}
