package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"oauthdeck/client/safe"
	"oauthdeck/keyring"
)

func (a *app) secretsCommand() *cobra.Command {
	return groupCommand("secrets", "Manage an app's client secrets (a secret is shown in full only once, when created)",
		a.secretsListCommand(), a.secretsCreateCommand(), a.secretsDeleteCommand(), a.secretsRotateCommand())
}

func (a *app) secretsListCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "list APP_ID",
		Aliases: []string{"ls"},
		Short:   "List an app's secrets (last characters only)",
		Args:    exactArgs("APP_ID"),
		RunE: a.withSession(func(ctx context.Context, s *session, args []string) error {
			secrets, err := s.client.AppSecrets(ctx, args[0])
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(a.io.Out, secrets)
			}
			t := newTable("ID", "SECRET", "LAST USED")
			for _, sec := range secrets {
				used := "Never"
				if sec.LastUsedAt != nil {
					used = sec.LastUsedAt.Local().Format(time.DateTime)
				}
				t.add(sec.ID, "•••••"+sec.ClientSecretTruncated, used)
			}
			return t.write(a.io.Out, a.palette(a.io.Out))
		}),
	}
	outputFlag(cmd, &output, "table", "json")
	return cmd
}

func (a *app) secretsCreateCommand() *cobra.Command {
	var output string
	var save bool
	cmd := &cobra.Command{
		Use:   "create APP_ID",
		Short: "Create a client secret and print it (the only time it is shown)",
		Long: `Create a client secret for an app. The full secret is printed once on stdout;
the deployment never shows it again. With --save it is also kept in the
keyring, where 'oauthdeck flow --client-id APP_ID' finds it.`,
		Args: exactArgs("APP_ID"),
		RunE: a.withSession(func(ctx context.Context, s *session, args []string) error {
			secret, err := s.client.CreateAppSecret(ctx, args[0])
			if err != nil {
				return err
			}
			if output == "json" {
				err = writeJSON(a.io.Out, secret)
			} else {
				_, err = fmt.Fprintln(a.io.Out, safe.Line(secret.ClientSecretFull))
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.io.Err, "Created secret %s; it will not be shown again.\n", safe.Line(secret.ID))
			if save {
				store := s.store
				key, err := keyring.ClientSecretKey(s.url, args[0])
				if err == nil {
					err = store.Set(ctx, key, secret.ClientSecretFull)
				}
				if err != nil {
					return fmt.Errorf("the secret was created and printed, but keeping it failed: %w", err)
				}
				fmt.Fprintf(a.io.Err, "Kept it in %s for later flows.\n", store.Kind())
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&save, "save", false, "also keep the secret in the keyring for 'oauthdeck flow'")
	outputFlag(cmd, &output, "text", "json")
	return cmd
}

func (a *app) secretsDeleteCommand() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete APP_ID SECRET_ID",
		Short: "Delete a client secret; tokens issued with it stop working",
		Args:  exactArgs("APP_ID", "SECRET_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			appID, secretID := safe.Line(args[0]), safe.Line(args[1])
			if !yes {
				ok, err := a.confirm(ctx, fmt.Sprintf("Delete secret %s of app %s? Tokens issued with it stop working.", secretID, appID))
				if err != nil {
					return err
				}
				if !ok {
					return usagef("not deleting secret %s without confirmation; pass --yes", secretID)
				}
			}
			s, err := a.resolveSession(ctx, "", a.useCoderCLI)
			if err != nil {
				return err
			}
			if err := s.client.DeleteAppSecret(ctx, args[0], args[1]); err != nil {
				return err
			}
			fmt.Fprintf(a.io.Err, "Deleted secret %s of app %s.\n", secretID, appID)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}
