// Package flows is oauthdeck's UI-agnostic OAuth2 engine: a flow is a list of
// named steps that can be previewed (the exact request, editable), run one at a
// time or all at once, and that report what happened. The headless
// `oauthdeck flow` command and the TUI's Flow screen drive the same *Flow.
//
// Building blocks reused elsewhere (conformance suite, metadata command):
//
//	AuthorizationURL        build an authorization request URL from parameters
//	AutoConsent             complete consent with an admin session (POST, no redirect follow)
//	ConsentRedirect         AutoConsent's POST alone: the unvalidated redirect target
//	ParseRedirectURL        validate a pasted or received callback URL
//	Listen                  the 127.0.0.1 loopback callback listener
//	TokenClient             code exchange / refresh (golang.org/x/oauth2) and RFC 7009 revoke
//	CheckASMetadata, CheckPRMetadata   metadata findings
//	InspectToken, Mask      token format recognition and masking
//	Explain                 cause and fix for an error, keyed to Coder's error texts
//	SaveTokens, LoadTokens  keep a flow's tokens in a keyring.Store
//
// Everything takes a context.Context; nothing here imports Bubble Tea.
//
// # Adding a flow step
//
// The table in steps.go is the only list of steps; the engine (order,
// prerequisites, restarts, edits), the TUI's Flow screen and the headless
// `oauthdeck flow` command all read it. To add a step:
//
//  1. Add its StepID constant in api.go.
//  2. Write step_<id>.go with two methods on *Flow: the run function, which
//     fills the *StepResult (Fields, Findings, Verdict, Request) and returns an
//     error for a failure (errSkip when there was nothing to do), and, if the
//     step sends a request of its own, the request function that builds it
//     from flowState (needFirst reports a missing earlier step).
//  3. Add one row to steps() in steps.go: id, title, purpose, what it needs,
//     whether its request is editable, whether running it again restarts the
//     later steps, and when a headless run takes it (Optional).
//
// Strings a step puts in Fields, Findings and Verdict come from servers:
// pass them through safe.Line; secrets go in Field.reveal with a
// masked Value.
package flows
