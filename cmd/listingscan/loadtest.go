package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/spf13/cobra"
)

// Bounds of a load run: it is a measuring tool, not a way to flood a
// service.
const (
	maxLoadRate     = 2000
	maxLoadDuration = 10 * time.Minute
	maxInFlight     = 256
)

func newLoadTestCmd() *cobra.Command {
	var (
		target, token string
		format        string
		rate          int
		duration      time.Duration
	)
	cmd := &cobra.Command{
		Use:   "loadtest DRAFT.json...",
		Short: "Drive POST /v1/check of a local service at a fixed rate and report latency",
		Long: `loadtest sends the given drafts, in turn, to POST /v1/check of a service on
this machine at a fixed rate for a fixed time, and reports how many requests
succeeded, the errors, the decisions and the latency percentiles.

The rate is held whatever the service does (open loop): a request that
would exceed 256 in flight is counted as dropped instead of slowing the
schedule. Only loopback addresses are accepted, the rate is at most 2000
per second and the duration at most 10 minutes.`,
		Example: `  listingscan loadtest testdata/drafts/*.json --url http://127.0.0.1:8080 --rate 50 --duration 20s`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if rate < 1 || rate > maxLoadRate {
				return usageError("--rate must be within 1..%d", maxLoadRate)
			}
			if duration <= 0 || duration > maxLoadDuration {
				return usageError("--duration must be within 0..%s", maxLoadDuration)
			}
			endpoint, err := loopbackURL(target)
			if err != nil {
				return usageError("--url: %v", err)
			}
			if token == "" {
				token = os.Getenv("LISTINGSCAN_TOKEN")
			}
			if token == "" {
				return usageError("a publisher token is required: --token or $LISTINGSCAN_TOKEN")
			}
			var bodies [][]byte
			for _, a := range args {
				b, err := os.ReadFile(a)
				if err != nil {
					return usageError("draft %v", err)
				}
				if !json.Valid(b) {
					return usageError("draft %s is not JSON", a)
				}
				bodies = append(bodies, b)
			}
			if format != "text" && format != "json" {
				return usageError("--format must be text or json")
			}
			rep := runLoad(cmd.Context(), endpoint, token, bodies, rate, duration)
			if format == "json" {
				return rep.writeJSON(cmd.OutOrStdout())
			}
			rep.write(cmd.OutOrStdout())
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&target, "url", "http://127.0.0.1:8080", "base URL of the service (loopback only)")
	fl.StringVar(&token, "token", "", "publisher bearer token (default $LISTINGSCAN_TOKEN)")
	fl.IntVar(&rate, "rate", 20, "requests per second")
	fl.StringVar(&format, "format", "text", "report format: text or json")
	fl.DurationVar(&duration, "duration", 10*time.Second, "how long to send")
	return cmd
}

// loopbackURL accepts a base URL only when its host is a loopback address
// or resolves only to loopback addresses.
func loopbackURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("%q: want http(s)://host:port", raw)
	}
	addrs, err := net.LookupIP(u.Hostname())
	if err != nil {
		return "", err
	}
	for _, a := range addrs {
		if !a.IsLoopback() {
			return "", fmt.Errorf("%s is not a loopback address; loadtest only drives a service on this machine", a)
		}
	}
	u.Path = "/v1/check"
	return u.String(), nil
}

// loadReport is what a load run measured.
type loadReport struct {
	Sent, OK, Dropped int
	Errors            map[string]int
	Decisions         map[string]int
	Latencies         []time.Duration
	// Served are the check times the service reports itself (elapsed_ms):
	// the latency without the network and the JSON of the request.
	Served  []time.Duration
	Elapsed time.Duration
}

func runLoad(ctx context.Context, endpoint, token string, bodies [][]byte, rate int, duration time.Duration) *loadReport {
	rep := &loadReport{Errors: map[string]int{}, Decisions: map[string]int{}}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: maxInFlight}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, maxInFlight)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	start := time.Now()
	stop := time.After(duration)
