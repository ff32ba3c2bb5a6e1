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

// discover finds the protected-resource and authorization-server metadata
// (RFC 9728 → RFC 8414, OIDC fallback inside the client) and checks them.
func (f *Flow) discover(ctx context.Context, res *StepResult) error {
	c := f.cfg.Client
	base := c.BaseURL()
	target := strings.TrimSuffix(f.cfg.Target, "/")
	issuer, resource := base, base
	var pr *client.PRMetadata

	if target != base {
		// A protected resource (e.g. an MCP endpoint): its 401 names the metadata.
		// MCP endpoints answer POST (initialize); plain resources GET.
		hint, err := c.ProbeResource(ctx, http.MethodPost, target)
		if err != nil {
			return fmt.Errorf("probing %s: %w", target, err)
		}
		if hint.StatusCode != http.StatusUnauthorized {
			if h, err := c.ProbeResource(ctx, http.MethodGet, target); err == nil && h.StatusCode == http.StatusUnauthorized {
				hint = h
			}
		}
		res.Fields = append(res.Fields, Field{Label: "Probe", Value: fmt.Sprintf("%d, WWW-Authenticate: %s", hint.StatusCode, safe.Line(hint.WWWAuthenticate))})
		if hint.ResourceMetadata == "" {
			res.Findings = append(res.Findings, Finding{ID: "pr.hint", Severity: SeverityWarn,
				Message: "no resource_metadata in WWW-Authenticate; trying the well-known URL", Basis: "MCP 2025-06-18; RFC 9728 §5.1"})
		}
		d, err := c.ProtectedResourceMetadata(ctx, target, hint.ResourceMetadata)
		if err != nil {
			return fmt.Errorf("protected resource metadata: %w", err)
		}
		pr = &d.Doc
		res.Fields = append(res.Fields, Field{Label: "Resource metadata", Value: safe.Line(d.URL)})
		res.Findings = append(res.Findings, CheckPRMetadata(d.Doc, target, nil)...)
		if len(d.Doc.AuthorizationServers) > 0 {
			issuer = strings.TrimSuffix(d.Doc.AuthorizationServers[0], "/")
		}
		if d.Doc.Resource != "" {
			resource = d.Doc.Resource
		}
	} else if d, err := c.ProtectedResourceMetadata(ctx, base, ""); err == nil {
		pr = &d.Doc
		res.Fields = append(res.Fields, Field{Label: "Resource metadata", Value: safe.Line(d.URL)})
		res.Findings = append(res.Findings, CheckPRMetadata(d.Doc, base, nil)...)
	} else {
		// Nothing advertises a resource here (a plain authorization server;
		// Coder always publishes its document), so none is sent by default:
		// RFC 8707 lets a server refuse a resource it does not know.
		resource = ""
		res.Findings = append(res.Findings, Finding{ID: "pr.fetch", Severity: SeverityInfo,
			Message: "no protected-resource metadata, so no resource parameter is sent unless you set one: " + safe.Line(err.Error()),
			Basis:   "RFC 9728 §3; RFC 8707 §2"})
	}

	d, err := c.AuthorizationServerMetadata(ctx, issuer)
	if err != nil {
		return fmt.Errorf("authorization server metadata for %s: %w", issuer, err)
	}
	as := d.Doc
	res.Fields = append(res.Fields, Field{Label: "AS metadata", Value: safe.Line(d.URL)},
		Field{Label: "Issuer", Value: safe.Line(as.Issuer)},
		Field{Label: "Authorization endpoint", Value: safe.Line(as.AuthorizationEndpoint)},
		Field{Label: "Token endpoint", Value: safe.Line(as.TokenEndpoint)},
		Field{Label: "Revocation endpoint", Value: safe.Line(as.RevocationEndpoint)},
		Field{Label: "Auth methods", Value: safe.Line(strings.Join(as.TokenEndpointAuthMethodsSupported, ", "))})
	res.Findings = append(res.Findings, CheckASMetadata(as, issuer)...)
	if pr != nil {
		for _, fd := range CheckPRMetadata(*pr, "", &as) {
			if fd.ID == "pr.as-match" || fd.ID == "pr.scopes" {
				res.Findings = append(res.Findings, fd)
			}
		}
	}
	if as.AuthorizationEndpoint == "" || as.TokenEndpoint == "" {
		return errors.New("the metadata lacks an authorization or token endpoint; the flow cannot continue")
	}
	// Coder's own API (users/me, apps, consent) exists only on Coder.
	coder := false
	if bi, err := c.BuildInfo(ctx); err == nil && bi.Version != "" {
		coder = true
		res.Fields = append(res.Fields, Field{Label: "Server", Value: "Coder " + safe.Line(bi.Version)})
	} else {
		res.Fields = append(res.Fields, Field{Label: "Server", Value: "not Coder (no /api/v2/buildinfo): a plain authorization server"})
	}
	f.update(func(st *flowState) {
		st.issuer, st.as, st.pr, st.resource, st.coder = as.Issuer, &as, pr, resource, coder
	})
	res.Verdict = fmt.Sprintf("issuer %s; %d findings, worst %s", safe.Line(as.Issuer), len(res.Findings), worst(res.Findings))
	return nil
}

// discoverRequest is the first request discovery sends.
func (f *Flow) discoverRequest(flowState) (Request, error) {
	return Request{Method: http.MethodGet, URL: strings.TrimSuffix(f.cfg.Target, "/") + "/.well-known/oauth-authorization-server",
		Note: "then RFC 9728 / OIDC fallbacks as needed"}, nil
}
