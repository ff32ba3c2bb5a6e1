package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"oauthdeck/keyring"
	"oauthdeck/pkce"
	"oauthdeck/sandbox"
)

func clientSecretKey(t *testing.T, url, id string) string {
	t.Helper()
	k, err := keyring.ClientSecretKey(url, id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestProviderDisabled(t *testing.T) {
	t.Parallel()
	// status names only the setting of the detected era: a flag from 2.38 on,
	// an experiment before.
	eraSetting := map[sandbox.Compat]string{
		sandbox.CompatMain: "CODER_OAUTH2_PROVIDER_ENABLE",
		sandbox.CompatV236: "CODER_EXPERIMENTS=oauth2",
		sandbox.CompatV230: "CODER_EXPERIMENTS=oauth2",
	}
	for _, compat := range sandbox.Profiles() {
		t.Run(string(compat), func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{Compat: compat, ProviderDisabled: true})
			h := newHarness(t)
			h.loginEnv(srv)
			for _, args := range [][]string{
				{"apps", "list"},
				{"apps", "create", "--name", "x", "--callback-url", "http://127.0.0.1:9876/cb"},
			} {
				line := h.fail(1, "", args...)
				mustContain(t, line, "CODER_OAUTH2_PROVIDER_ENABLE", "CODER_EXPERIMENTS")
			}
			status := h.ok("", "status")
			mustContain(t, status, "OAuth2 provider:", "disabled", eraSetting[compat])
			if compat != sandbox.CompatMain && strings.Contains(status, "CODER_OAUTH2_PROVIDER_ENABLE") {
				t.Fatalf("an experiment-era server was told to set the 2.38 flag:\n%s", status)
			}
			if compat == sandbox.CompatMain { // main hides the discovery documents too
				mustContain(t, h.fail(1, "", "metadata"), "CODER_OAUTH2_PROVIDER_ENABLE")
			}
		})
	}
}

func TestBadURLs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.env["CODER_SESSION_TOKEN"] = "abcdefghij-abcdefghijabcdefghij12"

	mustContain(t, h.fail(2, "", "status", "--url", "ftp://"), "bad deployment URL")

	// Nothing listening: a closed loopback port.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	h.env["CODER_URL"] = closed.URL
	mustContain(t, h.fail(1, "", "apps", "list"), "nothing is listening")

	// A web server that is not Coder answers HTML.
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>\x1b[31mWelcome</body></html>"))
	}))
	defer html.Close()
	h.env["CODER_URL"] = html.URL
	line := h.fail(1, "", "apps", "list")
	mustContain(t, line, "expected JSON, got text/html")
	if strings.Contains(line, "\x1b") {
		t.Fatalf("raw escape in the error: %q", line)
	}
	mustContain(t, h.fail(1, "", "metadata"), "authorization-server metadata")
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	mustContain(t, h.fail(2, "", "--no-such-flag"), "unknown flag")
	mustContain(t, h.fail(2, "", "apps", "get"), "APP_ID")
	mustContain(t, h.fail(2, "", "apps", "secrets", "delete", "one"), "APP_ID SECRET_ID")
	mustContain(t, h.fail(2, "", "nosuchcommand"), "unknown command")
	// A group command with an unknown word fails instead of printing help.
	mustContain(t, h.fail(2, "", "apps", "lst"), `unknown command "lst" for 'oauthdeck apps'`, `did you mean "list"`)
	mustContain(t, h.fail(2, "", "apps", "secrets", "nope"), "unknown command", "oauthdeck apps secrets")
	mustContain(t, h.fail(2, "", "token", "nope"), "unknown command", "oauthdeck token")
	mustContain(t, h.ok("", "token"), "show", "refresh", "revoke", "use")
	mustContain(t, h.ok("", "help", "apps", "secrets"), "oauthdeck apps secrets [command]")
	mustContain(t, h.fail(2, "", "help", "apps", "lst"), `unknown command "lst" for 'oauthdeck apps'`)
	mustContain(t, h.fail(2, "", "status", "--timeout", "-1s"), "--timeout")
	mustContain(t, h.ok("", "apps", "--help"), "list", "create", "secrets")
	mustContain(t, h.ok("", "completion", "bash"), "oauthdeck")
	mustContain(t, h.fail(2, "", "completion", "bsh"), `unknown command "bsh"`, `did you mean "bash"`)
}

