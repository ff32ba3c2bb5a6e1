// Package rotation replaces an app's client secret without downtime, in
// stages that can each be stopped and resumed: create the new secret, prove
// it authenticates the client, hand over (watch the old secrets' last use
// until the clients have moved), then delete the old ones. Nothing is
// deleted before the new secret is proven. The state between stages is a
// small JSON file per app (IDs and times, never a secret).
package rotation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"oauthdeck/client"
	"oauthdeck/client/coder"
	"oauthdeck/client/safe"
	"oauthdeck/flows"
	"oauthdeck/flows/internal/randtext"
)

// Stage is how far a rotation has come.
type Stage string

const (
	StageCreated Stage = "created" // the new secret exists, not yet proven
	StageProven  Stage = "proven"  // it authenticated the client: hand-over
)

// State is a rotation between stages. IDs are the server's (raw: they
// address it again); show them through package safe.
type State struct {
	Deployment    string    `json:"deployment"`
	AppID         string    `json:"app_id"`
	AppName       string    `json:"app_name"`
	NewSecretID   string    `json:"new_secret_id"`
	NewSecretTail string    `json:"new_secret_tail"`
	OldSecretIDs  []string  `json:"old_secret_ids"`
	Stage         Stage     `json:"stage"`
	Started       time.Time `json:"started"`
	ProvenAt      time.Time `json:"proven_at,omitzero"`
	Proof         string    `json:"proof,omitempty"`
	// ProofUse is the new secret's last use as the server reported it right
	// after the proof: the proof's own use, which is no client moving.
	ProofUse *time.Time `json:"proof_use,omitempty"`
}

// ErrPublicApp: public clients have no secrets to rotate.
var ErrPublicApp = errors.New("a public client has no client secret to rotate")

// Start creates the new secret and returns the state with the full secret
// (shown once, by the caller). The app's other secrets at this moment are
// the old ones the rotation will delete.
func Start(ctx context.Context, c *client.Client, appID string, now time.Time) (State, client.AppSecretFull, error) {
	ctx, _ = client.WithSource(ctx, "rotation")
	app, err := c.App(ctx, appID)
	if err != nil {
		return State{}, client.AppSecretFull{}, err
	}
	if app.ClientType == "public" {
		return State{}, client.AppSecretFull{}, ErrPublicApp
	}
	old, err := c.AppSecrets(ctx, appID)
	if err != nil {
		return State{}, client.AppSecretFull{}, err
	}
	full, err := c.CreateAppSecret(ctx, appID)
	if err != nil {
		return State{}, client.AppSecretFull{}, fmt.Errorf("creating the new secret: %w", err)
	}
	st := State{Deployment: c.BaseURL(), AppID: appID, AppName: app.Name, NewSecretID: full.ID, Stage: StageCreated, Started: now}
	if n := len(full.ClientSecretFull); n > 6 {
		st.NewSecretTail = full.ClientSecretFull[n-6:]
	}
	for _, s := range old {
		st.OldSecretIDs = append(st.OldSecretIDs, s.ID)
	}
	return st, full, nil
}

// Prove shows that secret authenticates the app's client, and says how.
// On Coder 2.38 a revoke of a junk token authenticates the client first
// (200 with the right secret, 401 without); elsewhere, a real exchange:
// an authorization code by the admin's automatic consent, redeemed with
// the secret, the token then revoked where the server can.
func Prove(ctx context.Context, c *client.Client, st *State, secret string, now time.Time) error {
	ctx, _ = client.WithSource(ctx, "rotation")
	if st.Stage != StageCreated {
		return nil
	}
	srv, doc := flows.DetectServerMetadata(ctx, c)
	if doc == nil {
		return errors.New("could not read the authorization server metadata to prove the new secret")
	}
	tc := flows.TokenClient{HTTP: c, TokenURL: doc.TokenEndpoint, RevocationURL: doc.RevocationEndpoint,
		ClientID: st.AppID, ClientSecret: secret, Method: flows.ChooseAuthMethod(doc.TokenEndpointAuthMethodsSupported, true)}
	var proof string
	if srv.Era == coder.EraFlag && tc.RevocationURL != "" {
		// Shaped like a Coder access token (10-character ID, 22-character
		// secret) so the server gets past its format check; nobody holds it.
		if err := tc.Revoke(ctx, randtext.Alnum(10)+"-"+randtext.Alnum(22), "access_token"); err != nil {
			return fmt.Errorf("the server did not accept the new secret (revoke of a junk token): %w", err)
		}
		proof = "a revoke with the new secret was accepted (200): the server authenticated the client"
	} else {
		var err error
		if proof, err = proveByExchange(ctx, c, tc, doc.AuthorizationEndpoint); err != nil {
			return err
		}
	}
	st.Stage, st.ProvenAt, st.Proof = StageProven, now, proof
	after := now // the proof is over: a use dated before this is the proof's
	if t := time.Now(); t.After(after) {
		after = t
	}
	st.ProofUse = &after
	if secrets, err := c.AppSecrets(ctx, st.AppID); err == nil { // the server's own time of the proof's use
		for _, s := range secrets {
			if s.ID == st.NewSecretID && s.LastUsedAt != nil {
				st.ProofUse = s.LastUsedAt
			}
		}
	}
	return nil
}

