package flows

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
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
}

func param(name string) func(Edit, flowState) bool {
	return func(e Edit, _ flowState) bool { return e.Where == "param" && e.Name == name }
}

func paramDeleted(name string) func(Edit, flowState) bool {
	return func(e Edit, _ flowState) bool { return e.Where == "param" && e.Name == name && e.Op == "delete" }
}

func paramSetTo(name string, pred func(string) bool) func(Edit, flowState) bool {
	return func(e Edit, _ flowState) bool {
		return e.Where == "param" && e.Name == name && e.Op == "set" && len(e.Values) > 0 && pred(e.Values[0])
	}
}

var editRules = []editRule{
	{StepAuthorize, paramDeleted("code_challenge"), "an authorization request without PKCE", "PKCE required",
		"OAuth 2.1 §4.1.1; RFC 9700 §2.1.1; MCP 2025-06-18", false,
		"Require PKCE for every client (Coder enforces it from 2.38)."},
	{StepAuthorize, paramSetTo("code_challenge_method", func(v string) bool { return v != "S256" }), "a code_challenge_method other than S256", "S256 only",
		"RFC 9700 §2.1.1; MCP 2025-11-25", false,
		"Accept only code_challenge_method=S256."},
	{StepAuthorize, paramSetTo("response_type", func(v string) bool { return v != "code" }), "a response_type other than code", "the code flow only",
		"RFC 6749 §3.1.1, §4.1.2.1; RFC 9700 §2.1.2", true,
		"Refuse response types the client is not registered for (implicit is deprecated)."},
	{StepAuthorize, paramDeleted("client_id"), "an authorization request without client_id", "client_id required",
		"RFC 6749 §4.1.1", true, "Refuse an authorization request that names no client."},
	{StepAuthorize, func(e Edit, st flowState) bool {
		return e.Where == "param" && e.Name == "redirect_uri" && unregistered(e, st)
	},
		"a redirect_uri the client did not register", "exact redirect URI matching",
		"RFC 6749 §3.1.2.4; RFC 9700 §4.1.3", true,
		"Compare redirect_uri with the registered URIs exactly (only a loopback port may differ, RFC 8252 §7.3)."},

	{StepExchange, param("code_verifier"), "a token request without the right code_verifier", "PKCE verifier checked",
		"RFC 7636 §4.6", true, "Check code_verifier against the code's code_challenge and refuse a mismatch with invalid_grant."},
	{StepExchange, param("code"), "a code the server did not issue for this request", "codes bound to their request",
		"RFC 6749 §4.1.3, §5.2", true, "Refuse unknown codes with invalid_grant."},
	{StepExchange, param("redirect_uri"), "a redirect_uri other than the authorization request's", "redirect_uri must match",
		"RFC 6749 §4.1.3", true, "Refuse a token request whose redirect_uri differs from the authorization request's."},
	{StepExchange, param("resource"), "a resource other than the authorization request's", "resource must match",
		"RFC 8707 §2.2 (invalid_target)", true, "Refuse a resource the grant was not issued for, with invalid_target."},
	{StepExchange, clientCredentials, "other client credentials than the client's", "client authentication",
		"RFC 6749 §2.3.1, §5.2 (invalid_client)", true, "Authenticate the client and refuse a wrong or missing secret with invalid_client."},
	{StepRefresh, param("refresh_token"), "a refresh token the server did not issue", "refresh tokens checked",
		"RFC 6749 §6, §5.2 (invalid_grant)", true, "Refuse unknown refresh tokens with invalid_grant."},
	{StepRefresh, clientCredentials, "other client credentials than the client's", "client authentication",
		"RFC 6749 §6, §2.3.1 (invalid_client)", true, "Authenticate the client at refresh and refuse a wrong secret with invalid_client."},
}

func clientCredentials(e Edit, _ flowState) bool {
	return e.Where == "param" && (e.Name == "client_secret" || e.Name == "client_id") ||
		e.Where == "header" && http.CanonicalHeaderKey(e.Name) == "Authorization"
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
	reg, err2 := url.Parse(st.redirectURI)
	if err1 != nil || err2 != nil || reg.Host == "" {
		return false
	}
	// Only a loopback port may differ (RFC 8252 §7.3).
	same := sent.Scheme == reg.Scheme && sent.Path == reg.Path && sent.RawQuery == reg.RawQuery && sent.Hostname() == reg.Hostname()
	return !same || sent.Port() != reg.Port() && !coder.IsLoopbackHost(sent.Hostname())
}

// matchEditRule is the first rule that one of the step's edits falls under.
func matchEditRule(id StepID, edits []Edit, st flowState) (editRule, bool) {
	for _, r := range editRules {
		if r.step != id {
			continue
		}
		for _, e := range edits {
			if r.match(e, st) {
				return r, true
			}
		}
	}
	return editRule{}, false
}

// serverRefusal is the server's answer when err is the server saying no
// (an OAuth2 error, an error at the redirect URI, a 4xx), not a transport
// or client-side failure.
func serverRefusal(err error) (string, bool) {
	var oe *client.OAuth2Error
	var ce *CallbackError
	var ae *client.APIError
	var ue *client.UnexpectedResponseError
	switch {
	case errors.As(err, &oe):
		return safe.Line(oe.Code + " (HTTP " + strconv.Itoa(oe.StatusCode) + ")"), true
	case errors.As(err, &ce) && errors.Is(ce.Err, ErrAuthorization):
		return safe.Line(ce.Code + " at the redirect URI"), true
	case errors.As(err, &ae) && ae.StatusCode >= 400 && ae.StatusCode < 500:
		return "HTTP " + strconv.Itoa(ae.StatusCode), true
	case errors.As(err, &ue) && ue.StatusCode >= 400 && ue.StatusCode < 500:
		return "HTTP " + strconv.Itoa(ue.StatusCode), true
	}
	return "", false
}

// judgeEdits turns a run of a negatively edited request into its verdict:
// refused as it should, or accepted when it should not have been. Other
// runs are left as they are.
// judged is true when the verdict and explanation are the edit's.
func judgeEdits(res *StepResult, err error, edits []Edit, st flowState) (_ error, judged bool) {
	r, ok := matchEditRule(res.Step, edits, st)
	if !ok {
		return err, false
	}
	if err == nil {
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
	answer, refused := serverRefusal(err)
	if !refused {
		return err, false
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

// judgeDeadTokens: a use or refresh of tokens this flow proved dead is
// refused as it should, and said so ("revoked by you at …"), not
// explained as an unknown or expired token.
func judgeDeadTokens(res *StepResult, err error, before flowState, now time.Time) error {
	if err == nil || !before.tokensDead || res.Step != StepUse && res.Step != StepRefresh {
		return err
	}
	answer, refused := serverRefusal(err)
	if !refused {
		var be *BearerRefusedError
		if !errors.As(err, &be) {
			return err
		}
		answer = safe.Line(be.Error())
	}
	when := ClockTime(before.deadAt, now)
	res.Status, res.Refusal = StatusRefused, err
	res.Verdict = "refused as it should: " + before.deadBy + " at " + when + "; start a new flow (or authorize again) for live tokens"
	res.Fields = append(res.Fields, Field{Label: "Server's answer", Value: answer})
	res.Explain = &Explanation{Code: "revoked",
		Cause: "These tokens were " + before.deadBy + " at " + when + ", so the server refuses them, as it must.",
		Fix:   "Nothing is wrong: start a new flow, or run authorize again, for live tokens.",
		Basis: "RFC 7009 §2.2"}
	return nil
}
