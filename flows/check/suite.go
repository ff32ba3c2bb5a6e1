package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"oauthdeck/client"
	"oauthdeck/flows"
	"oauthdeck/flows/internal/randtext"
)

// suite is one run's shared state. Checks may run side by side (see
// runner.go): what they hand on is written before the checks that read it
// start, and what any of them may touch at any time (the secrets to scrub,
// what to remove at the end, the finished results) is behind mu.
type suite struct {
	cfg      Config
	c        *client.Client
	rec      *client.Recorder
	base     string
	mcpURL   string // the MCP endpoint the mcp.* checks probe
	resource string
	redirect string

	info ServerInfo
	as   *client.ASMetadata // nil until discovered
	// Where discovery found the documents ("" when it did not).
	asURL, prURL string
	bypassed     bool // the suite turned the owner's rate-limit bypass on
	// consentWorked (generic mode): the consent command delivered a redirect in this run.
	consentWorked bool
	ep            endpoints

	a, b    *testApp        // the suite's confidential test apps
	created []createdClient // everything to remove at the end

	// Handed from one check to the next (see the registry's order).
	flowState      string
	flowAuthz      *authzResult
	flowToken      *tokenResult
	resourceToken  *client.TokenResponse
	noPKCE         *authzResult // the answer to a request without code_challenge
	errRedirect    *authzResult // the first authorization error sent to the callback
	errSentState   string       // the state that request carried
	errRedirectID  string       // the check that made it
	errRedirectNt  string       // and the note of its exchange
	live           *client.TokenResponse
	scopeChallenge *scopeChallenge // what mcp.scope-challenge met, for mcp.scope-step-up

	mu       sync.Mutex
	results  []Result          // every check run so far in registry order, reported or not
	finished map[string]Result // every check finished so far, by id (p.cite reads them)
	// runs and reports are Config.Only's selection: nil runs and reports all.
	runs, reports map[string]bool

	secrets  map[string]string // each value the suite must never show, and its marker
	replacer *strings.Replacer
}

// testApp is an app the suite created, with its one secret.
type testApp struct {
	ID     string
	Name   string
	Secret string
	Method flows.AuthMethod // "" means client_secret_post, which every Coder app accepts
}

// createdClient is something to delete at the end: an app made through the
// apps API, or a dynamically registered client (deleted through the apps API,
// falling back to RFC 7592 with its registration access token).
type createdClient struct {
	ID       string
	Name     string
	RegURI   string
	RegToken string
	none     bool // its create was refused: nothing to remove
}

// track lists cc for removal at the end and returns its place in the list.
func (s *suite) track(cc createdClient) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.created = append(s.created, cc)
	return len(s.created) - 1
}

// trackID records the id the server gave what track listed at i.
func (s *suite) trackID(i int, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.created[i].ID = id
}

// untrack says what track listed at i was never made.
func (s *suite) untrack(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.created[i].none = true
}

// endpoints are the OAuth2 endpoints, from the metadata when found.
type endpoints struct {
	Authorize, Token, Revoke, Register string
}

func newSuite(cfg Config) *suite {
	s := &suite{
		cfg:      cfg,
		c:        cfg.Client,
		rec:      cfg.Recorder,
		base:     strings.TrimRight(cfg.Client.BaseURL(), "/"),
		redirect: cfg.RedirectURI,
		secrets:  map[string]string{},
		finished: map[string]Result{},
	}
	if s.redirect == "" {
		s.redirect = DefaultRedirectURI
	}
	s.mcpURL = cfg.MCPURL
	if s.mcpURL == "" {
		s.mcpURL = s.base + mcpPath
	}
	s.resource = cfg.Resource
	if s.resource == "" && cfg.Given == nil {
		s.resource = s.base // Coder's API wants its access URL; elsewhere none unless asked
	}
	if cfg.Given != nil && cfg.Given.RedirectURI != "" {
		s.redirect = cfg.Given.RedirectURI
	}
	s.ep = endpoints{
		Authorize: s.base + "/oauth2/authorize",
		Token:     s.base + "/oauth2/tokens",
		Revoke:    s.base + "/oauth2/revoke",
	}
	s.info = ServerInfo{URL: s.base, Resource: s.resource}
	s.remember(cfg.Client.SessionToken())
	return s
}

