package ui

import (
	"context"
	"fmt"
	"go/ast"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"oauthdeck/client"
	"oauthdeck/keyring"
)

// fakeAPI stands in for a deployment in unit tests of Update and View. It
// keeps apps and secrets in memory and can be told to fail.
type fakeAPI struct {
	mu      sync.Mutex
	url     string
	apps    []client.App
	secrets map[string][]client.AppSecret
	fail    error         // returned by every call when set
	block   chan struct{} // when set, Apps waits for it (or its context)
	calls   int
	nextID  int
	// Apps calls whose context was cancelled
	cancelled int
}

func newFakeAPI() *fakeAPI {
	return &fakeAPI{url: "https://coder.example.com", secrets: map[string][]client.AppSecret{}}
}

func (f *fakeAPI) BaseURL() string { return f.url }

func (f *fakeAPI) call() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return f.fail
}

func (f *fakeAPI) BuildInfo(ctx context.Context) (client.BuildInfo, error) {
	if err := f.call(); err != nil {
		return client.BuildInfo{}, err
	}
	return client.BuildInfo{Version: "v2.30.0"}, nil
}

func (f *fakeAPI) Me(ctx context.Context) (client.User, error) {
	if err := f.call(); err != nil {
		return client.User{}, err
	}
	return client.User{Username: "admin", Email: "admin@example.com", Roles: []client.Role{{Name: "owner"}}}, nil
}

