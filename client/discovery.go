package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"oauthdeck/client/safe"
)

const (
	wellKnownAS   = "/.well-known/oauth-authorization-server"
	wellKnownOIDC = "/.well-known/openid-configuration"
	wellKnownPRM  = "/.well-known/oauth-protected-resource"
)

// AuthorizationServerMetadata finds the RFC 8414 document for issuer (the
// deployment URL when empty), trying in the MCP 2025-11-25 order:
// path-inserted oauth-authorization-server, path-inserted openid-configuration,
// then issuer + /.well-known/openid-configuration (for issuers with a path);
// for a root issuer the first two. A 200 that is not a JSON object (Coder's
// SPA fallback page) does not count. On failure the returned Discovered
// still lists every attempt in Tried.
func (c *Client) AuthorizationServerMetadata(ctx context.Context, issuer string) (Discovered[ASMetadata], error) {
	u, err := c.absolute(issuer)
	if err != nil {
		return Discovered[ASMetadata]{}, wrapOp("find authorization server metadata", err)
	}
	origin, path := splitOrigin(u)
	urls := []string{origin + wellKnownAS + path, origin + wellKnownOIDC + path}
	if path != "" {
		urls = append(urls, origin+path+wellKnownOIDC)
	}
	return discover[ASMetadata](ctx, c, "find authorization server metadata", urls)
}

// ProtectedResourceMetadata fetches an RFC 9728 document. metadataURL may be
// the resource_metadata hint; when empty, the well-known URL for resource
// (path-inserted first, then root) is used. resource defaults to the deployment.
func (c *Client) ProtectedResourceMetadata(ctx context.Context, resource, metadataURL string) (Discovered[PRMetadata], error) {
	if metadataURL != "" {
		return discover[PRMetadata](ctx, c, "fetch protected resource metadata", []string{metadataURL})
	}
	u, err := c.absolute(resource)
	if err != nil {
		return Discovered[PRMetadata]{}, wrapOp("find protected resource metadata", err)
	}
	origin, path := splitOrigin(u)
	urls := []string{origin + wellKnownPRM + path}
	if path != "" {
		urls = append(urls, origin+wellKnownPRM)
	}
	return discover[PRMetadata](ctx, c, "find protected resource metadata", urls)
}

// absolute resolves ref (the deployment when empty) to an absolute URL.
func (c *Client) absolute(ref string) (*url.URL, error) {
	if ref == "" {
		return c.base, nil
	}
	return c.resolve(ref)
}

// splitOrigin returns scheme://host and the path without a trailing slash.
func splitOrigin(u *url.URL) (origin, path string) {
	return u.Scheme + "://" + u.Host, strings.TrimRight(u.EscapedPath(), "/")
}

// discover tries urls in order and returns the first JSON object that
// decodes as T, recording every attempt.
func discover[T any](ctx context.Context, c *Client, op string, urls []string) (Discovered[T], error) {
	var out Discovered[T]
	var failures []error
	for _, raw := range urls {
		attempt := DiscoveryAttempt{URL: raw}
		doc, resp, err := fetchDocument[T](ctx, c, raw)
		if resp != nil {
			attempt.StatusCode = resp.StatusCode
		}
		if err == nil {
			out.Tried = append(out.Tried, attempt)
			out.Doc, out.URL, out.Raw = doc, raw, resp.Body
			out.RateLimit, _ = strconv.Atoi(resp.Header.Get("X-Ratelimit-Limit"))
			return out, nil
		}
		attempt.Err = err.Error()
		out.Tried = append(out.Tried, attempt)
		failures = append(failures, err)
		var timedOut *TimeoutError
		if ctx.Err() != nil {
			break // the caller gave up; later URLs would fail the same way
		}
		if errors.As(err, &timedOut) {
			// The host did not answer in time: the other locations are on
			// the same host and would wait as long. Say which were skipped.
			for _, skipped := range urls[len(out.Tried):] {
				out.Tried = append(out.Tried, DiscoveryAttempt{URL: skipped, Err: "not tried: the host did not answer the previous location in time"})
			}
			break
		}
	}
	return out, wrapOp(fmt.Sprintf("%s (tried %d URLs)", op, len(failures)), mostTelling(failures))
}

