package audit_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/flows/audit"
	"oauthdeck/sandbox"
)

func sandboxClient(t *testing.T, seeds ...sandbox.AppSeed) (*sandbox.Server, *client.Client) {
	t.Helper()
	srv, err := sandbox.Start(context.Background(), sandbox.Options{EnableDCR: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	for _, s := range seeds {
		srv.Seed(s)
	}
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// Read gets every app and secret, calling progress once per app; Judge
// then sees the secrets' last use as the server reports it.
func TestReadTheEstate(t *testing.T) {
	t.Parallel()
	old := time.Now().Add(-100 * 24 * time.Hour)
	_, c := sandboxClient(t,
		sandbox.AppSeed{Name: "a", RedirectURIs: []string{"https://a.example.com/cb"}, Secrets: []sandbox.SecretSeed{{LastUsed: old}}},
		sandbox.AppSeed{Name: "b", RedirectURIs: []string{"https://b.example.com/cb"}, Public: true, Dynamic: true},
		sandbox.AppSeed{Name: "c", RedirectURIs: []string{"https://c.example.com/cb"}, Secrets: []sandbox.SecretSeed{{}, {}}})
	var calls []int
	est, err := audit.Read(context.Background(), c, audit.Options{SecretsConcurrency: 2}, func(done, total int) {
		if total != 3 {
			t.Errorf("total %d", total)
		}
		calls = append(calls, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(calls, []int{1, 2, 3}) || len(est.Apps) != 3 || est.Scopes == nil || !est.DCROpen || est.DCRSetting == nil || !*est.DCRSetting {
		t.Fatalf("progress %v, estate %+v", calls, est)
	}
	secrets := map[string]int{}
	for _, a := range est.Apps {
		secrets[a.App.Name] = len(a.Secrets)
	}
	if secrets["a"] != 1 || secrets["b"] != 0 || secrets["c"] != 2 {
		t.Fatalf("secrets %v", secrets)
	}
	rep := audit.Judge(est, audit.Options{})
	var stale bool
	for _, f := range rep.Findings {
		stale = stale || f.Rule == "secret.stale" && f.AppName == "a"
	}
	if !stale || rep.Secrets != 3 {
		t.Fatalf("findings %+v", rep.Findings)
	}
}

// Prune deletes in order; an app already gone counts as gone; when the
// context ends part-way, what was not deleted is listed as left.
func TestPruneInterruptedAndGone(t *testing.T) {
	t.Parallel()
	var seeds []sandbox.AppSeed
	for _, n := range []string{"p1", "p2", "p3", "p4"} {
		seeds = append(seeds, sandbox.AppSeed{Name: n, RedirectURIs: []string{"https://x.example.com/cb"}})
	}
	srv, c := sandboxClient(t, seeds...)
	est, err := audit.Read(context.Background(), c, audit.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cands, _, err := audit.Candidates(est, audit.PruneOptions{UnusedFor: time.Hour}, time.Now())
	if err != nil || len(cands) != 4 {
		t.Fatalf("%d candidates, %v", len(cands), err)
	}
	if err := c.DeleteApp(context.Background(), cands[1].ID); err != nil { // p2 goes before the prune
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := audit.Prune(ctx, c, cands, func(cand audit.Candidate, _ error) {
		if cand.Name == "p2" {
			cancel() // interrupted after the second
		}
	})
	if len(res.Deleted) != 1 || res.Deleted[0].Name != "p1" || len(res.Gone) != 1 || len(res.Left) != 2 || res.Left[0].Name != "p3" {
		t.Fatalf("result %+v", res)
	}
	if got := srv.AppNames("p"); !slices.Equal(got, []string{"p3", "p4"}) {
		t.Fatalf("apps left %q", got)
	}
}