func TestPKCE(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var got map[string]string
	if err := json.Unmarshal([]byte(h.ok("", "pkce", "-o", "json")), &got); err != nil {
		t.Fatal(err)
	}
	if pkce.ValidateVerifier(got["code_verifier"]) != nil || len(got["code_verifier"]) != 43 ||
		!pkce.Verify(got["code_verifier"], got["code_challenge"], pkce.S256) || got["code_challenge_method"] != "S256" {
		t.Fatalf("pkce -o json = %v", got)
	}
	var again map[string]string
	json.Unmarshal([]byte(h.ok("", "pkce", "-o", "json")), &again)
	if again["code_verifier"] == got["code_verifier"] {
		t.Fatal("two runs gave the same verifier")
	}

	// The RFC 7636 appendix B vector, from stdin.
	const v, c = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	mustContain(t, h.ok(v+"\n", "pkce", "--verifier-stdin"), "code_challenge:", c)
	json.Unmarshal([]byte(h.ok(v, "pkce", "--verifier-stdin", "--method", "plain", "-o", "json")), &got)
	if got["code_challenge"] != v || got["code_challenge_method"] != "plain" {
		t.Fatalf("plain = %v", got)
	}
	mustContain(t, h.fail(1, "short", "pkce", "--verifier-stdin"), "not valid", "43")
	mustContain(t, h.fail(2, "", "pkce", "--verifier", v), "refusing --verifier")
	mustContain(t, h.fail(2, "", "pkce", "--method", "S512"), "S256 or plain")
	long := h.ok("", "pkce", "--length", "128", "-o", "json")
	json.Unmarshal([]byte(long), &got)
	if len(got["code_verifier"]) != 128 {
		t.Fatalf("--length 128 gave %d characters", len(got["code_verifier"]))
	}

	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	env := h.ok("", "pkce", "-o", "env")
	cmd := exec.Command(bash, "-c", `eval "$(cat)"; printf '%s %s %s' "$CODE_VERIFIER" "$CODE_CHALLENGE" "$CODE_CHALLENGE_METHOD"`)
	cmd.Stdin = strings.NewReader(env)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(out))
	if len(f) != 3 || !pkce.Verify(f[0], f[1], pkce.S256) || f[2] != "S256" {
		t.Fatalf("eval of -o env gave %q", out)
	}
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	for _, compat := range sandbox.Profiles() {
		t.Run(string(compat), func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{Compat: compat})
			h := newHarness(t)
			out := h.ok("", "metadata", srv.URL())
			mustContain(t, out, "Server: Coder v2.", "Authorization server metadata", "from "+srv.URL()+"/.well-known/oauth-authorization-server",
				`"token_endpoint": "`+srv.URL()+`/oauth2/tokens"`, "Protected resource metadata", "/.well-known/oauth-protected-resource")

			var doc struct {
				Server struct{ Kind, Era string } `json:"server"`
				AS     struct{ Issuer string }    `json:"authorization_server"`
				PR     struct{ Resource string }  `json:"protected_resource"`
				ASU    string                     `json:"authorization_server_url"`
			}
			if err := json.Unmarshal([]byte(h.ok("", "metadata", srv.URL(), "-o", "json")), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Server.Kind != "coder" || doc.Server.Era == "" || doc.AS.Issuer != srv.URL() || doc.PR.Resource != srv.URL() || !strings.HasPrefix(doc.ASU, srv.URL()) {
				t.Fatalf("metadata -o json = %+v", doc)
			}
		})
	}
}

func TestInsecureSkipVerify(t *testing.T) {
	t.Parallel()
	var base string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/oauth-authorization-server":
			json.NewEncoder(w).Encode(map[string]any{"issuer": base, "authorization_endpoint": base + "/oauth2/authorize",
				"token_endpoint": base + "/oauth2/tokens", "response_types_supported": []string{"code"},
				"code_challenge_methods_supported": []string{"S256"}})
		case "/.well-known/oauth-protected-resource":
			json.NewEncoder(w).Encode(map[string]any{"resource": base, "authorization_servers": []string{base}})
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	base = srv.URL
	h := newHarness(t)
	mustContain(t, h.fail(1, "", "metadata", base), "certificate", "--insecure-skip-verify")
	mustContain(t, h.ok("", "metadata", base, "--insecure-skip-verify"), "from "+base+"/.well-known/oauth-authorization-server")
}

func TestInterruptedCommand(t *testing.T) {
	t.Parallel()
	// A deployment that never answers, and a context cancelled meanwhile.
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	h := newHarness(t)
	h.env["CODER_URL"] = hang.URL
	h.env["CODER_SESSION_TOKEN"] = "abcdefghij-abcdefghijabcdefghij12"
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	r := h.runCtx(ctx, "", "apps", "list")
	if r.code != 130 || !strings.Contains(r.stderr, "interrupted") {
		t.Fatalf("exit %d, stderr %q; want 130 and 'interrupted'", r.code, r.stderr)
	}
}

func TestSandboxRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	mustContain(t, h.fail(1, "", "sandbox", "--addr", "0.0.0.0:0"), "loopback")
	mustContain(t, h.fail(2, "", "sandbox", "--compat", "v9"), `unknown Coder profile "v9" (want main or v2.38, v2.36 or v2.37, v2.30)`)
}

func TestTUINeedsTerminal(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	mustContain(t, h.fail(1, ""), "needs a terminal")
	mustContain(t, h.fail(1, "", "demo"), "needs a terminal")
}