// runAll runs the registry's selected checks, side by side where they may
// (see runner.go), reporting each result in registry order. It stops at
// cancellation and returns the context's error; every other problem is a
// check's verdict.
func (s *suite) runAll(ctx context.Context) error {
	s.serverInfo(ctx)
	var sel []definition
	for _, def := range registry {
		if s.runs == nil || s.runs[def.ID] {
			sel = append(sel, def)
		}
	}
	if s.parallelism() > 1 {
		return s.runGraph(ctx, sel)
	}
	for _, def := range sel {
		if err := ctx.Err(); err != nil {
			return err
		}
		res := s.runOne(ctx, def)
		if err := ctx.Err(); err != nil {
			return err // a half-run check is not a verdict
		}
		s.finish(res)
		s.emit(res)
	}
	return nil
}

// finish makes res what later checks may cite.
func (s *suite) finish(res Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finished[res.ID] = res
}

// emit adds res to the report, in order, and tells Config.OnResult.
func (s *suite) emit(res Result) {
	s.mu.Lock()
	s.results = append(s.results, res)
	s.mu.Unlock()
	if s.cfg.OnResult != nil && s.reported(res.ID) {
		s.cfg.OnResult(res)
	}
}

func (s *suite) runOne(ctx context.Context, def definition) (res Result) {
	p := &probe{s: s, level: def.Level, startID: s.lastExchangeID(), notes: map[int64]string{}}
	res = Result{ID: def.ID, Title: def.Title, Basis: def.Basis, Level: def.Level, Documents: Documents(def.Basis), Conformance: conformanceAliases[def.ID]}
	defer func() {
		// A bug in one check must not take the run (and its cleanup) down.
		if r := recover(); r != nil {
			res.Status = Fail
			res.Detail = s.clean(fmt.Sprintf("internal error in check: %v\n%s", r, debug.Stack()), false)
		}
		res.Evidence = p.evidence()
		if res.Evidence == nil {
			res.Evidence = []Evidence{}
		}
	}()
	ctx, p.source = client.WithSource(ctx, "check "+def.ID) // the Requests screen names the check
	v := def.run(ctx, s, p)
	res.Status, res.Detail = v.status, s.clean(v.detail, false)
	return res
}

// serverInfo fills the report header; failures here show up in the checks.
func (s *suite) serverInfo(ctx context.Context) {
	srv := flows.DetectServer(ctx, s.c)
	s.info.Kind, s.info.Era, s.info.Version = srv.Kind, srv.Era, s.clean(srv.Version, true)
	s.info.Features = srv.Features
	for i, m := range s.info.Features.AuthMethods {
		s.info.Features.AuthMethods[i] = s.clean(m, true)
	}
	for i, e := range s.info.Features.Experiments {
		s.info.Features.Experiments[i] = s.clean(e, true)
	}
	// An owner may skip Coder's rate limits per request; the suite's ~80
	// requests would otherwise draw on them (and be paced by Retry-After).
	if s.info.Kind == "coder" && !s.generic() && !s.cfg.NoRateLimitBypass && s.c.SessionToken() != "" {
		if me, err := s.c.Me(ctx); err == nil && isOwner(me) {
			s.c.SetRateLimitBypass(true)
			s.bypassed = true
		}
	}
}

func isOwner(u client.User) bool {
	for _, r := range u.Roles {
		if r.Name == "owner" {
			return true
		}
	}
	return false
}

func (s *suite) reported(id string) bool { return s.reports == nil || s.reports[id] }

func (s *suite) report() Report {
	s.mu.Lock()
	defer s.mu.Unlock()
	checks := []Result{}
	for _, r := range s.results {
		if s.reported(r.ID) {
			checks = append(checks, r)
		}
	}
	rep := Report{Server: s.info, Checks: checks, Summary: Summarize(checks)}
	if s.reports == nil {
		rep.Grades = Grades(checks)
	}
	return rep
}

