package flows

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"oauthdeck/client"
	"oauthdeck/client/coder"
	"oauthdeck/client/safe"
)

// An edit to a step's request can be a deliberate negative test: dropping
// code_challenge, sending a wrong code_verifier, another redirect_uri. For
// those, a correct server refuses, so a refusal is the expected outcome
// (StatusRefused, "refused as it should") and an acceptance is the
// finding. editRules say which edits those are and where that is written.
// Edits not listed (a scope, a state, an extra parameter) are judged as
// any run is.

// editRule is one kind of negative edit at one step.
type editRule struct {
	step  StepID
	match func(e Edit, st flowState) bool
	what  string // what was sent: "an authorization request without PKCE"
	rule  string // what a correct server does about it, briefly: "PKCE required"
	basis string
	must  bool   // a MUST: an acceptance fails the step (else it warns)
	fix   string // for the server's admin, when it accepted
	// codes are the OAuth2 errors that refuse this edit. An answer with
	// another code (access_denied: the user clicked Deny; server_error,
	// temporarily_unavailable, a 429 or a 5xx) proves nothing about it.
	codes []string
}

var (
	atAuthorize = []string{"invalid_request", "unauthorized_client", "invalid_client"}
	atToken     = []string{"invalid_grant", "invalid_request"}
	badClient   = []string{"invalid_client", "unauthorized_client", "invalid_request"}
)

func paramDeleted(name string) func(Edit, flowState) bool {
	return func(e Edit, _ flowState) bool { return e.Where == "param" && e.Name == name && e.Op == "delete" }
}

func paramSetTo(name string, pred func(string) bool) func(Edit, flowState) bool {
	return func(e Edit, _ flowState) bool {
		return e.Where == "param" && e.Name == name && e.Op == "set" && len(e.Values) > 0 && pred(e.Values[0])
	}
}

// paramChanged: the parameter deleted, or set to another value than the
// flow's own (want reads it from the state before the run). An edit is a
// difference from the default request; a secret's new value is not kept
// in it (Junk), and differs by being there.
func paramChanged(name string, want func(flowState) string) func(Edit, flowState) bool {
	return func(e Edit, st flowState) bool {
		if e.Where != "param" || e.Name != name {
			return false
		}
		return e.Op == "delete" || changedTo(e, want(st))
	}
}

func changedTo(e Edit, own string) bool {
	return e.Op == "set" && (e.Junk || len(e.Values) > 0 && e.Values[0] != own)
}

// paramSetOther: set to another value than the flow's; deleting it is
// allowed (resource is optional in a token request, RFC 8707 §2.2).
func paramSetOther(name string, want func(flowState) string) func(Edit, flowState) bool {
	return func(e Edit, st flowState) bool {
		return e.Where == "param" && e.Name == name && changedTo(e, want(st))
	}
}

