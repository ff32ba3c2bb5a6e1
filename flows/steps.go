package flows

import (
	"context"
	"slices"
	"sync"
)

// StepDef is everything about one step of the flow. The table in steps is
// the only list of steps: the engine, the TUI and the CLI read it.
type StepDef struct {
	ID      StepID
	Title   string // a short label for lists
	Purpose string // one line: what the step does and proves
	// Needs is the step that must have passed (or warned) before this one runs.
	Needs StepID
	// Editable steps send a request the user may change before it is sent.
	Editable bool
	// Restarts: running the step again makes every later step pending again
	// and drops their edits (a new client or PKCE pair invalidates them).
	Restarts bool
	// Survives: a restart keeps this step's result (what was deleted stays deleted).
	Survives bool
	// Optional says when a headless run takes the step.
	Optional Optional

	run     func(f *Flow, ctx context.Context, res *StepResult) error
	request func(f *Flow, st flowState) (Request, error) // nil: no request of its own
}

// Optional says whether a headless run takes a step by default.
type Optional string

const (
	Always        Optional = ""          // every run
	WithLifecycle Optional = "lifecycle" // only when refresh and revoke are asked for (flow --all)
	WithCleanup   Optional = "cleanup"   // only when cleanup is asked for (flow --cleanup)
)

// steps is the flow, in the order Next and RunAll run it. It is built once,
// on first use: the steps' run functions look steps up themselves, so a
// variable with an initializer would be an initialization cycle.
func steps() []StepDef {
	tableOnce.Do(func() { stepDefs = stepTable() })
	return stepDefs
}

var (
	tableOnce sync.Once
	stepDefs  []StepDef
)

func stepTable() []StepDef {
	return []StepDef{
		{ID: StepDiscover, Title: "Discover metadata", Purpose: "GET the protected-resource metadata (RFC 9728 §3), then the authorization server's (RFC 8414 §3), and check them: where to send everything next",
			Restarts: true, run: (*Flow).discover, request: (*Flow).discoverRequest},
		{ID: StepClient, Title: "Get a client", Purpose: "use an app, create one with the admin API, or register one (RFC 7591 §3): the client_id the server will ask about",
			Needs: StepDiscover, Restarts: true, run: (*Flow).setupClient, request: (*Flow).clientRequest},
		{ID: StepPrepare, Title: "Prepare PKCE + state", Purpose: "make a PKCE S256 pair (RFC 7636 §4.1–4.2) and a state (RFC 6749 §10.12) from crypto/rand, and build the authorization URL; nothing is sent",
			Needs: StepClient, Restarts: true, run: (*Flow).prepare},
		{ID: StepAuthorize, Title: "Authorize (consent)", Purpose: "send the authorization request with code_challenge, state and resource (RFC 6749 §4.1.1, RFC 8707 §2); the code comes back to the loopback listener (RFC 8252 §7.3)",
			Needs: StepPrepare, Editable: true, run: (*Flow).authorize, request: (*Flow).authorizeRequest},
		{ID: StepExchange, Title: "Exchange the code", Purpose: "POST the code with the PKCE verifier and the same redirect_uri and resource (RFC 6749 §4.1.3, RFC 7636 §4.5): the server proves the caller started the flow",
			Needs: StepAuthorize, Editable: true, run: (*Flow).exchange, request: (*Flow).exchangeRequest},
		{ID: StepInspect, Title: "Inspect the token", Purpose: "decode the token response (RFC 6749 §5.1): token formats, expiry, JWT claims; nothing is sent",
			Needs: StepExchange, run: (*Flow).inspect},
		{ID: StepUse, Title: "Use the token", Purpose: "call the API with the access token as a Bearer header (RFC 6750 §2.1) and check it is honoured only for its audience (RFC 8707)",
			Needs: StepExchange, run: (*Flow).use, request: (*Flow).useRequest},
		{ID: StepRefresh, Title: "Refresh (rotate)", Purpose: "POST the refresh token (RFC 6749 §6) for new tokens, then prove the rotated ones dead (RFC 9700 §4.14.2)",
			Needs: StepExchange, Editable: true, Optional: WithLifecycle, run: (*Flow).refresh, request: (*Flow).refreshRequest},
		{ID: StepRevoke, Title: "Revoke (RFC 7009)", Purpose: "POST the refresh token to the revocation endpoint (RFC 7009 §2.1), then prove the tokens refused",
			Needs: StepExchange, Editable: true, Optional: WithLifecycle, run: (*Flow).revoke, request: (*Flow).revokeRequest},
		{ID: StepCleanup, Title: "Clean up", Purpose: "delete the client the flow created (apps API, or RFC 7592 §2.3) and prove it gone",
			Needs: StepClient, Survives: true, Optional: WithCleanup, run: (*Flow).cleanup, request: (*Flow).cleanupRequest},
	}
}

// Steps returns the step definitions in order.
func Steps() []StepDef { return slices.Clone(steps()) }

// StepIDs returns the step ids in order.
func StepIDs() []StepID {
	defs := steps()
	ids := make([]StepID, len(defs))
	for i, d := range defs {
		ids[i] = d.ID
	}
	return ids
}

// Step returns the definition of step id.
func Step(id StepID) (StepDef, bool) {
	for _, d := range steps() {
		if d.ID == id {
			return d, true
		}
	}
	return StepDef{}, false
}
