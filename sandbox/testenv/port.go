package testenv

import (
	"context"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gofrs/flock"
)

// LoopbackPort returns a 127.0.0.1 port for a test to listen on later (a
// redirect URI registered before its listener exists). It is taken below
// the kernel's ephemeral range, so the outgoing connections and port-0
// listeners of tests running in parallel cannot take it in the meantime
// (a port-0 port closed and reused later could be). It is handed out once
// per test process, and across the test processes of one go test run
// (-p) a lock file held until the test ends keeps it to one of them.
func LoopbackPort(t testing.TB) string {
	t.Helper()
	portMu.Lock()
	defer portMu.Unlock()
	low := ephemeralLow()
	dir := filepath.Join(os.TempDir(), "oauthdeck-test-ports")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for range 200 {
		p := 10000 + rand.IntN(low-10000) //nolint:gosec // a port to try, not a secret
		if portsGiven[p] {
			continue
		}
		// The lock files stay: removing one could let two processes hold
		// locks on the same name (one on the removed file).
		lock := flock.New(filepath.Join(dir, strconv.Itoa(p)))
		if ok, err := lock.TryLock(); err != nil || !ok {
			continue // another test process has it
		}
		var lc net.ListenConfig
		l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			_ = lock.Unlock()
			continue // another program holds it
		}
		_ = l.Close()
		portsGiven[p] = true
		t.Cleanup(func() { _ = lock.Unlock() })
		return strconv.Itoa(p)
	}
	t.Fatal("no free loopback port below the ephemeral range after 200 tries")
	return ""
}

var (
	portMu     sync.Mutex
	portsGiven = map[int]bool{}
)

// ephemeralLow is the first port the kernel hands out for port 0 (Linux's
// ip_local_port_range; 32768, its usual value, elsewhere).
func ephemeralLow() int {
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil && n > 11000 {
				return n
			}
		}
	}
	return 32768
}
