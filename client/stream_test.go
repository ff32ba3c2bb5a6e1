package client_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"oauthdeck/client"
)

// appsJSON writes n apps as Coder's list does, one at a time.
func appsJSON(w io.Writer, n int) {
	_, _ = io.WriteString(w, "[")
	for i := 0; i < n; i++ {
		if i > 0 {
			_, _ = io.WriteString(w, ",")
		}
		_, _ = fmt.Fprintf(w, `{"id":"id-%07d","name":"app-%d","callback_url":"http://127.0.0.1:9876/cb","icon":"","endpoints":{"authorization":"a","token":"t","device_authorization":""}}`, i, i)
	}
	_, _ = io.WriteString(w, "]")
}

// TestAppsListLargerThanTheBodyLimit: the list is bounded per app, not as a
// whole, so a deployment whose list is many times MaxBodyBytes still lists
// (the 8 MiB cap once failed at about 22,000 apps).
func TestAppsListLargerThanTheBodyLimit(t *testing.T) {
	t.Parallel()
	const n = 5000 // about 800 KB at a 64 KB limit
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		appsJSON(w, n)
	}, client.Options{MaxBodyBytes: 64 << 10})
	apps, err := c.Apps(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != n || apps[n-1].ID != fmt.Sprintf("id-%07d", n-1) || apps[0].RedirectURIs[0] != "http://127.0.0.1:9876/cb" {
		t.Fatalf("got %d apps, last %+v", len(apps), apps[len(apps)-1])
	}
}

// TestAppsListOneHugeApp: one app larger than the limit (sent as a gzip
// bomb of one long name) is refused after about the limit, not read whole.
func TestAppsListOneHugeApp(t *testing.T) {
	// Not parallel: it measures the whole process's allocations.
	var compressed bytes.Buffer
	zw := gzip.NewWriter(&compressed)
	_, _ = io.WriteString(zw, `[{"id":"a","name":"`)
	chunk := bytes.Repeat([]byte("n"), 1<<20)
	for i := 0; i < 32; i++ {
		_, _ = zw.Write(chunk)
	}
	_, _ = io.WriteString(zw, `"}]`)
	_ = zw.Close()
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(compressed.Bytes())
	}, client.Options{MaxBodyBytes: 1 << 20})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.Apps(context.Background())
	runtime.ReadMemStats(&after)
	var ue *client.UnexpectedResponseError
	if !errors.As(err, &ue) || !strings.Contains(ue.Reason, "larger than 1048576 bytes") {
		t.Fatalf("want an oversized-item error, got %T: %v", err, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("allocated %d bytes refusing a 32 MB app at a 1 MiB limit", alloc)
	}
}

// TestAppsListShapes: every shape a server sends, and the broken ones.
func TestAppsListShapes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		body    string
		want    int
		wantErr string
	}{
		{`null`, 0, ""},
		{`[]`, 0, ""},
		{` [ {"id":"a"} , {"id":"b"} ] `, 2, ""},
		{`{"count":1,"extra":{"x":[1,2]},"apps":[{"id":"a"}]}`, 1, ""},
		{`{"apps":null,"count":0}`, 0, ""},
		{`{"count":3}`, 0, "without apps"},
		{`{"apps":"x"}`, 0, "not a list"},
		{`"apps"`, 0, "got a string"},
		{`[{"id":"a"},`, 0, "malformed or truncated"},
		{`[{"id":1}]`, 0, "malformed"},
		{`<html>`, 0, "malformed"},
	} {
		hc := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, c.body)
		}, client.Options{})
		apps, err := hc.Apps(context.Background())
		switch {
		case c.wantErr == "" && (err != nil || len(apps) != c.want):
			t.Errorf("%s: %d apps, %v", c.body, len(apps), err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: want error with %q, got %v", c.body, c.wantErr, err)
		}
	}
}

// TestEachAppStopsWhenAsked: an error of the callback ends the listing at
// once and comes back unchanged.
func TestEachAppStopsWhenAsked(t *testing.T) {
	t.Parallel()
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		appsJSON(w, 100)
	}, client.Options{})
	stop := errors.New("enough")
	seen := 0
	err := c.EachApp(context.Background(), func(client.App) error {
		seen++
		if seen == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || seen != 3 {
		t.Fatalf("seen %d, err %v", seen, err)
	}
}

// TestAppsListRefusesWhatJSONRefuses: the stream is as strict as decoding
// the whole body was: nothing after the list, one "apps" per page, and an
// error body past the limit is refused, not cut.
func TestAppsListRefusesWhatJSONRefuses(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ body, want string }{
		{`[{"id":"a"}]<html>garbage`, "data after the list"},
		{`[{"id":"a"}][{"id":"b"}]`, "data after the list"},
		{`{"apps":[{"id":"a"}],"apps":[{"id":"b"}]}`, `"apps" twice`},
	} {
		hc := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, c.body)
		}, client.Options{})
		if _, err := hc.Apps(context.Background()); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: want %q, got %v", c.body, c.want, err)
		}
	}
	hc := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"message":"`+strings.Repeat("x", 2000)+`"}`)
	}, client.Options{MaxBodyBytes: 1000})
	var tl *client.BodyTooLargeError
	if _, err := hc.Apps(context.Background()); !errors.As(err, &tl) {
		t.Errorf("an oversized error body: %T %v", err, err)
	}
}

// TestAppsListStopsAtMaxListApps: a stream of tiny distinct apps ends at
// the bound (Options.MaxListApps; 500,000 by default) with an error
// instead of filling memory.
func TestAppsListStopsAtMaxListApps(t *testing.T) {
	t.Parallel()
	const limit = 2000
	c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "[")
		for i := 0; i <= limit; i++ {
			if i > 0 {
				_, _ = io.WriteString(w, ",")
			}
			_, _ = fmt.Fprintf(w, `{"id":"%d"}`, i)
		}
		_, _ = io.WriteString(w, "]")
	}, client.Options{MaxListApps: limit})
	n := 0
	err := c.EachApp(context.Background(), func(client.App) error { n++; return nil })
	if err == nil || !strings.Contains(err.Error(), "more than 2000 apps") || n != limit {
		t.Fatalf("handed on %d apps, err %v", n, err)
	}
}
