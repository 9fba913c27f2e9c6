// Package esfault puts faults between a client and a real Elasticsearch
// node, so that tests can check what the store does when the engine
// throttles, rejects single documents, drops connections or stops
// answering. The engine behind the faults stays real; only the failures
// are made up.
package esfault

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
)

// maxBody bounds the requests and responses the HTTP proxy reads.
const maxBody = 64 << 20

// HTTP is a reverse proxy in front of an engine that can answer bulk
// requests with 429 and turn items of bulk responses into failures.
type HTTP struct {
	srv *httptest.Server

	mu        sync.Mutex
	throttle  int            // bulk requests still to answer with 429
	failItems map[string]int // document id → item status to report
	failTimes int            // bulk responses still to rewrite; <0: all
	bulks     [][]string     // document ids of every bulk request received
}

// NewHTTP starts a proxy to target (an http:// URL). Close it when done.
func NewHTTP(target string) (*HTTP, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("proxy target %q: %w", target, err)
	}
	p := &HTTP{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = p.rewrite
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/_bulk") {
			rp.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ids := bulkIDs(body)
		p.mu.Lock()
		p.bulks = append(p.bulks, ids)
		throttled := p.throttle > 0
		if throttled {
			p.throttle--
		}
		p.mu.Unlock()
		if throttled {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Elastic-Product", "Elasticsearch")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"error":{"type":"es_rejected_execution_exception","reason":"rejected by the fault injector"},"status":429}`)
			return
		}
		r.Header.Del("Accept-Encoding") // the rewrite reads plain JSON
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		rp.ServeHTTP(w, r)
	}))
	return p, nil
}

// URL is where clients connect.
func (p *HTTP) URL() string { return p.srv.URL }

// Close stops the proxy.
func (p *HTTP) Close() { p.srv.Close() }

// Throttle answers the next n bulk requests with 429 without forwarding
// them.
func (p *HTTP) Throttle(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.throttle = n
}

// FailItems reports the documents in status (id → HTTP status) as failed
// in the next times bulk responses (times < 0: in all of them). The engine
// did receive them; the client is told otherwise, as when a node rejects
// part of a bulk request.
func (p *HTTP) FailItems(status map[string]int, times int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failItems = status
	p.failTimes = times
}

// Bulks returns the document ids of every bulk request received so far,
// one slice per request.
func (p *HTTP) Bulks() [][]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([][]string, len(p.bulks))
	copy(out, p.bulks)
	return out
}

// bulkIDs reads the document ids of the action lines of a bulk body.
func bulkIDs(body []byte) []string {
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 1<<20), maxBody)
	expectSource := false
	for sc.Scan() {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if expectSource {
			expectSource = false
			continue
		}
		var action map[string]struct {
			ID string `json:"_id"`
		}
		if json.Unmarshal(line, &action) != nil {
			continue
		}
		for op, meta := range action {
			ids = append(ids, meta.ID)
			expectSource = op != "delete"
		}
	}
	return ids
}

func (p *HTTP) rewrite(res *http.Response) error {
	if !strings.HasSuffix(res.Request.URL.Path, "/_bulk") || res.StatusCode != http.StatusOK {
		return nil
	}
	p.mu.Lock()
	fail := p.failItems
	if len(fail) == 0 || p.failTimes == 0 {
		p.mu.Unlock()
		return nil
	}
	if p.failTimes > 0 {
		p.failTimes--
	}
	p.mu.Unlock()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	res.Body.Close()
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return fmt.Errorf("bulk response: %w", err)
	}
	items, _ := doc["items"].([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		for _, v := range m {
			item, _ := v.(map[string]any)
			id, _ := item["_id"].(string)
			status, ok := fail[id]
			if !ok {
				continue
			}
			delete(item, "result")
			item["status"] = status
			item["error"] = map[string]any{"type": errorType(status), "reason": "failed by the fault injector"}
			doc["errors"] = true
		}
	}
	body, err = json.Marshal(doc)
	if err != nil {
		return err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	res.ContentLength = int64(len(body))
	res.Header.Set("Content-Length", fmt.Sprint(len(body)))
	return nil
}

func errorType(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "es_rejected_execution_exception"
	case status >= 500:
		return "unavailable_shards_exception"
	default:
		return "document_parsing_exception"
	}
}

// TCP is a TCP proxy in front of an engine that can cut connections in the
// middle of a request, or accept them and never answer: what a client sees
// when the engine stops during a write.
type TCP struct {
	ln     net.Listener
	target string

	cutAfter atomic.Int64 // bytes from a client after which its connection is cut; 0: never
	silent   atomic.Bool  // accept and read, never answer
	cuts     atomic.Int64
	conns    atomic.Int64

	mu   sync.Mutex
	open map[net.Conn]bool
	wg   sync.WaitGroup
}

// NewTCP starts a proxy on 127.0.0.1 to target (host:port).
func NewTCP(target string) (*TCP, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("proxy listen: %w", err)
	}
	p := &TCP{ln: ln, target: target, open: map[net.Conn]bool{}}
	p.wg.Go(p.serve)
	return p, nil
}

// URL is the http:// address clients connect to.
func (p *TCP) URL() string { return "http://" + p.ln.Addr().String() }

// CutAfter makes the proxy drop every connection on which the client sent
// more than n bytes (0: never). Small requests pass; a large bulk request
// is cut in the middle of its body.
func (p *TCP) CutAfter(n int64) { p.cutAfter.Store(n) }

// Silence makes connections get accepted and read but never answered.
// Turning it on closes the open connections, so that clients reconnect into
// the silence.
func (p *TCP) Silence(on bool) {
	p.silent.Store(on)
	if !on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.open {
		c.Close()
	}
}

// Cuts is how many connections the proxy cut.
func (p *TCP) Cuts() int64 { return p.cuts.Load() }

// Conns is how many connections the proxy accepted.
func (p *TCP) Conns() int64 { return p.conns.Load() }

// Close stops the proxy and closes every connection.
func (p *TCP) Close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.open {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *TCP) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.open[c] = true
	} else {
		delete(p.open, c)
	}
}

func (p *TCP) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.conns.Add(1)
		p.track(c, true)
		p.wg.Go(func() {
			defer p.track(c, false)
			defer c.Close()
			if p.silent.Load() {
				io.Copy(io.Discard, c)
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				return
			}
			p.track(up, true)
			defer p.track(up, false)
			defer up.Close()
			done := make(chan struct{})
			go func() {
				io.Copy(c, up)
				c.Close()
				close(done)
			}()
			var sent int64
			buf := make([]byte, 32<<10)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					sent += int64(n)
					if limit := p.cutAfter.Load(); limit > 0 && sent > limit {
						p.cuts.Add(1)
						// Forward only what fits under the limit: the engine
						// gets a truncated request, as when it stops mid-body.
						keep := max(0, int64(n)-(sent-limit))
						up.Write(buf[:keep])
						break
					}
					if _, werr := up.Write(buf[:n]); werr != nil {
						break
					}
				}
				if err != nil {
					break
				}
			}
			up.Close()
			c.Close()
			<-done
		})
	}
}
