package main

import (
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/mailroom/oktasync/dashboard"
	"github.com/mailroom/oktasync/models"
	"github.com/mailroom/oktasync/store"
)

func recipientsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "recipients", Short: "List, import and change recipients"}
	cmd.AddCommand(listRecipientsCmd(g), summaryCmd(g), importCmd(g), addRecipientCmd(g),
		setActiveCmd(g, true), setActiveCmd(g, false))
	return cmd
}

func addRecipientCmd(g *globals) *cobra.Command {
	var in dashboard.RecipientInput
	cmd := &cobra.Command{
		Use: "add", Short: "Add a recipient by hand", Args: cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			r, err := c.CreateRecipient(cmd.Context(), in)
			if err != nil {
				return err
			}
			g.print(r, func() { fmt.Printf("recipient %d added\n", r.ID) })
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&in.LocationID, "location", "", "location id")
	fl.StringVar(&in.Email, "email", "", "email")
	fl.StringVar(&in.FirstName, "first-name", "", "first name")
	fl.StringVar(&in.LastName, "last-name", "", "last name")
	fl.StringVar(&in.Phone, "phone", "", "phone")
	fl.StringVar(&in.EmployeeNumber, "employee-number", "", "employee number")
	fl.StringVar(&in.Department, "department", "", "department")
	fl.StringVar(&in.Title, "title", "", "title")
	_ = cmd.MarkFlagRequired("location")
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

func listRecipientsCmd(g *globals) *cobra.Command {
	var f store.RecipientFilter
	var active string
	cmd := &cobra.Command{
		Use: "list", Short: "List recipients", Args: cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			if active != "" {
				b, err := strconv.ParseBool(active)
				if err != nil {
					return fmt.Errorf("--active: want true or false")
				}
				f.Active = &b
			}
			rs, err := c.Recipients(cmd.Context(), f)
			if err != nil {
				return err
			}
			g.print(rs, func() {
				tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tLOCATION\tPROVENANCE\tACTIVE\tNAME\tEMAIL")
				for _, r := range rs {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%v\t%s %s\t%s\n", r.ID, short(r.LocationID),
						r.Provenance, r.Active, r.FirstName, r.LastName, r.Email)
				}
				_ = tw.Flush()
			})
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&f.LocationID, "location", "", "location id")
	fl.StringVar(&active, "active", "", "true or false")
	fl.StringVar(&f.Provenance, "provenance", "", "directory, csv or manual")
	fl.IntVar(&f.Limit, "limit", 100, "page size (at most 1000)")
	fl.IntVar(&f.Offset, "offset", 0, "rows to skip")
	return cmd
}

func summaryCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use: "summary", Short: "Count recipients per location", Args: cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			rows, err := c.Summary(cmd.Context())
			if err != nil {
				return err
			}
			g.print(rows, func() {
				tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "LOCATION\tACTIVE\tINACTIVE\tDIRECTORY\tCSV\tMANUAL")
				for _, r := range rows {
					fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\n", r.LocationName, r.Active,
						r.Inactive, r.ByProvenance[models.ProvenanceDirectory],
						r.ByProvenance[models.ProvenanceCSV],
						r.ByProvenance[models.ProvenanceManual])
				}
				_ = tw.Flush()
			})
			return nil
		}),
	}
}

func importCmd(g *globals) *cobra.Command {
	var location, file, mode string
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import a CSV file into a location (streamed; merge or overwrite)",
		Args:  cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			in := os.Stdin
			if file != "-" {
				f, err := os.Open(file)
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			report, err := c.ImportCSV(cmd.Context(), location, mode, in)
			if err != nil {
				return err
			}
			g.print(report, func() { printImport(report) })
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&location, "location", "", "location id")
	fl.StringVar(&file, "file", "-", `CSV file ("-" reads stdin)`)
	fl.StringVar(&mode, "mode", models.ImportMerge,
		"merge (create and update) or overwrite (also deactivate CSV recipients not listed)")
	_ = cmd.MarkFlagRequired("location")
	return cmd
}

func setActiveCmd(g *globals, active bool) *cobra.Command {
	use, short := "deactivate ID", "Deactivate a recipient in the mailroom app"
	if active {
		use, short = "activate ID", "Activate a recipient in the mailroom app"
	}
	return &cobra.Command{
		Use: use, Short: short, Args: cobra.ExactArgs(1),
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("recipient id %q is not a number", args[0])
			}
			return c.SetRecipientActive(cmd.Context(), id, active)
		}),
	}
}

func ssoUsersCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "sso-users",
		Short: "The users assigned to the SAML app, and login users made from them"}
	list := &cobra.Command{
		Use: "list", Short: "List the SSO users view (after the email filter)", Args: cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			us, err := c.SSOUsers(cmd.Context())
			if err != nil {
				return err
			}
			g.print(us, func() {
				tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "OKTA USER\tSTATUS\tASSIGNED\tLOGIN USER\tNAME\tEMAIL")
				for _, u := range us {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s %s\t%s\n", u.OktaUserID, u.UserStatus,
						u.AssignmentScope, u.HasLoginUser, u.FirstName, u.LastName, u.Email)
				}
				_ = tw.Flush()
			})
			return nil
		}),
	}
	var role string
	create := &cobra.Command{
		Use:   "create-login OKTA_USER_ID",
		Short: "Create a login user from an SSO users view entry with a role",
		Args:  cobra.ExactArgs(1),
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, args []string) error {
			u, err := c.CreateLoginUser(cmd.Context(), args[0], role)
			if err != nil {
				return err
			}
			g.print(u, func() { fmt.Printf("login user %d created: %s (%s)\n", u.ID, u.Email, u.Role) })
			return nil
		}),
	}
	create.Flags().StringVar(&role, "role", "", "admin, staff or viewer")
	_ = create.MarkFlagRequired("role")
	cmd.AddCommand(list, create)
	return cmd
}

func loginUsersCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use: "login-users", Short: "List login users", Args: cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			us, err := c.LoginUsers(cmd.Context())
			if err != nil {
				return err
			}
			g.print(us, func() {
				for _, u := range us {
					fmt.Printf("%d\t%s\t%s\t%s\n", u.ID, u.Role, u.Email, u.Name)
				}
			})
			return nil
		}),
	}
}

func printImport(r dashboard.ImportView) {
	c := r.Counts
	fmt.Printf("import %s: %d rows: created %d, updated %d, unchanged %d, reactivated %d, "+
		"deactivated %d, duplicates %d, errors %d\n", r.ImportID, c.Rows, c.Created, c.Updated,
		c.Unchanged, c.Reactivated, c.Deactivated, c.Duplicates, c.Errors)
	for reason, n := range c.Skipped {
		fmt.Printf("  left alone (%s): %d\n", reason, n)
	}
	if len(r.UnknownColumns) > 0 {
		fmt.Printf("  ignored columns: %v\n", r.UnknownColumns)
	}
	for _, i := range r.Issues {
		fmt.Printf("  row %d: %s\n", i.Row, i.Reason)
	}
	if r.IssuesTruncated {
		fmt.Printf("  … more issues: GET /api/v1/orgs/{org}/imports/%s/issues\n", r.ImportID)
	}
}
