package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
)

func seedApps(api *fakeAPI, n int) {
	for i := 0; i < n; i++ {
		api.apps = append(api.apps, client.App{
			ID:          fmt.Sprintf("%08d-0000-4000-8000-%012d", i, i),
			Name:        fmt.Sprintf("app-%05d", i),
			CallbackURL: fmt.Sprintf("http://127.0.0.1:%d/callback", 10000+i%50000),
		})
	}
}

func TestAppsListFilterSortAndOpen(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	seedApps(api, 30)
	h := newHarness(t, api, 120, 30)
	h.key("2")
	h.requireScreen("OAuth2 apps", "30 of 30", "app-00000", "http://127.0.0.1:10000/callback")
	h.key("/")
	h.typeText("app-0002")
	h.requireScreen("10 of 30", "app-00029")
	if strings.Contains(h.screen(), "app-00010") {
		t.Fatal("filter kept a non-matching row")
	}
	h.key("enter") // keep the filter, leave the input
	h.key("s")     // name descending
	h.requireScreen("sorted by name ↓")
	lines := strings.Split(h.screen(), "\n")
	first := ""
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, " ›"), "app-000") {
			first = l
			break
		}
	}
	if !strings.Contains(first, "app-00029") {
		t.Fatalf("descending sort: first row %q", first)
	}
	h.key("enter")
	h.requireScreen("Client ID", "00000029-0000-4000-8000-000000000029", "Client secrets", "None. Press n")
	h.key("esc")
	h.requireScreen("10 of 30")
	h.key("esc") // clears the filter
	h.requireScreen("30 of 30")
}

func TestAppCreateSecretAndDelete(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	h := newHarness(t, api, 100, 30)
	h.key("2")
	h.requireScreen("No OAuth2 apps")
	h.key("n")
	h.requireScreen("New OAuth2 app", "Name")
	h.typeText("bad name")
	h.requireScreen("letters and digits")
	for range "bad name" {
		h.key("backspace")
	}
	h.typeText("my-app")
	h.key("tab")
	h.typeText("http://example.com/cb")
	h.requireScreen("http is only allowed for loopback")
	h.send(keyMsg("ctrl+s"))
	if len(api.apps) != 0 {
		t.Fatal("an invalid form was submitted")
	}
	for range "http://example.com/cb" {
		h.key("backspace")
	}
	h.typeText("http://127.0.0.1:9876/callback")
	h.send(keyMsg("ctrl+s"))
	if len(api.apps) != 1 || api.apps[0].Name != "my-app" || api.apps[0].CallbackURL != "http://127.0.0.1:9876/callback" {
		t.Fatalf("apps after create: %+v", api.apps)
	}
	h.requireScreen("my-app", "Client ID", "None. Press n")
	h.key("n")
	h.requireScreen("New client secret", "••••")
	if strings.Contains(h.screen(), api.secretsFull()) {
		t.Fatal("the new secret is shown unmasked before reveal")
	}
	h.key("v")
	h.requireScreen(api.secretsFull())
	h.key("enter")
	h.requireScreen("Secret", "Never")
	h.key("esc")
	h.requireScreen("my-app")
	h.key("d")
	h.requireScreen("Delete app my-app?", "secrets", "every access and refresh token")
	h.key("y")
	if len(api.apps) != 0 {
		t.Fatal("app not deleted after confirming")
	}
	h.requireScreen("No OAuth2 apps")
}

func (f *fakeAPI) secretsFull() string {
	return fmt.Sprintf("coder_%010d_%040d", f.nextID, f.nextID)
}

func TestAppsProviderDisabledAndServerDown(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	h := newHarness(t, api, 100, 30)
	api.fail = &client.ProviderDisabledError{StatusCode: 403, Message: "OAuth2 Provider Functionality functionality requires enabling the 'oauth2' experiment."}
	h.key("2", "r")
	h.requireScreen("OAuth2 provider is not enabled", "CODER_EXPERIMENTS=oauth2", "CODER_OAUTH2_PROVIDER_ENABLE=true")
	api.fail = errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	h.key("r")
	h.requireScreen("connection refused", "Press r to retry")
}