var editRules = []editRule{
	{StepAuthorize, paramDeleted("code_challenge"), "an authorization request without PKCE", "PKCE required",
		"OAuth 2.1 §4.1.1; RFC 9700 §2.1.1; MCP 2025-06-18", false,
		"Require PKCE for every client (Coder enforces it from 2.38).", atAuthorize},
	{StepAuthorize, paramSetTo("code_challenge_method", func(v string) bool { return v != "S256" }), "a code_challenge_method other than S256", "S256 only",
		"RFC 9700 §2.1.1; MCP 2025-11-25", false,
		"Accept only code_challenge_method=S256.", atAuthorize},
	{StepAuthorize, paramSetTo("response_type", func(v string) bool { return v != "code" }), "a response_type other than code", "the code flow only",
		"RFC 6749 §3.1.1, §4.1.2.1; RFC 9700 §2.1.2", true,
		"Refuse response types the client is not registered for (implicit is deprecated).", append([]string{"unsupported_response_type"}, atAuthorize...)},
	{StepAuthorize, paramDeleted("client_id"), "an authorization request without client_id", "client_id required",
		"RFC 6749 §4.1.1", true, "Refuse an authorization request that names no client.", atAuthorize},
	{StepAuthorize, func(e Edit, st flowState) bool {
		return e.Where == "param" && e.Name == "redirect_uri" && unregistered(e, st)
	},
		"a redirect_uri the client did not register", "exact redirect URI matching",
		"RFC 6749 §3.1.2.4; RFC 9700 §4.1.3", true,
		"Compare redirect_uri with the registered URIs exactly (only a loopback port may differ, RFC 8252 §7.3).", atAuthorize},

	{StepExchange, paramChanged("code_verifier", func(st flowState) string { return st.verifier }), "a token request without the right code_verifier", "PKCE verifier checked",
		"RFC 7636 §4.6", true, "Check code_verifier against the code's code_challenge and refuse a mismatch with invalid_grant.", atToken},
	{StepExchange, paramChanged("code", func(st flowState) string { return st.callback.Code }), "a code the server did not issue for this request", "codes bound to their request",
		"RFC 6749 §4.1.3, §5.2", true, "Refuse unknown codes with invalid_grant.", atToken},
	{StepExchange, paramChanged("redirect_uri", func(st flowState) string { return st.redirectURI }), "a redirect_uri other than the authorization request's", "redirect_uri must match",
		"RFC 6749 §4.1.3", true, "Refuse a token request whose redirect_uri differs from the authorization request's.", atToken},
	{StepExchange, paramSetOther("resource", func(st flowState) string { return st.sentResource }), "a resource other than the authorization request's", "resource must match",
		"RFC 8707 §2.2 (invalid_target)", true, "Refuse a resource the grant was not issued for, with invalid_target.", append([]string{"invalid_target"}, atToken...)},
	{StepExchange, otherClient, "other client credentials than the client's", "client authentication",
		"RFC 6749 §2.3.1, §5.2 (invalid_client)", true, "Authenticate the client and refuse a wrong or missing secret with invalid_client.", badClient},
	{StepRefresh, paramChanged("refresh_token", func(st flowState) string {
		if st.tokens == nil {
			return ""
		}
		return st.tokens.RefreshToken
	}), "a refresh token the server did not issue", "refresh tokens checked",
		"RFC 6749 §6, §5.2 (invalid_grant)", true, "Refuse unknown refresh tokens with invalid_grant.", atToken},
	{StepRefresh, otherClient, "other client credentials than the client's", "client authentication",
		"RFC 6749 §6, §2.3.1 (invalid_client)", true, "Authenticate the client at refresh and refuse a wrong secret with invalid_client.", badClient},
}

// otherClient: the client's credentials changed or removed (not the same
// client_id added again, which RFC 6749 §4.1.3 allows).
func otherClient(e Edit, st flowState) bool {
	switch {
	case e.Where == "param" && e.Name == "client_id":
		return paramChanged("client_id", func(st flowState) string { return st.clientID })(e, st)
	case e.Where == "param" && e.Name == "client_secret":
		return paramChanged("client_secret", func(st flowState) string { return st.clientSecret })(e, st)
	case e.Where == "header" && http.CanonicalHeaderKey(e.Name) == "Authorization":
		return e.Op == "delete" || changedTo(e, "Basic "+basicAuth(st.clientID, st.clientSecret))
	}
	return false
}

// unregistered: the new redirect_uri is not the one the flow's own client
// registered (a created app or a registration registers exactly one). For
// an existing app the registered list is not known here, so no verdict.
func unregistered(e Edit, st flowState) bool {
	if st.createdAppID == "" && st.createdDCR == nil {
		return false
	}
	if e.Op == "delete" {
		return false // then the registered one applies (RFC 6749 §3.1.2.3)
	}
	if len(e.Values) == 0 {
		return false
	}
	sent, err1 := url.Parse(e.Values[0])
	reg, err2 := url.Parse(st.callbackURL) // what the flow registered for its client
	if err1 != nil || err2 != nil || reg.Host == "" {
		return false
	}
	// Only a loopback port may differ (RFC 8252 §7.3).
	same := sent.Scheme == reg.Scheme && sent.Path == reg.Path && sent.RawQuery == reg.RawQuery && sent.Hostname() == reg.Hostname()
	return !same || sent.Port() != reg.Port() && !coder.IsLoopbackHost(sent.Hostname())
}