func (f *fakeAPI) Apps(ctx context.Context) ([]client.App, error) {
	if err := f.call(); err != nil {
		return nil, err
	}
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			f.mu.Lock()
			f.cancelled++
			f.mu.Unlock()
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := append([]client.App(nil), f.apps...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (f *fakeAPI) App(ctx context.Context, id string) (client.App, error) {
	if err := f.call(); err != nil {
		return client.App{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.apps {
		if a.ID == id {
			return a, nil
		}
	}
	return client.App{}, &client.APIError{StatusCode: 404, Message: "OAuth2 application not found."}
}

func (f *fakeAPI) CreateApp(ctx context.Context, req client.AppRequest) (client.App, error) {
	if err := f.call(); err != nil {
		return client.App{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	a := client.App{ID: fmt.Sprintf("00000000-0000-0000-0000-%012d", f.nextID), Name: req.Name,
		CallbackURL: req.CallbackURL, RedirectURIs: req.RedirectURIs, Icon: req.Icon,
		Endpoints: client.AppEndpoints{Authorization: f.url + "/oauth2/authorize", Token: f.url + "/oauth2/tokens"}}
	f.apps = append(f.apps, a)
	return a, nil
}

func (f *fakeAPI) UpdateApp(ctx context.Context, id string, req client.AppRequest) (client.App, error) {
	if err := f.call(); err != nil {
		return client.App{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, a := range f.apps {
		if a.ID == id {
			a.Name, a.CallbackURL, a.RedirectURIs, a.Icon = req.Name, req.CallbackURL, req.RedirectURIs, req.Icon
			f.apps[i] = a
			return a, nil
		}
	}
	return client.App{}, &client.APIError{StatusCode: 404, Message: "OAuth2 application not found."}
}

func (f *fakeAPI) DeleteApp(ctx context.Context, id string) error {
	if err := f.call(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, a := range f.apps {
		if a.ID == id {
			f.apps = append(f.apps[:i], f.apps[i+1:]...)
			delete(f.secrets, id)
			return nil
		}
	}
	return &client.APIError{StatusCode: 404, Message: "OAuth2 application not found."}
}

func (f *fakeAPI) AppSecrets(ctx context.Context, appID string) ([]client.AppSecret, error) {
	if err := f.call(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]client.AppSecret(nil), f.secrets[appID]...), nil
}

func (f *fakeAPI) CreateAppSecret(ctx context.Context, appID string) (client.AppSecretFull, error) {
	if err := f.call(); err != nil {
		return client.AppSecretFull{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	full := fmt.Sprintf("coder_%010d_%040d", f.nextID, f.nextID)
	id := fmt.Sprintf("secret-%d", f.nextID)
	f.secrets[appID] = append(f.secrets[appID], client.AppSecret{ID: id, ClientSecretTruncated: full[len(full)-6:]})
	return client.AppSecretFull{ID: id, ClientSecretFull: full}, nil
}

func (f *fakeAPI) DeleteAppSecret(ctx context.Context, appID, secretID string) error {
	if err := f.call(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ss := f.secrets[appID]
	for i, s := range ss {
		if s.ID == secretID {
			f.secrets[appID] = append(ss[:i], ss[i+1:]...)
			return nil
		}
	}
	return &client.APIError{StatusCode: 404, Message: "OAuth2 app secret not found."}
}

func (f *fakeAPI) AuthorizationServerMetadata(ctx context.Context, issuer string) (client.Discovered[client.ASMetadata], error) {
	if err := f.call(); err != nil {
		return client.Discovered[client.ASMetadata]{}, err
	}
	raw := `{"issuer":"` + f.url + `","authorization_endpoint":"` + f.url + `/oauth2/authorize","token_endpoint":"` + f.url + `/oauth2/tokens","response_types_supported":["code"],"code_challenge_methods_supported":["S256"]}`
	return client.Discovered[client.ASMetadata]{
		Doc: client.ASMetadata{Issuer: f.url, AuthorizationEndpoint: f.url + "/oauth2/authorize", TokenEndpoint: f.url + "/oauth2/tokens",
			ResponseTypesSupported: []string{"code"}, CodeChallengeMethodsSupported: []string{"S256"}},
		URL: f.url + "/.well-known/oauth-authorization-server", Raw: []byte(raw),
	}, nil
}

func (f *fakeAPI) ProtectedResourceMetadata(ctx context.Context, resource, metadataURL string) (client.Discovered[client.PRMetadata], error) {
	if err := f.call(); err != nil {
		return client.Discovered[client.PRMetadata]{}, err
	}
	raw := `{"resource":"` + f.url + `","authorization_servers":["` + f.url + `"]}`
	return client.Discovered[client.PRMetadata]{
		Doc: client.PRMetadata{Resource: f.url, AuthorizationServers: []string{f.url}},
		URL: f.url + "/.well-known/oauth-protected-resource", Raw: []byte(raw),
	}, nil
}

// harness drives the root model like the event loop does: Update runs only
// in the test goroutine, Cmds run in goroutines and their messages are fed
// back in arrival order. Timers (notice expiry, spinner) simply arrive later,
// or never if the test ends first.
type harness struct {
	t       testing.TB
	m       *Model
	api     *fakeAPI
	results chan tea.Msg
	running atomic.Int64 // Cmds started and not yet answered
}

func newHarness(t testing.TB, api *fakeAPI, w, h int) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	deps := Deps{Store: keyring.NewMemory(), Version: "test"}
	if api != nil {
		deps.InitialURL, deps.InitialToken, deps.InitialSource = api.url, "test-token", "test"
	}
	c := newCommon(ctx, deps)
	c.now = func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }
	c.newAPI = func(url, token string) (API, *client.Client, error) {
		if api == nil {
			return nil, nil, fmt.Errorf("no fake deployment")
		}
		return api, nil, nil
	}
	hs := &harness{t: t, m: newModel(c), api: api, results: make(chan tea.Msg, 4096)}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(hs.m.Init())
	return hs
}

// newRealHarness drives the model against a real deployment URL (an
// httptest server or the sandbox) through the real client.
func newRealHarness(t testing.TB, deps Deps, w, h int) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if deps.Store == nil {
		deps.Store = keyring.NewMemory()
	}
	c := newCommon(ctx, deps)
	hs := &harness{t: t, m: newModel(c), results: make(chan tea.Msg, 4096)}
	c.send = func(msg tea.Msg) { hs.results <- msg } // as program.Send
	if unwire := c.wireRecorder(); unwire != nil {
		t.Cleanup(unwire)
	}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(hs.m.Init())
	return hs
}

// waitScreen waits until the screen shows every one of want.
func (h *harness) waitScreen(want ...string) {
	h.t.Helper()
	h.waitFor(strings.Join(want, ", "), func() bool {
		s := h.screen()
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	})
}

// send delivers msg and lets the work it starts settle.
func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.m.Update(msg)
	h.run(cmd)
}

// run starts cmd and handles messages until none arrives for a moment.
func (h *harness) run(cmd tea.Cmd) {
	h.start(cmd)
	h.drain(40 * time.Millisecond)
}

func (h *harness) start(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	h.running.Add(1)
	go func() {
		h.results <- cmd()
		h.running.Add(-1) // after the push, so drain never sees neither
	}()
}

func (h *harness) drain(idle time.Duration) {
	for {
		if h.running.Load() == 0 && len(h.results) == 0 {
			return
		}
		select {
		case msg := <-h.results:
			h.handle(msg)
		case <-time.After(idle):
			return
		}
	}
}

// waitFor handles messages until cond holds (slow Cmds: big loads under -race).
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case msg := <-h.results:
			h.handle(msg)
		case <-deadline:
			h.t.Fatalf("timed out waiting for %s:\n%s", what, h.screen())
		}
	}
	h.drain(40 * time.Millisecond)
}

func (h *harness) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil, tea.QuitMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			h.start(c)
		}
	default:
		if isSequence(msg) {
			cmds := sequenceCmds(msg)
			h.running.Add(1)
			go func() {
				defer h.running.Add(-1)
				for _, c := range cmds {
					if c != nil {
						h.results <- c()
					}
				}
			}()
			return
		}
		if skipInTests(msg) {
			return
		}
		_, next := h.m.Update(msg)
		h.start(next)
	}
}

func (h *harness) key(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

func (h *harness) typeText(s string) {
	h.t.Helper()
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// screen returns the plain text on screen.
func (h *harness) screen() string { return ansi.Strip(h.m.View().Content) }

func (h *harness) requireScreen(want ...string) {
	h.t.Helper()
	s := h.screen()
	for _, w := range want {
		if !strings.Contains(s, w) {
			h.t.Fatalf("screen lacks %q:\n%s", w, s)
		}
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+s":
		return tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// isSequence reports tea.Sequence's internal message (a []tea.Cmd).
func isSequence(msg tea.Msg) bool {
	return reflect.TypeOf(msg).Name() == "sequenceMsg" && reflect.TypeOf(msg).Kind() == reflect.Slice
}

func sequenceCmds(msg tea.Msg) []tea.Cmd {
	v := reflect.ValueOf(msg)
	out := make([]tea.Cmd, 0, v.Len())
	for i := 0; i < v.Len(); i++ {
		if c, ok := v.Index(i).Interface().(tea.Cmd); ok {
			out = append(out, c)
		}
	}
	return out
}

// clipboardWrites records what tests put on the clipboard.
var clipboardPkg = reflect.TypeOf(tea.QuitMsg{}).PkgPath()

// skipInTests drops Bubble Tea's own requests (background colour, clipboard
// writes…), which only the real program acts on.
func skipInTests(msg tea.Msg) bool {
	t := reflect.TypeOf(msg)
	return t.PkgPath() == clipboardPkg && !ast.IsExported(t.Name())
}
