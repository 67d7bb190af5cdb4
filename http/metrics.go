package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kithcdp/kith"
	"github.com/kithcdp/kith/ingest"
)

// metrics are the server's Prometheus metrics, on a registry of its own so
// that several servers (tests) can live in one process.
type metrics struct {
	registry        *prometheus.Registry
	requests        *prometheus.CounterVec
	latency         *prometheus.HistogramVec
	eventsIngested  prometheus.Counter
	eventsRejected  prometheus.Counter
	profilesCreated prometheus.Counter
	profilesMerged  prometheus.Counter
	storeErrors     prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kith_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kith_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		eventsIngested:  prometheus.NewCounter(prometheus.CounterOpts{Name: "kith_events_ingested_total", Help: "Events accepted."}),
		eventsRejected:  prometheus.NewCounter(prometheus.CounterOpts{Name: "kith_events_rejected_total", Help: "Events rejected."}),
		profilesCreated: prometheus.NewCounter(prometheus.CounterOpts{Name: "kith_profiles_created_total", Help: "Profiles created."}),
		profilesMerged:  prometheus.NewCounter(prometheus.CounterOpts{Name: "kith_profiles_merged_total", Help: "Profiles merged into others."}),
		storeErrors:     prometheus.NewCounter(prometheus.CounterOpts{Name: "kith_store_errors_total", Help: "Requests failed by the store (unavailable or internal)."}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.eventsIngested, m.eventsRejected,
		m.profilesCreated, m.profilesMerged, m.storeErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// countIngest exports how concurrent ingestion requests share
// transactions (ingest.Service.Stats).
func (m *metrics) countIngest(svc *ingest.Service) {
	m.registry.MustRegister(
		counterFunc("kith_ingest_transactions_total",
			"Store transactions run for ingestion (events, upserts, Segment); concurrent requests of a workspace share them.",
			func() int64 { return svc.Stats().Transactions }),
		counterFunc("kith_ingest_calls_total",
			"Ingestion requests answered by those transactions; calls per transaction is how much requests share.",
			func() int64 { return svc.Stats().Calls }),
	)
}

// writerStats is a store with a single writer that commits concurrent
// updates together (the embedded store).
type writerStats interface {
	WriterStats() (transactions, updates int64)
}

// countWriter exports the group commit of a store with a single writer.
func (m *metrics) countWriter(st kith.Store) {
	w, ok := st.(writerStats)
	if !ok {
		return
	}
	m.registry.MustRegister(
		counterFunc("kith_store_writer_transactions_total",
			"Transactions run by the embedded store's writer.",
			func() int64 { t, _ := w.WriterStats(); return t }),
		counterFunc("kith_store_writer_updates_total",
			"Store updates carried by those transactions; updates per transaction is how much they share a commit.",
			func() int64 { _, u := w.WriterStats(); return u }),
	)
}

// counterFunc is a counter read from a count kept elsewhere.
func counterFunc(name, help string, value func() int64) prometheus.CounterFunc {
	return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
		func() float64 { return float64(value()) })
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// instrument counts and times every request by route pattern.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		s.metrics.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}
