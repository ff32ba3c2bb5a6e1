package keyring

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// MaxSecretBytes bounds every secret in every store. Windows Credential
// Manager holds 2560 bytes; a Coder session token is 33 bytes and a JSON
// token set a few hundred, so 2048 leaves room without surprises.
const MaxSecretBytes = 2048

// maxKeyBytes bounds keys; keys are built from a URL and a client ID.
const maxKeyBytes = 1024

// probeKey is the key Probe reads; nothing is ever stored under it.
const probeKey = "oauthdeck availability probe"

// checkKey is every store's entry check for Get and Delete: a live context
// and a well-formed key.
func checkKey(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return validateKey(key)
}

// checkEntry is checkKey plus a storable secret, for Set.
func checkEntry(ctx context.Context, key, secret string) error {
	if err := checkKey(ctx, key); err != nil {
		return err
	}
	return validateSecret(secret)
}

func validateKey(key string) error {
	if key == "" {
		return errors.New("keyring: empty key")
	}
	if len(key) > maxKeyBytes {
		return fmt.Errorf("keyring: key is %d bytes, more than %d", len(key), maxKeyBytes)
	}
	if strings.IndexFunc(key, unicode.IsControl) >= 0 {
		return errors.New("keyring: key contains control characters")
	}
	return nil
}

func validateSecret(secret string) error {
	if secret == "" {
		return errors.New("keyring: refusing to store an empty secret")
	}
	if len(secret) > MaxSecretBytes {
		return &TooLargeError{Size: len(secret), Limit: MaxSecretBytes}
	}
	return nil
}

// Probe checks that store can be used right now: it reads a key that is
// never written, so "not found" means the store answered. For the OS
// keyring the read is bounded by the store's timeout.
func Probe(ctx context.Context, store Store) error {
	_, err := store.Get(ctx, probeKey)
	if err == nil || errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}