// TestServerIDsAreSanitised: IDs come from the server, so a hostile one must
// not reach the terminal raw from the messages that quote it.
func TestServerIDsAreSanitised(t *testing.T) {
	t.Parallel()
	const id = "\x1b]52;c;aGk=\x07evil\x1b[2J"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		app := map[string]any{"id": id, "name": "n", "callback_url": "http://127.0.0.1:1/cb"}
		switch {
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/secrets"):
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(map[string]any{"id": id, "client_secret_full": "coder_abc_" + id})
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(app)
		default:
			json.NewEncoder(w).Encode(app)
		}
	}))
	defer srv.Close()
	h := newHarness(t)
	h.env["CODER_URL"] = srv.URL
	h.env["CODER_SESSION_TOKEN"] = "abcdefghij-abcdefghijabcdefghij12"
	for _, args := range [][]string{
		{"apps", "create", "--name", "n", "--callback-url", "http://127.0.0.1:1/cb", "-o", "env"},
		{"apps", "delete", "x", "--yes"},
		{"apps", "secrets", "create", "x"},
		{"apps", "secrets", "create", "x", "-o", "json"},
	} {
		r := h.run("", args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		mustContain(t, r.stderr, "evil")
		mustNotContain(t, r.stdout+r.stderr, "\x1b", "\x07")
	}

	// JSON: encoding/json leaves C1 controls (the 8-bit CSI), DEL and bidi
	// overrides raw; they are escaped, and the decoded value is unchanged.
	const name = "n\u009b31m\u202eevil\x7f"
	named := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "x", "name": name, "callback_url": "http://127.0.0.1:1/cb"})
	}))
	defer named.Close()
	h.env["CODER_URL"] = named.URL
	out := h.ok("", "apps", "get", "x", "-o", "json")
	mustNotContain(t, out, "\u009b", "\u202e", "\x7f")
	var app struct{ Name string }
	if err := json.Unmarshal([]byte(out), &app); err != nil || app.Name != name {
		t.Fatalf("apps get -o json decoded to %q, %v; want %q\n%s", app.Name, err, name, out)
	}
}

// TestStatusNamesServer: status tells each profile's era and abilities
// apart from what the server answered (buildinfo, discovery, experiments).
func TestStatusNamesServer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		compat        sandbox.Compat
		era, basic    string
		wantsBasic    bool
		experimentsOn string
	}{
		{sandbox.CompatMain, "flag era (2.38+)", "client_secret_basic", true, "experiments: mcp-server-http"},
		{sandbox.CompatV236, "experiment era (2.31–2.37)", "client_secret_basic", true, "experiments: oauth2, mcp-server-http"},
		{sandbox.CompatV230, "v2.30 era", "client auth client_secret_post;", false, "experiments: oauth2, mcp-server-http"},
	} {
		t.Run(string(tc.compat), func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{Compat: tc.compat})
			h := newHarness(t)
			h.loginEnv(srv)
			out := h.ok("", "status")
			mustContain(t, out, "Server:", tc.era, tc.basic, tc.experimentsOn)
			var doc struct {
				Server struct {
					Era      string
					Features struct {
						Basic  bool `json:"client_secret_basic"`
						Scopes int  `json:"scopes_published"`
					}
				}
			}
			if err := json.Unmarshal([]byte(h.ok("", "status", "-o", "json")), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Server.Features.Basic != tc.wantsBasic || doc.Server.Features.Scopes == 0 {
				t.Fatalf("status -o json server = %+v", doc.Server)
			}
		})
	}
}

// TestMetadataPlainAuthorizationServer: a server that publishes RFC 8414
// metadata and no RFC 9728 document is fine unless it is Coder (which
// always publishes one): info and exit 0, or the error and exit 1.
func TestMetadataPlainAuthorizationServer(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name      string
		buildinfo bool
		code      int
		want      string
	}{
		{"plain authorization server", false, 0, "a plain authorization server need not publish it"},
		{"Coder without the document", true, 1, "protected-resource metadata"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/.well-known/oauth-authorization-server":
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprintf(w, `{"issuer":%q,"authorization_endpoint":"%s/authorize","token_endpoint":"%s/token","response_types_supported":["code"],"code_challenge_methods_supported":["S256"]}`,
						srv.URL, srv.URL, srv.URL)
				case c.buildinfo && r.URL.Path == "/api/v2/buildinfo":
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprint(w, `{"version":"v2.30.0","external_url":"https://github.com/coder/coder"}`)
				default:
					http.NotFound(w, r)
				}
			}))
			t.Cleanup(srv.Close)
			h := newHarness(t)
			r := h.run("", "metadata", "--url", srv.URL)
			if r.code != c.code || !strings.Contains(r.stdout+r.stderr, c.want) {
				t.Fatalf("exit %d (want %d), want %q:\n%s\n%s", r.code, c.code, c.want, r.stdout, r.stderr)
			}
		})
	}
}