loop:
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			break loop
		case <-stop:
			break loop
		case <-tick.C:
		}
		rep.Sent++
		select {
		case slots <- struct{}{}:
		default:
			rep.Dropped++
			continue
		}
		body := bodies[i%len(bodies)]
		wg.Go(func() {
			defer func() { <-slots }()
			t0 := time.Now()
			decision, served, errKind := checkOnce(ctx, client, endpoint, token, body)
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if errKind != "" {
				rep.Errors[errKind]++
				return
			}
			rep.OK++
			rep.Decisions[decision]++
			rep.Latencies = append(rep.Latencies, d)
			rep.Served = append(rep.Served, served)
		})
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	return rep
}

func checkOnce(ctx context.Context, client *http.Client, endpoint, token string, body []byte) (decision string, served time.Duration, errKind string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", 0, "request: " + err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, "transport"
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return "", 0, "read body"
	}
	if resp.StatusCode != http.StatusOK {
		return "", 0, fmt.Sprintf("HTTP %d", resp.StatusCode)
	}
	var r struct {
		Decision  string  `json:"decision"`
		ElapsedMS float64 `json:"elapsed_ms"`
	}
	if err := json.Unmarshal(data, &r); err != nil || r.Decision == "" {
		return "", 0, "malformed answer"
	}
	return r.Decision, time.Duration(r.ElapsedMS * float64(time.Millisecond)), ""
}

// percentile is the q-quantile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(len(sorted)-1, i))]
}

func (r *loadReport) write(w io.Writer) {
	slices.Sort(r.Latencies)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Fprintf(w, "sent %d in %s (%.1f/s): %d ok, %d errors, %d dropped (over %d in flight)\n",
		r.Sent, r.Elapsed.Round(time.Millisecond), float64(r.Sent)/r.Elapsed.Seconds(), r.OK, r.Sent-r.OK-r.Dropped, r.Dropped, maxInFlight)
	if len(r.Latencies) > 0 {
		fmt.Fprintf(w, "latency p50 %s  p95 %s  p99 %s  max %s\n",
			ms(percentile(r.Latencies, .50)), ms(percentile(r.Latencies, .95)), ms(percentile(r.Latencies, .99)), ms(r.Latencies[len(r.Latencies)-1]))
		slices.Sort(r.Served)
		fmt.Fprintf(w, "in the service p50 %s  p95 %s  p99 %s  max %s\n",
			ms(percentile(r.Served, .50)), ms(percentile(r.Served, .95)), ms(percentile(r.Served, .99)), ms(r.Served[len(r.Served)-1]))
	}
	for _, k := range sortedKeys(r.Decisions) {
		fmt.Fprintf(w, "decision %-7s %d\n", k, r.Decisions[k])
	}
	for _, k := range sortedKeys(r.Errors) {
		fmt.Fprintf(w, "error %s: %d\n", k, r.Errors[k])
	}
}

// writeJSON writes the report as one JSON object, latencies in
// milliseconds: round trip (latency_*) and as the service measured it
// (served_*).
func (r *loadReport) writeJSON(w io.Writer) error {
	slices.Sort(r.Latencies)
	slices.Sort(r.Served)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	out := map[string]any{
		"sent": r.Sent, "ok": r.OK, "dropped": r.Dropped, "errors": r.Errors, "decisions": r.Decisions,
		"elapsed_s": r.Elapsed.Seconds(), "rate": float64(r.Sent) / r.Elapsed.Seconds(),
	}
	for _, q := range []struct {
		name string
		q    float64
	}{{"p50", .50}, {"p95", .95}, {"p99", .99}, {"max", 1}} {
		out["latency_"+q.name+"_ms"] = ms(percentile(r.Latencies, q.q))
		out["served_"+q.name+"_ms"] = ms(percentile(r.Served, q.q))
	}
	return json.NewEncoder(w).Encode(out)
}

func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
