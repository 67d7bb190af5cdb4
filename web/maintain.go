package web

import (
	"context"
	"log/slog"
	"time"

	"github.com/kithcdp/kith"
)

// SweepInterval is how often Maintain sweeps.
const SweepInterval = time.Hour

// Sweep deletes the expired sign-in sessions of every workspace and the
// uploads older than UploadTTL whose columns were never mapped. It
// returns how many sessions and upload files it deleted.
func Sweep(ctx context.Context, st kith.Store, now time.Time) (sessions int64, uploads int, err error) {
	uploads = sweepUploads(now)
	err = st.Update(ctx, func(tx kith.Tx) error {
		var err error
		sessions, err = tx.DeleteExpiredUserSessions(ctx, now)
		return err
	})
	return sessions, uploads, err
}

// Maintain sweeps at once, then every interval until ctx ends. Run it in
// a goroutine beside the server.
func Maintain(ctx context.Context, st kith.Store, interval time.Duration, logger *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		sessions, uploads, err := Sweep(ctx, st, time.Now())
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			logger.Warn("sweep expired sessions", slog.Any("err", err))
		case sessions > 0 || uploads > 0:
			logger.Info("swept", slog.Int64("expiredSessions", sessions), slog.Int("abandonedUploadFiles", uploads))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
