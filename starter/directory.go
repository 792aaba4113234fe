package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mailroom/oktasync/dashboard"
	"github.com/mailroom/oktasync/models"
)

func directoryCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "directory", Short: "Manage the Okta directory integration"}
	cmd.AddCommand(enableCmd(g), statusCmd(g), disableCmd(g), preferencesCmd(g),
		groupsCmd(g), mapCmd(g))
	return cmd
}

// prefFlags are the settings form's sync preferences as flags.
type prefFlags struct {
	p     models.Preferences
	maps  []string
	flags *pflag.FlagSet
}

func addPrefFlags(f *pflag.FlagSet) *prefFlags {
	pf := &prefFlags{flags: f}
	f.StringVar(&pf.p.Mode, "mode", "all_users", `"all_users" or "groups"`)
	f.IntVar(&pf.p.SyncIntervalMinutes, "interval", 60, "minutes between scheduled runs")
	f.BoolVar(&pf.p.DeactivateMissing, "deactivate-missing", false,
		"deactivate directory recipients a complete run no longer finds")
	f.BoolVar(&pf.p.DirectoryUpdatesCSV, "directory-updates-csv", false,
		"let the directory adopt and update CSV-created recipients")
	f.BoolVar(&pf.p.CSVUpdatesDirectory, "csv-updates-directory", false,
		"let CSV imports update directory-created recipients")
	f.BoolVar(&pf.p.SSOUsersView, "sso-users-view", false,
		"keep the list of users assigned to the SAML app (needs okta.apps.read)")
	f.StringSliceVar(&pf.p.SSOEmailDomains, "sso-domain", nil,
		"email domain shown in the SSO users view (repeatable)")
	f.StringSliceVar(&pf.p.SSOEmailAddresses, "sso-address", nil,
		"email address shown in the SSO users view (repeatable)")
	f.StringArrayVar(&pf.maps, "map", nil,
		`attribute mapping override field=profileAttr, e.g. "phone=workPhone" (repeatable)`)
	f.IntVar(&pf.p.BrakePercent, "brake-percent", 20,
		"hold a run deactivating more than this share of active recipients...")
	f.IntVar(&pf.p.BrakeMinimum, "brake-minimum", 50, "...and more than this many")
	return pf
}

// preferences returns every preference, for an enable.
func (pf *prefFlags) preferences() (*models.Preferences, error) {
	p := pf.p
	m, err := parseMapping(pf.maps)
	p.AttributeMapping = m
	return &p, err
}

// prefFields maps each preference flag to its JSON field.
var prefFields = map[string]string{
	"mode": "mode", "interval": "sync_interval_minutes",
	"deactivate-missing": "deactivate_missing", "directory-updates-csv": "directory_updates_csv",
	"csv-updates-directory": "csv_updates_directory", "sso-users-view": "sso_users_view",
	"sso-domain": "sso_email_domains", "sso-address": "sso_email_addresses",
	"map": "attribute_mapping", "brake-percent": "brake_percent",
	"brake-minimum": "brake_minimum",
}

// changed returns only the preferences whose flags were given, for a patch.
func (pf *prefFlags) changed() (map[string]any, error) {
	all, err := pf.preferences()
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(all)
	var full map[string]any
	_ = json.Unmarshal(raw, &full)

	patch := map[string]any{}
	for flag, field := range prefFields {
		if pf.flags.Changed(flag) {
			patch[field] = full[field]
		}
	}
	return patch, nil
}

func parseMapping(pairs []string) (map[string]string, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, p := range pairs {
		field, attr, ok := strings.Cut(p, "=")
		if !ok || field == "" || attr == "" {
			return nil, fmt.Errorf("--map %q: want field=profileAttribute", p)
		}
		m[strings.TrimSpace(field)] = strings.TrimSpace(attr)
	}
	return m, nil
}

