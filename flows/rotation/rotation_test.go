package rotation_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"oauthdeck/client"
	"oauthdeck/flows"
	"oauthdeck/flows/rotation"
	"oauthdeck/keyring"
	"oauthdeck/sandbox"
	"oauthdeck/sandbox/testenv"
)

func start(t *testing.T, compat sandbox.Compat) (*sandbox.Server, *client.Client, string, string) {
	t.Helper()
	srv, err := sandbox.Start(context.Background(), sandbox.Options{Compat: compat})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	// The older profiles match the callback exactly: register a free port.
	callback := "http://127.0.0.1:" + testenv.LoopbackPort(t) + "/callback"
	id, secrets := srv.Seed(sandbox.AppSeed{Name: "rotate-me", RedirectURIs: []string{callback},
		Secrets: []sandbox.SecretSeed{{LastUsed: time.Now().Add(-time.Hour)}}})
	c, err := client.New(srv.URL(), srv.AdminSessionToken(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, id, secrets[0]
}

// flowWith runs a flow with an existing app and secret up to the exchange
// and a refresh, and returns the first error.
func flowWith(t *testing.T, c *client.Client, appID, secret string) error {
	t.Helper()
	f, err := flows.New(flows.Config{Client: c, ClientMode: flows.ClientExisting, ClientID: appID, ClientSecret: secret,
		Consent: flows.ConsentAuto, Store: keyring.NewMemory()})
	if err != nil {
		return err
	}
	defer f.Close()
	for _, id := range []flows.StepID{flows.StepDiscover, flows.StepClient, flows.StepPrepare, flows.StepAuthorize, flows.StepExchange, flows.StepRefresh} {
		if res := f.Run(context.Background(), id); res.Status != flows.StatusPassed {
			return errors.Join(errors.New(string(id)+" "+string(res.Status)), res.Err)
		}
	}
	return nil
}

// A whole rotation, with the state saved and loaded between every stage as
// a stopped and resumed run would: at the end one secret is left, the new
// one works for an exchange and a refresh, and the old one is refused.
func TestRotationEndToEnd(t *testing.T) {
	t.Parallel()
	for _, compat := range []sandbox.Compat{sandbox.CompatMain, sandbox.CompatV236, sandbox.CompatV230} {
		t.Run(string(compat), func(t *testing.T) {
			ctx := context.Background()
			_, c, appID, oldSecret := start(t, compat)
			store := rotation.Store{Dir: t.TempDir()}
			resume := func(st rotation.State) rotation.State {
				t.Helper()
				if err := store.Save(st); err != nil {
					t.Fatal(err)
				}
				got, ok, err := store.Load(c.BaseURL(), appID)
				if err != nil || !ok {
					t.Fatalf("load: %v %v", ok, err)
				}
				return got
			}
			st, full, err := rotation.Start(ctx, c, appID, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			st = resume(st)
			if _, err := rotation.Finish(ctx, c, st); err == nil {
				t.Fatal("finished before the new secret was proven")
			}
			if err := rotation.Prove(ctx, c, &st, "coder_wrongwrong_"+full.ClientSecretFull[len(full.ClientSecretFull)-8:], time.Now()); err == nil || st.Stage != rotation.StageCreated {
				t.Fatalf("a wrong secret proved: %v, %s", err, st.Stage)
			}
			if err := rotation.Prove(ctx, c, &st, full.ClientSecretFull, time.Now()); err != nil || st.Stage != rotation.StageProven || st.Proof == "" {
				t.Fatalf("prove: %v, %+v", err, st)
			}
			st = resume(st)
			uses, err := rotation.Handover(ctx, c, st)
			if err != nil || len(uses) != 2 {
				t.Fatalf("hand-over %+v, %v", uses, err)
			}
			if rotation.Moved(uses, st) { // the proof used the new secret: that is no client moving
				t.Fatalf("moved right after the proof: %+v (proof use %v)", uses, st.ProofUse)
			}
			if err := flowWith(t, c, appID, full.ClientSecretFull); err != nil { // a client moves to the new secret
				t.Fatal(err)
			}
			uses, _ = rotation.Handover(ctx, c, st)
			// Only 2.38 records secret use (v2.30.0 keeps last_used_at null).
			if moved := rotation.Moved(uses, st); moved != (compat == sandbox.CompatMain) {
				t.Fatalf("moved %v after the new secret was used: %+v", moved, uses)
			}
			deleted, err := rotation.Finish(ctx, c, st)
			if err != nil || len(deleted) != 1 || deleted[0] != st.OldSecretIDs[0] {
				t.Fatalf("finish: %q, %v", deleted, err)
			}
			if left, _ := c.AppSecrets(ctx, appID); len(left) != 1 || left[0].ID != st.NewSecretID {
				t.Fatalf("secrets left %+v", left)
			}
			if err := flowWith(t, c, appID, full.ClientSecretFull); err != nil {
				t.Fatalf("the new secret after finishing: %v", err)
			}
			if err := flowWith(t, c, appID, oldSecret); err == nil {
				t.Fatal("the old secret still works")
			}
		})
	}
}

func TestStoreRefusesAForeignFile(t *testing.T) {
	t.Parallel()
	store := rotation.Store{Dir: t.TempDir()}
	st := rotation.State{Deployment: "https://a.example.com", AppID: "app", Stage: rotation.StageCreated}
	if err := store.Save(st); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := store.Load("https://b.example.com", "app"); ok || err != nil {
		t.Fatalf("another deployment's rotation found: %v %v", ok, err)
	}
	if err := store.Remove(st.Deployment, st.AppID); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := store.Load(st.Deployment, st.AppID); ok {
		t.Fatal("still there after Remove")
	}
}

// The kept secret is the new one only when its tail says so; once the
// rotation ends, the kept secret that no longer works is dropped.
func TestKeptSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := keyring.NewMemory()
	st := rotation.State{Deployment: "https://coder.example.com", AppID: "app", NewSecretTail: "NEW123"}
	if _, ok := rotation.KeptSecret(ctx, store, st); ok {
		t.Fatal("a kept secret out of nothing")
	}
	_ = keyring.SetClientSecret(ctx, store, st.Deployment, st.AppID, "coder_x_oldOLD999")
	if _, ok := rotation.KeptSecret(ctx, store, st); ok || rotation.ForgetDeleted(ctx, store, st, true) {
		t.Fatal("the old secret taken for the new one, or dropped on abort")
	}
	if !rotation.ForgetDeleted(ctx, store, st, false) {
		t.Fatal("finishing did not drop the kept old secret")
	}
	_ = keyring.SetClientSecret(ctx, store, st.Deployment, st.AppID, "coder_x_newNEW123")
	if v, ok := rotation.KeptSecret(ctx, store, st); !ok || v != "coder_x_newNEW123" || rotation.ForgetDeleted(ctx, store, st, false) {
		t.Fatalf("the new secret: %q %v, or dropped on finish", v, ok)
	}
	if !rotation.ForgetDeleted(ctx, store, st, true) {
		t.Fatal("aborting did not drop the kept new secret")
	}
}
