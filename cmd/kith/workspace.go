package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/kithcdp/kith"
)

type workspaceCmd struct {
	Create workspaceCreateCmd `cmd:"" help:"Create a workspace and print its id, tracker key and secret key."`
}

type workspaceCreateCmd struct {
	storeFlags
	Name         string `help:"Workspace name (1–64 characters, unique)." required:""`
	IdentityMode string `help:"Main identifier: email or customId." default:"email" enum:"email,customId"`
	JSON         bool   `help:"Print {\"workspace\",\"trackerKey\",\"secretKey\"} as JSON."`
}

func (c *workspaceCreateCmd) Run(ctx context.Context) error {
	st, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	creds, err := kith.CreateWorkspace(ctx, st, kith.NewWorkspace(c.Name, c.IdentityMode), time.Now())
	if err != nil {
		return fmt.Errorf("create workspace %q: %w", c.Name, err)
	}
	if c.JSON {
		return json.NewEncoder(os.Stdout).Encode(map[string]any{
			"workspace": creds.Workspace, "trackerKey": creds.TrackerKey, "secretKey": creds.SecretKey,
		})
	}
	printCredentials(creds)
	return nil
}

// printCredentials shows a new workspace's keys; the secret is shown once.
func printCredentials(c *kith.Credentials) {
	fmt.Printf("workspace %q (id %d, identity mode %s)\n", c.Workspace.Name, c.Workspace.ID, c.Workspace.IdentityMode)
	fmt.Printf("  tracker key: %s\n", c.TrackerKey)
	fmt.Printf("  secret key:  %s   (shown once: store it now)\n", c.SecretKey)
}
