package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/mailroom/oktasync/dashboard"
)

// globals are the client flags every command shares.
type globals struct {
	apiURL, orgID, token string
	json                 bool
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "starter",
		Short:         "Mailroom directory sync: the dashboard API and its command line",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	f := root.PersistentFlags()
	f.StringVar(&g.apiURL, "api", envOr("MAILROOM_API_URL", "http://127.0.0.1:8080"),
		"API address (MAILROOM_API_URL)")
	f.StringVar(&g.orgID, "org", os.Getenv("MAILROOM_ORG_ID"), "organization id (MAILROOM_ORG_ID)")
	f.StringVar(&g.token, "token", "", "organization API token (default MAILROOM_API_TOKEN)")
	f.BoolVar(&g.json, "json", false, "print JSON instead of text")

	root.AddCommand(serveCmd(), orgCmd(g), locationCmd(g), ssoCmd(g), directoryCmd(g),
		syncCmd(g), controlCmd(g, "pause", "Pause syncing (the running run pauses between pages)"),
		controlCmd(g, "resume", "Resume syncing"),
		controlCmd(g, "cancel", "Cancel the running sync run (nothing is deactivated)"),
		runsCmd(g), recipientsCmd(g), ssoUsersCmd(g), loginUsersCmd(g))
	return root
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// client returns an API client for the organization.
func (g *globals) client() (*dashboard.Client, error) {
	token := g.token
	if token == "" {
		token = os.Getenv("MAILROOM_API_TOKEN")
	}
	if g.orgID == "" || token == "" {
		return nil, fmt.Errorf("set MAILROOM_ORG_ID and MAILROOM_API_TOKEN (or --org and " +
			"--token); `starter org create` prints both")
	}
	return &dashboard.Client{BaseURL: g.apiURL, Token: token, OrgID: g.orgID}, nil
}

// print writes v as JSON when --json is set, and text otherwise.
func (g *globals) print(v any, text func()) {
	if g.json {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
		return
	}
	text()
}

// withClient adapts a command body that needs the organization's API client.
func (g *globals) withClient(
	run func(cmd *cobra.Command, c *dashboard.Client, args []string) error,
) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		c, err := g.client()
		if err != nil {
			return err
		}
		return run(cmd, c, args)
	}
}
