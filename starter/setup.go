package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/mailroom/oktasync/dashboard"
)

func orgCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "org", Short: "Manage organizations"}
	var name string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an organization and print its id and API token (needs OPERATOR_TOKEN)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := &dashboard.Client{BaseURL: g.apiURL, Token: os.Getenv("OPERATOR_TOKEN")}
			out, err := c.CreateOrg(cmd.Context(), name)
			if err != nil {
				return err
			}
			g.print(out, func() {
				fmt.Printf("export MAILROOM_ORG_ID=%s\nexport MAILROOM_API_TOKEN=%s\n",
					out.Organization.ID, out.APIToken)
			})
			return nil
		},
	}
	create.Flags().StringVar(&name, "name", "", "organization name")
	_ = create.MarkFlagRequired("name")
	cmd.AddCommand(create)
	return cmd
}

func locationCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "location", Short: "Manage locations (mailrooms)"}
	var name string
	add := &cobra.Command{
		Use: "add", Short: "Add a location", Args: cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			loc, err := c.CreateLocation(cmd.Context(), name)
			if err != nil {
				return err
			}
			g.print(loc, func() { fmt.Printf("%s\t%s\n", loc.ID, loc.Name) })
			return nil
		}),
	}
	add.Flags().StringVar(&name, "name", "", "location name")
	_ = add.MarkFlagRequired("name")
	list := &cobra.Command{
		Use: "list", Short: "List locations", Args: cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			locs, err := c.Locations(cmd.Context())
			if err != nil {
				return err
			}
			g.print(locs, func() {
				tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME")
				for _, l := range locs {
					fmt.Fprintf(tw, "%s\t%s\n", l.ID, l.Name)
				}
				_ = tw.Flush()
			})
			return nil
		}),
	}
	cmd.AddCommand(add, list)
	return cmd
}

func ssoCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "sso", Short: "Manage the SSO connection"}
	var sso dashboard.SSOView
	enable := &cobra.Command{
		Use: "enable", Short: "Enable the SAML SSO connection", Args: cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			out, err := c.EnableSSO(cmd.Context(), sso)
			if err != nil {
				return err
			}
			g.print(out, func() { fmt.Println("sso enabled") })
			return nil
		}),
	}
	enable.Flags().StringVar(&sso.IdPEntityID, "idp-entity-id", "", "SAML IdP entity id")
	enable.Flags().StringVar(&sso.SSOURL, "sso-url", "", "SAML IdP sign-in URL")
	remove := &cobra.Command{
		Use:   "remove",
		Short: "Remove SSO; this turns the directory integration off first",
		Args:  cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			out, err := c.RemoveSSO(cmd.Context())
			if err != nil {
				return err
			}
			g.print(out, func() { fmt.Println(out["status"]) })
			return nil
		}),
	}
	cmd.AddCommand(enable, remove)
	return cmd
}