func fetchDocument[T any](ctx context.Context, c *Client, raw string) (T, *Response, error) {
	var doc T
	u, err := c.resolve(raw)
	if err != nil {
		return doc, nil, err
	}
	resp, err := c.send(ctx, http.MethodGet, u, http.Header{"Accept": {"application/json"}}, nil)
	if err != nil {
		return doc, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return doc, resp, resp.decodeError(http.StatusOK, false)
	}
	if !strings.HasPrefix(strings.TrimSpace(string(resp.Body)), "{") || !json.Valid(resp.Body) {
		reason := "200 but not a JSON object"
		if ct := resp.Header.Get("Content-Type"); ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
			reason += " (" + mediaType(ct) + ")"
		}
		return doc, resp, resp.unexpected(reason)
	}
	if err := resp.decodeJSON(&doc); err != nil {
		return doc, resp, err
	}
	return doc, resp, nil
}

// mostTelling picks the failure that best explains why discovery failed: a
// disabled provider first, then anything but a plain miss (404 or a non-JSON
// page), then the first failure.
func mostTelling(failures []error) error {
	if len(failures) == 0 {
		return errors.New("no URL to try")
	}
	for _, err := range failures {
		var pd *ProviderDisabledError
		if errors.As(err, &pd) {
			return err
		}
	}
	for _, err := range failures {
		if !IsDocumentMissing(err) {
			return err
		}
	}
	return failures[0]
}

// IsDocumentMissing reports a discovery failure that only says "no such
// document here": a 404, or a 200 page that is not JSON (an SPA fallback).
func IsDocumentMissing(err error) bool {
	var ue *UnexpectedResponseError
	var api *APIError
	return errors.As(err, &ue) && (ue.StatusCode == http.StatusNotFound || ue.StatusCode == http.StatusOK) ||
		errors.As(err, &api) && api.StatusCode == http.StatusNotFound
}

// mcpInitialize is the body of an MCP initialize request, used to probe an
// MCP endpoint the way a real client would first call it.
var mcpInitialize = map[string]any{
	"jsonrpc": "2.0",
	"id":      1,
	"method":  "initialize",
	"params": map[string]any{
		"protocolVersion": "2025-11-25",
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]any{"name": "oauthdeck", "version": Version},
	},
}

// ProbeResource calls resourceURL without credentials (GET, or POST with an
// MCP initialize body when method is POST) and reports the WWW-Authenticate
// hint. Any status is a result; errors are transport failures only. The
// hint's strings come from the server: sanitise them before display.
func (c *Client) ProbeResource(ctx context.Context, method, resourceURL string) (ResourceHint, error) {
	op := "probe resource " + safe.Redact(resourceURL)
	u, err := c.resolve(resourceURL)
	if err != nil {
		return ResourceHint{}, wrapOp(op, err)
	}
	method = strings.ToUpper(method)
	header := http.Header{"Accept": {"application/json, text/event-stream"}}
	var body []byte
	switch method {
	case "", http.MethodGet:
		method = http.MethodGet
	case http.MethodPost:
		body, _ = json.Marshal(mcpInitialize)
		header.Set("Content-Type", "application/json")
	default:
		return ResourceHint{}, fmt.Errorf("%s: method must be GET or POST, not %q", safe.Line(op), safe.Line(method))
	}
	resp, err := c.send(ctx, method, u, header, body)
	if err != nil {
		return ResourceHint{}, wrapOp(op, err)
	}
	raw := strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")
	hint := ResourceHint{StatusCode: resp.StatusCode, WWWAuthenticate: raw, Challenges: ParseWWWAuthenticate(raw)}
	// Prefer the Bearer challenge; fall back to any challenge that has the parameter.
	for _, bearerOnly := range []bool{true, false} {
		for _, ch := range hint.Challenges {
			if bearerOnly && !strings.EqualFold(ch.Scheme, "Bearer") {
				continue
			}
			if hint.ResourceMetadata == "" {
				hint.ResourceMetadata = ch.Params["resource_metadata"]
			}
			if hint.Scope == "" {
				hint.Scope = ch.Params["scope"]
			}
		}
	}
	return hint, nil
}
