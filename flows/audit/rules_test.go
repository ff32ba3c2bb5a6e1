package audit

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/client/coder"
)

var now = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

func at(ago time.Duration) *time.Time { t := now.Add(-ago); return &t }

const day = 24 * time.Hour

// flagEstate is a 2.38 deployment with the given apps; each app gets an
// allowlist and a recently used secret unless the test says otherwise.
func flagEstate(apps ...AppState) Estate {
	for i := range apps {
		if apps[i].App.ID == "" {
			apps[i].App.ID = "id-" + apps[i].App.Name
		}
	}
	return Estate{
		URL: "https://coder.example.com", ReadAt: now, DCROpen: false, Scopes: []string{"coder:workspaces.access", "workspace:ssh"},
		Server: coder.Describe(coder.Evidence{Version: "v2.38.0", HasBuildInfo: true, Metadata: true, RateLimit: 60}),
		Apps:   apps,
	}
}

func clean(name string, uris ...string) AppState {
	if len(uris) == 0 {
		uris = []string{"https://" + name + ".example.com/cb"}
	}
	f := false
	return AppState{
		App:     client.App{Name: name, RedirectURIs: uris, Scope: "coder:workspaces.access", ClientType: "confidential", DynamicallyRegistered: &f},
		Secrets: []client.AppSecret{{ID: "s-" + name, LastUsedAt: at(time.Hour), ClientSecretTruncated: "abc123"}},
	}
}

func rules(rep Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.Rule+" "+f.AppName+" "+f.SecretID)
	}
	return out
}

func TestCleanAppHasNoFindings(t *testing.T) {
	t.Parallel()
	rep := Judge(flagEstate(clean("good"), clean("loopback", "http://127.0.0.1:9876/cb", "http://localhost/cb"), clean("native", "com.example.app:/cb"), clean("oob", "urn:ietf:wg:oauth:2.0:oob")), Options{})
	if len(rep.Findings) != 0 || len(rep.Incomplete) != 0 {
		t.Fatalf("findings %v, incomplete %v", rules(rep), rep.Incomplete)
	}
	if rep.Apps != 4 || rep.Secrets != 4 || rep.Failed(Low) {
		t.Fatalf("report %+v", rep)
	}
}

// Each rule, on one app made to break it, and nothing else on that app.
func TestEachRuleFiresAlone(t *testing.T) {
	t.Parallel()
	dyn, pub := true, "public"
	cases := []struct {
		rule string
		app  func(a *AppState)
	}{
		{"redirect.http-remote", func(a *AppState) { a.App.RedirectURIs = []string{"http://portal.example.com/cb"} }},
		{"redirect.wildcard-host", func(a *AppState) { a.App.RedirectURIs = []string{"https://*.example.com/cb"} }},
		{"redirect.custom-scheme-no-path", func(a *AppState) { a.App.RedirectURIs = []string{"com.example.app:callback"} }},
		{"redirect.refused", func(a *AppState) { a.App.RedirectURIs = []string{"javascript:alert(1)"} }},
		{"redirect.refused", func(a *AppState) { a.App.RedirectURIs = []string{"https://x.example.com/cb#frag"} }},
		{"redirect.duplicate", func(a *AppState) {
			a.App.RedirectURIs = []string{"https://x.example.com/cb", "https://X.example.com/cb"}
		}},
		{"redirect.many", func(a *AppState) {
			for i := range 11 {
				a.App.RedirectURIs = append(a.App.RedirectURIs, "https://x.example.com/cb"+strings.Repeat("x", i))
			}
		}},
		{"secret.stale", func(a *AppState) { a.Secrets[0].LastUsedAt = at(100 * day) }},
		{"secret.never-used", func(a *AppState) { a.Secrets[0].LastUsedAt = nil }},
		{"secret.rotation-unfinished", func(a *AppState) {
			a.Secrets = append(a.Secrets, client.AppSecret{ID: "old", LastUsedAt: at(20 * day)})
		}},
		{"app.no-secret", func(a *AppState) { a.Secrets = nil }},
		{"app.dcr-unused", func(a *AppState) { a.App.DynamicallyRegistered = &dyn; a.Secrets[0].LastUsedAt = nil }},
		{"app.dcr-unused", func(a *AppState) { a.App.DynamicallyRegistered = &dyn; a.Secrets[0].LastUsedAt = at(91 * day) }},
		{"app.public", func(a *AppState) { a.App.ClientType = pub; a.Secrets = nil }},
		{"app.scope-unrestricted", func(a *AppState) { a.App.Scope = "" }},
		{"app.scope-grants-nothing", func(a *AppState) { a.App.Scope = "  " }},
		{"app.scope-grants-nothing", func(a *AppState) { a.App.Scope = "template:update made:up" }},
	}
	for _, c := range cases {
		a := clean("subject")
		c.app(&a)
		rep := Judge(flagEstate(a, clean("other")), Options{})
		if got := rules(rep); len(got) != 1 || !strings.HasPrefix(got[0], c.rule+" subject") {
			t.Errorf("%s: findings %q", c.rule, got)
		}
	}
}

