package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are what an operator graphs and alerts on: ingest scans and the
// findings they raise, reviewers' verdicts, check latency, request
// outcomes and store errors.
type metrics struct {
	scans       prometheus.Counter
	findings    *prometheus.CounterVec
	verdicts    *prometheus.CounterVec
	checks      *prometheus.HistogramVec
	requests    *prometheus.HistogramVec
	storeErrors prometheus.Counter
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		scans: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "listingscan_scans_total", Help: "Scans run by the service (ingest requests).",
		}),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "listingscan_findings_total", Help: "Findings raised by the service's scans, by rule.",
		}, []string{"rule"}),
		verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "listingscan_verdicts_total", Help: "Verdicts recorded by reviewers, by decision.",
		}, []string{"status"}),
		checks: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "listingscan_check_duration_seconds", Help: "Pre-publish check latency, by decision.",
			Buckets: []float64{.001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
		}, []string{"decision"}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "listingscan_http_request_duration_seconds", Help: "API request latency, by route and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "code"}),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "listingscan_store_errors_total", Help: "Requests that failed because the store did.",
		}),
	}
	reg.MustRegister(m.scans, m.findings, m.verdicts, m.checks, m.requests, m.storeErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) request(route string, code int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Observe(d.Seconds())
}

func (m *metrics) handler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}
