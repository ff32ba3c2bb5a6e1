package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"oauthdeck/client/safe"
	"oauthdeck/flows"
	"oauthdeck/flows/rotation"
	"oauthdeck/keyring"
)

type rotateFlags struct {
	keep, step, watch, finish, abort, yes bool
	interval                              time.Duration
}

func (a *app) secretsRotateCommand() *cobra.Command {
	var f rotateFlags
	cmd := &cobra.Command{
		Use:   "rotate APP_ID",
		Short: "Replace an app's client secret without downtime: create, prove, hand over, then delete the old",
		Long: `Rotate an app's client secret in stages, each of which can be stopped and resumed
(run the command again; the state is kept next to the config, without secrets):

  1. create   a new secret, printed once on stdout (--keep also keeps it in the keyring)
  2. prove    it authenticates the client: on Coder 2.38 a revoke of a junk token
              (200 with the right secret, 401 without); elsewhere a real code
              exchange with the admin's automatic consent, its token then revoked
  3. hand over  show the old and new secrets' last use until the clients have
              moved (--watch refreshes it); v2.30 records no use, so watch the
              clients instead
  4. finish   (--finish) delete the old secrets, which revokes their tokens

Nothing is deleted before the new secret is proven. --abort deletes the new
secret instead and forgets the rotation. Without --step, one run goes as far
as the hand-over.`,
		Example: `  oauthdeck apps secrets rotate APP_ID --keep
  oauthdeck apps secrets rotate APP_ID --watch
  oauthdeck apps secrets rotate APP_ID --finish`,
		Args: exactArgs("APP_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.finish && f.abort {
				return usagef("--finish and --abort exclude each other")
			}
			if f.interval < time.Second {
				return usagef("--interval must be at least 1s")
			}
			return a.withSession(func(ctx context.Context, s *session, args []string) error {
				return a.rotate(ctx, s, args[0], f)
			})(cmd, args)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.keep, "keep", false, "keep the new secret in the keyring (for 'oauthdeck flow' and to resume the proof)")
	fl.BoolVar(&f.step, "step", false, "run only the next stage, then stop")
	fl.BoolVar(&f.watch, "watch", false, "at the hand-over, refresh the secrets' last use until the clients have moved (Ctrl-C stops; resume later)")
	fl.DurationVar(&f.interval, "interval", 30*time.Second, "how often --watch refreshes")
	fl.BoolVar(&f.finish, "finish", false, "delete the old secrets (only once the new one is proven)")
	fl.BoolVar(&f.abort, "abort", false, "delete the new secret and forget the rotation")
	fl.BoolVarP(&f.yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func (a *app) rotationStore() (rotation.Store, error) {
	p, err := a.configPath()
	if err != nil {
		return rotation.Store{}, err
	}
	return rotation.Store{Dir: filepath.Join(filepath.Dir(p), "rotations")}, nil
}

func (a *app) rotate(ctx context.Context, s *session, appID string, f rotateFlags) error {
	store, err := a.rotationStore()
	if err != nil {
		return err
	}
	st, found, err := store.Load(s.client.BaseURL(), appID)
	if err != nil {
		return err
	}
	if !found && (f.finish || f.abort) {
		return fmt.Errorf("no rotation of app %s is under way (start one with 'oauthdeck apps secrets rotate %s')", safe.Line(appID), safe.Line(appID))
	}
	switch {
	case f.abort:
		return a.abortRotation(ctx, s, store, st, f.yes)
	case f.finish:
		return a.finishRotation(ctx, s, store, st, f.yes)
	}
	if !found {
		if st, err = a.startRotation(ctx, s, store, appID, f.keep); err != nil || f.step {
			return err
		}
	}
	if st.Stage == rotation.StageCreated {
		if err := a.proveRotation(ctx, s, store, &st); err != nil || f.step {
			return err
		}
	}
	return a.handover(ctx, s, st, f)
}

func (a *app) startRotation(ctx context.Context, s *session, store rotation.Store, appID string, keep bool) (rotation.State, error) {
	st, full, err := rotation.Start(ctx, s.client, appID, time.Now())
	if err != nil {
		return st, err
	}
	if err := store.Save(st); err != nil {
		// The secret exists: say which, so it can be deleted.
		return st, fmt.Errorf("created secret %s but could not save the rotation (delete the secret or try again): %w", safe.Line(st.NewSecretID), err)
	}
	fmt.Fprintln(a.io.Out, safe.Line(full.ClientSecretFull))
	fmt.Fprintf(a.io.Err, "1/4 created secret %s (…%s) for %s; it will not be shown again.\n", safe.Line(st.NewSecretID), safe.Line(st.NewSecretTail), safe.Line(st.AppName))
	if keep {
		if err := keyring.SetClientSecret(ctx, s.store, s.url, appID, full.ClientSecretFull); err != nil {
			return st, fmt.Errorf("the secret was created and printed, but keeping it failed: %w", err)
		}
		fmt.Fprintf(a.io.Err, "    kept it in %s.\n", s.store.Kind())
	}
	return st, nil
}

// newSecret finds the new secret's value for the proof: the keyring when
// it holds it, else stdin or a prompt.
func (a *app) newSecret(ctx context.Context, s *session, st rotation.State) (string, error) {
	if v, ok := rotation.KeptSecret(ctx, s.store, st); ok {
		return v, nil
	}
	return a.readSecretLine(ctx, "the new client secret", "The new secret (…"+safe.Line(st.NewSecretTail)+"), to prove it: ")
}

func (a *app) proveRotation(ctx context.Context, s *session, store rotation.Store, st *rotation.State) error {
	secret, err := a.newSecret(ctx, s, *st)
	if err != nil {
		return fmt.Errorf("the new secret is needed to prove it (it was printed when created; --keep keeps it): %w", err)
	}
	if !strings.HasSuffix(secret, st.NewSecretTail) {
		return fmt.Errorf("that is not the new secret (it ends in …%s)", safe.Line(st.NewSecretTail))
	}
	if err := rotation.Prove(ctx, s.client, st, secret, time.Now()); err != nil {
		return fmt.Errorf("%w; nothing was deleted (run again to retry, or --abort)", err)
	}
	if err := store.Save(*st); err != nil {
		return err
	}
	fmt.Fprintf(a.io.Err, "2/4 proven: %s.\n", st.Proof)
	return nil
}

func (a *app) handover(ctx context.Context, s *session, st rotation.State, f rotateFlags) error {
	recorded := flows.DetectServer(ctx, s.client).Features.SecretUseRecorded
	for {
		uses, err := rotation.Handover(ctx, s.client, st)
		if err != nil {
			return err
		}
		t := newTable("SECRET", "ROLE", "LAST USED")
		for _, u := range uses {
			role, used := "old", "never"
			if u.New {
				role = "new"
			}
			if u.LastUsed != nil {
				used = u.LastUsed.Local().Format(time.DateTime)
			}
			t.add("…"+u.Tail, role, used)
		}
		fmt.Fprintln(a.io.Err, "3/4 hand-over: move the clients to the new secret.")
		if err := t.write(a.io.Err, a.palette(a.io.Err)); err != nil {
			return err
		}
		moved := rotation.Moved(uses, st)
		switch {
		case !recorded:
			fmt.Fprintln(a.io.Err, "This server does not record when a secret is used: check that the clients have moved, then finish.")
		case moved:
			fmt.Fprintln(a.io.Err, "The new secret has been used since the old ones were: the clients have moved.")
		default:
			fmt.Fprintln(a.io.Err, "Not moved yet: the new secret has not been used since the old ones were.")
		}
		if !f.watch || moved || !recorded {
			fmt.Fprintf(a.io.Err, "next: oauthdeck apps secrets rotate %s --finish (deletes the old secrets and revokes their tokens)\n", safe.Line(st.AppID))
			return nil
		}
		select {
		case <-ctx.Done():
			fmt.Fprintln(a.io.Err, "Stopped watching; the rotation is kept: run again to resume.")
			return nil
		case <-time.After(f.interval):
		}
	}
}

func (a *app) finishRotation(ctx context.Context, s *session, store rotation.Store, st rotation.State, yes bool) error {
	if st.Stage != rotation.StageProven {
		return errors.New("the new secret is not proven yet: nothing is deleted before it is (run the command without --finish)")
	}
	if !yes {
		uses, err := rotation.Handover(ctx, s.client, st)
		if err != nil {
			return err
		}
		warn := ""
		if !rotation.Moved(uses, st) && flows.DetectServer(ctx, s.client).Features.SecretUseRecorded {
			warn = " The new secret has not been used since the old ones were."
		}
		ok, err := a.confirm(ctx, fmt.Sprintf("Delete the old secrets of %s? Tokens issued with them stop working.%s", safe.Line(st.AppName), warn))
		if err != nil {
			return err
		}
		if !ok {
			return usagef("not deleting without confirmation; pass --yes")
		}
	}
	deleted, err := rotation.Finish(ctx, s.client, st)
	for _, id := range deleted {
		fmt.Fprintf(a.io.Err, "deleted old secret %s\n", safe.Line(id))
	}
	if err != nil {
		return fmt.Errorf("%w (run --finish again to delete the rest)", err)
	}
	if rotation.ForgetDeleted(ctx, s.store, st, false) {
		fmt.Fprintln(a.io.Err, "    the keyring held an old secret, deleted just now: removed it there too (--keep keeps the new one)")
	}
	if err := store.Remove(st.Deployment, st.AppID); err != nil {
		return err
	}
	fmt.Fprintf(a.io.Err, "4/4 done: %s has one secret (…%s); %d old secrets deleted with their tokens.\n", safe.Line(st.AppName), safe.Line(st.NewSecretTail), len(deleted))
	return nil
}

func (a *app) abortRotation(ctx context.Context, s *session, store rotation.Store, st rotation.State, yes bool) error {
	if !yes {
		q := fmt.Sprintf("Delete the new secret (…%s) of %s and forget the rotation?", safe.Line(st.NewSecretTail), safe.Line(st.AppName))
		if st.Stage == rotation.StageProven {
			q += " Clients that moved to it stop working."
		}
		ok, err := a.confirm(ctx, q)
		if err != nil {
			return err
		}
		if !ok {
			return usagef("not aborting without confirmation; pass --yes")
		}
	}
	if err := rotation.Abort(ctx, s.client, st); err != nil {
		return err
	}
	rotation.ForgetDeleted(ctx, s.store, st, true) // the new secret no longer works
	if err := store.Remove(st.Deployment, st.AppID); err != nil {
		return err
	}
	fmt.Fprintf(a.io.Err, "Aborted: deleted the new secret %s; %s keeps its old secrets.\n", safe.Line(st.NewSecretID), safe.Line(st.AppName))
	return nil
}