// A recently used DCR app and a recent rotation (within the grace) are fine;
// a scope allowlist with one grantable name among unknown ones grants it.
func TestNearMissesAreNotFindings(t *testing.T) {
	t.Parallel()
	dyn := true
	a, b, c := clean("dcr-in-use"), clean("rotating"), clean("partial-scope")
	a.App.DynamicallyRegistered = &dyn
	b.Secrets = append(b.Secrets, client.AppSecret{ID: "old", LastUsedAt: at(3 * day)})
	c.App.Scope = "made:up workspace:ssh"
	if got := rules(Judge(flagEstate(a, b, c), Options{})); len(got) != 0 {
		t.Fatalf("findings %q", got)
	}
}

// An unused DCR app's never-used secret is reported once, by the app rule.
func TestDCRUnusedClaimsItsSecrets(t *testing.T) {
	t.Parallel()
	dyn := true
	a := clean("dcr")
	a.App.DynamicallyRegistered = &dyn
	a.Secrets = []client.AppSecret{{ID: "s1"}, {ID: "s2", LastUsedAt: at(200 * day)}}
	if got := rules(Judge(flagEstate(a), Options{})); !slices.Equal(got, []string{"app.dcr-unused dcr "}) {
		t.Fatalf("findings %q", got)
	}
}

func TestLookalikeNames(t *testing.T) {
	t.Parallel()
	rep := Judge(flagEstate(clean("cli-tool"), clean("clitool"), clean("CLI-T00L"), clean("other-app")), Options{})
	got := rules(rep)
	if len(got) != 2 || !strings.HasPrefix(got[0], "app.lookalike-name") || !strings.HasPrefix(got[1], "app.lookalike-name") {
		t.Fatalf("findings %q", got)
	}
	if skeleton("seed-00001") == skeleton("seed-00010") {
		t.Fatal("distinct numbers fold together")
	}
}

// Servers without the 2.38 fields: no scope or public findings, and what
// 2.38 will change is said once.
func TestOlderServer(t *testing.T) {
	t.Parallel()
	a := clean("portal", "http://portal.example.com/cb")
	a.App.Scope, a.App.ClientType, a.App.DynamicallyRegistered = "", "", nil
	est := flagEstate(a)
	est.Server = coder.Describe(coder.Evidence{Version: "v2.30.0", HasBuildInfo: true, Metadata: true})
	got := rules(Judge(est, Options{}))
	if !slices.Equal(got, []string{"redirect.http-remote portal ", "deployment.upgrade  ", "secret.use-not-recorded  "}) {
		t.Fatalf("findings %q", got)
	}
	if _, _, err := Candidates(est, PruneOptions{DCR: true}, now); !errors.Is(err, ErrNoDCRField) {
		t.Fatalf("--dcr on a server that does not say: %v", err)
	}
	if _, _, err := Candidates(est, PruneOptions{UnusedFor: day}, now); !errors.Is(err, ErrNoUseRecord) {
		t.Fatalf("--unused-for on a server that does not record use: %v", err)
	}
}

