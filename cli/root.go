// Package cli holds oauthdeck's command line: every headless command, built
// with cobra, and the wiring that starts the TUI. main.go only builds a
// context and calls Main, so tests run commands in-process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/keyring"
)

// Version is set at build time (-ldflags "-X oauthdeck/cli.Version=...").
var Version = "dev"

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1   // the command ran and failed
	ExitUsage   = 2   // bad flags or arguments, or (for check) no connection
	ExitSignal  = 130 // interrupted (128 + SIGINT, as shells report it)
)

// IO is what a command may touch of the outside world.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// Env looks up an environment variable; nil means os.Getenv.
	Env func(string) string
	// Keyring replaces the OS keyring (tests, the demo). nil means the real
	// OS keyring through keyring.NewOS.
	Keyring keyring.Store
}

// Main runs oauthdeck with args (without the program name) and returns the
// process exit code. Failures are reported as one line on io.Err.
func Main(ctx context.Context, args []string, stdio IO) int {
	if stdio.Env == nil {
		stdio.Env = os.Getenv
	}
	if stdio.In == nil {
		stdio.In = strings.NewReader("")
	}
	if stdio.Out == nil {
		stdio.Out = io.Discard
	}
	if stdio.Err == nil {
		stdio.Err = io.Discard
	}
	a := &app{io: stdio}
	defer a.close()
	root := a.rootCommand()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	return a.report(cmd, err)
}

// report prints err as one line and picks the exit code.
func (a *app) report(cmd *cobra.Command, err error) int {
	code := ExitFailure
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		if ee.err == nil {
			return code // the command already said everything
		}
		err = ee.err
	}
	var ue *usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		code = ExitUsage
		name := "oauthdeck"
		if cmd != nil {
			name = cmd.CommandPath()
		}
		fmt.Fprintf(a.io.Err, "oauthdeck: %s (see '%s --help')\n", oneLine(err), name)
		return code
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(a.io.Err, "oauthdeck: interrupted")
		return ExitSignal
	}
	fmt.Fprintf(a.io.Err, "oauthdeck: %s\n", oneLine(err))
	return code
}

// oneLine flattens an error message, makes it inert for a terminal and,
// the last line of defence, redacts any secret shape it still holds (a
// URL's password, a token in a query).
func oneLine(err error) string {
	return safe.Line(safe.Redact(strings.TrimSpace(explain(err))))
}

// usageError is a mistake in the command line itself.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitError carries a specific exit code; a nil err means the command has
// already printed its own explanation.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// isCobraUsage recognises cobra's own argument and command errors, which are
// plain fmt errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "flag needs an argument", "invalid argument"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// app is the state shared by every command of one invocation.
type app struct {
	io IO

	// global flags
	url                string
	insecureSkipVerify bool
	timeout            time.Duration
	keyringFile        string
	debugLogPath       string
	useCoderCLI        bool

	recorder *client.Recorder
	debugLog io.WriteCloser
	errMu    sync.Mutex // rate-limit notices come from request goroutines
}

func (a *app) env(key string) string { return a.io.Env(key) }

