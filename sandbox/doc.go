// Package sandbox is an embedded, in-memory OAuth2 provider that answers
// like a Coder deployment: the same paths, JSON shapes, statuses, headers
// and error texts. CompatV230 reproduces Coder v2.30.0 as observed live
// (coder-v2.30-observed.md); CompatMain follows the newer, stricter
// upstream behaviour (the [main] parts of coder-oauth2-api.md).
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
//
// Not reproduced: session expiry sliding, rate limits (headers only),
// the device flow, and the dashboard beyond a small /login page.
package sandbox