// Server strings reach findings only made safe.
func TestFindingsAreSafe(t *testing.T) {
	t.Parallel()
	a := clean("evil\x1b[31mname", "http://evil.example.com/\x1b]52;c;AAAA\a")
	for _, f := range Judge(flagEstate(a), Options{}).Findings {
		for _, s := range []string{f.Message, f.AppName, Subject(f)} {
			if strings.ContainsAny(s, "\x1b\a") {
				t.Fatalf("escape in %q", s)
			}
		}
	}
}

func TestFailOnAndIncomplete(t *testing.T) {
	t.Parallel()
	a := clean("stale")
	a.Secrets[0].LastUsedAt = at(100 * day) // medium
	rep := Judge(flagEstate(a), Options{})
	for floor, want := range map[Severity]bool{"": false, High: false, Medium: true, Low: true} {
		if rep.Failed(floor) != want {
			t.Errorf("fail-on %q: %v", floor, !want)
		}
	}
	b := clean("unreadable")
	b.SecretsErr = errors.New("403")
	rep = Judge(flagEstate(b), Options{})
	if len(rep.Incomplete) != 1 || !rep.Failed(High) || rep.Failed("") {
		t.Fatalf("incomplete %q, failed(high) %v", rep.Incomplete, rep.Failed(High))
	}
	if _, ok := ParseSeverity("critical"); ok {
		t.Fatal("critical accepted")
	}
}

func TestCandidates(t *testing.T) {
	t.Parallel()
	dyn := true
	d1, d2, pub, st := clean("dcr-old"), clean("dcr-new"), clean("public"), clean("static-old")
	d1.App.DynamicallyRegistered, d2.App.DynamicallyRegistered, pub.App.DynamicallyRegistered = &dyn, &dyn, &dyn
	d1.Secrets[0].LastUsedAt = at(40 * day)
	pub.App.ClientType, pub.Secrets = "public", nil
	st.Secrets[0].LastUsedAt = nil
	est := flagEstate(d1, d2, pub, st)
	names := func(po PruneOptions) (out []string, skipped int) {
		cs, sk, err := Candidates(est, po, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return out, len(sk)
	}
	if got, _ := names(PruneOptions{DCR: true}); !slices.Equal(got, []string{"dcr-old", "dcr-new", "public"}) {
		t.Errorf("--dcr: %q", got)
	}
	if got, sk := names(PruneOptions{DCR: true, UnusedFor: 30 * day}); !slices.Equal(got, []string{"dcr-old"}) || sk != 1 {
		t.Errorf("--dcr --unused-for 30d: %q, %d skipped", got, sk)
	}
	if got, _ := names(PruneOptions{UnusedFor: 30 * day}); !slices.Equal(got, []string{"dcr-old", "static-old"}) {
		t.Errorf("--unused-for 30d: %q", got)
	}
	if _, _, err := Candidates(est, PruneOptions{}, now); err == nil {
		t.Error("no condition accepted")
	}
}

func TestUnknownSeverityRanksLowest(t *testing.T) {
	t.Parallel()
	if Severity("critical").AtLeast(Info) || !Info.AtLeast(Severity("critical")) {
		t.Fatal("an unknown severity ranks above info")
	}
}

// A 2.38 deployment whose metadata answer states no rate limit runs with
// the limits off; one whose metadata was not read says nothing either way.
func TestRateLimitOff(t *testing.T) {
	t.Parallel()
	est := flagEstate(clean("good"))
	est.Server = coder.Describe(coder.Evidence{Version: "v2.38.0", HasBuildInfo: true, Metadata: true})
	if got := rules(Judge(est, Options{})); !slices.Equal(got, []string{"deployment.rate-limit-off  "}) {
		t.Fatalf("limits off: findings %q", got)
	}
	est.Server = coder.Describe(coder.Evidence{Version: "v2.38.0", HasBuildInfo: true})
	if got := rules(Judge(est, Options{})); len(got) != 0 {
		t.Fatalf("metadata not read: findings %q", got)
	}
}
