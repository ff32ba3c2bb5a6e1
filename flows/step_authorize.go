package flows

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"oauthdeck/client"
	"oauthdeck/client/safe"

	"github.com/cli/browser"
)

// authorize starts the loopback listener on the redirect URI, then either
// opens the browser (and accepts a pasted redirect URL) or completes consent
// with the admin session and follows the redirect to the listener.
func (f *Flow) authorize(ctx context.Context, res *StepResult) error {
	st := f.state()
	req, err := f.Request(StepAuthorize)
	if err != nil {
		return err
	}
	redirect := firstNonEmpty(req.Params.Get("redirect_uri"), st.callbackURL)
	exp := Expect{State: req.Params.Get("state"), Issuer: st.issuer, RequireIss: st.as.AuthorizationResponseIssParameterSupported}

	l, lerr := Listen(ctx, ListenOptions{RedirectURI: redirect, Expect: exp, Timeout: f.cfg.ListenTimeout,
		OnStatus: func(s ListenerStatus) { f.emit(Event{Kind: EventListener, Step: StepAuthorize, Listener: &s}) }})
	switch {
	case lerr == nil:
		defer func() { _ = l.Close() }() // its outcome is in l.Status, read below
		if l.RedirectURI() != redirect && req.Params.Get("redirect_uri") != "" {
			// Ephemeral port: the request must name the port actually bound.
			redirect = l.RedirectURI()
			req.Params.Set("redirect_uri", redirect)
		}
		if err := f.watchListener(l); err != nil {
			return err
		}
		ls := l.Status()
		res.Fields = append(res.Fields, Field{Label: "Listener", Value: ls.Addr + " " + ls.Path},
			Field{Label: "Deadline", Value: ClockTime(ls.Deadline, f.cfg.Now())})
	case errors.Is(lerr, ErrNotLoopback) && f.cfg.Consent == ConsentAuto:
		// An edited, non-loopback redirect_uri: nothing to listen on, but the
		// server's answer is still worth seeing.
		res.Findings = append(res.Findings, Finding{ID: "authorize.listener", Severity: SeverityInfo,
			Message: "redirect_uri is not a loopback URI; no listener started", Basis: "RFC 8252 §7.3"})
		l = nil
	default:
		return lerr
	}
	authURL := req.FullURL()
	// The exchange must repeat what this request really carried (RFC 6749
	// §4.1.3, RFC 8707), edits included.
	f.update(func(s *flowState) {
		s.redirectURI, s.sentResource, s.authURL = redirect, req.Params.Get("resource"), authURL
	})
	res.Request = ptr(req.Redacted())
	res.Fields = append(res.Fields, Field{Label: "Authorization URL", Value: safe.Line(authURL)})

	var cb Callback
	switch f.cfg.Consent {
	case ConsentAuto:
		cb, err = f.autoConsent(ctx, authURL, redirect, exp, l)
	case ConsentCommand:
		f.emit(Event{Kind: EventAuthURL, Step: StepAuthorize, Message: safe.Line(authURL)})
		cb, err = f.commandConsent(ctx, authURL, l)
	default:
		f.emit(Event{Kind: EventAuthURL, Step: StepAuthorize, Message: safe.Line(authURL)})
		open := f.cfg.OpenBrowser
		if open == nil {
			open = browser.OpenURL
		}
		if f.cfg.Consent == ConsentPaste {
			open = func(string) error { return nil } // shown, for a browser elsewhere
		}
		if oerr := open(authURL); oerr != nil {
			res.Findings = append(res.Findings, Finding{ID: "authorize.browser", Severity: SeverityInfo,
				Message: "could not open a browser (" + safe.Line(oerr.Error()) + "); open the URL yourself or paste the redirect URL", Basis: "RFC 8252 §4"})
		}
		cb, err = l.Wait(ctx)
	}
	if l != nil {
		ls := l.Status()
		// Auto-consent may validate a redirect to a sub-path straight from
		// the consent answer's Location: the listener then saw nothing.
		viaLocation := err == nil && !ls.Received
		res.Fields = append(res.Fields, Field{Label: "State checked", Value: yesNo(ls.StateOK || viaLocation && exp.State != "")},
			Field{Label: "iss checked", Value: yesNo(ls.IssChecked || viaLocation && exp.RequireIss)})
		res.Findings = append(res.Findings, listenerFindings(ls, exp, viaLocation)...)
	}
	if err != nil {
		return err
	}
	f.update(func(s *flowState) { s.callback, s.tokens, s.tokensDead = cb, nil, false })
	res.Fields = append(res.Fields, Field{Label: "Code", Value: safe.Mask(cb.Code), Secret: true, reveal: cb.Code},
		Field{Label: "Callback", Value: cb.URL})
	if cb.Iss != "" {
		res.Fields = append(res.Fields, Field{Label: "iss", Value: safe.Line(cb.Iss)})
	}
	res.Verdict = "authorization code received; state matched"
	if exp.State == "" {
		res.Verdict = "authorization code received (no state was sent)"
	}
	return nil
}

