package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// Flow is one run of the authorization-code flow. Its methods are safe to
// call from several goroutines: a UI may read Snapshot while another
// goroutine runs steps. Steps themselves run one at a time.
type Flow struct {
	cfg              Config
	callbackExplicit bool

	runMu sync.Mutex // held while a step runs

	mu        sync.Mutex
	results   map[StepID]*StepResult
	overrides map[StepID]*Request
	diffs     map[StepID][]Edit // each override as changes to the default request (for saving)
	ranLog    []SavedStep       // every step run, in order, with its edits and outcome
	st        flowState
	listener  *Listener
	closed    bool

	closeOnce sync.Once
	closeErr  error
	stopWatch func() bool // unregisters the Config.Context watch (guarded by mu), so it does not keep a closed flow alive
}

// flowState is what the steps hand each other.
type flowState struct {
	issuer   string
	as       *client.ASMetadata
	pr       *client.PRMetadata
	resource string // default resource from discovery
	coder    bool   // the deployment answers Coder's /api/v2/buildinfo

	clientID, clientSecret string
	authMethod             AuthMethod
	callbackURL            string
	createdAppID           string
	createdDCR             *client.ClientRegistration
	cleaned                bool

	verifier, state, redirectURI, sentResource string
	authParams                                 map[string][]string
	authURL                                    string

	callback Callback
	tokens   *Tokens
	// tokensDead: the revoke step proved the current tokens dead; deadBy
	// and deadAt say what killed them, for a later use or refresh.
	tokensDead bool
	deadBy     string
	deadBasis  string
	deadAt     time.Time
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
	switch cfg.ClientMode {
	case ClientExisting:
		if cfg.ClientID == "" {
			return nil, errors.New("flows: an existing client needs a client ID")
		}
	case ClientCreate, ClientRegister:
	default:
		return nil, fmt.Errorf("flows: unknown client mode %q", cfg.ClientMode)
	}
	explicit := cfg.CallbackURL != ""
	if !explicit {
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
	if (cfg.Consent == ConsentCommand) != (cfg.ConsentCommand != "") {
		return nil, errors.New("flows: ConsentCommand mode and a ConsentCommand go together")
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
	f := &Flow{cfg: cfg, callbackExplicit: explicit, results: map[StepID]*StepResult{}, overrides: map[StepID]*Request{}, diffs: map[StepID][]Edit{}}
	for _, d := range steps() {
		f.results[d.ID] = &StepResult{Step: d.ID, Status: StatusPending}
	}
	if cfg.Context != nil {
		stop := context.AfterFunc(cfg.Context, func() { _ = f.Close() })
		f.mu.Lock() // the watch may already be closing the flow
		f.stopWatch = stop
		f.mu.Unlock()
	}
	return f, nil
}

var errFlowClosed = errors.New("flows: the flow is closed")

// errSkip marks a step that had nothing to do; its message becomes the verdict.
type errSkip struct{ why string }

func (e errSkip) Error() string { return e.why }

// Run runs step id (its prerequisites must have run) and returns its result;
// on failure result.Err and result.Explain say why. A step may be run again.
func (f *Flow) Run(ctx context.Context, id StepID) StepResult {
	def, ok := Step(id)
	if !ok {
		return StepResult{Step: id, Status: StatusFailed, Err: fmt.Errorf("flows: unknown step %q", id)}
	}
	f.runMu.Lock()
	defer f.runMu.Unlock()
	if f.isClosed() {
		return StepResult{Step: id, Status: StatusFailed, Err: errFlowClosed}
	}
	if err := f.checkOrder(def); err != nil {
		res := StepResult{Step: id, Status: StatusFailed, Err: err, Verdict: err.Error()}
		return res
	}
	res := &StepResult{Step: id, Status: StatusRunning, Started: f.cfg.Now()}
	f.mu.Lock()
	var edits []Edit
	if _, edited := f.overrides[id]; edited {
		edits = slices.Clone(f.diffs[id])
	}
	f.mu.Unlock()
	// Readers see a running marker; the step fills its own result privately.
	f.setResult(&StepResult{Step: id, Status: StatusRunning, Started: res.Started})
	f.emit(Event{Kind: EventStepStarted, Step: id, Message: "running " + string(id)})
	var lastID int64
	if f.cfg.Recorder != nil {
		lastID = f.cfg.Recorder.LastID()
	}
	// Tagged, so the step's exchanges are its own and not what another
	// screen sent to the same deployment meanwhile.
	ctx, source := client.WithSource(ctx, "flow "+string(id))

	before := f.state()
	err := def.run(f, ctx, res)
	judged := false
	if len(edits) > 0 {
		err, judged = judgeEdits(res, err, edits, before) // as the request was made, not as the run left it
	}
	if !judged {
		err = judgeDeadTokens(res, err, before, f.cfg.Now())
	}

	res.Finished = f.cfg.Now()
	if f.cfg.Recorder != nil {
		res.Exchanges = append(res.Exchanges, f.cfg.Recorder.SinceFrom(lastID, source)...)
	}
	var skip errSkip
	// Whatever the step says (a listener closed, a request aborted), a step
	// whose context was cancelled was stopped by its caller. A deadline is
	// a failure.
	cancelled := err != nil && !judged && errors.Is(ctx.Err(), context.Canceled)
	switch {
	case res.Status == StatusRefused:
	case cancelled: // the user stopped it: not a failure, and it can run again
		res.Status, res.Verdict = StatusPending, "cancelled at "+ClockTime(res.Finished, f.cfg.Now())+"; run it again when ready"
	case errors.As(err, &skip):
		res.Status, res.Verdict = StatusSkipped, skip.why
	case err != nil && judged: // the edit's own explanation stands
		res.Status, res.Err = StatusFailed, err
	case err != nil:
		res.Status, res.Err, res.Explain = StatusFailed, err, Explain(err)
		if st := f.state(); st.as != nil && !st.coder {
			*res.Explain = res.Explain.ForOtherServer()
		}
		explainAuth(res.Explain, err, f.state())
		if res.Verdict == "" {
			res.Verdict = safe.Line(err.Error())
		}
	case worst(res.Findings) == SeverityFail:
		res.Status = StatusFailed
		for _, fd := range res.Findings {
			if fd.Severity == SeverityFail {
				res.Err = fmt.Errorf("%s: %s (%s)", fd.ID, fd.Message, fd.Basis)
				break
			}
		}
	case worst(res.Findings) == SeverityWarn:
		res.Status = StatusWarned
	default:
		res.Status = StatusPassed
	}
	if def.Restarts {
		f.resetLater(id)
	}
	f.setResult(res)
	if !cancelled { // a saved flow replays what ran, not what was stopped
		f.mu.Lock()
		f.ranLog = append(f.ranLog, SavedStep{Step: id, Edits: edits, Expect: outcomeOf(*res)})
		f.mu.Unlock()
	}
	out := res.copy()
	f.emit(Event{Kind: EventStepFinished, Step: id, Result: &out, Message: string(id) + ": " + string(res.Status)})
	return out
}

func (f *Flow) checkOrder(def StepDef) error {
	pre := def.Needs
	if pre == "" {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s := f.results[pre].Status; s != StatusPassed && s != StatusWarned {
		return fmt.Errorf("%w: %s needs %s first", ErrStepOrder, def.ID, pre)
	}
	return nil
}

// resetLater marks the steps after id pending again (a new attempt) and drops their edits.
func (f *Flow) resetLater(id StepID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	after := false
	for _, d := range steps() {
		if after && !d.Survives {
			f.results[d.ID] = &StepResult{Step: d.ID, Status: StatusPending}
			delete(f.overrides, d.ID)
			delete(f.diffs, d.ID)
		}
		if d.ID == id {
			after = true
		}
	}
}

// Next runs the next step that has not passed, warned or been skipped. ok
// is false when every step is done.
func (f *Flow) Next(ctx context.Context) (res StepResult, ok bool) {
	id := f.current()
	if id == "" {
		return StepResult{}, false
	}
	return f.Run(ctx, id), true
}

func (f *Flow) current() StepID {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range steps() {
		id := d.ID
		switch f.results[id].Status {
		case StatusPassed, StatusWarned, StatusSkipped:
			continue
		}
		return id
	}
	return ""
}

// RunAll runs the remaining steps in order and stops at the first failure.
func (f *Flow) RunAll(ctx context.Context) []StepResult {
	var out []StepResult
	for {
		res, ok := f.Next(ctx)
		if !ok {
			return out
		}
		out = append(out, res)
		if res.Status == StatusFailed || res.Status == StatusRefused || ctx.Err() != nil {
			return out
		}
	}
}
