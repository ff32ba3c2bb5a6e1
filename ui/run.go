// Package ui is oauthdeck's terminal console (Bubble Tea v2): deployments,
// OAuth2 apps and their secrets, discovery documents, the guided flow, the
// conformance check and the session's HTTP log. Run is the entry point;
// screen.go documents how screens plug into the root model.
package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
	"oauthdeck/client/safe"
	"oauthdeck/keyring"
)

// Deps is what the console needs from its caller (the CLI).
type Deps struct {
	// Store keeps session tokens and, when the user asks, client secrets.
	// Required: the OS keyring store normally, a memory store for demo.
	Store keyring.Store
	// ConfigPath is the non-secret deployments file
	// (keyring.DefaultConfigPath()). Empty: nothing is read or written.
	ConfigPath string
	// InitialURL and InitialToken, when both are set, are used as the
	// current deployment at start (demo, or CODER_URL + CODER_SESSION_TOKEN)
	// without being saved. InitialSource labels where the token came from.
	InitialURL    string
	InitialToken  string
	InitialSource string
	// Recorder, when set, records every HTTP exchange for the Requests
	// screen; Run wires its OnExchange to the program.
	Recorder *client.Recorder
	// ClientOptions are used for every client the console creates
	// (Recorder above is filled in when ClientOptions.Recorder is nil).
	ClientOptions client.Options
	// DebugLog receives a redacted debug log; nil disables it. Never the terminal.
	DebugLog io.Writer
	// Demo marks a sandbox session in the status bar.
	Demo    bool
	Version string

	// Program options for tests (input/output, window size); nil in normal use.
	programOptions []tea.ProgramOption
}

// Run shows the console until the user quits or ctx is cancelled. The
// terminal is always restored (Bubble Tea also recovers from panics in
// Update/View and restores the terminal before returning the error).
func Run(ctx context.Context, deps Deps) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := newCommon(ctx, deps)
	m := newModel(c)
	opts := append([]tea.ProgramOption{tea.WithContext(ctx)}, deps.programOptions...)
	p := tea.NewProgram(m, opts...)
	c.send = orderedSend(ctx, p.Send)
	if unwire := c.wireRecorder(); unwire != nil {
		defer unwire()
	}
	c.debugf("Starting oauthdeck %s", deps.Version)
	_, err := p.Run()
	m.closeAll()
	c.debugf("Stopped: %v", err)
	if len(c.exitNotes) > 0 { // the terminal is restored: these reach the user
		return errors.New(strings.Join(c.exitNotes, "; "))
	}
	if err != nil && ctx.Err() != nil {
		return nil // cancelled from outside (signal): a normal end
	}
	if err != nil {
		return fmt.Errorf("terminal UI: %w", err)
	}
	return nil
}

func newCommon(ctx context.Context, deps Deps) *Common {
	c := &Common{Ctx: ctx, Deps: deps, Keys: DefaultKeyMap(), status: newStatusBar()}
	if deps.Store == nil {
		c.Deps.Store = keyring.NewMemory()
	}
	if deps.DebugLog != nil {
		c.logger = log.New(deps.DebugLog, "oauthdeck ", log.LstdFlags|log.Lmicroseconds)
	}
	return c
}

// debugf writes a redacted line to the debug log, if there is one.
func (c *Common) debugf(format string, args ...any) {
	if c.logger == nil {
		return
	}
	c.logger.Print(safe.Redact(fmt.Sprintf(format, args...)))
}

// debugExchange logs one recorded exchange (already redacted by the
// recorder, and passed through safe.Redact again by debugf).
func (c *Common) debugExchange(ex client.Exchange) {
	if c.logger == nil {
		return
	}
	status := fmt.Sprint(ex.StatusCode)
	if ex.Err != "" {
		status = "error: " + ex.Err
	}
	c.debugf("HTTP #%d %s %s -> %s in %s [%s]", ex.ID, ex.Method, ex.URL, status, ex.Duration.Round(time.Millisecond), ex.Phase)
}

// wireRecorder forwards every recorded exchange to the debug log and the
// Requests screen; the returned func undoes it (nil without a recorder).
func (c *Common) wireRecorder() func() {
	rec := c.Deps.Recorder
	if rec == nil {
		return nil
	}
	rec.OnExchange(func(ex client.Exchange) {
		c.debugExchange(ex)
		c.Send(exchangeMsg{ex})
	})
	return func() { rec.OnExchange(nil) }
}
