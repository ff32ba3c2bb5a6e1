package flows

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// Helpers the steps share.

func (f *Flow) tokenClient(st flowState) TokenClient {
	tc := TokenClient{HTTP: f.cfg.Client, ClientID: st.clientID, ClientSecret: st.clientSecret,
		Method: st.authMethod, Now: f.cfg.Now}
	if st.as != nil {
		tc.TokenURL, tc.RevocationURL = st.as.TokenEndpoint, st.as.RevocationEndpoint
	}
	return tc
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func ptr[T any](v T) *T { return &v }

// shortErr is err's text without the request line (for findings).
func shortErr(err error) string {
	var oe *client.OAuth2Error
	if errors.As(err, &oe) {
		return fmt.Sprintf("%d %s", oe.StatusCode, oe.Code)
	}
	var se *client.SessionError
	if errors.As(err, &se) {
		return fmt.Sprintf("%d %s", se.StatusCode, se.Detail)
	}
	var ae *client.APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("%d %s", ae.StatusCode, ae.Message)
	}
	return err.Error()
}

// tokenRefused reports that err is the server refusing a token itself: a
// refresh answered invalid_grant (RFC 6749 §5.2), or a bearer call answered
// 401, or introspection answered active: false. Anything else (a 403 for scope or audience, a 404 from a server
// without Coder's API, a network failure) proves nothing about the token.
func tokenRefused(err error) bool {
	var (
		br *BearerRefusedError
		it *InactiveTokenError
	)
	if errors.As(err, &br) || errors.As(err, &it) {
		return true
	}
	var oe *client.OAuth2Error
	if errors.As(err, &oe) {
		return oe.Code == "invalid_grant"
	}
	var se *client.SessionError
	if errors.As(err, &se) {
		return se.StatusCode == http.StatusUnauthorized
	}
	var ae *client.APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized
}

// deathProofs collects what the proofs after a refresh or a revocation
// showed about tokens that should have stopped working.
type deathProofs struct {
	findings                 *[]Finding // the step's, so findings keep their order
	alive, proven, unchecked []string   // what each proof showed, by token
	// survived: still works where the rule is a SHOULD or a MAY, so a warning, not a failure.
	survived []string
}

// prove records the server's answer (err) to using what, which should no
// longer work after the step: pass when the server refused it, fail when it
// still works, and "not checked" (info) when the answer proves neither.
func (p *deathProofs) prove(id, what, after string, err error, basis string) {
	switch {
	case err == nil:
		p.alive = append(p.alive, what)
		*p.findings = append(*p.findings, Finding{ID: id, Severity: SeverityFail, Message: what + " still works " + after, Basis: basis})
	case tokenRefused(err):
		p.proven = append(p.proven, what)
		*p.findings = append(*p.findings, Finding{ID: id, Severity: SeverityPass, Message: what + " is dead: " + safe.Line(shortErr(err)), Basis: basis})
	default:
		p.unchecked = append(p.unchecked, what)
		*p.findings = append(*p.findings, Finding{ID: id, Severity: SeverityInfo, Basis: basis,
			Message: what + " not checked: the answer proves nothing about it (" + safe.Line(shortErr(err)) + ")"})
	}
}

// proveShould is prove for a token the server should (not must) have
// killed: one that still works is a warning, not a failure.
func (p *deathProofs) proveShould(id, what, after string, err error, basis string) {
	if err != nil {
		p.prove(id, what, after, err, basis)
		return
	}
	p.survived = append(p.survived, what)
	*p.findings = append(*p.findings, Finding{ID: id, Severity: SeverityWarn, Message: what + " still works " + after, Basis: basis})
}

// noBaseline records a token that is not judged because the target refused
// a token that works too, so its refusal would prove nothing.
func (p *deathProofs) noBaseline(id, what string, t useTarget) {
	p.unchecked = append(p.unchecked, what)
	*p.findings = append(*p.findings, Finding{ID: id, Severity: SeverityInfo, Basis: "RFC 6750 §3.1",
		Message: what + " not checked: " + t.describe() + " refused a token that should work too, so its refusal proves nothing"})
}

// noTarget records a token that is not tried because there is nothing to call with it.
func (p *deathProofs) noTarget(id, what string) {
	p.unchecked = append(p.unchecked, what)
	*p.findings = append(*p.findings, Finding{ID: id, Severity: SeverityInfo, Basis: "RFC 6750; RFC 7662",
		Message: what + " not checked: " + noTargetReason})
}

// skipBound records an access token that is not tried because it is bound
// to another resource, which this tool does not call.
func (p *deathProofs) skipBound(id, what string) {
	p.unchecked = append(p.unchecked, what)
	*p.findings = append(*p.findings, Finding{ID: id, Severity: SeverityInfo, Basis: "RFC 8707",
		Message: what + " not checked: it is bound to another resource, which this tool does not call"})
}

// outcomes says, for a verdict, what the proofs showed: proven dead,
// still working, not checked.
func (p *deathProofs) outcomes() []string {
	var parts []string
	for _, o := range []struct {
		tokens []string
		what   string
	}{{p.proven, " proven dead"}, {p.survived, " still works"}, {p.unchecked, " not checked"}} {
		if len(o.tokens) > 0 {
			parts = append(parts, strings.Join(o.tokens, " and ")+o.what)
		}
	}
	return parts
}

// err is ErrNotProven naming each token that still works, or nil.
func (p *deathProofs) err() error {
	if len(p.alive) == 0 {
		return nil
	}
	works := make([]string, len(p.alive))
	for i, w := range p.alive {
		works[i] = w + " still works"
	}
	return fmt.Errorf("%w: %s", ErrNotProven, strings.Join(works, "; "))
}

// callsHere reports that the flow's access token is meant for the
// deployment's API (no resource, or the issuer's own): the one API this
// tool calls with it. A token bound elsewhere is refused there anyway.
func (st flowState) callsHere() bool {
	return st.sentResource == "" || sameURL(st.sentResource, st.issuer)
}

// tokenClientFor is the token client for an edited request: a Basic header
// removed in the edit is not added back, and the request's headers (an
// added one, a changed Authorization) are sent as written.
func (f *Flow) tokenClientFor(st flowState, req Request) TokenClient {
	tc := f.tokenClient(st)
	if tc.Method == AuthBasic && req.Header.Get("Authorization") == "" {
		tc.Method, tc.ClientID, tc.ClientSecret = AuthPost, "", ""
	}
	tc.Header = req.Header.Clone()
	return tc
}

// needFirst is the error of a request whose inputs an earlier step makes.
func needFirst(ok bool, id, earlier StepID) error {
	if !ok {
		return fmt.Errorf("%w: the %s request needs %s first", ErrStepOrder, id, earlier)
	}
	return nil
}
