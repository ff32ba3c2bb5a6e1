package flows

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/keyring"
)

// StepID names a step of the authorization-code flow.
type StepID string

// The steps of the authorization-code flow, in order.
const (
	StepDiscover  StepID = "discover"
	StepClient    StepID = "client"
	StepPrepare   StepID = "prepare"
	StepAuthorize StepID = "authorize"
	StepExchange  StepID = "exchange"
	StepInspect   StepID = "inspect"
	StepUse       StepID = "use"
	StepRefresh   StepID = "refresh"
	StepRevoke    StepID = "revoke"
	StepCleanup   StepID = "cleanup"
)

// Status is where a step stands.
type Status string

const (
	StatusPending Status = "pending"
	StatusRunning Status = "running"
	StatusPassed  Status = "passed"
	StatusWarned  Status = "warned" // ran, but something deserves attention
	StatusFailed  Status = "failed"
	StatusSkipped Status = "skipped"
	// StatusRefused: a deliberately wrong request (an edit a correct server
	// must refuse) was refused, as it should be. Not a failure, but the
	// steps after it cannot run on it.
	StatusRefused Status = "refused"
)

// ClientMode says where the flow's OAuth2 client comes from.
type ClientMode string

const (
	ClientExisting ClientMode = "existing" // Config.ClientID + ClientSecret
	ClientCreate   ClientMode = "create"   // new app + secret via the apps API (admin session)
	ClientRegister ClientMode = "register" // RFC 7591 dynamic registration
)

// ConsentMode says how the authorize step obtains the code.
type ConsentMode string

const (
	// ConsentAuto POSTs the authorization request with the admin session
	// header (no browser; for automation) and follows the redirect to the
	// loopback listener, which validates it like a browser's callback.
	ConsentAuto ConsentMode = "auto"
	// ConsentBrowser opens the system browser (and shows the URL) and waits on
	// the loopback listener; a pasted redirect URL (Flow.PasteRedirect) is
	// accepted instead for SSH sessions.
	ConsentBrowser ConsentMode = "browser"
	// ConsentCommand runs Config.ConsentCommand with the authorization URL
	// in OAUTHDECK_AUTH_URL and waits on the loopback listener.
	ConsentCommand ConsentMode = "command"
	// ConsentPaste opens nothing: the URL is shown for a browser on any
	// machine (an SSH session), and the redirect URL it lands on is pasted
	// (Flow.PasteRedirect); a browser on this machine still reaches the
	// loopback listener.
	ConsentPaste ConsentMode = "paste"
)

// AuthMethod is a token-endpoint client authentication method (RFC 8414 names).
type AuthMethod string

const (
	AuthAuto  AuthMethod = ""                    // choose from the metadata
	AuthPost  AuthMethod = "client_secret_post"  // v2.30 supports only this
	AuthBasic AuthMethod = "client_secret_basic" // newer Coder
	AuthNone  AuthMethod = "none"                // public client
)

// DefaultCallbackURL is the loopback redirect URI Coder's own scripts use.
const DefaultCallbackURL = "http://127.0.0.1:9876/callback"

// DefaultListenTimeout bounds how long the listener waits for the browser.
const DefaultListenTimeout = 5 * time.Minute

