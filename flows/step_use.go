package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// use calls what useTarget chooses with the access token: on Coder its
// /api/v2/users/me with the audience check, elsewhere userinfo,
// introspection or the resource the user named; with none of them the step
// is skipped, not failed.
func (f *Flow) use(ctx context.Context, res *StepResult) error {
	st := f.state()
	t := f.useTarget(st)
	if t.kind == UseNothing {
		return errSkip{noTargetReason}
	}
	req, err := f.Request(StepUse)
	if err != nil {
		return err
	}
	res.Request = ptr(req.Redacted())
	if t.kind != UseCoder {
		return f.useElsewhere(ctx, st, t, res)
	}
	c := f.cfg.Client
	bound := !st.callsHere()
	u, err := c.MeWithBearer(ctx, st.tokens.AccessToken)
	if bound {
		var ae *client.APIError
		if errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden {
			res.Findings = append(res.Findings, Finding{ID: "use.audience", Severity: SeverityPass,
				Message: "the token is bound to " + safe.Line(st.sentResource) + " and Coder refused it (403 " + safe.Line(ae.Message) + ")", Basis: "RFC 8707; Coder audience check"})
			res.Verdict = "audience enforced: token for another resource refused"
			return nil
		}
		if err == nil {
			res.Findings = append(res.Findings, Finding{ID: "use.audience", Severity: SeverityWarn,
				Message: "a token bound to " + safe.Line(st.sentResource) + " was accepted by the deployment API", Basis: "RFC 8707"})
		}
	}
	var se *client.SessionError
	if errors.As(err, &se) || tokenRefused(err) {
		return fmt.Errorf("%w: %w", ErrTokenRejected, err)
	}
	if err != nil {
		return fmt.Errorf("using the access token: %w", err)
	}
	res.Fields = append(res.Fields, Field{Label: "User", Value: safe.Line(u.Username)},
		Field{Label: "Email", Value: safe.Line(u.Email)}, Field{Label: "User ID", Value: safe.Line(u.ID)},
		Field{Label: "Login type", Value: safe.Line(u.LoginType)}, Field{Label: "Roles", Value: roleNames(u.Roles)})
	if !bound {
		res.Findings = append(res.Findings, Finding{ID: "use.audience", Severity: SeverityPass,
			Message: "audience " + firstNonEmpty(safe.Line(st.sentResource), "(none)") + " accepted by the deployment API", Basis: "RFC 8707"})
	}
	if c.SessionToken() != "" {
		if me, err := c.Me(ctx); err == nil {
			same := me.ID == u.ID
			sev := SeverityPass
			if !same {
				sev = SeverityInfo
			}
			res.Findings = append(res.Findings, Finding{ID: "use.identity", Severity: sev,
				Message: "token acts as " + safe.Line(u.Username) + map[bool]string{true: ", the same user as the admin session", false: ", not the admin session's user"}[same], Basis: "consent was given by that user"})
		}
	}
	res.Verdict = "token works: " + safe.Line(u.Username)
	return nil
}

func roleNames(rs []client.Role) string {
	var names []string
	for _, r := range rs {
		names = append(names, safe.Line(r.Name))
	}
	return firstNonEmpty(strings.Join(names, ", "), "(none)")
}

func sameURL(a, b string) bool { return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/") }

// useElsewhere uses the token at a server that is not Coder.
func (f *Flow) useElsewhere(ctx context.Context, st flowState, t useTarget, res *StepResult) error {
	if !t.reaches(st) {
		return errSkip{"the token is bound to " + safe.Line(st.sentResource) + ", not to the issuer, so " + t.describe() + " would refuse it whatever its state (name its resource server with --use-url)"}
	}
	use, err := f.try(ctx, st, t, st.tokens.AccessToken)
	switch {
	case err != nil && tokenRefused(err):
		return fmt.Errorf("%w: %w", ErrTokenRejected, err)
	case err != nil:
		return fmt.Errorf("using the access token at %s: %w", t.describe(), err)
	}
	res.Fields = append(res.Fields, Field{Label: "Called", Value: t.describe()})
	res.Fields = append(res.Fields, use.fields...)
	if in := use.intro; in != nil && in.ClientID != "" && in.ClientID != st.clientID {
		res.Findings = append(res.Findings, Finding{ID: "use.client", Severity: SeverityWarn,
			Message: "introspection says the token belongs to client " + safe.Line(in.ClientID) + ", not " + safe.Line(st.clientID), Basis: "RFC 7662 §2.2"})
	}
	res.Verdict = "token works at " + t.describe()
	if t.kind == UseIntrospection {
		res.Verdict = "token is active (RFC 7662 introspection)"
	}
	if use.who != "" {
		res.Verdict += ": " + use.who
	}
	return nil
}

// useRequest is what the use step sends with the access token.
func (f *Flow) useRequest(st flowState) (Request, error) {
	if err := needFirst(st.tokens != nil, StepUse, StepExchange); err != nil {
		return Request{}, err
	}
	t := f.useTarget(st)
	if t.kind == UseNothing {
		return Request{Method: http.MethodGet, URL: "(nothing to call)", Note: noTargetReason}, nil
	}
	return t.request(f.tokenClient(st), st.tokens.AccessToken), nil
}
