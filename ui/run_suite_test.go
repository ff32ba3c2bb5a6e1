package ui

import (
	"context"
	"io"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/sandbox"
)

// TestCtrlCDuringSuiteRemovesItsApps runs the real program, starts the
// conformance suite, and presses ctrl+c while the suite's test apps exist:
// by the time Run returns they are gone from the deployment.
func TestCtrlCDuringSuiteRemovesItsApps(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	suiteApps := func() []string { return srv.AppNames("oauthdeck-check-") }
	keys, typeKeys := io.Pipe()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Deps{InitialURL: srv.URL(), InitialToken: srv.AdminSessionToken(), Version: "test",
			programOptions: []tea.ProgramOption{tea.WithInput(keys), tea.WithOutput(io.Discard), tea.WithWindowSize(120, 36)}})
	}()
	send := func(s string) {
		if _, err := io.WriteString(typeKeys, s); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(suiteApps()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the suite never created its test apps")
		}
		send("5")
		time.Sleep(50 * time.Millisecond)
		send("r")
		time.Sleep(50 * time.Millisecond)
	}
	send("\x03") // ctrl+c
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after ctrl+c")
	}
	if left := suiteApps(); len(left) > 0 {
		t.Fatalf("ctrl+c left the suite's apps on the deployment: %v", left)
	}
}
