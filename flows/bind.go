package flows

import (
	"context"
	"errors"
	"net"
	"syscall"
	"time"
)

// bindGrace is how long a loopback bind is retried while the port is busy.
// A port this process has just closed can still be held for a moment by a
// child process between its fork and exec (any program started meanwhile,
// a browser or a consent command, inherits every open socket until exec
// closes it), so "in use" is believed only once it lasts.
const bindGrace = 300 * time.Millisecond

// listenLoopback binds addr, retrying while it is busy for up to bindGrace.
func listenLoopback(ctx context.Context, addr string) (net.Listener, error) {
	var lc net.ListenConfig
	deadline := time.Now().Add(bindGrace)
	for {
		ln, err := lc.Listen(ctx, "tcp", addr)
		if err == nil || !errors.Is(err, syscall.EADDRINUSE) || time.Now().After(deadline) {
			return ln, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err() // stopped while waiting, not "in use"
		case <-time.After(10 * time.Millisecond):
		}
	}
}