// matchedRules are the rules one of the step's edits falls under, in order.
func matchedRules(id StepID, edits []Edit, st flowState) []editRule {
	var out []editRule
	for _, r := range editRules {
		if r.step != id {
			continue
		}
		for _, e := range edits {
			if r.match(e, st) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// refusalOf is the server's answer when err is the server saying no: its
// OAuth2 error code (at the token endpoint or the redirect URI), or for an
// answer without one (an error page) a 400, 401 or 403. Anything else (a
// transport failure, a 429, a 5xx) is no refusal of the edit.
func refusalOf(err error) (code, answer string, ok bool) {
	var oe *client.OAuth2Error
	var ce *CallbackError
	var ae *client.APIError
	var ue *client.UnexpectedResponseError
	pageStatus := func(st int) bool { return st == 400 || st == 401 || st == 403 }
	switch {
	case errors.As(err, &oe):
		return safe.Line(oe.Code), safe.Line(oe.Code + " (HTTP " + strconv.Itoa(oe.StatusCode) + ")"), oe.Code != ""
	case errors.As(err, &ce) && errors.Is(ce.Err, ErrAuthorization):
		return safe.Line(ce.Code), safe.Line(ce.Code + " at the redirect URI"), ce.Code != ""
	case errors.As(err, &ae) && pageStatus(ae.StatusCode):
		return "", "HTTP " + strconv.Itoa(ae.StatusCode), true
	case errors.As(err, &ue) && pageStatus(ue.StatusCode):
		return "", "HTTP " + strconv.Itoa(ue.StatusCode), true
	}
	return "", "", false
}

// refuses: the rule's expected codes include code ("" is a bare 400/401/403).
func (r editRule) refuses(code string) bool { return code == "" || slices.Contains(r.codes, code) }

// judgeEdits turns a run of a negatively edited request into its verdict:
// refused as it should, or accepted when it should not have been. Other
// runs are left as they are.
// judged is true when the verdict and explanation are the edit's.
func judgeEdits(res *StepResult, err error, edits []Edit, st flowState) (_ error, judged bool) {
	rules := matchedRules(res.Step, edits, st)
	if len(rules) == 0 {
		return err, false
	}
	if err == nil {
		r := rules[0]
		level := "should"
		if r.must {
			level = "must"
		}
		res.Explain = &Explanation{Code: "accepted",
			Cause: "The server accepted " + r.what + "; a correct server " + level + " refuse it (" + r.rule + ").",
			Fix:   r.fix, Basis: r.basis}
		res.Verdict = "accepted " + r.what + " (" + r.rule + "; " + r.basis + ")"
		if !r.must {
			res.Findings = append(res.Findings, Finding{ID: "edit.accepted", Severity: SeverityWarn,
				Message: "accepted " + r.what, Basis: r.basis})
			return nil, true
		}
		return fmt.Errorf("the server accepted %s (%s)", r.what, r.basis), true
	}
	code, answer, refused := refusalOf(err)
	if !refused {
		return err, false
	}
	for _, r := range rules { // the rule the answer is about
		if !r.refuses(code) {
			continue
		}
		res.Status, res.Refusal = StatusRefused, err
		res.Verdict = "refused as it should (" + r.rule + "): " + answer
		res.Fields = append(res.Fields, Field{Label: "Server's answer", Value: safe.Line(err.Error())})
		res.Explain = &Explanation{Code: "refused-as-expected",
			Cause: "You sent " + r.what + " and the server refused it (" + r.rule + "), as " + r.basis + " requires.",
			Fix:   "Nothing to fix: that was the test. To go on with the flow, reset the request (e, then R) and run the step again.",
			Basis: r.basis}
		return nil, true
	}
	return err, false // refused, but not for what the edit tests
}

// judgeDeadTokens: a use or refresh of tokens this flow proved dead is
// refused as it should, and said so ("revoked by you at …"), not
// explained as an unknown or expired token.
func judgeDeadTokens(res *StepResult, err error, before flowState, now time.Time) error {
	if err == nil || !before.tokensDead || res.Step != StepUse && res.Step != StepRefresh {
		return err
	}
	code, answer, refused := refusalOf(err)
	var be *BearerRefusedError
	switch {
	case refused && (code == "" || code == "invalid_grant" || code == "invalid_token"):
	case errors.As(err, &be) && (be.Status == http.StatusUnauthorized || be.Status == http.StatusForbidden):
		answer = safe.Line(be.Error())
	default:
		return err // a 429, a 5xx, a transport failure: not the revocation's doing
	}
	when := ClockTime(before.deadAt, now)
	res.Status, res.Refusal = StatusRefused, err
	res.Verdict = "refused as it should: " + before.deadBy + " at " + when + "; start a new flow (or authorize again) for live tokens"
	res.Fields = append(res.Fields, Field{Label: "Server's answer", Value: answer})
	res.Explain = &Explanation{Code: "revoked",
		Cause: "These tokens were " + before.deadBy + " at " + when + ", so the server refuses them, as it must.",
		Fix:   "Nothing is wrong: start a new flow, or run authorize again, for live tokens.",
		Basis: before.deadBasis}
	return nil
}