func TestAppDetailScrollsLongRedirectLists(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	seedApps(api, 1)
	for i := 0; i < 32; i++ {
		api.apps[0].RedirectURIs = append(api.apps[0].RedirectURIs, fmt.Sprintf("http://127.0.0.1:%d/cb%02d", 20000+i, i))
	}
	api.secrets[api.apps[0].ID] = []client.AppSecret{{ID: "s1", ClientSecretTruncated: "zzzzzz"}}
	h := newHarness(t, api, 80, 24)
	h.key("2", "enter")
	h.requireScreen("Client ID", "lines)")
	if strings.Contains(h.screen(), "cb31") {
		t.Fatal("the whole list fits? it should scroll")
	}
	h.key("G")
	h.requireScreen("cb31", "*****zzzzzz")
	if strings.Contains(h.screen(), "Client ID") {
		t.Fatal("did not scroll to the bottom")
	}
	if n := strings.Count(h.screen(), "\n") + 1; n != 24 {
		t.Fatalf("frame is %d lines", n)
	}
	h.key("g")
	h.requireScreen("Client ID")
}

func TestAppFormWarnsOldServerKeepsOneURI(t *testing.T) {
	t.Parallel()
	h := newHarness(t, newFakeAPI(), 100, 30) // the fake says v2.30.0
	h.key("2", "n")
	h.typeText("two-uris")
	h.key("tab")
	h.typeText("http://127.0.0.1:1/a")
	h.requireScreen("New OAuth2 app")
	if strings.Contains(h.screen(), "stores only the first") {
		t.Fatal("warned with one URI")
	}
	h.key("enter")
	h.typeText("http://127.0.0.1:2/b")
	h.requireScreen("v2.30.0) stores only the first redirect URI")
}

func TestLoginTokenRevealToggle(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, 100, 30)
	h.key("n", "tab", "tab")
	h.typeText("SeCrEt-token")
	if strings.Contains(h.screen(), "SeCrEt-token") {
		t.Fatal("token shown while hidden")
	}
	h.send(tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
	h.requireScreen("SeCrEt-token", "shown · ctrl+r hides")
	h.send(tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
	if strings.Contains(h.screen(), "SeCrEt-token") {
		t.Fatal("token still shown after hiding")
	}
}

func TestAppDetailCopiesFields(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	seedApps(api, 1)
	api.apps[0].Endpoints = client.AppEndpoints{Authorization: "https://c/oauth2/authorize", Token: "https://c/oauth2/tokens"}
	h := newHarness(t, api, 100, 30)
	h.key("2", "enter", "c")
	h.waitScreen("Copied client id")
	if h.clipboard != api.apps[0].ID {
		t.Fatalf("clipboard holds %q, want the client id %q", h.clipboard, api.apps[0].ID)
	}
	h.key("down", "c")
	h.waitScreen("Copied authorization url")
	if h.clipboard != "https://c/oauth2/authorize" {
		t.Fatalf("clipboard holds %q, want the authorization URL", h.clipboard)
	}
}

func TestDeleteNeedsAnExplicitYes(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	seedApps(api, 2)
	h := newHarness(t, api, 100, 30)
	h.key("2", "d")
	h.requireScreen("Delete app app-00000?")
	h.key("enter") // ignored: only y confirms
	h.requireScreen("Delete app app-00000?")
	h.key("esc")
	if len(api.apps) != 2 || strings.Contains(h.screen(), "Delete app") {
		t.Fatal("esc did not cancel the delete")
	}
}

func TestAppFormShowsServerValidation(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	h := newHarness(t, api, 100, 30)
	h.key("2", "n")
	h.typeText("fine-name")
	h.key("tab")
	h.typeText("https://app.example.com/cb")
	api.fail = &client.APIError{StatusCode: 400, Message: "Validation failed.", Validations: []client.ValidationError{
		{Field: "redirect_uris", Detail: "redirect URI 1 \x1b[31mbad\x1b[0m"},
	}}
	h.send(keyMsg("ctrl+s"))
	h.waitScreen("New OAuth2 app", "Validation failed.", "redirect_uris: redirect URI 1 ␛[31mbad␛[0m")
	api.fail = nil
	h.send(keyMsg("ctrl+s"))
	h.waitScreen("Created app fine-name")
}
