package clients_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"oauthdeck/client"
	"oauthdeck/flows/clients"
	"oauthdeck/sandbox"
)

// want is each client profile's outcome on each sandbox profile: "works",
// or the step it breaks at. README.md's client table shows the same.
var want = map[sandbox.Compat]map[string]string{
	sandbox.CompatMain: {"cursor": "works", "codex": "authorize", "claude-code": "refresh-reuse", "inspector": "works"},
	sandbox.CompatV236: {"cursor": "authorize", "codex": "authorize", "claude-code": "refresh-reuse", "inspector": "works"},
	sandbox.CompatV230: {"cursor": "authorize", "codex": "works", "claude-code": "refresh-reuse", "inspector": "works"},
}

func TestClientProfilesOnEachServer(t *testing.T) {
	t.Parallel()
	for _, compat := range sandbox.Profiles() {
		t.Run(string(compat), func(t *testing.T) {
			srv, c := startWithDCR(t, compat)
			for _, p := range clients.Profiles {
				res, err := clients.Run(context.Background(), c, p)
				if err != nil {
					t.Fatalf("%s: %v", p.Name, err)
				}
				got := "works"
				if !res.Works {
					got = res.BrokeAt
				}
				var steps []string
				for _, s := range res.Steps {
					steps = append(steps, fmt.Sprintf("%s ok=%v %s", s.Name, s.OK, s.Detail))
				}
				if got != want[compat][p.Name] {
					t.Errorf("%s on %s: %s (%s)\n  %s", p.Name, compat, got, res.Why, strings.Join(steps, "\n  "))
				}
			}
			if left := srv.AppNames(""); len(left) != 0 {
				t.Errorf("clients left behind: %q", left)
			}
		})
	}
}

// With DCR off, every client (they all register themselves) breaks at
// registration, saying so.
func TestClientProfilesWithoutDCR(t *testing.T) {
	t.Parallel()
	srv, err := sandbox.Start(context.Background(), sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, _ := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	for _, p := range clients.Profiles {
		res, err := clients.Run(context.Background(), c, p)
		if err != nil || res.Works || res.BrokeAt != "register" || !strings.Contains(res.Why, "registration_endpoint") {
			t.Errorf("%s: %+v, %v", p.Name, res, err)
		}
	}
}

// README.md's table of client profiles says what this test finds.
func TestReadmeTableMatches(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	show := func(s string) string {
		if s == "works" {
			return "works"
		}
		return "breaks at " + s
	}
	for _, p := range clients.Profiles {
		row := fmt.Sprintf("| `%s` | %s | %s | %s |", p.Name,
			show(want[sandbox.CompatMain][p.Name]), show(want[sandbox.CompatV236][p.Name]), show(want[sandbox.CompatV230][p.Name]))
		if !strings.Contains(string(raw), row) {
			t.Errorf("README.md lacks the row %s", row)
		}
	}
}

// Started at the MCP endpoint, each client finds the authorization server
// as real MCP clients do (401, resource metadata, server metadata), gets a
// token for the MCP resource and initializes with it; the verdicts are
// those of the deployment start, plus the MCP steps where the client works.
func TestClientProfilesFromTheMCPEndpoint(t *testing.T) {
	t.Parallel()
	for _, compat := range sandbox.Profiles() {
		t.Run(string(compat), func(t *testing.T) {
			srv, c := startWithDCR(t, compat)
			for _, p := range clients.Profiles {
				res, err := clients.RunWith(context.Background(), c, p, clients.Options{MCPURL: srv.URL() + "/api/experimental/mcp/http"})
				if err != nil {
					t.Fatalf("%s: %v", p.Name, err)
				}
				got := "works"
				if !res.Works {
					got = res.BrokeAt
				}
				if got != want[compat][p.Name] {
					t.Errorf("%s: %s, want %s: %+v", p.Name, got, want[compat][p.Name], res.Steps)
				}
				names := map[string]bool{}
				for _, s := range res.Steps {
					names[s.Name] = s.OK
				}
				if !names["mcp-challenge"] || !names["resource-metadata"] || !names["server-metadata"] {
					t.Errorf("%s: discovery steps %+v", p.Name, res.Steps)
				}
				if res.Works && !names["mcp-initialize"] {
					t.Errorf("%s works without an MCP initialize: %+v", p.Name, res.Steps)
				}
			}
		})
	}
}

// startWithDCR is a sandbox of compat with registration open and no rate
// limits, and an admin client for it.
func startWithDCR(t *testing.T, compat sandbox.Compat) (*sandbox.Server, *client.Client) {
	t.Helper()
	srv, err := sandbox.Start(context.Background(), sandbox.Options{Compat: compat, EnableDCR: true, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}