// Config configures a Flow. Client is required; everything else has a default.
type Config struct {
	// Client talks to the deployment. It must carry the admin session token
	// for ClientCreate, ConsentAuto, cleanup, and the "use" step's identity
	// comparison.
	Client *client.Client
	// Recorder is the recorder given to Client's Options (if any); each
	// step's StepResult.Exchanges are taken from it.
	Recorder *client.Recorder
	// Target is where discovery starts: the deployment URL (default:
	// Client.BaseURL()) or a protected resource such as an MCP endpoint, which
	// is probed for a WWW-Authenticate resource_metadata hint.
	Target string

	ClientMode   ClientMode // default ClientCreate
	ClientID     string     // ClientExisting
	ClientSecret string     // ClientExisting (from the keyring or typed; never a flag)
	AuthMethod   AuthMethod // default: from the metadata
	AppName      string     // ClientCreate/ClientRegister; default "oauthdeck-<random>"

	// CallbackURL is the redirect URI: http://127.0.0.1:<port>/<path>. Port 0
	// means ephemeral: a created or registered client gets a free port
	// registered; an existing client needs a server that accepts any loopback
	// port (newer Coder, RFC 8252 §7.3). For ClientExisting without
	// CallbackURL, the app's own callback URL is used.
	CallbackURL string // default DefaultCallbackURL
	// Resource is the RFC 8707 resource; default: the one the protected
	// resource's metadata names (Coder's access URL, which its API needs),
	// and none when no such metadata exists (a plain authorization server).
	Resource   string
	NoResource bool   // send no resource at all
	Scope      string // optional
	// UseURL is a resource server (an MCP endpoint, an API) the use step
	// calls with the access token, and the proofs after refresh and revoke
	// use. Default: Coder's /api/v2/users/me on Coder; elsewhere the
	// userinfo or introspection endpoint when advertised; else none.
	UseURL string

	Consent     ConsentMode        // default ConsentAuto when Client has a session, else ConsentBrowser
	OpenBrowser func(string) error // default github.com/cli/browser.OpenURL
	// ConsentCommand is the shell command of ConsentCommand mode.
	ConsentCommand string
	ListenTimeout  time.Duration // default DefaultListenTimeout

	// Cleanup deletes what the flow created (app, secret, DCR client) in the
	// cleanup step. Close always removes created apps when Cleanup is set.
	Cleanup bool

	// Store, when set, receives the tokens after exchange and refresh
	// (SaveTokens), and loses them after revoke.
	Store keyring.Store

	// Context, when set, is the flow's lifetime: once it is done the flow
	// closes itself as Close does (listener closed, and the created client
	// deleted when Cleanup is set). Each step's own ctx still bounds that step.
	Context context.Context

	// OnEvent is called for step progress and listener changes. It runs on
	// the goroutine running the step, and for listener changes also on the
	// listener's request handlers, so it must be safe for concurrent use. It
	// must not block, nor call Close (Close waits for the running step).
	OnEvent func(Event)
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Request is the exact request a step will send, before it is sent. Params
// holds the query (authorize) or the form (token endpoints); edit it to drop
// PKCE, change resource or redirect_uri, add parameters. Secret values are
// real here: display it through Redacted.
type Request struct {
	Method string
	URL    string // without the query
	Header http.Header
	Params url.Values
	// InQuery is true when Params travel in the URL query (authorize), false
	// for a form body.
	InQuery bool
	// Note says what the step will do with it, e.g. "POST with the admin
	// session; the redirect is not followed".
	Note string
}

// Severity grades a Finding.
type Severity string

const (
	SeverityPass Severity = "pass"
	SeverityInfo Severity = "info"
	SeverityWarn Severity = "warn"
	SeverityFail Severity = "fail"
)

// Finding is one check's outcome, with the rule it comes from.
type Finding struct {
	ID       string // stable, e.g. "as.issuer"
	Severity Severity
	Message  string // sanitised
	Basis    string // e.g. "RFC 8414 §3.3"
}

// Field is one labelled value of a step's decoded result, for display.
type Field struct {
	Label  string
	Value  string // sanitised; secrets masked unless Secret && revealed by the caller
	Secret bool   // Value is masked; Reveal gives the clear value
	reveal string
}

// Reveal returns the unmasked value of a secret field (the same as Value otherwise).
func (f Field) Reveal() string {
	if f.Secret {
		return f.reveal
	}
	return f.Value
}

// StepResult is what a step did.
type StepResult struct {
	Step      StepID
	Status    Status
	Verdict   string            // one line
	Request   *Request          // what was sent, redacted (Flow.Request has the clear one)
	Exchanges []client.Exchange // recorded HTTP traffic of this step, redacted
	Fields    []Field           // decoded result
	Findings  []Finding
	Err       error
	Refusal   error        // StatusRefused: the server's answer to the deliberately wrong request
	Explain   *Explanation // set when Err is an OAuth2/Coder error we know, or an edited request was judged
	Started   time.Time
	Finished  time.Time
}

// EventKind classifies an Event.
type EventKind string

const (
	EventStepStarted  EventKind = "step-started"
	EventStepFinished EventKind = "step-finished"
	EventListener     EventKind = "listener"
	EventAuthURL      EventKind = "auth-url" // the authorization URL to show/open
	EventLog          EventKind = "log"
)

// Event is a progress notification. It carries no secrets.
type Event struct {
	Kind     EventKind
	Step     StepID
	Result   *StepResult     // EventStepFinished
	Listener *ListenerStatus // EventListener
	Message  string
}

// ListenerStatus is the live state of the loopback listener, for the TUI's countdown.
type ListenerStatus struct {
	Addr        string // bound address, e.g. 127.0.0.1:9876
	Path        string // callback path
	RedirectURI string
	Deadline    time.Time
	Listening   bool
	Received    bool // a callback arrived on the callback path, or was pasted
	StateOK     bool // its state matched
	IssChecked  bool // iss was required and matched
	Closed      bool
	Rejected    []Rejection // requests refused without ending the wait (the first 20)
	Err         string      // outcome, when it failed
}

// Rejection is a request the listener refused (wrong path, method or Host).
type Rejection struct {
	At     time.Time
	Reason error // a *CallbackError wrapping ErrWrongPath, ErrWrongMethod or ErrWrongHost
}

// Callback is a validated authorization response.
type Callback struct {
	Code  string
	State string
	Iss   string
	URL   string // the redirect URL, code redacted
}

// Tokens is a token response, decoded.
type Tokens struct {
	AccessToken  string
	TokenType    string
	RefreshToken string
	Scope        string
	IDToken      string
	ExpiresIn    int64
	Expiry       time.Time // absolute; zero when the server sent none
	Received     time.Time
}

// Explanation says what an error means and how to fix it.
type Explanation struct {
	Code  string // OAuth2 error code or a short name ("session", "provider-disabled")
	Cause string
	Fix   string
	Basis string // spec section or Coder behaviour it relies on
}

// Snapshot is a copy of a flow's state, safe to read from another goroutine.
type Snapshot struct {
	Steps            []StepResult // in Steps() order
	Current          StepID       // the next step Next would run; "" when done
	Issuer           string
	AuthURL          string // the authorization URL of the current attempt
	ClientID         string
	RedirectURI      string
	Resource         string
	Listener         *ListenerStatus
	Tokens           *Tokens // nil before the exchange
	TokensDead       bool    // Tokens were revoked and proven dead
	Metadata         *client.ASMetadata
	ResourceMetadata *client.PRMetadata
}

// --- errors ---

// Sentinels for callback outcomes; test with errors.Is. Every listener and
// ParseRedirectURL failure is a *CallbackError wrapping one of them.
var (
	ErrStateMissing   = errors.New("callback has no state")
	ErrStateMismatch  = errors.New("callback state does not match the request's state")
	ErrIssMissing     = errors.New("callback has no iss although the server advertises RFC 9207")
	ErrIssMismatch    = errors.New("callback iss does not match the issuer")
	ErrCodeMissing    = errors.New("callback has neither code nor error")
	ErrAuthorization  = errors.New("authorization server returned an error to the callback")
	ErrListenTimeout  = errors.New("no callback arrived before the deadline")
	ErrPortInUse      = errors.New("callback port is already in use")
	ErrWrongPath      = errors.New("request for a path other than the callback path")
	ErrWrongMethod    = errors.New("callback must be a GET")
	ErrWrongHost      = errors.New("request Host is not the bound loopback address")
	ErrMalformedURL   = errors.New("redirect URL is malformed")
	ErrNotLoopback    = errors.New("redirect URI must be http://127.0.0.1 (or localhost) with a port")
	ErrListenerClosed = errors.New("listener closed before a callback arrived")
	ErrNotLoggedIn    = errors.New("authorization endpoint redirected to /login: the session is missing or expired")
	ErrStepOrder      = errors.New("an earlier step has not run")
	ErrNotProven      = errors.New("an old token still works")
	ErrTokenRejected  = errors.New("the resource server refused the access token")
)

// CallbackError is a failed or refused authorization response. Code and
// Description are the server's error and error_description (sanitised) for
// ErrAuthorization; Detail is extra context. It never contains the code.
type CallbackError struct {
	Err         error // one of the sentinels above
	Code        string
	Description string
	Detail      string
}

func (e *CallbackError) Error() string {
	s := e.Err.Error()
	if e.Code != "" {
		s += ": " + e.Code
		if e.Description != "" {
			s += " (" + e.Description + ")"
		}
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return safe.Line(s)
}

func (e *CallbackError) Unwrap() error { return e.Err }
