package flows

import (
	"context"
	"errors"
	"sync"
	"time"

	"oauthdeck/client"
)

// Flow is one run of the authorization-code flow. Its methods are safe to
// call from several goroutines: a UI may read Snapshot while another
// goroutine runs steps. Steps run one at a time.
type Flow struct {
	cfg Config

	runMu sync.Mutex // held while a step runs

	mu        sync.Mutex
	results   map[StepID]*StepResult
	overrides map[StepID]*Request
	st        flowState
	closed    bool
}

// New checks cfg and returns a flow with every step pending. Nothing is
// contacted until a step runs.
func New(cfg Config) (*Flow, error) {
	if cfg.Client == nil {
		return nil, errors.New("flows: Config.Client is required")
	}
	if cfg.ClientMode == "" {
		cfg.ClientMode = ClientCreate
	}
	if cfg.ClientMode == ClientExisting && cfg.ClientID == "" {
		return nil, errors.New("flows: an existing client needs a client ID")
	}
	if cfg.CallbackURL == "" {
		cfg.CallbackURL = DefaultCallbackURL
	}
	if _, _, err := parseLoopbackURI(cfg.CallbackURL); err != nil {
		return nil, err
	}
	if cfg.Consent == "" {
		cfg.Consent = ConsentBrowser
		if cfg.Client.SessionToken() != "" {
			cfg.Consent = ConsentAuto
		}
	}
	if cfg.ListenTimeout <= 0 {
		cfg.ListenTimeout = DefaultListenTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Target == "" {
		cfg.Target = cfg.Client.BaseURL()
	}
	f := &Flow{cfg: cfg, results: map[StepID]*StepResult{}, overrides: map[StepID]*Request{}}
	for _, id := range AllSteps {
		f.results[id] = &StepResult{Step: id, Status: StatusPending}
	}
	return f, nil
}

// Steps lists the flow's steps in order.
func (f *Flow) Steps() []StepID { return append([]StepID(nil), AllSteps...) }

// Request previews the exact request step id would send now, with any edits
// applied. Steps without an HTTP request (prepare, inspect) return an error.
func (f *Flow) Request(id StepID) (Request, error) {
	return Request{}, ErrNotImplemented
}

// EditRequest changes the request step id will send (authorize, exchange,
// refresh, revoke). The edit applies until ResetRequest or until an earlier
// step is re-run.
func (f *Flow) EditRequest(id StepID, edit func(*Request)) error {
	return ErrNotImplemented
}

// ResetRequest drops the edits of step id.
func (f *Flow) ResetRequest(id StepID) {
	f.mu.Lock()
	delete(f.overrides, id)
	f.mu.Unlock()
}

// Run runs step id (its prerequisites must have passed) and returns its
// result; on failure result.Err and result.Explain say why. A step may be run again.
func (f *Flow) Run(ctx context.Context, id StepID) StepResult {
	return StepResult{Step: id, Status: StatusFailed, Err: ErrNotImplemented}
}

// Next runs the next step that has not passed. ok is false when every step has run.
func (f *Flow) Next(ctx context.Context) (res StepResult, ok bool) {
	return StepResult{}, false
}

// RunAll runs the remaining steps in order and stops at the first failure.
func (f *Flow) RunAll(ctx context.Context) []StepResult {
	return nil
}

// PasteRedirect hands the authorize step a redirect URL copied from the
// browser's address bar (SSH sessions), validated like a real callback.
func (f *Flow) PasteRedirect(raw string) error {
	return ErrNotImplemented
}

// Snapshot returns a copy of the flow's state.
func (f *Flow) Snapshot() Snapshot {
	return Snapshot{}
}

// Tokens returns the current tokens in clear (for headless commands that
// print on request or save them). ok is false before the exchange.
func (f *Flow) Tokens() (Tokens, bool) {
	return Tokens{}, false
}

// Close stops the listener and, when Config.Cleanup is set, deletes what the
// flow created. It is safe to call more than once.
func (f *Flow) Close() error {
	return nil
}

// flowState is what the steps hand each other.
type flowState struct {
	issuer string
	as     *client.ASMetadata
	pr     *client.PRMetadata
}
