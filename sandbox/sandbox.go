package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Options configures Start. The zero value is a main-mode server on
// 127.0.0.1 with an ephemeral port.
type Options struct {
	Addr             string // default "127.0.0.1:0"; non-loopback hosts are refused
	Compat           Compat // "" means CompatMain
	ProviderDisabled bool   // answer as a deployment whose OAuth2 provider is off
	EnableDCR        bool   // main mode: dynamic client registration on (v2.30 is always open)
	NoAuditLog       bool   // answer as a deployment without the premium audit log (entitlements say so; nothing is recorded)
	// DemoSignIn adds a one-click "sign in as the admin" to the sign-in page,
	// for the demo, whose random admin password nobody is shown.
	DemoSignIn bool

	AdminEmail, AdminUsername, AdminPassword string // defaults admin@example.com / admin / random

	SessionDuration time.Duration // session lifetime, default 24h
	RefreshLifetime time.Duration // default 720h
	CodeLifetime    time.Duration // default 10m
	// AccessTokenLifetime is an OAuth2 access token's (expires_in), default
	// SessionDuration. A short one lets a client see a token expire; the
	// admin's session keeps SessionDuration.
	AccessTokenLifetime time.Duration
	// RateLimit is the requests per RateWindow of each rate-limited endpoint
	// on a profile that has rate limits: 0 means DefaultRateLimit, below 0
	// none (Coder's --dangerous-disable-rate-limits). RateWindow defaults to
	// a minute.
	RateLimit  int
	RateWindow time.Duration
	Now        func() time.Time // clock, default time.Now
}

// Server is a running sandbox.
type Server struct {
	opts     Options
	b        behaviours // the profile's, fixed at Start
	url      string
	listener net.Listener
	http     *http.Server
	handler  http.Handler
	store    *store
	requests atomic.Int64
	limiter  *rateLimiter // nil: no rate limits

	adminSession string
	adminID      uuid.UUID
	demoNonce    string // the one-click sign-in form's hidden value (DemoSignIn)

	closeOnce sync.Once
	serveErr  error // set before done closes
	done      chan struct{}
}

// maxBodyBytes bounds every request body so the server cannot be pushed over.
const maxBodyBytes = 1 << 20

// Start listens on a loopback address and serves until Close or ctx is done.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if err := opts.applyDefaults(); err != nil {
		return nil, err
	}
	ln, err := listenLoopback(ctx, opts.Addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:     opts,
		b:        profileBehaviours[opts.Compat],
		url:      "http://" + ln.Addr().String(),
		listener: ln,
		store:    newStore(),
		done:     make(chan struct{}),
	}
	s.store.dcrOn = !s.b.dcrSettings || opts.EnableDCR
	if s.b.rateLimits && opts.RateLimit >= 0 {
		s.limiter = &rateLimiter{limit: opts.RateLimit, window: opts.RateWindow, now: opts.Now, windows: map[string]rateWindow{}}
	}
	adminID, session, err := s.CreateUser(opts.AdminEmail, opts.AdminUsername, opts.AdminPassword, true)
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("sandbox: seeding admin user: %w", err)
	}
	s.store.mu.Lock()
	s.store.users[uuid.MustParse(adminID)].name = "Admin" // as on the observed deployment
	s.store.mu.Unlock()
	s.adminSession = session
	s.adminID = uuid.MustParse(adminID)
	if opts.DemoSignIn {
		s.demoNonce = randomAlnum(32)
	}

	s.handler = s.routes()
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	go func() {
		defer close(s.done)
		if err := s.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.serveErr = err
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = s.Close()
		case <-s.done:
		}
	}()
	return s, nil
}

func (o *Options) applyDefaults() error {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Compat == "" {
		o.Compat = CompatMain
	}
	if _, ok := profileBehaviours[o.Compat]; !ok {
		return fmt.Errorf("sandbox: unknown Compat %q (want one of %v)", o.Compat, Profiles())
	}
	if o.AdminEmail == "" {
		o.AdminEmail = "admin@example.com"
	}
	if o.AdminUsername == "" {
		o.AdminUsername = "admin"
	}
	if o.AdminPassword == "" {
		o.AdminPassword = randomAlnum(20)
	}
	if o.SessionDuration <= 0 {
		o.SessionDuration = 24 * time.Hour
	}
	if o.AccessTokenLifetime <= 0 {
		o.AccessTokenLifetime = o.SessionDuration
	}
	if o.RefreshLifetime <= 0 {
		o.RefreshLifetime = 720 * time.Hour
	}
	if o.CodeLifetime <= 0 {
		o.CodeLifetime = 10 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RateLimit == 0 {
		o.RateLimit = DefaultRateLimit
	}
	if o.RateWindow <= 0 {
		o.RateWindow = time.Minute
	}
	return nil
}

// listenLoopback refuses anything but a loopback host: the sandbox hands out
// real credentials and must never be reachable from the network.
func listenLoopback(ctx context.Context, addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: bad listen address %q: %w", addr, err)
	}
	if !isLoopbackHost(host) {
		return nil, fmt.Errorf("sandbox: refusing to listen on %q: only loopback hosts (127.0.0.1, ::1, localhost) are allowed", addr)
	}
	if host == "localhost" {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listening on %s: %w", addr, err)
	}
	return ln, nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// URL is the access URL and issuer, without a trailing slash.
func (s *Server) URL() string { return s.url }

// AdminSessionToken is a valid session token for the admin (owner) user.
func (s *Server) AdminSessionToken() string { return s.adminSession }

// AdminEmail is the admin's login email.
func (s *Server) AdminEmail() string { return s.opts.AdminEmail }

// AdminPassword is the admin's password.
func (s *Server) AdminPassword() string { return s.opts.AdminPassword }

// Compat is the behaviour the server reproduces.
func (s *Server) Compat() Compat { return s.opts.Compat }

// Requests is the number of HTTP requests served so far.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Handler is the server's HTTP handler, for in-process tests.
func (s *Server) Handler() http.Handler { return s.handler }

// SetDCR switches dynamic client registration on or off (main mode), like
// the admin setting. v2.30 is always open and ignores it.
func (s *Server) SetDCR(on bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.dcrOn = on || !s.b.dcrSettings
}

// DCROpen reports whether dynamic client registration is open now.
func (s *Server) DCROpen() bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.dcrOn
}

// Close stops the listener, gives in-flight requests 100 ms, and waits
// for the serve loop to end. It is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		// Briefly graceful: a connection the server is closing after a 413
		// (net/http waits half a second before the close) is not worth waiting for.
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if err := s.http.Shutdown(ctx); err != nil {
			_ = s.http.Close()
		}
	})
	<-s.done
	return s.serveErr
}

func (s *Server) now() time.Time { return s.opts.Now().UTC().Truncate(time.Microsecond) }

func (s *Server) urlFor(path string) string { return s.url + path }
