package ui

import (
	"context"
	"errors"
	"log"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/atotto/clipboard"

	"oauthdeck/client"
	"oauthdeck/flows/rotation"
)

// API is the part of *client.Client the console calls. It exists so unit
// tests can stand in for a deployment; the program always uses *client.Client.
type API interface {
	BaseURL() string
	BuildInfo(ctx context.Context) (client.BuildInfo, error)
	Me(ctx context.Context) (client.User, error)
	Apps(ctx context.Context) ([]client.App, error)
	App(ctx context.Context, id string) (client.App, error)
	CreateApp(ctx context.Context, req client.AppRequest) (client.App, error)
	UpdateApp(ctx context.Context, id string, req client.AppRequest) (client.App, error)
	DeleteApp(ctx context.Context, id string) error
	AppSecrets(ctx context.Context, appID string) ([]client.AppSecret, error)
	CreateAppSecret(ctx context.Context, appID string) (client.AppSecretFull, error)
	DeleteAppSecret(ctx context.Context, appID, secretID string) error
	AuthorizationServerMetadata(ctx context.Context, issuer string) (client.Discovered[client.ASMetadata], error)
	ProtectedResourceMetadata(ctx context.Context, resource, metadataURL string) (client.Discovered[client.PRMetadata], error)
}

var _ API = (*client.Client)(nil)

// Session is the deployment the console is working with. A nil
// *Session (c.Session()) means no deployment is selected yet.
type Session struct {
	URL    string // normalised deployment URL
	Source string // where the token came from, for the user ("OS keyring", …)
	Store  string // "keyring" or "file": where the token is kept
	// Client is the real client (flows need it); nil only in unit tests
	// that run against a fake API.
	Client *client.Client
	API    API

	// Filled in by the connect Cmd; zero until then. The version and the
	// user's names are sanitised there, once, for display.
	User        *client.User
	Build       *client.BuildInfo
	ProviderErr error // e.g. *client.ProviderDisabledError
	ProviderOK  bool  // an OAuth2 API call succeeded
	ConnectErr  error // buildinfo/me failed (server down, session expired)
}

// Common is shared by the root and every screen (by pointer). Screens read
// it freely in Update and View; only the root replaces its fields, except
// through the helper methods below.
type Common struct {
	Ctx    context.Context // cancelled when the program ends
	Deps   Deps
	Styles *Styles
	Keys   *KeyMap
	Width  int // whole terminal
	Height int

	session    *Session
	sessionGen uint64 // bumped on every session change

	selectedApp *client.App // set by the Apps screen, read by Flow

	rotations *rotation.Store // made on first use: see rotationStore

	status *statusBar

	// send delivers a message from outside the event loop (program.Send).
	send func(tea.Msg)

	// newAPI builds a client for a deployment; tests replace it.
	newAPI func(url, token string) (API, *client.Client, error)

	now func() time.Time

	logger *log.Logger // debug log; nil when off

	// exitNotes are told once the terminal is restored (what a screen could
	// not finish as the console ended); written only after the program stops.
	exitNotes []string

	// onAwait is told when an awaiting Cmd starts (+1) and ends (-1); only
	// the test harness sets it, to know when the model has settled.
	onAwait func(delta int)
}

// await marks cmd as one that waits on time or on something outside the
// program: a timer, a flow's events, a step that may wait for a browser, a
// running suite. Bubble Tea runs it like any other Cmd; the test harness
// treats a model whose every running Cmd is awaiting as settled, so tests
// wait on conditions, never on quiet time.
func (c *Common) await(cmd tea.Cmd) tea.Cmd {
	hook := c.onAwait
	if cmd == nil || hook == nil {
		return cmd
	}
	return func() tea.Msg {
		hook(1)
		defer hook(-1)
		return cmd()
	}
}

// Session returns the current deployment, or nil.
func (c *Common) Session() *Session { return c.session }

// SessionGen changes whenever the session does; tag deployment-bound results
// with it and drop them when it no longer matches.
func (c *Common) SessionGen() uint64 { return c.sessionGen }

// API returns the current deployment's client, or nil.
func (c *Common) API() API {
	if c.session == nil {
		return nil
	}
	return c.session.API
}

// SelectedApp is the app last selected in the Apps screen (nil if none).
func (c *Common) SelectedApp() *client.App { return c.selectedApp }

// Send delivers msg to the program from any goroutine (flow events,
// recorder callbacks). It never blocks the caller for long; messages sent
// before the program runs are dropped.
func (c *Common) Send(msg tea.Msg) {
	if c.send != nil {
		c.send(msg)
	}
}

// Push opens s on top of the current screen.
func (c *Common) Push(s screen) tea.Cmd { return cmdOf(pushScreenMsg{s}) }

// Pop closes the top screen of the active tab. A screen reacting to a
// broadcast (session change, deletion) must use PopScreen instead: the
// user may be on another tab by then.
func (c *Common) Pop() tea.Cmd { return cmdOf(popScreenMsg{}) }

// PopScreen closes s (and anything pushed above it), on whichever tab it
// is; nothing happens if it is already gone.
func (c *Common) PopScreen(s screen) tea.Cmd { return cmdOf(popScreenMsg{s}) }

// SwitchTab shows the tab with the given id.
func (c *Common) SwitchTab(id screenID) tea.Cmd { return cmdOf(switchTabMsg{id}) }

// Confirm opens a yes/no dialog; onYes runs only when the user confirms.
func (c *Common) Confirm(title, body string, onYes tea.Cmd) tea.Cmd {
	return cmdOf(openDialogMsg{newConfirm(title, body, onYes)})
}

// Notify shows a notice in the status bar for a few seconds.
func (c *Common) Notify(kind noticeKind, text string) tea.Cmd {
	return cmdOf(noticeMsg{kind: kind, text: text})
}

// NotifyErr shows err, explained, as an error notice.
func (c *Common) NotifyErr(err error) tea.Cmd {
	if err == nil || errors.Is(err, context.Canceled) {
		return nil
	}
	return c.Notify(noticeError, explainError(err))
}

// BeginTask shows label with a spinner in the status bar until EndTask(id).
func (c *Common) BeginTask(label string) (int, tea.Cmd) {
	id, spin := c.status.begin(label)
	return id, c.await(spin)
}

// EndTask removes a task started by BeginTask.
func (c *Common) EndTask(id int) { c.status.end(id) }

// Copy puts text on the clipboard: OSC 52 first (works over SSH), then the
// native clipboard where there is one (errors ignored: headless machines
// have none). label names what was copied in the notice, never the value.
func (c *Common) Copy(label, text string) tea.Cmd {
	native := func() tea.Msg {
		if !clipboard.Unsupported {
			_ = clipboard.WriteAll(text)
		}
		return nil
	}
	return tea.Sequence(tea.SetClipboard(text), native, c.Notify(noticeSuccess, "Copied "+label))
}

func (c *Common) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// noteOnExit keeps a line for after the console has ended.
func (c *Common) noteOnExit(line string) { c.exitNotes = append(c.exitNotes, line) }

// rotationStore is where the rotation wizards keep their state: next to the
// config, or, without one (the demo), in memory for the console's life, so
// a wizard closed and reopened resumes either way.
func (c *Common) rotationStore() rotation.Store {
	if c.rotations == nil {
		st := rotation.MemoryStore()
		if c.Deps.ConfigPath != "" {
			st = rotation.Store{Dir: filepath.Join(filepath.Dir(c.Deps.ConfigPath), "rotations")}
		}
		c.rotations = &st
	}
	return *c.rotations
}
