package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

// TestSeedApp: an app added straight to the store lists like one created
// through the API, with its one secret, whose value is the one returned.
func TestSeedApp(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, Options{})
	id, full := s.Seed(AppSeed{Name: "seeded-app", RedirectURIs: []string{"http://127.0.0.1:9876/callback"}, Icon: "/icon/code.svg", Secrets: []SecretSeed{{}}})
	if len(full) != 1 {
		t.Fatalf("secrets %q", full)
	}
	secret := full[0]
	if !strings.HasPrefix(secret, "coder_") {
		t.Fatalf("secret %q", secret)
	}
	var apps []struct {
		ID, Name, Icon string
		CallbackURL    string `json:"callback_url"`
	}
	call(t, s, req{method: http.MethodGet, path: "/api/v2/oauth2-provider/apps", session: s.AdminSessionToken()}).decode(t, &apps)
	if len(apps) != 1 || apps[0].ID != id || apps[0].Name != "seeded-app" || apps[0].CallbackURL != "http://127.0.0.1:9876/callback" || apps[0].Icon != "/icon/code.svg" {
		t.Fatalf("apps %+v", apps)
	}
	var secrets []struct {
		Truncated string `json:"client_secret_truncated"`
	}
	call(t, s, req{method: http.MethodGet, path: "/api/v2/oauth2-provider/apps/" + id + "/secrets", session: s.AdminSessionToken()}).decode(t, &secrets)
	if len(secrets) != 1 || !strings.HasSuffix(secret, secrets[0].Truncated) {
		t.Fatalf("secrets %+v for %q", secrets, secret)
	}
	if _, none := s.Seed(AppSeed{Name: "no-secret", RedirectURIs: []string{"http://127.0.0.1:1/cb"}}); none != nil {
		t.Fatalf("a secret without asking: %q", none)
	}
}
