package ui

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"oauthdeck/client"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunDebugLogIsRedacted runs the real program (no terminal) against a
// server with the recorder and a debug log: the log names every exchange
// and never holds the session token; cancelling the context ends Run cleanly.
func TestRunDebugLogIsRedacted(t *testing.T) {
	t.Parallel()
	srv := hostileServer(t)
	const token = "AbCdEfGhIj-0123456789abcdefghijkl"
	logBuf := &syncBuffer{}
	rec := client.NewRecorder(100)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Deps{
			InitialURL: srv.URL, InitialToken: token, Recorder: rec, DebugLog: logBuf, Version: "test",
			programOptions: []tea.ProgramOption{tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(100, 30)},
		})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logBuf.String(), "/api/v2/users/me") {
		if time.Now().After(deadline) {
			t.Fatalf("debug log lacks the exchanges:\n%s", logBuf.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	log := logBuf.String()
	for _, want := range []string{"Starting oauthdeck test", "HTTP #", "GET", "/api/v2/buildinfo -> 200"} {
		if !strings.Contains(log, want) {
			t.Errorf("debug log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, token) {
		t.Fatalf("debug log holds the session token:\n%s", log)
	}
	if strings.Contains(log, "\x1b") {
		t.Fatalf("debug log holds raw escapes:\n%q", log)
	}
}
