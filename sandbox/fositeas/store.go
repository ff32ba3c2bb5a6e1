package fositeas

import (
	"context"
	"sync"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/pkce"
)

// memStore is the in-memory storage fosite's handlers need: clients, codes,
// PKCE requests, access and refresh tokens (with revocation by request id).
// One mutex; this serves tests, not traffic.
type memStore struct {
	mu       sync.Mutex
	clients  map[string]fosite.Client
	codes    map[string]record
	pkce     map[string]fosite.Requester
	access   map[string]fosite.Requester
	refresh  map[string]record
	accessBy map[string]string // request id → access signature
	refBy    map[string]string // request id → refresh signature
}

type record struct {
	fosite.Requester
	active bool
}

var (
	_ fosite.ClientManager          = (*memStore)(nil)
	_ oauth2.CoreStorage            = (*memStore)(nil)
	_ oauth2.TokenRevocationStorage = (*memStore)(nil)
	_ pkce.PKCERequestStorage       = (*memStore)(nil)
)

func newMemStore() *memStore {
	return &memStore{clients: map[string]fosite.Client{}, codes: map[string]record{}, pkce: map[string]fosite.Requester{},
		access: map[string]fosite.Requester{}, refresh: map[string]record{}, accessBy: map[string]string{}, refBy: map[string]string{}}
}

func (s *memStore) GetClient(_ context.Context, id string) (fosite.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	return c, nil
}

func (s *memStore) ClientAssertionJWTValid(context.Context, string) error { return nil }

func (s *memStore) SetClientAssertionJWT(context.Context, string, time.Time) error { return nil }

func (s *memStore) CreateAuthorizeCodeSession(_ context.Context, code string, req fosite.Requester) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = record{Requester: req, active: true}
	return nil
}

func (s *memStore) GetAuthorizeCodeSession(_ context.Context, code string, _ fosite.Session) (fosite.Requester, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.codes[code]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	if !r.active {
		// fosite revokes the tokens issued for a replayed code when it sees this.
		return r.Requester, fosite.ErrInvalidatedAuthorizeCode
	}
	return r.Requester, nil
}

func (s *memStore) InvalidateAuthorizeCodeSession(_ context.Context, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.codes[code]
	if !ok {
		return fosite.ErrNotFound
	}
	r.active = false
	s.codes[code] = r
	return nil
}

func (s *memStore) CreatePKCERequestSession(_ context.Context, sig string, req fosite.Requester) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pkce[sig] = req
	return nil
}

func (s *memStore) GetPKCERequestSession(_ context.Context, sig string, _ fosite.Session) (fosite.Requester, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.pkce[sig]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	return r, nil
}

func (s *memStore) DeletePKCERequestSession(_ context.Context, sig string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pkce, sig)
	return nil
}

func (s *memStore) CreateAccessTokenSession(_ context.Context, sig string, req fosite.Requester) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access[sig] = req
	s.accessBy[req.GetID()] = sig
	return nil
}

func (s *memStore) GetAccessTokenSession(_ context.Context, sig string, _ fosite.Session) (fosite.Requester, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.access[sig]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	return r, nil
}

func (s *memStore) DeleteAccessTokenSession(_ context.Context, sig string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.access, sig)
	return nil
}

func (s *memStore) CreateRefreshTokenSession(_ context.Context, sig, _ string, req fosite.Requester) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh[sig] = record{Requester: req, active: true}
	s.refBy[req.GetID()] = sig
	return nil
}

func (s *memStore) GetRefreshTokenSession(_ context.Context, sig string, _ fosite.Session) (fosite.Requester, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.refresh[sig]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	if !r.active {
		// A rotated token presented again: fosite treats it as reuse.
		return r.Requester, fosite.ErrInactiveToken
	}
	return r.Requester, nil
}

func (s *memStore) DeleteRefreshTokenSession(_ context.Context, sig string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.refresh, sig)
	return nil
}

func (s *memStore) RotateRefreshToken(ctx context.Context, requestID, _ string) error {
	if err := s.RevokeRefreshToken(ctx, requestID); err != nil {
		return err
	}
	return s.RevokeAccessToken(ctx, requestID)
}

func (s *memStore) RevokeRefreshToken(_ context.Context, requestID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sig, ok := s.refBy[requestID]; ok {
		if r, ok := s.refresh[sig]; ok {
			r.active = false
			s.refresh[sig] = r
		}
	}
	return nil
}

func (s *memStore) RevokeAccessToken(_ context.Context, requestID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sig, ok := s.accessBy[requestID]; ok {
		delete(s.access, sig)
	}
	return nil
}
