package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	neturl "net/url"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"oauthdeck/client"
	"oauthdeck/client/coder"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
	"oauthdeck/keyring"
)

type flowOptions struct {
	clientID      string
	secretStdin   bool
	createApp     bool
	register      bool
	resource      string
	noResource    bool
	scope         string
	port          int
	target        string
	noBrowser     bool
	autoConsent   bool
	all           bool
	cleanup       bool
	reveal        bool
	listenTimeout time.Duration
	output        string
	authMethod    string
	useURL        string
	consentCmd    string
	save          string   // write the flow as run to this file
	clientProfile []string // run as these real clients do (flows/clients) instead
	replay        string   // run a saved flow again and compare
	replayed      *flows.SavedFlow
}

func (a *app) flowCommand() *cobra.Command {
	var o flowOptions
	cmd := &cobra.Command{
		Use:   "flow [URL] (--client-id ID | --create-app | --register)",
		Short: "Run the authorization-code flow with PKCE headless: progress on stderr, tokens on stdout",
		Long: `Run the guided authorization-code flow without the TUI: discover, client,
prepare (PKCE S256, state, resource), authorize (loopback listener on
127.0.0.1 and the system browser, or --auto-consent with the admin session),
exchange, inspect and use; --all adds refresh and revoke with proof that the
old tokens died. Progress goes to stderr; the token response to stdout, masked
unless --reveal. The tokens are kept in the keyring for 'oauthdeck token'.

With --no-browser the authorization URL is printed, and on a terminal you may
paste the redirect URL from the browser's address bar instead of waiting.`,
		Example: `  oauthdeck flow --create-app --auto-consent --all --cleanup
  oauthdeck flow --client-id 3382578a-... --client-secret-stdin < secret.txt
  oauthdeck flow --client-id 3382578a-... --no-browser --port 9876`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runFlow(cmd.Context(), firstArg(args), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.clientID, "client-id", "", "use this existing app (its ID is the client_id)")
	f.BoolVar(&o.secretStdin, "client-secret-stdin", false, "read the client secret from stdin (default: the one kept with 'apps secrets create --save')")
	f.BoolVar(&o.createApp, "create-app", false, "create a fresh app and secret for the flow (needs an admin session)")
	f.BoolVar(&o.register, "register", false, "register a client with RFC 7591 dynamic registration")
	f.StringVar(&o.resource, "resource", "", "RFC 8707 resource (default: what the protected-resource metadata names, the deployment URL on Coder; none when no metadata advertises one)")
	f.BoolVar(&o.noResource, "no-resource", false, "send no resource parameter")
	f.StringVar(&o.scope, "scope", "", "scope to request")
	f.IntVar(&o.port, "port", 0, "loopback callback port (default 9876, as Coder's scripts use)")
	f.StringVar(&o.target, "target", "", "start discovery at this protected resource (e.g. an MCP endpoint) instead of the deployment")
	f.BoolVar(&o.noBrowser, "no-browser", false, "do not open a browser; print the URL (and accept a pasted redirect URL)")
	f.BoolVar(&o.autoConsent, "auto-consent", false, "consent with the admin session instead of a browser (automation)")
	f.BoolVar(&o.all, "all", false, "also refresh and revoke, proving the old tokens stop working")
	f.BoolVar(&o.cleanup, "cleanup", false, "delete the app or client the flow created when it ends")
	f.BoolVar(&o.reveal, "reveal", false, "print tokens in clear")
	f.StringVar(&o.authMethod, "auth-method", "", "client authentication at the token endpoint: basic, post or none (default: client_secret_basic when the server lists it or lists nothing, RFC 8414 §2; else client_secret_post)")
	f.StringVar(&o.consentCmd, "consent-command", "", "run this shell command for consent instead of a browser: it gets the authorization URL in "+flows.ConsentCommandEnv+" and must bring a user agent to the callback (automation without a Coder session)")
	f.StringVar(&o.useURL, "use-url", "", "call this resource server with the access token in the use step and the proofs (default: Coder's /api/v2/users/me, else the userinfo or introspection endpoint the server advertises)")
	f.StringArrayVar(&o.clientProfile, "client-profile", nil, "run the flow as a real client does ("+clientProfileNames()+", or all): each registers itself, and the output says works or which step breaks")
	f.StringVar(&o.save, "save", "", "write the flow as run (steps, edits, outcomes; no secrets) to this file, for --replay")
	f.StringVar(&o.replay, "replay", "", "run a saved flow again (its client mode, edits and steps) and report each step whose outcome differs; exit 1 if one does")
	f.DurationVar(&o.listenTimeout, "listen-timeout", flows.DefaultListenTimeout, "how long to wait for the browser's callback")
	refuseSecretFlags(cmd, map[string]string{"client-secret": "pipe it with --client-secret-stdin, or keep it with 'apps secrets create --save'"})
	outputFlag(cmd, &o.output, "text", "json")
	return cmd
}

func (o flowOptions) validate() error {
	if o.replay != "" && o.save != "" {
		return usagef("--save and --replay exclude each other")
	}
	if o.replayed != nil && o.replayed.Setup.ClientMode == flows.ClientExisting && o.clientID == "" {
		return usagef("the saved flow used an existing app: pass --client-id for the app to replay it with")
	}
	modes := 0
	for _, on := range []bool{o.clientID != "", o.createApp, o.register} {
		if on {
			modes++
		}
	}
	switch {
	case modes == 0:
		return usagef("say which client to use: --client-id ID, --create-app or --register")
	case modes > 1:
		return usagef("--client-id, --create-app and --register exclude each other")
	case o.secretStdin && o.clientID == "":
		return usagef("--client-secret-stdin goes with --client-id")
	case o.noResource && o.resource != "":
		return usagef("--resource and --no-resource exclude each other")
	case o.port < 0 || o.port > 65535:
		return usagef("--port must be 1-65535")
	case o.listenTimeout <= 0:
		return usagef("--listen-timeout must be positive")
	case o.autoConsent && o.noBrowser:
		return usagef("--auto-consent uses no browser already; drop --no-browser")
	case o.consentCmd != "" && (o.autoConsent || o.noBrowser):
		return usagef("--consent-command replaces the browser and --auto-consent; drop --auto-consent and --no-browser")
	}
	if _, err := authMethodFlag(o.authMethod, o.secretStdin); err != nil {
		return err
	}
	if o.useURL != "" {
		if err := checkHTTPURL(o.useURL); err != nil {
			return usagef("--use-url: %s", err.Error())
		}
	}
	return nil
}

// flowSteps are the steps a headless run takes.
func (o flowOptions) steps() []flows.StepID {
	var steps []flows.StepID
	for _, d := range flows.Steps() {
		switch d.Optional {
		case flows.Always:
		case flows.WithLifecycle:
			if !o.all {
				continue
			}
		case flows.WithCleanup:
			if !o.cleanup {
				continue
			}
		default:
			continue // a kind this command has no flag for
		}
		steps = append(steps, d.ID)
	}
	return steps
}

func (a *app) runFlow(ctx context.Context, arg string, o flowOptions) error {
	if len(o.clientProfile) > 0 {
		if o.clientID != "" || o.createApp || o.register || o.replay != "" || o.save != "" {
			return usagef("--client-profile registers its own client: not with --client-id, --create-app, --register, --save or --replay")
		}
		return a.runClientProfiles(ctx, arg, checkOptions{clientProfiles: o.clientProfile, output: o.output})
	}
	if o.replay != "" {
		sf, err := readSavedFlow(o.replay)
		if err != nil {
			return usagef("--replay %s: %v", o.replay, err)
		}
		o.replayed = &sf
		o = o.fromSaved()
	}
	if err := o.validate(); err != nil {
		return err
	}
	c, url, store, err := a.flowClient(ctx, arg, o)
	if err != nil {
		return err
	}
	method, _ := authMethodFlag(o.authMethod, o.secretStdin) // validated above
	cfg := flows.Config{
		Client: c, Target: o.target, ClientID: o.clientID, Resource: o.resource, NoResource: o.noResource,
		Scope: o.scope, ListenTimeout: o.listenTimeout, Cleanup: o.cleanup, Store: store,
		AuthMethod: method, UseURL: o.useURL,
		Context: ctx, // ctrl+c closes the listener and removes what --cleanup would
	}
	errw := &lockedWriter{w: nopCloser{a.io.Err}}
	// Keeping tokens (and a created client's secret) for 'oauthdeck token' is a side service: when the store
	// cannot be used, say so once and run the protocol steps undisturbed
	// (a public client or a piped secret needs no keyring at all),
	// rather than turning every step that would save into a warning.
	if err := keyring.Probe(ctx, store); err != nil {
		fmt.Fprintf(errw, "! no keyring (%s): tokens from this flow stay in memory for this run only and are not kept for 'oauthdeck token'%s\n",
			oneLine(err), map[bool]string{true: "; no kept client secret is read (pipe one with --client-secret-stdin)", false: ""}[o.clientID != "" && !o.secretStdin && method != flows.AuthNone])
		cfg.Store, store = nil, nil
	}
	switch {
	case o.createApp:
		cfg.ClientMode = flows.ClientCreate
	case o.register:
		cfg.ClientMode = flows.ClientRegister
	default:
		cfg.ClientMode = flows.ClientExisting
		if cfg.ClientSecret, err = a.flowSecret(ctx, url, store, o, method); err != nil {
			return err
		}
	}
	if o.port != 0 {
		cfg.CallbackURL = fmt.Sprintf("http://127.0.0.1:%d/callback", o.port)
	}
	cfg.Consent = flows.ConsentBrowser
	switch {
	case o.autoConsent:
		cfg.Consent = flows.ConsentAuto
	case o.consentCmd != "":
		cfg.Consent, cfg.ConsentCommand = flows.ConsentCommand, o.consentCmd
	}

	var flow *flows.Flow
	var pasteOnce sync.Once
	cfg.OnEvent = func(e flows.Event) {
		switch e.Kind {
		case flows.EventAuthURL:
			if e.Step != flows.StepAuthorize {
				return
			}
			if o.consentCmd != "" {
				fmt.Fprintf(errw, "  running the consent command with %s set to:\n  %s\n", flows.ConsentCommandEnv, e.Message)
				return
			}
			fmt.Fprintf(errw, "  Open this URL in a browser to authorize:\n  %s\n", e.Message)
			if o.noBrowser && a.stdinTerminal() {
				pasteOnce.Do(func() { go a.readPastedRedirect(errw, flow) })
			}
		case flows.EventListener:
			if l := e.Listener; l != nil && l.Listening && !l.Received && !l.Closed {
				fmt.Fprintf(errw, "  waiting for the callback on %s%s until %s\n", l.Addr, l.Path, l.Deadline.Local().Format(time.TimeOnly))
			}
		}
	}
	if o.noBrowser && cfg.Consent == flows.ConsentBrowser {
		cfg.Consent = flows.ConsentPaste // the URL is printed above
	}
	flow, err = flows.New(cfg)
	if err != nil {
		return err
	}
	// Close runs again below, where its error is reported; this one covers
	// the early returns (Close is idempotent and returns the first error).
	defer func() { _ = flow.Close() }()

	if o.replayed != nil {
		return a.replayFlow(ctx, errw, flow, *o.replayed)
	}
	steps := o.steps()
	var failed *flows.StepResult
	for i, id := range steps {
		fmt.Fprintf(errw, "[%d/%d] %s ...\n", i+1, len(steps), id)
		res := flow.Run(ctx, id)
		a.printStep(errw, res, o.reveal)
		if ctx.Err() != nil {
			break // interrupted: the exit says so below, and nothing more runs
		}
		if res.Status == flows.StatusFailed {
			failed = &res
			break
		}
		if res.Status == flows.StatusRefused {
			break // refused as it should: the point of the edit, and nothing after it can run
		}
		if id == flows.StepClient && cfg.Store != nil && !o.cleanup && (o.createApp || o.register) {
			a.keepCreatedSecret(ctx, errw, url, store, res)
		}
	}
	if err := flow.Close(); err != nil {
		fmt.Fprintf(errw, "! closing the flow: %s\n", oneLine(err))
	}
	var saveErr error
	if o.save != "" {
		if saveErr = saveFlow(o.save, flow); saveErr != nil {
			fmt.Fprintf(errw, "! saving the flow: %s\n", oneLine(saveErr))
		} else {
			fmt.Fprintf(errw, "Saved the flow as run to %s ('oauthdeck flow --replay %s' runs it again).\n", safe.Line(o.save), safe.Line(o.save))
		}
	}

	if ctx.Err() != nil {
		return ctx.Err() // interrupted (exit 130): no tokens written as if the run were done
	}
	snap := flow.Snapshot()
	if tokens, ok := flow.Tokens(); ok && failed == nil {
		if o.all {
			fmt.Fprintln(errw, "Note: the revoke step revoked these tokens; run without --all to keep usable ones.")
		}
		if err := a.writeFlowTokens(url, snap, tokens, o); err != nil {
			return err
		}
	}
	if failed != nil {
		if ctx.Err() != nil {
			return ctx.Err() // the step failed because the run was interrupted: exit 130
		}
		return flowFailure(*failed)
	}
	if saveErr != nil {
		return fmt.Errorf("the flow ran, but --save %s failed: %w", o.save, saveErr)
	}
	return nil
}

// flowClient picks the client: the admin session when there is one (needed
// for --create-app and --auto-consent), else an anonymous one.
func (a *app) flowClient(ctx context.Context, arg string, o flowOptions) (*client.Client, string, keyring.Store, error) {
	s, err := a.resolveSession(ctx, arg, a.useCoderCLI)
	if err == nil {
		return s.client, s.url, s.store, nil
	}
	if o.createApp || o.autoConsent {
		return nil, "", nil, fmt.Errorf("--create-app and --auto-consent need an admin session: %w", err)
	}
	var nse *keyring.NoSessionError
	if !errors.As(err, &nse) {
		return nil, "", nil, err
	}
	cfg, _ := a.loadConfig()
	url, err := a.deploymentURL(arg, cfg)
	if err != nil {
		return nil, "", nil, err
	}
	c, err := client.New(url, "", a.clientOptions())
	return c, url, a.storeFor(url, cfg), err
}

// flowSecret reads --client-secret-stdin, else the secret kept for the app.
func (a *app) flowSecret(ctx context.Context, url string, store keyring.Store, o flowOptions, method flows.AuthMethod) (string, error) {
	switch {
	case o.secretStdin:
		return a.readSecretLine(ctx, "client secret", "Client secret (input hidden): ")
	case method == flows.AuthNone || store == nil:
		return "", nil // a public client, or no keyring (said once above)
	}
	key, err := keyring.ClientSecretKey(url, o.clientID)
	if err != nil {
		return "", err
	}
	secret, err := store.Get(ctx, key)
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return "", nil // a public client; the client step warns when the server wants one
	case err != nil:
		return "", fmt.Errorf("reading the client secret kept for %s (pipe it with --client-secret-stdin instead): %w", o.clientID, err)
	}
	return secret, nil
}

