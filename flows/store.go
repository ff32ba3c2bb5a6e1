package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"oauthdeck/keyring"
)

// storedTokens is the keyring representation of Tokens (one secret, JSON).
type storedTokens struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Scope        string    `json:"scope,omitempty"`
	IDToken      string    `json:"id_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	Received     time.Time `json:"received,omitzero"`
}

// SaveTokens keeps tokens in store under keyring.TokenKey(deploymentURL,
// clientID), so `oauthdeck token refresh|revoke|use` can act later. A refresh
// replaces the entry in one Set (rotation stays atomic, RFC 9700 §2.2.2).
func SaveTokens(ctx context.Context, store keyring.Store, deploymentURL, clientID string, t Tokens) error {
	key, err := keyring.TokenKey(deploymentURL, clientID)
	if err != nil {
		return err
	}
	b, err := json.Marshal(storedTokens{AccessToken: t.AccessToken, TokenType: t.TokenType,
		RefreshToken: t.RefreshToken, Scope: t.Scope, IDToken: t.IDToken, Expiry: t.Expiry, Received: t.Received})
	if err != nil {
		return err
	}
	if err := store.Set(ctx, key, string(b)); err != nil {
		return fmt.Errorf("saving tokens to the %s: %w", store.Kind(), err)
	}
	return nil
}

// LoadTokens reads what SaveTokens stored; the error wraps keyring.ErrNotFound when nothing is.
func LoadTokens(ctx context.Context, store keyring.Store, deploymentURL, clientID string) (Tokens, error) {
	key, err := keyring.TokenKey(deploymentURL, clientID)
	if err != nil {
		return Tokens{}, err
	}
	raw, err := store.Get(ctx, key)
	if err != nil {
		return Tokens{}, fmt.Errorf("loading tokens from the %s: %w", store.Kind(), err)
	}
	var st storedTokens
	if err := json.Unmarshal([]byte(raw), &st); err != nil || st.AccessToken == "" {
		return Tokens{}, fmt.Errorf("stored tokens for client %s are unreadable; delete them and run the flow again", clientID)
	}
	t := Tokens{AccessToken: st.AccessToken, TokenType: st.TokenType, RefreshToken: st.RefreshToken,
		Scope: st.Scope, IDToken: st.IDToken, Expiry: st.Expiry, Received: st.Received}
	if !t.Expiry.IsZero() && !t.Received.IsZero() {
		t.ExpiresIn = int64(t.Expiry.Sub(t.Received).Seconds())
	}
	return t, nil
}

// DeleteTokens removes stored tokens (after a revoke). Deleting nothing is not an error.
func DeleteTokens(ctx context.Context, store keyring.Store, deploymentURL, clientID string) error {
	key, err := keyring.TokenKey(deploymentURL, clientID)
	if err != nil {
		return err
	}
	return store.Delete(ctx, key)
}
