package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"oauthdeck/client/safe"
	"oauthdeck/flows/audit"
)

func (a *app) appsPruneCommand() *cobra.Command {
	var dcr, dryRun, yes bool
	var unused, output string
	cmd := &cobra.Command{
		Use:   "prune [--dcr] [--unused-for 30d] [--dry-run]",
		Short: "Delete the apps that registered themselves, or that nothing has used for a while (lists them first)",
		Long: `Choose apps by what they are (--dcr: registered themselves through dynamic
client registration) and by use (--unused-for: none of their secrets used for
that long, or ever), every condition given; list them with why; ask (or --yes);
delete them one at a time; and say what was done. Deleting an app revokes every
token issued to it. Public clients are never chosen by --unused-for: the API
does not show their use. Interrupted, it says which apps are left.`,
		Example: `  oauthdeck apps prune --dcr --unused-for 30d --dry-run
  oauthdeck apps prune --unused-for 180d --yes`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			po := audit.PruneOptions{DCR: dcr}
			if unused != "" {
				d, err := parseAge(unused)
				if err != nil {
					return usagef("--unused-for: %v", err)
				}
				po.UnusedFor = d
			}
			if !po.DCR && po.UnusedFor <= 0 {
				return usagef("say what to prune: --dcr, --unused-for DURATION, or both")
			}
			return a.withSession(func(ctx context.Context, s *session, _ []string) error {
				est, err := audit.Read(ctx, s.client, audit.Options{}, a.progress("reading secrets"))
				if err != nil {
					return err
				}
				cands, skipped, err := audit.Candidates(est, po, est.ReadAt)
				if err != nil {
					return err
				}
				for _, sk := range skipped {
					fmt.Fprintln(a.io.Err, "skipped: "+sk)
				}
				return a.prune(ctx, s, cands, dryRun, yes, output)
			})(cmd, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&dcr, "dcr", false, "only apps that registered themselves (dynamic client registration; Coder 2.38 says which)")
	f.StringVar(&unused, "unused-for", "", "only apps none of whose secrets was used for this long, or ever (e.g. 30d)")
	f.BoolVar(&dryRun, "dry-run", false, "list what would be deleted, and delete nothing")
	f.BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	outputFlag(cmd, &output, "table", "json")
	return cmd
}

// pruneReport is prune's -o json.
type pruneReport struct {
	DryRun     bool               `json:"dry_run"`
	Candidates []audit.Candidate  `json:"candidates"`
	Result     *audit.PruneResult `json:"result,omitempty"`
}

func (a *app) prune(ctx context.Context, s *session, cands []audit.Candidate, dryRun, yes bool, output string) error {
	if cands == nil {
		cands = []audit.Candidate{}
	}
	rep := pruneReport{DryRun: dryRun, Candidates: cands}
	if output != "json" {
		if len(cands) == 0 {
			fmt.Fprintln(a.io.Out, "Nothing to prune.")
			return nil
		}
		t := newTable("ID", "NAME", "WHY", "SECRETS")
		for _, c := range cands {
			t.add(c.ID, c.Name, c.Why, strconv.Itoa(c.Secrets))
		}
		if err := t.write(a.io.Out, a.palette(a.io.Out)); err != nil {
			return err
		}
	}
	if dryRun || len(cands) == 0 {
		if output == "json" {
			return writeJSON(a.io.Out, rep)
		}
		fmt.Fprintf(a.io.Err, "Dry run: %d apps would be deleted, with every token issued to them; nothing was deleted.\n", len(cands))
		return nil
	}
	if !yes {
		ok, err := a.confirm(ctx, fmt.Sprintf("Delete these %d apps? Their secrets, codes and every token issued to them stop working.", len(cands)))
		if err != nil {
			return err
		}
		if !ok {
			return usagef("not deleting %d apps without confirmation; pass --yes", len(cands))
		}
	}
	res := audit.Prune(ctx, s.client, cands, func(c audit.Candidate, err error) {
		if err == nil {
			fmt.Fprintf(a.io.Err, "deleted %s (%s)\n", c.Name, safe.Line(c.ID))
		}
	})
	rep.Result = &res
	if output == "json" {
		if err := writeJSON(a.io.Out, rep); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.io.Err, "Deleted %d of %d apps", len(res.Deleted), len(cands))
	if len(res.Gone) > 0 {
		fmt.Fprintf(a.io.Err, "; %d were already gone", len(res.Gone))
	}
	fmt.Fprintln(a.io.Err, ".")
	for _, f := range res.Failed {
		fmt.Fprintf(a.io.Err, "not deleted: %s (%s): %s\n", f.Name, safe.Line(f.ID), f.Error)
	}
	for _, c := range res.Unknown {
		fmt.Fprintf(a.io.Err, "unknown: %s (%s): interrupted while it was being deleted; run the prune again to see\n", c.Name, safe.Line(c.ID))
	}
	if len(res.Left)+len(res.Unknown) > 0 {
		for _, c := range res.Left {
			fmt.Fprintf(a.io.Err, "left: %s (%s)\n", c.Name, safe.Line(c.ID))
		}
		return fmt.Errorf("interrupted with %d apps left: %w", len(res.Left)+len(res.Unknown), errors.Join(ctx.Err(), context.Canceled))
	}
	if len(res.Failed) > 0 {
		return &exitError{code: ExitFailure, err: fmt.Errorf("%d apps could not be deleted", len(res.Failed))}
	}
	return nil
}