// setupApps creates the two confidential test apps (A for the flow, B for
// the client-binding probes), each with a secret.
func (s *suite) setupApps(ctx context.Context, p *probe) error {
	for _, slot := range []struct {
		label string
		dst   **testApp
	}{{"a", &s.a}, {"b", &s.b}} {
		name := "oauthdeck-check-" + slot.label + "-" + randtext.Alnum(8)
		// Listed before it exists: a create cut short by an interruption may
		// still have happened on the server, and cleanup then finds it by name.
		made := s.track(createdClient{Name: name})
		var app client.App
		err := p.call("create test app "+strings.ToUpper(slot.label), func() error {
			var err error
			app, err = s.c.CreateApp(ctx, client.AppRequest{Name: name, CallbackURL: s.redirect, RedirectURIs: []string{s.redirect}})
			return err
		})
		if err != nil {
			if answered(err) { // refused: nothing was made
				s.untrack(made)
			}
			return fmt.Errorf("creating app %s: %w", name, err)
		}
		s.trackID(made, app.ID)
		var sec client.AppSecretFull
		err = p.call("create a secret for test app "+strings.ToUpper(slot.label), func() error {
			var err error
			sec, err = s.c.CreateAppSecret(ctx, app.ID)
			return err
		})
		if err != nil {
			return fmt.Errorf("creating a secret for app %s: %w", name, err)
		}
		s.remember(sec.ClientSecretFull)
		*slot.dst = &testApp{ID: app.ID, Name: name, Secret: sec.ClientSecretFull}
	}
	return nil
}

// cleanup removes everything the suite created, on a fresh short context so
// that it also runs after ctx was cancelled.
func (s *suite) cleanup(ctx context.Context) error {
	s.mu.Lock()
	created := slices.Clone(s.created)
	s.mu.Unlock()
	if len(created) == 0 {
		return nil
	}
	timeout := s.cfg.CleanupTimeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	var errs []error
	for _, cc := range created {
		if cc.none {
			continue
		}
		if cc.ID == "" {
			id, err := s.findApp(cctx, cc.Name)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s (its create was interrupted): %w", cc.Name, err))
			}
			if id == "" {
				continue // never created
			}
			cc.ID = id
		}
		var err error
		switch {
		case s.generic() && cc.RegURI != "":
			err = s.c.DeleteClientRegistration(cctx, cc.RegURI, cc.RegToken) // no apps API to ask
		default:
			err = s.c.DeleteApp(cctx, cc.ID)
			if err != nil && !isGone(err) && cc.RegURI != "" {
				err = s.c.DeleteClientRegistration(cctx, cc.RegURI, cc.RegToken)
			}
		}
		if err != nil && !isGone(err) {
			errs = append(errs, fmt.Errorf("%s (%s): %w", cc.Name, cc.ID, err))
		}
	}
	return errors.Join(errs...)
}

// answered reports whether err carries the server's answer (so the request
// was refused), rather than a cut-short exchange whose outcome is unknown.
func answered(err error) bool {
	var (
		ae *client.APIError
		pd *client.ProviderDisabledError
		se *client.SessionError
		ue *client.UnexpectedResponseError
		oe *client.OAuth2Error
	)
	if errors.As(err, &ue) {
		return ue.StatusCode < 200 || ue.StatusCode > 299 // a 2xx with a garbled body may still have made it
	}
	return errors.As(err, &ae) || errors.As(err, &pd) || errors.As(err, &se) || errors.As(err, &oe)
}

// findApp is the id of the app named name, or "" when there is none.
func (s *suite) findApp(ctx context.Context, name string) (string, error) {
	apps, err := s.c.Apps(ctx)
	if err != nil {
		return "", err
	}
	for _, a := range apps {
		if a.Name == name {
			return a.ID, nil
		}
	}
	return "", nil
}

// isGone is a delete that found nothing to delete.
func isGone(err error) bool {
	var api *client.APIError
	if errors.As(err, &api) && api.StatusCode == http.StatusNotFound {
		return true
	}
	var oe *client.OAuth2Error
	return errors.As(err, &oe) && oe.StatusCode == http.StatusNotFound
}

// wrongSecret has the shape of a Coder client secret (coder_<10>_<40>) so
// the server must look it up and compare, not just reject its format.
func wrongSecret() string {
	return "coder_" + randtext.Alnum(10) + "_" + randtext.Alnum(40)
}
