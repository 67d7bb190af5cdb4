package identity

import "github.com/kithcdp/kith"

// Refusal returns err as a refusal of one write, or nil. Apply and Merge
// return refusals — invalid input, conflicts, unknown clientIds — as bare
// *kith.Error values and only before writing anything, so the caller may
// go on with other writes in the same transaction. Every other error (the
// store's, wrapped) must end the transaction.
func Refusal(err error) *kith.Error {
	e, ok := err.(*kith.Error)
	if !ok || e.Code == kith.ECodeInternal || e.Code == kith.ECodeUnavailable {
		return nil
	}
	return e
}
