// Package sandbox is an embedded, in-memory OAuth2 provider that answers
// like a Coder deployment: the same paths, JSON shapes, statuses, headers
// and error texts, in one of three profiles (profiles.go):
//   - CompatV230 reproduces Coder v2.30.0 as observed live
//     (coder-v2.30-observed.md);
//   - CompatV236 reproduces Coder v2.36.0, the 2.3x experiment line, as
//     observed live (coder-v2.36-observed.md; v2.37 is an alias until one is
//     measured). Its scopes_supported is v2.30's catalog of 48: the real
//     v2.36.0 publishes 55 and their names were not recorded;
//   - CompatMain (the default) follows the newer, stricter 2.38+ upstream
//     behaviour (the [main] parts of coder-oauth2-api.md), not a measured
//     release.
//
// It serves real HTTP on a loopback listener so clients, flows and a real
// browser can be tested against it. State lives in one mutex-guarded store
// that keeps only SHA-256 digests of tokens, codes and secrets.
//
// Where the references leave main's wire details open, the sandbox chooses:
//   - DCR off: POST /oauth2/register → 403 {"error":"access_denied",...}
//     (application/json, no charset). Owners toggle it with
//     PUT /api/v2/oauth2-provider/settings or Server.SetDCR.
//   - A confidential client with no secret at /oauth2/tokens → 401
//     invalid_client + WWW-Authenticate: Basic realm="coder" (v2.30 keeps
//     its 400 "Missing required parameter: client_secret").
//   - A consent POST whose csrf_token does not match the csrf_token cookie
//     (cookie sessions only) → 400 HTML page, no redirect.
//   - Members writing apps or touching secrets → 403 {"message":"Forbidden."}.
//   - Error descriptions that only main sends (redirected authorize errors,
//     redirect_uri mismatch) are the sandbox's own wording.
//   - Main enforces an OAuth2 token's scope on the API: /users/me needs
//     coder:all or user:read_personal, the apps API coder:all; otherwise
//     403 with WWW-Authenticate error="insufficient_scope" and scope="…".
//   - Main's MCP endpoint has four tools after Coder's names (mcp_tools.go),
//     three annotated readOnlyHint, each needing scopes: initialize and
//     tools/list take any valid token; a tools/call whose OAuth2 token lacks
//     any of the tool's scopes → 403 with one Bearer challenge naming all of
//     them (error="insufficient_scope", scope, resource_metadata). v2.30 and
//     v2.36 keep an empty tools/list and no tools/call.
//   - Options.AccessTokenLifetime (oauthdeck sandbox --token-lifetime)
//     shortens OAuth2 access tokens only, so a client can watch one expire.
//
// Not reproduced: session expiry sliding, rate limits (headers only),
// the device flow, and the dashboard beyond a small /login page.
//
// # An oracle shares no code with what it tests
//
// The sandbox keeps its own copies of Coder's rules (app names, redirect-URI
// matching, loopback checks, token shapes, escaping) and imports nothing of
// oauthdeck's client, flows or client/safe: a rule shared with the code
// under test would pass its own mistakes. Only sandbox/testenv (test
// prerequisites, no oauthdeck imports) lives under it.
//
// # Adding a behaviour
//
//  1. Name it: a field of behaviours in profiles.go, with a one-line comment
//     saying what it does and since which version, and its value for each
//     profile in profileBehaviours.
//  2. Handle it in the file of its endpoint (authorize.go, tokens.go,
//     api_apps.go, …; a new endpoint gets its own file and a line in
//     routes.go) by reading s.b.<field>, never the profile's name, and keep
//     each profile's wire format exact: status, headers, JSON shape, text.
//  3. Cite what it reproduces next to the code (the observed pair or the
//     upstream reference) and, if it is a choice the references leave open,
//     add it to the list above.
//  4. A test beside it (v230_*_test.go, v236_test.go, main_*_test.go) that
//     checks the exact answer through real HTTP in every profile it changes.
package sandbox
