package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"

	"github.com/kithcdp/kith"
	kithhttp "github.com/kithcdp/kith/http"
	"github.com/kithcdp/kith/web"
)

type serveCmd struct {
	storeFlags
	Addr       string `help:"Address to listen on." default:"127.0.0.1:8080" env:"KITH_ADDR"`
	LogLevel   string `help:"Log level: debug, info, warn, error." default:"info" enum:"debug,info,warn,error" env:"KITH_LOG_LEVEL"`
	LogFormat  string `help:"Log format: json or text." default:"json" enum:"json,text" env:"KITH_LOG_FORMAT"`
	TrustProxy bool   `help:"Take client addresses from X-Forwarded-For (only behind a proxy that sets it)." env:"KITH_TRUST_PROXY"`
	DebugAddr  string `help:"Serve Go's profiler (/debug/pprof/) on this separate address, e.g. 127.0.0.1:6060; off when empty." env:"KITH_DEBUG_ADDR"`
}

func (c *serveCmd) Run(ctx context.Context) error {
	logger := newLogger(c.LogFormat, c.LogLevel)
	st, where, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := bootstrap(ctx, st); err != nil {
		return err
	}
	if err := bootstrapAdmin(ctx, st); err != nil {
		return err
	}
	// Expired sign-ins and abandoned uploads are swept hourly, until the
	// server stops (before the store closes).
	sweepCtx, stopSweep := context.WithCancel(ctx)
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		web.Maintain(sweepCtx, st, web.SweepInterval, logger)
	}()
	defer func() {
		stopSweep()
		<-swept
	}()
	srv := &kithhttp.Server{Store: st, Logger: logger, TrustProxy: c.TrustProxy, Imports: importRepository(&c.storeFlags)}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	if c.DebugAddr != "" {
		go serveDebug(c.DebugAddr, logger)
	}
	logger.Info("kith serving", slog.String("addr", ln.Addr().String()), slog.String("store", where))
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// bootstrap creates the default workspace on first start and prints its
// keys, so that a newcomer can send data at once.
func bootstrap(ctx context.Context, st kith.Store) error {
	err := st.View(ctx, func(tx kith.ReadTx) error {
		_, err := tx.FindWorkspaceByName(ctx, "default")
		return err
	})
	if kith.ErrorCode(err) != kith.ECodeNotFound {
		return err
	}
	creds, err := kith.CreateWorkspace(ctx, st, kith.NewWorkspace("default", kith.ModeEmail), time.Now())
	if kith.ErrorCode(err) == kith.ECodeConflict {
		return nil // another node created it first
	}
	if err != nil {
		return fmt.Errorf("create the default workspace: %w", err)
	}
	fmt.Println("First start: created the default workspace.")
	printCredentials(creds)
	return nil
}

// serveDebug serves the profiler on its own address, so that it is never
// exposed with the API.
func serveDebug(addr string, logger *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	logger.Info("profiler serving", slog.String("addr", addr))
	if err := http.ListenAndServe(addr, mux); err != nil {
		logger.Error("profiler stopped", slog.Any("err", err))
	}
}

func newLogger(format, level string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}
