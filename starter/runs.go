package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/mailroom/oktasync/dashboard"
	"github.com/mailroom/oktasync/models"
)

func syncCmd(g *globals) *cobra.Command {
	var dryRun, wait bool
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Start a sync run now (or after the running one)",
		Args:  cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			known, err := runIDs(cmd.Context(), c)
			if err != nil {
				return err
			}
			if err := c.SyncNow(cmd.Context(), dryRun); err != nil {
				return err
			}
			if !wait {
				fmt.Println("sync requested")
				return nil
			}
			run, err := waitForRun(cmd.Context(), c, known)
			if err != nil {
				return err
			}
			g.print(run, func() { printRun(run) })
			return runOutcomeError(run)
		}),
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "compute the report, change nothing")
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for the run, showing progress")
	return cmd
}

func controlCmd(g *globals, action, short string) *cobra.Command {
	return &cobra.Command{
		Use: action, Short: short, Args: cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			if err := c.Control(cmd.Context(), action); err != nil {
				return err
			}
			fmt.Println(action + " requested")
			return nil
		}),
	}
}

// runIDs lists the ids of recent runs, to spot the next one.
func runIDs(ctx context.Context, c *dashboard.Client) ([]string, error) {
	runs, err := c.Runs(ctx, 20)
	var ids []string
	for _, r := range runs {
		ids = append(ids, r.ID)
	}
	return ids, err
}

// waitForRun waits for a run not in known to start and end (or be held),
// showing its progress.
func waitForRun(ctx context.Context, c *dashboard.Client, known []string) (
	dashboard.RunView, error) {
	p := newProgress()
	defer p.done()
	for {
		runs, err := c.Runs(ctx, 5)
		if err != nil {
			return dashboard.RunView{}, err
		}
		for i := len(runs) - 1; i >= 0; i-- {
			r := runs[i]
			if slices.Contains(known, r.ID) {
				continue
			}
			if r.FinishedAt != nil || r.Status == models.RunHeld {
				return r, nil
			}
			p.show(r)
			break
		}
		select {
		case <-ctx.Done():
			return dashboard.RunView{}, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// runOutcomeError makes the command fail when the run did not succeed.
func runOutcomeError(r dashboard.RunView) error {
	switch r.Status {
	case models.RunSucceeded, models.RunRejected:
		return nil
	case models.RunHeld:
		return fmt.Errorf("the run is held: approve with `starter runs approve %s` or "+
			"reject with `starter runs reject %s`", r.ID, r.ID)
	}
	return fmt.Errorf("the run %s: %s", r.Status, r.Error)
}

// progress prints a run's progress on one refreshed line on a terminal,
// and a line per change elsewhere.
type progress struct {
	tty  bool
	last string
}

func newProgress() *progress { return &progress{tty: term.IsTerminal(int(os.Stderr.Fd()))} }

func (p *progress) show(r dashboard.RunView) {
	line := fmt.Sprintf("run %s: starting", short(r.ID))
	if pr := r.Progress; pr != nil {
		line = fmt.Sprintf("run %s: %s %s — %d pages, %d users (created %d, updated %d)",
			short(r.ID), pr.Phase, pr.Source, pr.Pages, pr.Users, pr.Counts.Created,
			pr.Counts.Updated)
		if pr.Paused {
			line += " [paused]"
		}
	}
	if line == p.last {
		return
	}
	p.last = line
	if p.tty {
		fmt.Fprintf(os.Stderr, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(os.Stderr, line)
	}
}

func (p *progress) done() {
	if p.tty && p.last != "" {
		fmt.Fprintln(os.Stderr)
	}
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func runsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "runs", Short: "Inspect and answer sync runs"}
	var limit int
	list := &cobra.Command{
		Use: "list", Short: "List recent runs", Args: cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			runs, err := c.Runs(cmd.Context(), limit)
			if err != nil {
				return err
			}
			g.print(runs, func() { printRuns(runs) })
			return nil
		}),
	}
	list.Flags().IntVar(&limit, "limit", 20, "how many runs")
	show := &cobra.Command{
		Use: "show RUN_ID", Short: "Show a run's report", Args: cobra.ExactArgs(1),
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, args []string) error {
			run, err := c.Run(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			g.print(run, func() { printRun(run) })
			return nil
		}),
	}
	wait := &cobra.Command{
		Use:   "wait",
		Short: "Wait for the next or running run to end, showing progress",
		Args:  cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			known, err := finishedRunIDs(cmd.Context(), c)
			if err != nil {
				return err
			}
			run, err := waitForRun(cmd.Context(), c, known)
			if err != nil {
				return err
			}
			g.print(run, func() { printRun(run) })
			return runOutcomeError(run)
		}),
	}
	cmd.AddCommand(list, show, wait, answerCmd(g, true), answerCmd(g, false))
	return cmd
}

