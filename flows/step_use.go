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

// use calls GET /api/v2/users/me with the access token and shows the audience check.
func (f *Flow) use(ctx context.Context, res *StepResult) error {
	st := f.state()
	c := f.cfg.Client
	req, err := f.Request(StepUse)
	if err != nil {
		return err
	}
	res.Request = ptr(req.Redacted())
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
	if errors.As(err, &se) {
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

// useRequest calls the deployment API with the access token.
func (f *Flow) useRequest(st flowState) (Request, error) {
	if err := needFirst(st.tokens != nil, StepUse, StepExchange); err != nil {
		return Request{}, err
	}
	return Request{Method: http.MethodGet, URL: f.cfg.Client.BaseURL() + "/api/v2/users/me",
		Header: headerWith("Authorization", "Bearer "+st.tokens.AccessToken)}, nil
}
