package flows

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"oauthdeck/client"
)

// The catalogue by kind from scopes_supported; composites expanded where
// /api/v2/auth/scopes says what they cover (Coder's newer shape, served
// here by a stand-in at the edge of this unit test), and a note where not.
func TestReadScopeCatalogExpandsComposites(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"http://` + r.Host + `","authorization_endpoint":"http://` + r.Host + `/a","token_endpoint":"http://` + r.Host + `/t",
			"scopes_supported":["coder:workspaces.access","workspace:*","workspace:ssh","openid"]}`))
	})
	serveCatalogue := true
	mux.HandleFunc("/api/v2/auth/scopes", func(w http.ResponseWriter, _ *http.Request) {
		if !serveCatalogue {
			http.NotFound(w, nil)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"specials":["all"],"low_level":[{"name":"workspace:ssh","resource":"workspace","action":"ssh"}],
			"composites":[{"name":"coder:workspaces.access","expands_to":["workspace:read","workspace:ssh","\u001b[2Jtemplate:read"]}]}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := client.New(srv.URL, "AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB", client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := ReadScopeCatalog(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cat.Composite, []string{"coder:workspaces.access"}) || !slices.Equal(cat.Wildcard, []string{"workspace:*"}) ||
		!slices.Equal(cat.LowLevel, []string{"workspace:ssh"}) || !slices.Equal(cat.Other, []string{"openid"}) {
		t.Fatalf("kinds %+v", cat)
	}
	exp := cat.Expands["coder:workspaces.access"]
	if len(exp) != 3 || exp[1] != "workspace:ssh" || exp[2] == "\x1b[2Jtemplate:read" {
		t.Fatalf("expansion %q (escape sequences must not pass)", exp)
	}
	serveCatalogue = false
	if cat, _ = ReadScopeCatalog(context.Background(), c); cat.Expands != nil || cat.Note == "" {
		t.Fatalf("without the catalogue: %+v", cat)
	}
}
