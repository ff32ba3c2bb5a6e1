// Package keyring stores oauthdeck's secrets (session tokens, and client
// secrets and tokens a user chooses to keep) and the non-secret list of
// deployments.
//
// Secrets go to the OS keyring through go-keyring, with a timeout on every
// call (go-keyring has none). A plain file (mode 0600) is used only when the
// user asks or confirms, and it reports itself as insecure.
//
// Where things are:
//   - os.go, classify.go: NewOS, and how keyring failures become
//     *UnavailableError with a Reason and a Hint (CanFallBack tells callers
//     they may offer the file store).
//   - file.go, memory.go: NewFile (the explicit fallback) and NewMemory.
//   - keys.go: NormalizeURL and the key builders every store shares.
//   - session.go, coderimport.go: ResolveSession's lookup order
//     (environment, own store, Coder CLI import on request), SaveSession and
//     DeleteSession.
//   - config.go: the non-secret deployments list (LoadConfig, Save,
//     UpdateConfig). A corrupt file is never overwritten.
package keyring

import (
	"context"
	"errors"
)

// ErrNotFound is returned by Get when no secret is stored under the key.
var ErrNotFound = errors.New("no secret stored for this key")

// Store keeps secrets by key. Keys are built with the helpers in keys.go
// (SessionKey, ClientSecretKey, TokenKey) so every store agrees on them.
type Store interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key, secret string) error
	Delete(ctx context.Context, key string) error // deleting a missing key is not an error
	// Kind names the backend for the user: "OS keyring", "plain file (~/.config/...)", "memory".
	Kind() string
	// Secure is false for the plain-file store.
	Secure() bool
}
