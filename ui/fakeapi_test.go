package ui

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"oauthdeck/client"
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
	// awaiting is told when Apps starts (+1) and stops (-1) blocking: a hung
	// server is an outside event the harness does not wait for.
	awaiting func(delta int)
	calls    int
	nextID   int
	// Apps calls whose context was cancelled
	cancelled int
	// secretsBlock, when set, holds every AppSecrets call until it is
	// closed or the call's context ends; the counters watch the fan-out.
	secretsBlock                    chan struct{}
	secretsInFlight, secretsMaxLive int
	secretsAsked, secretsCancelled  int
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

// hold waits for gate (when set) to close, or for ctx, counting a
// cancellation in cancelled; the harness is told it awaits meanwhile.
func (f *fakeAPI) hold(ctx context.Context, gate chan struct{}, cancelled *int) error {
	if gate == nil {
		return nil
	}
	if f.awaiting != nil {
		f.awaiting(1)
		defer f.awaiting(-1)
	}
	select {
	case <-gate:
		return nil
	case <-ctx.Done():
		f.mu.Lock()
		*cancelled++
		f.mu.Unlock()
		return ctx.Err()
	}
}

// secretStats reads the secret-count counters together.
func (f *fakeAPI) secretStats() (inFlight, maxLive, asked, cancelled int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.secretsInFlight, f.secretsMaxLive, f.secretsAsked, f.secretsCancelled
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
	if err := f.hold(ctx, f.block, &f.cancelled); err != nil {
		return nil, err
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
	if f.secretsBlock != nil {
		f.mu.Lock()
		f.secretsAsked++
		f.secretsInFlight++
		f.secretsMaxLive = max(f.secretsMaxLive, f.secretsInFlight)
		f.mu.Unlock()
		defer func() { f.mu.Lock(); f.secretsInFlight--; f.mu.Unlock() }()
		if err := f.hold(ctx, f.secretsBlock, &f.secretsCancelled); err != nil {
			return nil, err
		}
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