func enableCmd(g *globals) *cobra.Command {
	var req dashboard.EnableRequest
	var jwkFile string
	cmd := &cobra.Command{
		Use:   "enable",
		Short: "Enter the settings form, validate it against Okta and turn the integration on",
		Args:  cobra.NoArgs,
	}
	f := cmd.Flags()
	f.StringVar(&req.OktaDomain, "domain", "", "Okta org domain, e.g. acme.okta.com")
	f.StringVar(&req.SAMLAppID, "saml-app-id", "", "the SAML app's id, or its admin-console URL")
	f.StringVar(&req.ClientID, "client-id", "", "the API Services app's client id")
	f.StringVar(&jwkFile, "jwk-file", "", `file holding the private JWK ("-" reads stdin)`)
	pf := addPrefFlags(f)
	cmd.RunE = g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
		var err error
		if req.PrivateJWK, err = readKey(jwkFile); err != nil {
			return err
		}
		if req.Preferences, err = pf.preferences(); err != nil {
			return err
		}
		v, err := c.EnableDirectory(cmd.Context(), req)
		if err != nil {
			return err
		}
		g.print(v, func() { printDirectory(v) })
		return nil
	})
	return cmd
}

// readKey reads the private JWK from a file or stdin.
func readKey(path string) ([]byte, error) {
	if path == "" {
		return nil, fmt.Errorf("--jwk-file is required (use - to read the key from stdin)")
	}
	if path == "-" {
		return io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
	}
	return os.ReadFile(path)
}

func statusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use: "status", Short: "Show the integration's state, last error and runs",
		Args: cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			v, err := c.Directory(cmd.Context())
			if err != nil {
				return err
			}
			g.print(v, func() { printDirectory(v) })
			return nil
		}),
	}
}

func disableCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "disable",
		Short: "Turn the integration off: removes the key and settings, keeps recipients",
		Args:  cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			out, err := c.DisableDirectory(cmd.Context())
			if err != nil {
				return err
			}
			g.print(out, func() { fmt.Println(out["status"]) })
			return nil
		}),
	}
}

func preferencesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "preferences",
		Short: "Change sync preferences (only the flags given change)",
		Args:  cobra.NoArgs,
	}
	pf := addPrefFlags(cmd.Flags())
	cmd.RunE = g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
		patch, err := pf.changed()
		if err != nil {
			return err
		}
		v, err := c.UpdatePreferences(cmd.Context(), patch)
		if err != nil {
			return err
		}
		g.print(v, func() { printDirectory(v) })
		return nil
	})
	return cmd
}

func groupsCmd(g *globals) *cobra.Command {
	var cursor string
	cmd := &cobra.Command{
		Use: "groups", Short: "List Okta groups (for mapping)", Args: cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, _ []string) error {
			groups, next, err := c.Groups(cmd.Context(), cursor)
			if err != nil {
				return err
			}
			g.print(map[string]any{"groups": groups, "next_cursor": next}, func() {
				tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tTYPE\tNAME")
				for _, gr := range groups {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", gr.ID, gr.Type, gr.Name)
				}
				_ = tw.Flush()
				if next != "" {
					fmt.Printf("more: --cursor '%s'\n", next)
				}
			})
			return nil
		}),
	}
	cmd.Flags().StringVar(&cursor, "cursor", "", "cursor of the next page")
	return cmd
}

func mapCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "map [GROUP_ID=LOCATION_ID ...]",
		Short: "Replace the group-to-location mappings (no arguments lists them)",
		RunE: g.withClient(func(cmd *cobra.Command, c *dashboard.Client, args []string) error {
			ms, err := mappings(cmd, c, args)
			if err != nil {
				return err
			}
			g.print(ms, func() {
				for _, m := range ms {
					fmt.Printf("%s (%s) -> %s\n", m.GroupID, m.GroupName, m.LocationID)
				}
			})
			return nil
		}),
	}
}

// mappings lists the mappings, or replaces them with those in args.
func mappings(cmd *cobra.Command, c *dashboard.Client, args []string) (
	[]dashboard.MappingView, error) {
	if len(args) == 0 {
		return c.Mappings(cmd.Context())
	}
	ms, err := parseMappings(args)
	if err != nil {
		return nil, err
	}
	return c.ReplaceMappings(cmd.Context(), ms)
}

func parseMappings(args []string) ([]dashboard.MappingView, error) {
	ms := make([]dashboard.MappingView, 0, len(args))
	for _, a := range args {
		group, loc, ok := strings.Cut(a, "=")
		if !ok || group == "" || loc == "" {
			return nil, fmt.Errorf("mapping %q: want GROUP_ID=LOCATION_ID", a)
		}
		ms = append(ms, dashboard.MappingView{GroupID: group, LocationID: loc})
	}
	return ms, nil
}
