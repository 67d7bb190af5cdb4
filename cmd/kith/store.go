package main

import (
	"context"
	"strings"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/postgres"
	"github.com/kithcdp/kith/sqlite"
)

// open opens the store the flags choose.
func (f *storeFlags) open(ctx context.Context) (kith.Store, string, error) {
	if f.Postgres != "" {
		st, err := postgres.Open(ctx, postgres.Options{DSN: f.Postgres, MaxConns: f.PoolSize})
		return st, "postgres", err
	}
	st, err := sqlite.Open(ctx, sqlite.Options{Dir: f.Data, Synchronous: strings.ToUpper(f.Sync)})
	return st, "sqlite:" + f.Data, err
}
