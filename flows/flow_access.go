package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Result returns a copy of the latest result of step id.
func (f *Flow) Result(id StepID) StepResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.results[id]; ok {
		return r.copy()
	}
	return StepResult{Step: id}
}

func (f *Flow) setResult(res *StepResult) {
	f.mu.Lock()
	f.results[res.Step] = res
	f.mu.Unlock()
}

func (r *StepResult) copy() StepResult {
	cp := *r
	if r.Request != nil {
		req := r.Request.Clone()
		cp.Request = &req
	}
	cp.Exchanges = slices.Clone(r.Exchanges)
	cp.Fields = slices.Clone(r.Fields)
	cp.Findings = slices.Clone(r.Findings)
	return cp
}

func (f *Flow) emit(e Event) {
	if f.cfg.OnEvent != nil {
		f.cfg.OnEvent(e)
	}
}

func (f *Flow) state() flowState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

func (f *Flow) update(fn func(st *flowState)) {
	f.mu.Lock()
	fn(&f.st)
	f.mu.Unlock()
}

func (f *Flow) isClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// Request previews the exact request step id would send now, with any edits
// applied. Steps without a request of their own (prepare, inspect) and steps
// whose inputs are not known yet return an error.
func (f *Flow) Request(id StepID) (Request, error) {
	f.mu.Lock()
	if o, ok := f.overrides[id]; ok {
		r := o.Clone()
		f.mu.Unlock()
		return r, nil
	}
	st := f.st
	f.mu.Unlock()
	def, ok := Step(id)
	switch {
	case !ok:
		return Request{}, fmt.Errorf("flows: unknown step %q", id)
	case def.request == nil:
		return Request{}, fmt.Errorf("the %s step sends no request of its own", id)
	}
	return def.request(f, st)
}

// EditRequest changes the request step id will send (authorize, exchange,
// refresh, revoke): e.g. r.Params.Del("code_verifier"). The edit applies
// until ResetRequest, or until an earlier step (discover, client, prepare)
// is run again.
func (f *Flow) EditRequest(id StepID, edit func(*Request)) error {
	if def, _ := Step(id); !def.Editable {
		return fmt.Errorf("flows: the %s request cannot be edited", id)
	}
	r, err := f.Request(id)
	if err != nil {
		return err
	}
	edit(&r)
	// What changed from the default request, for a saved flow.
	def, _ := Step(id)
	f.mu.Lock()
	st := f.st
	f.mu.Unlock()
	base, err := def.request(f, st)
	f.mu.Lock()
	f.overrides[id] = &r
	if err == nil {
		f.diffs[id] = diffRequest(base, r)
	}
	f.mu.Unlock()
	return nil
}

// ResetRequest drops the edits of step id.
func (f *Flow) ResetRequest(id StepID) {
	f.mu.Lock()
	delete(f.overrides, id)
	delete(f.diffs, id)
	f.mu.Unlock()
}

// PasteRedirect hands the waiting authorize step a redirect URL copied from
// the browser's address bar (SSH sessions), validated like a real callback.
func (f *Flow) PasteRedirect(raw string) error {
	f.mu.Lock()
	l := f.listener
	f.mu.Unlock()
	if l == nil {
		return errors.New("flows: the authorize step is not waiting for a callback")
	}
	return l.Deliver(raw)
}

// Snapshot returns a copy of the flow's state.
func (f *Flow) Snapshot() Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := Snapshot{Issuer: f.st.issuer, AuthURL: f.st.authURL, ClientID: f.st.clientID,
		RedirectURI: f.st.redirectURI, Resource: f.st.sentResource}
	for _, d := range steps() {
		id := d.ID
		s.Steps = append(s.Steps, f.results[id].copy())
		if s.Current == "" {
			switch f.results[id].Status {
			case StatusPassed, StatusWarned, StatusSkipped:
			default:
				s.Current = id
			}
		}
	}
	if f.listener != nil {
		ls := f.listener.Status()
		s.Listener = &ls
	}
	if f.st.tokens != nil {
		t := *f.st.tokens
		s.Tokens, s.TokensDead = &t, f.st.tokensDead
	}
	if f.st.as != nil {
		m := *f.st.as
		s.Metadata = &m
	}
	if f.st.pr != nil {
		m := *f.st.pr
		s.ResourceMetadata = &m
	}
	return s
}

// Tokens returns the current tokens in clear (for headless commands that
// print on request or save them). ok is false before the exchange.
func (f *Flow) Tokens() (Tokens, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.st.tokens == nil {
		return Tokens{}, false
	}
	return *f.st.tokens, true
}

// Credentials returns the client the flow uses (the secret in clear, for
// saving to the keyring when the user asks).
func (f *Flow) Credentials() (clientID, clientSecret string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st.clientID, f.st.clientSecret
}

// Close stops the listener and, when Config.Cleanup is set, deletes what the
// flow created and has not deleted yet. It waits for a step still running (a
// client being created must be known before deciding what to delete), so it
// must not be called from OnEvent. It is safe to call more than once and
// from several goroutines: every call returns once the first has finished,
// with its error (a process exiting after Close must not cut the cleanup short).
func (f *Flow) Close() error {
	f.closeOnce.Do(func() { f.closeErr = f.close() })
	return f.closeErr
}

func (f *Flow) close() error {
	f.mu.Lock()
	if f.stopWatch != nil {
		f.stopWatch()
	}
	f.closed = true
	l := f.listener
	f.mu.Unlock()
	if l != nil {
		_ = l.Close() // releases an authorize step waiting for the browser
	}
	f.runMu.Lock()
	st := f.state()
	f.runMu.Unlock()
	if !f.cfg.Cleanup || st.cleaned {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return f.deleteCreated(ctx, st)
}

// watchListener makes l the listener Close stops. It fails when the flow
// was closed before l existed, so a late authorize step does not wait on a
// listener nobody will close.
func (f *Flow) watchListener(l *Listener) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return errFlowClosed
	}
	f.listener = l
	return nil
}