func proveByExchange(ctx context.Context, c *client.Client, tc flows.TokenClient, authEndpoint string) (string, error) {
	app, err := c.App(ctx, tc.ClientID)
	if err != nil {
		return "", err
	}
	cb, verifier, err := flows.ConsentCode(ctx, c, authEndpoint, flows.AuthParams{ClientID: tc.ClientID, RedirectURI: app.CallbackURL}, flows.Expect{})
	if err != nil {
		return "", fmt.Errorf("getting a code to prove the new secret with (automatic consent): %w", err)
	}
	tok, err := tc.Exchange(ctx, cb.Code, app.CallbackURL, verifier, "")
	if err != nil {
		return "", fmt.Errorf("the server did not accept the new secret (code exchange): %w", err)
	}
	proof := "an authorization-code exchange with the new secret returned a token (the admin's automatic consent)"
	if tc.RevocationURL != "" {
		hint, t := "access_token", tok.AccessToken
		if tok.RefreshToken != "" {
			hint, t = "refresh_token", tok.RefreshToken // ends its access token too
		}
		if tc.Revoke(ctx, t, hint) == nil {
			proof += "; that token was then revoked"
		}
	}
	return proof, nil
}

// SecretUse is one of the app's secrets during the hand-over.
type SecretUse struct {
	ID       string     `json:"id"`
	Tail     string     `json:"tail"`
	New      bool       `json:"new"`
	LastUsed *time.Time `json:"last_used_at"`
}

// Handover reads the app's secrets: the new one and the old ones still
// there, with their last use. A secret created after the rotation started
// that is neither is listed too (someone else's), as old: Finish leaves
// it alone.
func Handover(ctx context.Context, c *client.Client, st State) ([]SecretUse, error) {
	secrets, err := c.AppSecrets(ctx, st.AppID)
	if err != nil {
		return nil, err
	}
	var out []SecretUse
	for _, s := range secrets {
		out = append(out, SecretUse{ID: s.ID, Tail: safe.Line(s.ClientSecretTruncated), New: s.ID == st.NewSecretID, LastUsed: s.LastUsedAt})
	}
	return out, nil
}

// Moved reports whether the clients have moved: the new secret has been
// used, after the proof's own use, since the old ones were last (or they
// never were).
func Moved(uses []SecretUse, st State) bool {
	var newest, oldest *time.Time
	for _, u := range uses {
		switch {
		case u.New:
			if u.LastUsed != nil && (st.ProofUse == nil || u.LastUsed.After(*st.ProofUse)) {
				newest = u.LastUsed
			}
		case u.LastUsed != nil && (oldest == nil || u.LastUsed.After(*oldest)):
			oldest = u.LastUsed
		}
	}
	return newest != nil && (oldest == nil || newest.After(*oldest))
}

// Finish deletes the old secrets (those the app had when the rotation
// started and still has), only once the new one is proven. Deleting a
// secret revokes the tokens issued with it. It returns what it deleted.
func Finish(ctx context.Context, c *client.Client, st State) ([]string, error) {
	ctx, _ = client.WithSource(ctx, "rotation")
	if st.Stage != StageProven {
		return nil, errors.New("the new secret is not proven yet: nothing is deleted before it is")
	}
	uses, err := Handover(ctx, c, st)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(uses, func(u SecretUse) bool { return u.New }) {
		return nil, errors.New("the new secret is gone from the app: deleting the old ones would leave it without one")
	}
	var deleted []string
	for _, u := range uses {
		if u.New || !slices.Contains(st.OldSecretIDs, u.ID) {
			continue
		}
		if err := c.DeleteAppSecret(ctx, st.AppID, u.ID); err != nil {
			return deleted, fmt.Errorf("deleting old secret %s: %w", safe.Line(u.ID), err)
		}
		deleted = append(deleted, u.ID)
	}
	return deleted, nil
}

// Abort deletes the new secret, leaving the app as it was.
func Abort(ctx context.Context, c *client.Client, st State) error {
	err := c.DeleteAppSecret(ctx, st.AppID, st.NewSecretID)
	var api *client.APIError
	if errors.As(err, &api) && api.StatusCode == 404 {
		return nil // already gone
	}
	return err
}
