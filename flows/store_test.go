package flows

import (
	"context"
	"errors"
	"testing"
	"time"

	"oauthdeck/keyring"
	"oauthdeck/sandbox/testenv"
)

func TestTokensRoundTripMemory(t *testing.T) {
	t.Parallel()
	roundTrip(t, keyring.NewMemory())
}

// The same through the real OS keyring (gnome-keyring over D-Bus in CI).
func TestTokensRoundTripOSKeyring(t *testing.T) {
	t.Parallel()
	store := keyring.NewOS(testenv.KeyringService(t), 10*time.Second)
	if err := keyring.Probe(context.Background(), store); err != nil {
		testenv.Missing(t, "the OS keyring", testenv.KeyringInstall, err)
	}
	roundTrip(t, store)
}

func roundTrip(t *testing.T, store keyring.Store) {
	ctx := context.Background()
	const dep, id = "http://127.0.0.1:3000", "3382578a-f435-42f8-9490-124605cccac2"
	in := Tokens{AccessToken: "0yzg28d82c-DDDDDDDDDDDDDDDDDDDDDD", TokenType: "Bearer",
		RefreshToken: "coder_rrrrrrrrrr_RRRR", Expiry: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		Received: time.Date(2029, 12, 31, 0, 0, 0, 0, time.UTC)}
	if _, err := LoadTokens(ctx, store, dep, id); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("before save: %v", err)
	}
	if err := SaveTokens(ctx, store, dep, id, in); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = DeleteTokens(context.Background(), store, dep, id) })
	out, err := LoadTokens(ctx, store, dep+"/", id) // the key normalises the URL
	if err != nil {
		t.Fatal(err)
	}
	if out.AccessToken != in.AccessToken || out.RefreshToken != in.RefreshToken || !out.Expiry.Equal(in.Expiry) || out.ExpiresIn != 86400 {
		t.Fatalf("loaded %+v", out)
	}
	if err := DeleteTokens(ctx, store, dep, id); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTokens(ctx, store, dep, id); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	key, _ := keyring.TokenKey(dep, id)
	_ = store.Set(ctx, key, "not json")
	if _, err := LoadTokens(ctx, store, dep, id); err == nil || errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("garbage entry: %v", err)
	}
}