// keepCreatedSecret keeps the secret of an app the flow created (and keeps),
// so 'oauthdeck token refresh' can authenticate later.
func (a *app) keepCreatedSecret(ctx context.Context, w io.Writer, url string, store keyring.Store, res flows.StepResult) {
	var id, secret string
	for _, f := range res.Fields {
		switch f.Label {
		case "Client ID":
			id = f.Reveal()
		case "Client secret":
			secret = f.Reveal()
		}
	}
	if id == "" || secret == "" {
		return
	}
	key, err := keyring.ClientSecretKey(url, id)
	if err == nil {
		err = store.Set(ctx, key, secret)
	}
	if err != nil {
		fmt.Fprintf(w, "  ! could not keep the new client secret: %s\n", oneLine(err))
		return
	}
	fmt.Fprintf(w, "  kept the client secret of %s in %s\n", safe.Line(id), store.Kind())
}

// checkHTTPURL accepts an absolute http(s) URL without credentials. Errors
// do not repeat the URL, which may carry a secret in its query.
func checkHTTPURL(raw string) error {
	u, err := neturl.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil:
		return errors.New("not a valid URL")
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return errors.New("must be an absolute http or https URL")
	case u.User != nil:
		return errors.New("must not contain a user name or password")
	case u.Scheme == "http" && !coder.IsLoopbackHost(u.Hostname()):
		return errors.New("plain http would send the access token in clear: use https (http only to a loopback host)")
	}
	return nil
}

// authMethodFlag reads --auth-method (flow, check, token): a method name,
// and a public client (none) takes no secret.
func authMethodFlag(value string, secretStdin bool) (flows.AuthMethod, error) {
	m, err := flows.ParseAuthMethod(value)
	if err != nil {
		return m, usagef("--auth-method: %s", err.Error())
	}
	if m == flows.AuthNone && secretStdin {
		return m, usagef("--auth-method none is a public client, which sends no secret; drop --client-secret-stdin")
	}
	return m, nil
}
