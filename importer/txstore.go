package importer

import (
	"context"
	"errors"
	"fmt"

	"github.com/kithcdp/kith"
)

// txStore runs every Update inside one enclosing transaction, so that the
// batches of a dry run see each other's writes and are all rolled back
// together with it.
type txStore struct {
	kith.Store
	tx kith.Tx
}

func (s *txStore) Update(ctx context.Context, fn func(kith.Tx) error) error {
	return fn(s.tx)
}

// defStore defines the file's new custom attributes, with the types
// inferred from their first non-empty cells, at the start of the
// transaction that writes the batch whose rows first use them. Defining
// them here, rather than letting identity infer types from parsed values,
// keeps the CSV inference rules of SPEC §5 (a cell that looks like an
// RFC 3339 time, for one, makes a string attribute, not a datetime one).
type defStore struct {
	kith.Store
	ws   int64
	defs []kith.AttributeDef
}

func (s *defStore) Update(ctx context.Context, fn func(kith.Tx) error) error {
	return s.Store.Update(ctx, func(tx kith.Tx) error {
		if err := ensureDefs(ctx, tx, s.ws, s.defs); err != nil {
			return err
		}
		return fn(tx)
	})
}

// ensureDefs creates the definitions the catalogue lacks. One created
// meanwhile by another writer restarts the transaction, which then finds
// it (and rows whose values do not fit its type are refused).
func ensureDefs(ctx context.Context, tx kith.Tx, ws int64, defs []kith.AttributeDef) error {
	if len(defs) == 0 {
		return nil
	}
	have, err := tx.ListAttributeDefs(ctx, ws)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, d := range have {
		known[d.Name] = true
	}
	for _, d := range defs {
		if known[d.Name] {
			continue
		}
		def := d
		if err := tx.CreateAttributeDef(ctx, ws, &def); err != nil {
			if kith.ErrorCode(err) == kith.ECodeConflict {
				return fmt.Errorf("define attribute %q: %w", d.Name, kith.ErrRetry)
			}
			return fmt.Errorf("define attribute %q: %w", d.Name, err)
		}
	}
	return nil
}

// errRollback ends a dry run's transaction so that nothing of it remains.
var errRollback = errors.New("importer: dry run, roll back")
