package rotation

import (
	"context"
	"strings"

	"oauthdeck/keyring"
)

// KeptSecret returns the new secret when the store keeps it for the app
// (kept at creation, so a proof can resume after the secret was shown).
func KeptSecret(ctx context.Context, store keyring.Store, st State) (string, bool) {
	v, err := keyring.GetClientSecret(ctx, store, st.Deployment, st.AppID)
	if err != nil || st.NewSecretTail == "" || !strings.HasSuffix(v, st.NewSecretTail) {
		return "", false
	}
	return v, true
}

// ForgetDeleted drops a kept secret that no longer works once the rotation
// ended: after Finish, one that is not the new secret (an old one, deleted);
// after Abort, the new one. It reports whether one was dropped.
func ForgetDeleted(ctx context.Context, store keyring.Store, st State, aborted bool) bool {
	v, err := keyring.GetClientSecret(ctx, store, st.Deployment, st.AppID)
	if err != nil || strings.HasSuffix(v, st.NewSecretTail) != aborted {
		return false
	}
	return keyring.DeleteClientSecret(ctx, store, st.Deployment, st.AppID) == nil
}
