package flows

import (
	"context"

	"oauthdeck/keyring"
)

// SaveTokens keeps tokens in store under the key for (deploymentURL,
// clientID), so `oauthdeck token refresh|revoke|use` can act later.
func SaveTokens(ctx context.Context, store keyring.Store, deploymentURL, clientID string, t Tokens) error {
	return ErrNotImplemented
}

// LoadTokens reads what SaveTokens stored; keyring.ErrNotFound when nothing is.
func LoadTokens(ctx context.Context, store keyring.Store, deploymentURL, clientID string) (Tokens, error) {
	return Tokens{}, ErrNotImplemented
}

// DeleteTokens removes stored tokens (after a revoke).
func DeleteTokens(ctx context.Context, store keyring.Store, deploymentURL, clientID string) error {
	return ErrNotImplemented
}
