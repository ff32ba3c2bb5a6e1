package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/charmbracelet/x/term"

	"oauthdeck/client"
	"oauthdeck/client/safe"
)

// openDebugLog opens path for appending redacted exchanges. It refuses a
// terminal: the log is for a file, and exchanges never go to the screen.
func openDebugLog(path string) (io.WriteCloser, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--debug-log: %w", err)
	}
	if term.IsTerminal(f.Fd()) {
		_ = f.Close() // refused before anything was written
		return nil, usagef("--debug-log %s is a terminal; give a file path", path)
	}
	if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 && path != os.DevNull {
		_ = f.Close() // refused before anything was written
		return nil, usagef("--debug-log %s is a device; give a file path", path)
	}
	return &lockedWriter{w: f}, nil
}

// lockedWriter serialises writes: exchanges are recorded from any goroutine.
type lockedWriter struct {
	mu sync.Mutex
	w  io.WriteCloser
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Close()
}

// writeExchange appends one exchange. The recorder has already redacted it;
// safe.Redact runs again over the assembled text as a second net.
func writeExchange(w io.Writer, e client.Exchange) {
	status := fmt.Sprint(e.StatusCode)
	if e.StatusCode == 0 {
		status = "-"
	}
	line := fmt.Sprintf("%s #%d %s %s %s -> %s (%s)",
		e.Started.UTC().Format(time.RFC3339Nano), e.ID, e.Phase, e.Method, e.URL, status, e.Duration.Round(time.Millisecond))
	if e.Err != "" {
		line += " error: " + e.Err
	}
	var b []byte
	b = append(b, safe.Redact(safe.Line(line))...)
	b = append(b, '\n')
	if len(e.RequestBody) > 0 {
		b = append(b, "  request: "+safe.Redact(safe.Line(string(e.RequestBody)))+"\n"...)
	}
	if len(e.ResponseBody) > 0 {
		b = append(b, "  response: "+safe.Redact(safe.Line(string(e.ResponseBody)))+"\n"...)
	}
	_, _ = w.Write(b) // a failing debug log must not break the command
}
