package flows

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/sandbox"
)

// holdAppCreate lets the create-app request reach the server, then holds
// its response until release is closed: the app exists, the step does not
// know it yet.
type holdAppCreate struct {
	created, release chan struct{}
	once             sync.Once
}

func (h *holdAppCreate) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/oauth2-provider/apps") {
		h.once.Do(func() { close(h.created) })
		<-h.release
	}
	return resp, err
}

// Close during the client step waits for it, then deletes the app it was
// creating: the app must not be orphaned because Close looked too early.
func TestFlowCloseDuringClientStepDeletesItsApp(t *testing.T) {
	t.Parallel()
	env := startSandbox(t, sandbox.CompatV230)
	hold := &holdAppCreate{created: make(chan struct{}), release: make(chan struct{})}
	c, err := client.New(env.srv.URL(), env.srv.AdminSessionToken(), client.Options{Timeout: 10 * time.Second, Transport: hold})
	if err != nil {
		t.Fatal(err)
	}
	f, err := New(Config{Client: c, CallbackURL: "http://127.0.0.1:0/callback", Cleanup: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if r := f.Run(ctx, StepDiscover); r.Status == StatusFailed {
		t.Fatalf("discover: %v", r.Err)
	}
	stepDone := make(chan StepResult)
	go func() { stepDone <- f.Run(ctx, StepClient) }()
	<-hold.created
	closed := make(chan error)
	go func() { closed <- f.Close() }()
	for !f.isClosed() {
		time.Sleep(time.Millisecond)
	}
	close(hold.release)
	<-stepDone
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	apps, err := env.c.Apps(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 0 {
		t.Fatalf("Close left %d app(s) behind: %+v", len(apps), apps)
	}
	// A second Close returns the first one's outcome, and no step runs any more.
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if r := f.Run(ctx, StepPrepare); r.Status != StatusFailed {
		t.Fatalf("a step ran on a closed flow: %s", r.Status)
	}
}

// A Config.Context that is already done closes the flow at once (the watch
// fires while New is still setting up): no step runs.
func TestFlowContextAlreadyDone(t *testing.T) {
	t.Parallel()
	life, end := context.WithCancel(context.Background())
	end()
	c, err := client.New("http://127.0.0.1:1", "", client.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	f, err := New(Config{Client: c, Context: life})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if r := f.Run(testCtx(t), StepDiscover); r.Status != StatusFailed || !errors.Is(r.Err, errFlowClosed) {
		t.Fatalf("discover on a closed flow = %s %v", r.Status, r.Err)
	}
}