// close flushes the debug log. A failed close means the log may be missing
// its last exchanges, so it is said on stderr (the command's result stands).
func (a *app) close() {
	if a.debugLog != nil {
		if err := a.debugLog.Close(); err != nil {
			fmt.Fprintf(a.io.Err, "oauthdeck: warning: --debug-log %s may be incomplete: %v\n", safe.Line(a.debugLogPath), err)
		}
	}
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "oauthdeck",
		Short: "Console for Coder's OAuth2 provider: apps, secrets, discovery, flows and checks",
		Long: `oauthdeck manages the OAuth2 apps of a Coder deployment and exercises its
OAuth2 provider. Without a command it opens the terminal UI.

The deployment comes from the URL argument, --url, CODER_URL, or the one you
logged in to last. The session token comes from CODER_SESSION_TOKEN (with
CODER_URL), then the OS keyring (see 'oauthdeck login').`,
		Version:       Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          noSubcommand,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runTUI(cmd.Context())
		},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.setup()
		},
	}
	root.SetIn(a.io.In)
	root.SetOut(a.io.Out)
	root.SetErr(a.io.Err)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &usageError{msg: err.Error()}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.url, "url", "", "deployment URL (default $CODER_URL, then the last one logged in to)")
	pf.BoolVar(&a.insecureSkipVerify, "insecure-skip-verify", false, "do not verify the deployment's TLS certificate (only for test deployments)")
	pf.DurationVar(&a.timeout, "timeout", client.DefaultTimeout, "time limit for each HTTP request")
	pf.StringVar(&a.keyringFile, "keyring-file", "", "keep secrets in this plain file (mode 0600) instead of the OS keyring; insecure")
	pf.StringVar(&a.debugLogPath, "debug-log", "", "append redacted HTTP exchanges to this file (never secrets)")
	pf.BoolVar(&a.useCoderCLI, "use-coder-cli", false, "when oauthdeck has no session for the deployment, use the Coder CLI's")

	root.AddCommand(
		a.loginCommand(),
		a.logoutCommand(),
		a.statusCommand(),
		a.appsCommand(),
		a.auditCommand(),
		a.scopesCommand(),
		a.metadataCommand(),
		a.pkceCommand(),
		a.sandboxCommand(),
		a.flowCommand(),
		a.checkCommand(),
		a.tokenCommand(),
		a.demoCommand(),
	)
	// Cobra's own help command prints "Unknown help topic" and exits 0.
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		ValidArgsFunction: func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			var names []string
			if target, _, err := root.Find(args); err == nil {
				for _, c := range target.Commands() {
					if c.IsAvailableCommand() && strings.HasPrefix(c.Name(), toComplete) {
						names = append(names, c.Name())
					}
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil {
				return &usageError{msg: err.Error()}
			}
			if err := noSubcommand(target, rest); err != nil {
				return err
			}
			return target.Help()
		},
	})
	// Cobra adds 'completion' itself; made now (after SetOut, which its
	// subcommands capture), it gets the same handling of an unknown word as
	// the other groups.
	root.InitDefaultCompletionCmd()
	if completion, _, err := root.Find([]string{"completion"}); err == nil && completion != root {
		completion.Args = noSubcommand
		completion.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
	return root
}

// noSubcommand rejects a word that names no subcommand. Cobra itself does not
// for a command that has subcommands: it would print help and exit 0.
func noSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for '%s'", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's own default, which it sets only on its path
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %q?", s[0])
	}
	return &usageError{msg: msg}
}

// groupCommand is a command that only holds subcommands: alone it shows its
// help, with an unknown word it fails as a usage error.
func groupCommand(use, short string, subcommands ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  noSubcommand,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(subcommands...)
	return cmd
}

// noArgs is cobra.NoArgs reported as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}

func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usagef("expected at most %d argument(s), got %d", n, len(args))
		}
		return nil
	}
}

func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != len(names) {
			return usagef("expected %s", strings.Join(names, " "))
		}
		return nil
	}
}

// setup runs before every command: validates global flags and opens the debug log.
func (a *app) setup() error {
	if a.timeout <= 0 {
		return usagef("--timeout must be positive")
	}
	a.recorder = client.NewRecorder(500)
	if a.debugLogPath == "" {
		return nil
	}
	w, err := openDebugLog(a.debugLogPath)
	if err != nil {
		return err
	}
	a.debugLog = w
	a.recorder.OnExchange(func(e client.Exchange) { writeExchange(w, e) })
	return nil
}

func (a *app) clientOptions() client.Options {
	return client.Options{
		Timeout:            a.timeout,
		InsecureSkipVerify: a.insecureSkipVerify,
		Recorder:           a.recorder,
		UserAgent:          "oauthdeck/" + Version,
		OnRateLimit:        a.rateLimitNotice,
	}
}

// rateLimitNotice says on stderr that the server rate limited a request and
// how long the client waits before sending it again: a wait is never silent.
func (a *app) rateLimitNotice(w client.RateLimitWait) {
	a.errMu.Lock()
	defer a.errMu.Unlock()
	lead := ""
	if isTerminal(a.io.Err) {
		lead = "\r" + ansi.EraseLineRight // over check's progress line
	}
	fmt.Fprintf(a.io.Err, "%s! rate limited (429) at %s %s: waiting %s as Retry-After asks, then sending it again (retry %d)\n",
		lead, safe.Line(w.Method), safe.Line(w.URL), w.Wait.Round(100*time.Millisecond), w.Attempt)
}