// finishedRunIDs lists recent finished runs: a running one is waited for.
func finishedRunIDs(ctx context.Context, c *dashboard.Client) ([]string, error) {
	runs, err := c.Runs(ctx, 20)
	var ids []string
	for _, r := range runs {
		if r.FinishedAt != nil {
			ids = append(ids, r.ID)
		}
	}
	return ids, err
}

func answerCmd(g *globals, approve bool) *cobra.Command {
	use, short := "reject RUN_ID", "Reject a held run's deactivations"
	if approve {
		use, short = "approve RUN_ID", "Apply a held run's deactivations"
	}
	return &cobra.Command{
		Use: use, Short: short, Args: cobra.ExactArgs(1),
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, args []string) error {
			status, err := c.AnswerHeld(cmd.Context(), args[0], approve)
			if err != nil {
				return err
			}
			fmt.Printf("run %s: deactivations %s\n", args[0], status)
			return nil
		}),
	}
}

func printRuns(runs []dashboard.RunView) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTRIGGER\tSTATUS\tSTARTED\tFETCHED\tCREATED\tUPDATED\tDEACTIVATED")
	for _, r := range runs {
		trigger := r.Trigger
		if r.DryRun {
			trigger += " (dry run)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", r.ID, trigger, r.Status,
			r.StartedAt.Local().Format(time.DateTime), r.Counts.Fetched, r.Counts.Created,
			r.Counts.Updated, r.Counts.Deactivated)
	}
	_ = tw.Flush()
}

func printRun(r dashboard.RunView) {
	fmt.Printf("run %s (%s%s): %s\n", r.ID, r.Trigger, map[bool]string{true: ", dry run"}[r.DryRun],
		r.Status)
	if r.FinishedAt != nil {
		fmt.Printf("  took %s\n", r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond))
	}
	c := r.Counts
	fmt.Printf("  pages %d, fetched %d, created %d, updated %d, unchanged %d\n",
		c.Pages, c.Fetched, c.Created, c.Updated, c.Unchanged)
	fmt.Printf("  reactivated %d, deactivated %d, held %d, without email %d, sso users %d\n",
		c.Reactivated, c.Deactivated, c.Held, c.NoEmail, c.SSOUsers)
	if len(c.Skipped) > 0 {
		var parts []string
		for k, v := range c.Skipped {
			parts = append(parts, fmt.Sprintf("%s %d", k, v))
		}
		sort.Strings(parts)
		fmt.Printf("  skipped: %s\n", strings.Join(parts, ", "))
	}
	if r.Error != "" {
		fmt.Printf("  error: %s\n", r.Error)
	}
	for _, i := range r.Issues {
		fmt.Printf("  skipped okta user %s at location %s: %s", i.OktaUserID,
			short(i.LocationID), i.Reason)
		if i.Detail != "" {
			fmt.Printf(": %s", i.Detail)
		}
		fmt.Println()
	}
	if more := r.IssuesTotal - len(r.Issues); more > 0 {
		fmt.Printf("  … and %d more skipped records\n", more)
	}
	if p := r.Progress; r.Status == models.RunHeld && p != nil && p.WouldDeactivate != nil {
		fmt.Printf("  held: would deactivate %d of %d active directory recipients\n"+
			"  approve: starter runs approve %s   reject: starter runs reject %s\n",
			*p.WouldDeactivate, *p.ActiveDirectoryRecipients, r.ID, r.ID)
	}
}

func printDirectory(v dashboard.DirectoryView) {
	state := v.State
	if v.Paused {
		state += " (paused)"
	}
	fmt.Printf("state: %s\n", state)
	if v.OktaDomain != "" {
		fmt.Printf("okta: %s, SAML app %s, client %s, key %s\n", v.OktaDomain, v.SAMLAppID,
			v.ClientID, v.KeyID)
	}
	if p := v.Preferences; p != nil {
		fmt.Printf("mode: %s every %d min; deactivate missing %v; directory updates CSV %v; "+
			"CSV updates directory %v; SSO users view %v\n", p.Mode, p.SyncIntervalMinutes,
			p.DeactivateMissing, p.DirectoryUpdatesCSV, p.CSVUpdatesDirectory, p.SSOUsersView)
	}
	if v.Warning != "" {
		fmt.Printf("warning: %s\n", v.Warning)
	}
	if e := v.LastError; e != nil {
		fmt.Printf("last error: %s: %s\n  fix: %s\n", e.Code, e.Message, e.Fix)
	}
	if w := v.Workflow; w != nil && !w.NextRunAt.IsZero() {
		fmt.Printf("next scheduled run: %s\n", w.NextRunAt.Local().Format(time.DateTime))
	}
	if v.CurrentRun != nil {
		fmt.Print("current ")
		printRun(*v.CurrentRun)
	}
	if v.LastRun != nil {
		fmt.Print("last ")
		printRun(*v.LastRun)
	}
}
