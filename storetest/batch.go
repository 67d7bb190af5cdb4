package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/identity"
)

// batchTests checks the batch methods of the store (FindClientIDs,
// FindEventOwners, RecordActivity) and the identity session's knowledge of
// a batch (Session.Prepare): a batch resolved with what Prepare read, and
// with what the session remembers and forgets while it writes, must end
// exactly as the same writes resolved against the store one by one.
var batchTests = append([]testCase{
	{"Batch_FindClientIDs", emailMode, testFindClientIDs},
	{"Batch_FindClientIDs_customId_mode", customMode, testFindClientIDsCustomMode},
	{"Batch_FindEventOwners", emailMode, testFindEventOwners},
	{"Batch_RecordActivity", emailMode, testRecordActivity},
	{"Batch_RecordActivity_missing_profile_retries", emailMode, testRecordActivityMissing},
	{"Batch_session_same_new_identifiers", bothModes, testBatchSameNew},
	{"Batch_session_identify_then_attach", bothModes, testBatchIdentify},
	{"Batch_session_shared_device", bothModes, testBatchSharedDevice},
	{"Batch_session_merge_inside_batch", bothModes, testBatchMerge},
	{"Batch_session_chained_merges", emailMode, testBatchChainedMerges},
	{"Batch_session_derived_uuids", bothModes, testBatchDerived},
	{"Batch_session_duplicate_events", bothModes, testBatchDuplicates},
	{"Batch_session_activity", bothModes, testBatchActivity},
	{"Batch_session_email_is_contact", customMode, testBatchEmailContact},
	{"Batch_session_forgets_changed_identifier", bothModes, testBatchChangeIdentifier},
	{"Batch_session_forgets_erased_profile", bothModes, testBatchErase},
	{"Batch_session_forgets_explicit_merge", bothModes, testBatchExplicitMerge},
}, singleStore(batchNodeTests)...)

// batchNodeTests are the concurrency tests of batches; RunNodes spreads
// them over several stores sharing one database.
var batchNodeTests = []nodeCase{
	{"Batch_R9_concurrent_batches", bothModes, testBatchConcurrent},
}

// singleStore runs node tests on a single store.
func singleStore(ncs []nodeCase) []testCase {
	var out []testCase
	for _, nc := range ncs {
		out = append(out, testCase{nc.name, nc.modes, func(t *testing.T, st kith.Store, ws *kith.Workspace) {
			nc.run(t, []kith.Store{st}, ws)
		}})
	}
	return out
}

// prepBatch applies writes as the ingestion service does: one Session in
// one Update, Prepare over all writes, each write applied in order, then
// Flush. Every write must be accepted.
func prepBatch(t testing.TB, st kith.Store, ws *kith.Workspace, writes ...*identity.Write) []*identity.Result {
	t.Helper()
	for _, w := range writes {
		normalize(t, ws, w)
	}
	now := tick()
	var results []*identity.Result
	err := st.Update(t.Context(), func(tx kith.Tx) error {
		results = make([]*identity.Result, len(writes))
		s := identity.NewSession(tx, ws, now)
		if err := s.Prepare(t.Context(), writes); err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		for i, w := range writes {
			r, err := s.Apply(t.Context(), w)
			if err != nil {
				return fmt.Errorf("write %d (%s): %w", i, describe(w), err)
			}
			results[i] = r
		}
		return s.Flush(t.Context())
	})
	if err != nil {
		t.Fatalf("batch Update: %v (code %s)", err, kith.ErrorCode(err))
	}
	return results
}

// findIDs returns FindClientIDs' answer, failing the test on error.
func findIDs(t testing.TB, st kith.Store, ws *kith.Workspace, kind kith.IdentifierKind, values ...string) map[string]int64 {
	t.Helper()
	var out map[string]int64
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		var err error
		out, err = rx.FindClientIDs(ctx, ws.ID, kind, values)
		if err != nil {
			return fmt.Errorf("FindClientIDs(%s, %q): %w", kind, values, err)
		}
		return nil
	})
	return out
}

// eventOwners returns FindEventOwners' answer, failing the test on error.
func eventOwners(t testing.TB, st kith.Store, ws *kith.Workspace, eventIDs ...string) map[string]int64 {
	t.Helper()
	var out map[string]int64
	view(t, st, func(ctx context.Context, rx kith.ReadTx) error {
		var err error
		out, err = rx.FindEventOwners(ctx, ws.ID, eventIDs)
		if err != nil {
			return fmt.Errorf("FindEventOwners(%q): %w", eventIDs, err)
		}
		return nil
	})
	return out
}

// found compares a batch lookup's answer with want; an empty answer equals
// an empty want whether the map is nil or not.
func found(t testing.TB, what string, got, want map[string]int64) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	eq(t, what, got, want)
}

// errAbort rolls back an Update whose outcome was checked inside it.
var errAbort = errors.New("storetest: abort the transaction")

// recordActivity runs RecordActivity in its own Update and commits it
// when it succeeds; it returns RecordActivity's error.
func recordActivity(t testing.TB, st kith.Store, ws *kith.Workspace, acts ...kith.ActivityUpdate) error {
	t.Helper()
	var inner error
	err := st.Update(t.Context(), func(tx kith.Tx) error {
		inner = tx.RecordActivity(t.Context(), ws.ID, acts)
		if inner != nil {
			return errAbort
		}
		return nil
	})
	if inner == nil && err != nil {
		t.Fatalf("Update around RecordActivity: %v", err)
	}
	return inner
}

// seenAt returns d last seen at tm.
func seenAt(d kith.Device, tm time.Time) kith.Device {
	d.LastSeenAt = tm
	return d
}

// devicesOf returns profile id's devices as "browser/os/type" → last seen.
func devicesOf(t testing.TB, st kith.Store, ws *kith.Workspace, id int64) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	for _, d := range profile(t, st, ws, id).Devices {
		out[d.Browser+"/"+d.OS+"/"+d.DeviceType] = d.LastSeenAt.UTC()
	}
	return out
}

func devKey(d kith.Device) string { return d.Browser + "/" + d.OS + "/" + d.DeviceType }

// lastActivity checks profile id's LastActivityAt.
func lastActivity(t testing.TB, st kith.Store, ws *kith.Workspace, what string, id int64, want time.Time) {
	t.Helper()
	if got := profile(t, st, ws, id).LastActivityAt; !got.Equal(want) {
		t.Errorf("%s: lastActivityAt of %d = %v, want %v", what, id, got.UTC(), want)
	}
}

var (
	chrome = kith.Device{Browser: "Chrome 131", OS: "Android", DeviceType: "mobile"}
	safari = kith.Device{Browser: "Safari 18", OS: "macOS", DeviceType: "desktop"}
)