// autoConsent POSTs the authorization request with the admin session and
// follows the redirect to the listener as a browser would. A redirect that
// is not the listener's (a sub-path the server allowed) is validated directly.
func (f *Flow) autoConsent(ctx context.Context, authURL, redirect string, exp Expect, l *Listener) (Callback, error) {
	loc, err := ConsentRedirect(ctx, f.cfg.Client, authURL)
	if err != nil {
		return Callback{}, err
	}
	if l == nil {
		exp.RedirectURI = redirect
		return ParseRedirectURL(loc.String(), exp)
	}
	if sameEndpoint(loc, l.RedirectURI()) != nil {
		exp.RedirectURI = ""
		cb, err := ParseRedirectURL(loc.String(), exp)
		if err == nil {
			err = sameEndpoint(loc, redirect)
		}
		return cb, err
	}
	if err := followToListener(ctx, loc); err != nil {
		return Callback{}, err
	}
	return l.Wait(ctx)
}

// followToListener GETs the redirect target (the loopback listener).
func followToListener(ctx context.Context, loc *url.URL) error {
	hc := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
	if err != nil {
		return &CallbackError{Err: ErrMalformedURL}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return &CallbackError{Err: ErrListenerClosed, Detail: "could not reach the loopback listener: " + safe.Line(err.Error())}
	}
	return resp.Body.Close()
}

func listenerFindings(ls ListenerStatus, exp Expect, viaLocation bool) []Finding {
	var fs []Finding
	// add reports a defence: done says so with pass; not done is only info
	// (no callback was accepted, e.g. a timeout), worded as such. A redirect
	// read from Location was checked by ParseRedirectURL, not the listener.
	notDone := "no callback was accepted"
	add := func(id string, ok bool, done, what, basis string) {
		f := Finding{ID: id, Severity: SeverityPass, Message: done, Basis: basis}
		switch {
		case ok:
		case viaLocation:
			f.Message = what + " verified on the redirect read from the consent answer's Location header"
		default:
			f.Severity, f.Message = SeverityInfo, what+" not verified: "+notDone
		}
		fs = append(fs, f)
	}
	add("listener.loopback", true, "listener bound to "+ls.Addr+" only", "", "RFC 8252 §7.3, §8.3")
	if exp.State != "" {
		add("listener.state", ls.StateOK, "state verified on the callback", "state", "RFC 6749 §10.12; RFC 8252 §8.9")
	}
	if exp.RequireIss {
		add("listener.iss", ls.IssChecked, "iss verified against the issuer", "iss", "RFC 9207")
	}
	// The socket closes as the first callback is accepted (Closed turns
	// true only once the server has drained), so Received is the evidence.
	single := Finding{ID: "listener.single", Severity: SeverityPass, Basis: "RFC 8252 §8.3",
		Message: "one callback accepted, then the listener closed"}
	switch {
	case ls.Received:
	case viaLocation:
		single.Severity, single.Message = SeverityInfo,
			"no callback reached the listener (auto-consent read the redirect from Location); the listener is closed"
	default:
		single.Severity, single.Message = SeverityInfo, notDone+"; the listener is closed"
	}
	fs = append(fs, single)
	if n := len(ls.Rejected); n > 0 {
		fs = append(fs, Finding{ID: "listener.rejected", Severity: SeverityWarn,
			Message: "requests refused by the listener: " + joinErrs(ls.Rejected), Basis: "DNS-rebinding and stray-request defence"})
	}
	return fs
}

func joinErrs(rs []Rejection) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += "; "
		}
		s += r.Reason.Error()
	}
	return s
}

// authorizeRequest is the authorization request built by prepare.
func (f *Flow) authorizeRequest(st flowState) (Request, error) {
	if err := needFirst(st.authURL != "", StepAuthorize, StepPrepare); err != nil {
		return Request{}, err
	}
	r := Request{Method: http.MethodGet, URL: st.as.AuthorizationEndpoint, Params: cloneValues(st.authParams), InQuery: true}
	switch f.cfg.Consent {
	case ConsentAuto:
		r.Method, r.Header = http.MethodPost, headerWith(client.SessionTokenHeader, sessionPlaceholder)
		r.Note = "POSTed with the admin session (auto-consent); the redirect goes to the loopback listener"
	case ConsentPaste:
		r.Note = "for a browser on any machine: paste the URL it lands on (a browser on this machine reaches the loopback listener)"
	case ConsentCommand:
		r.Note = "handed to the consent command; the loopback listener takes the callback"
	default:
		r.Note = "for the system browser; the loopback listener takes the callback"
	}
	return r, nil
}
