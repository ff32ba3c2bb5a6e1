package flows

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"

	"oauthdeck/client/safe"
)

// Consent by a command, for automation without a Coder session: the command
// gets the authorization URL in OAUTHDECK_AUTH_URL (an environment variable,
// not an argument, so other users' ps does not show it) and must bring a
// user agent to the loopback callback: curl against an auto-approving test
// server, a headless browser script, an SSO robot.

// ConsentCommandEnv is the variable that carries the authorization URL.
const ConsentCommandEnv = "OAUTHDECK_AUTH_URL"

// consentOutputLimit bounds what is kept of the command's output (its end).
const consentOutputLimit = 16 << 10

// ConsentCommandError is the command failing before the callback arrived,
// or the wait ending while it ran: its exit status and (sanitised) output.
type ConsentCommandError struct {
	Command string
	Status  string // "exit status 3", "still running", "killed"
	Output  string // last lines, sanitised
	Err     error  // the listener's error, when the wait ended first
}

func (e *ConsentCommandError) Error() string {
	msg := "consent command " + safe.Line(safe.Redact(e.Command)) + ": " + e.Status
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	if e.Output != "" {
		msg += "; its output: " + e.Output
	}
	return msg
}

func (e *ConsentCommandError) Unwrap() error { return e.Err }

// commandConsent runs the consent command and waits on the listener. A
// command that fails ends the wait at once; one that succeeds (it may have
// handed the URL to a browser) leaves the wait to its deadline.
func (f *Flow) commandConsent(ctx context.Context, authURL string, l *Listener) (Callback, error) {
	if l == nil {
		return Callback{}, errors.New("a consent command needs a loopback redirect_uri to listen on")
	}
	cctx, stop := context.WithCancel(ctx)
	defer stop()
	run := startConsentCommand(cctx, f.cfg.ConsentCommand, authURL)
	defer run.stop() // its work is done, or it failed: nothing it started lives on
	waitCtx, stopWait := context.WithCancel(ctx)
	defer stopWait()
	go func() {
		select {
		case <-run.done:
			run.mu.Lock()
			failed := run.err != nil
			run.mu.Unlock()
			if failed {
				stopWait()
			}
		case <-waitCtx.Done():
		}
	}()
	cb, err := l.Wait(waitCtx)
	if err == nil {
		return cb, nil
	}
	if ctx.Err() != nil {
		return Callback{}, err // interrupted: not the command's fault
	}
	status, out := run.result()
	cerr := &ConsentCommandError{Command: f.cfg.ConsentCommand, Status: status, Output: out}
	if status == "exit status 0" || status == "still running" {
		cerr.Err = err // it ran, but no callback came
	}
	return Callback{}, cerr
}

type consentRun struct {
	done chan struct{}
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  tailBuffer
	err  error
}

// stop ends the command and everything it started, and waits for it.
func (r *consentRun) stop() {
	_ = killGroup(r.cmd)
	<-r.done
}

func startConsentCommand(ctx context.Context, command, authURL string) *consentRun {
	run := &consentRun{done: make(chan struct{})}
	shell, flag := "/bin/sh", "-c"
	if runtime.GOOS == "windows" {
		shell, flag = "cmd", "/C"
	}
	cmd := exec.CommandContext(ctx, shell, flag, command) //nolint:gosec // running the command the user gave is the point
	cmd.Env = append(os.Environ(), ConsentCommandEnv+"="+authURL)
	cmd.Stdout, cmd.Stderr = &run.out, &run.out
	cmd.WaitDelay = 2 * time.Second // a child holding the pipes open cannot keep the step waiting
	ownGroup(cmd)
	run.cmd = cmd
	// Started here, not in the goroutine: stop reads cmd.Process.
	if err := cmd.Start(); err != nil {
		run.err = err
		close(run.done)
		return run
	}
	go func() {
		err := cmd.Wait()
		run.mu.Lock()
		run.err = err
		run.mu.Unlock()
		close(run.done)
	}()
	return run
}

// result is the command's status and the tail of its output.
func (r *consentRun) result() (string, string) {
	status := "still running"
	select {
	case <-r.done:
		r.mu.Lock()
		err := r.err
		r.mu.Unlock()
		var ee *exec.ExitError
		switch {
		case err == nil:
			status = "exit status 0"
		case errors.As(err, &ee):
			status = ee.Error()
		default:
			status = "could not run: " + safe.Line(err.Error())
		}
	default:
	}
	return status, r.out.tail()
}

// tailBuffer keeps the last consentOutputLimit bytes written to it: what a
// failing command says last is what explains it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	cut bool
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - consentOutputLimit; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
		b.cut = true
	}
	return len(p), nil
}

// tail is the last few lines, each redacted (a verbose curl prints the
// code in a Location header) and made safe for a terminal, joined by " | ".
func (b *tailBuffer) tail() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(b.buf)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	for i, l := range lines {
		lines[i] = safe.Line(safe.Redact(l))
	}
	out := strings.Join(lines, " | ")
	if b.cut {
		out = fmt.Sprintf("(the last %d KiB) ", consentOutputLimit>>10) + out
	}
	return out
}
