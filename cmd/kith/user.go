package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/web"
)

type userCmd struct {
	Create userCreateCmd `cmd:"" help:"Create an admin UI user."`
	Passwd userPasswdCmd `cmd:"" help:"Set a user's password (ends the user's sessions)."`
}

type userCreateCmd struct {
	storeFlags
	Workspace     string `help:"Workspace the user signs in to." default:"default"`
	Email         string `help:"The user's email, used to sign in (unique)." required:""`
	PasswordStdin bool   `help:"Read the password from the first line of standard input; otherwise a random one is printed."`
}

func (c *userCreateCmd) Run(ctx context.Context) error {
	password, generated, err := readPassword(c.PasswordStdin, os.Stdin)
	if err != nil {
		return err
	}
	st, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := web.CreateUser(ctx, st, c.Workspace, c.Email, password, time.Now())
	if err != nil {
		return fmt.Errorf("create user %s: %w", c.Email, err)
	}
	fmt.Printf("user %s created in workspace %q\n", u.Email, c.Workspace)
	if generated {
		fmt.Printf("  password: %s   (shown once: store it now)\n", password)
	}
	return nil
}

type userPasswdCmd struct {
	storeFlags
	Email         string `help:"The user's email." required:""`
	PasswordStdin bool   `help:"Read the new password from the first line of standard input; otherwise a random one is printed."`
}

func (c *userPasswdCmd) Run(ctx context.Context) error {
	password, generated, err := readPassword(c.PasswordStdin, os.Stdin)
	if err != nil {
		return err
	}
	st, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := web.SetPassword(ctx, st, c.Email, password); err != nil {
		return fmt.Errorf("set the password of %s: %w", c.Email, err)
	}
	fmt.Printf("password of %s changed; its sessions have ended\n", c.Email)
	if generated {
		fmt.Printf("  password: %s   (shown once: store it now)\n", password)
	}
	return nil
}

// readPassword reads a password from the first line of r, or makes a
// random one.
func readPassword(fromStdin bool, r io.Reader) (string, bool, error) {
	if !fromStdin {
		return web.RandomPassword(), true, nil
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", false, errors.New("no password on standard input")
	}
	return line, false, nil
}

// bootstrapAdmin creates the first admin user of the default workspace
// when it has none, and prints its password once.
func bootstrapAdmin(ctx context.Context, st kith.Store) error {
	password, err := web.EnsureAdmin(ctx, st, "default", time.Now())
	if err != nil {
		return fmt.Errorf("create the first admin user: %w", err)
	}
	if password != "" {
		fmt.Println("Admin UI user created:")
		fmt.Printf("  email:    admin@localhost\n  password: %s   (shown once: store it now; change it with kith user passwd)\n", password)
	}
	return nil
}
