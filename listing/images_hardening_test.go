package listing

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

// hostileServer serves the responses a malicious provider's image host
// could send: redirects into the network, markup in place of images,
// bodies that never end.
func hostileServer(t *testing.T) *httptest.Server {
	t.Helper()
	png := readFixture(t, "testdata/images/red.png")
	mux := http.NewServeMux()
	mux.HandleFunc("/red.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	})
	mux.HandleFunc("/to", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("url"), http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/declared-html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(png) // the header alone is enough to refuse it
	})
	mux.HandleFunc("/declared-svg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		fmt.Fprint(w, `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	})
	mux.HandleFunc("/svg-as-png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		fmt.Fprint(w, `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="99999" height="99999"></svg>`)
	})
	// endless-html sends an HTML page head and then keeps the body open
	// until the client goes away: only a fetch that sniffs the first bytes
	// returns before its time limit.
	mux.HandleFunc("/endless-html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		fmt.Fprint(w, "<!DOCTYPE html><html><head><title>登录</title></head><body>"+strings.Repeat("<p>请先登录</p>", 64))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	// drip sends a valid image head and then one byte at a time, so no
	// single read times out but the whole fetch would take minutes.
	mux.HandleFunc("/drip.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(png[:len(png)/2])
		w.(http.Flusher).Flush()
		for range 6000 {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
			w.Write([]byte{0})
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/chunked.png", func(w http.ResponseWriter, r *http.Request) {
		w.Write(png)
		for range 8 {
			w.Write(make([]byte, 1024))
			w.(http.Flusher).Flush()
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestImageSourceRefusesHostileHosts(t *testing.T) {
	srv := hostileServer(t)
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	to := func(target string) string { return srv.URL + "/to?url=" + url.QueryEscape(target) }
	tests := []struct {
		name    string
		src     *ImageSource
		ref     string
		wantErr error
		errText string
	}{
		{name: "private refusal on: loopback server refused", src: &ImageSource{}, ref: srv.URL + "/red.png", wantErr: ErrForbiddenAddress, errText: "loopback"},
		{name: "allow flag: loopback server served", src: &ImageSource{AllowPrivate: true}, ref: srv.URL + "/red.png"},
		{name: "IPv4-mapped IPv6 loopback refused", src: &ImageSource{}, ref: "http://[::ffff:127.0.0.1]:" + port + "/red.png", wantErr: ErrForbiddenAddress},
		{name: "GCP metadata name refused before DNS", src: &ImageSource{}, ref: "http://metadata.google.internal/computeMetadata/v1/", wantErr: ErrForbiddenAddress, errText: "cloud metadata"},
		{name: "metadata name with trailing dot refused", src: &ImageSource{}, ref: "http://Metadata.Google.Internal./x.png", wantErr: ErrForbiddenAddress, errText: "cloud metadata"},
		{name: "AWS metadata address refused", src: &ImageSource{}, ref: "http://169.254.169.254/latest/meta-data/iam/", wantErr: ErrForbiddenAddress, errText: "link-local"},
		{name: "redirect to a metadata name refused", src: permitOnly(srv), ref: to("http://metadata.google.internal/computeMetadata/v1/"), wantErr: ErrForbiddenAddress, errText: "cloud metadata"},
		{name: "redirect to IPv4-mapped loopback refused", src: permitOnly(srv), ref: to("http://[::ffff:127.0.0.2]:" + port + "/red.png"), wantErr: ErrForbiddenAddress},
		{name: "redirect to a private address refused", src: permitOnly(srv), ref: to("http://10.0.0.1/a.png"), wantErr: ErrForbiddenAddress, errText: "private"},
		{name: "redirect loop bounded", src: permitOnly(srv), ref: srv.URL + "/loop", errText: "stopped after 3 redirects"},
		{name: "declared HTML refused on the header", src: permitOnly(srv), ref: srv.URL + "/declared-html", wantErr: ErrNotImage, errText: "text/html"},
		{name: "declared SVG refused on the header", src: permitOnly(srv), ref: srv.URL + "/declared-svg", wantErr: ErrNotImage, errText: "svg"},
		{name: "SVG served as PNG refused on the bytes", src: permitOnly(srv), ref: srv.URL + "/svg-as-png", wantErr: ErrNotImage, errText: "SVG"},
		{name: "endless HTML refused after the first bytes", src: &ImageSource{AllowPrivate: true, Timeout: time.Minute}, ref: srv.URL + "/endless-html", wantErr: ErrNotImage, errText: "text/html"},
		{name: "dripping body stopped by the total time limit", src: &ImageSource{AllowPrivate: true, Timeout: 300 * time.Millisecond}, ref: srv.URL + "/drip.png", errText: "timed out after 300ms"},
		{name: "over the size limit while streaming", src: &ImageSource{AllowPrivate: true, MaxBytes: 700, Timeout: time.Minute}, ref: srv.URL + "/chunked.png", wantErr: ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.src.Read(t.Context(), "", tt.ref)
			if tt.wantErr == nil && tt.errText == "" {
				if err != nil || len(got) == 0 {
					t.Fatalf("Read = %d bytes, %v; want the image", len(got), err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Read returned %d bytes, want an error", len(got))
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Read error %v does not wrap %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("Read error %q does not mention %q", err, tt.errText)
			}
		})
	}
}

func TestForbiddenAddrCloudAndMapped(t *testing.T) {
	tests := []struct {
		addr string
		want string
	}{
		{"fd00:ec2::254", "private"},                             // AWS metadata over IPv6
		{"::ffff:169.254.169.254", "link-local"},                 // metadata, IPv4-mapped
		{"::ffff:10.0.0.1", "private"},                           // private, IPv4-mapped
		{"::ffff:100.100.100.200", "shared (carrier-grade NAT)"}, // Alibaba/Tencent-style metadata range
		{"::ffff:0.0.0.0", "unspecified"},
		{"::127.0.0.1", "reserved (IPv4-compatible)"},
		{"64:ff9b::a9fe:a9fe", "link-local"}, // NAT64 of 169.254.169.254
		{"::ffff:8.8.8.8", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := forbiddenAddr(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Errorf("forbiddenAddr(%s) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}

func TestRefusedContentType(t *testing.T) {
	for _, tt := range []struct {
		ct   string
		want bool
	}{
		{"image/png", false},
		{"application/octet-stream", false},
		{"", false},
		{"text/plain", false}, // mislabelled images exist; the bytes decide
		{"text/html; charset=utf-8", true},
		{"Image/SVG+XML", true},
		{"application/xhtml+xml", true},
		{"application/json", true},
	} {
		if got := refusedContentType(tt.ct); got != tt.want {
			t.Errorf("refusedContentType(%q) = %v, want %v", tt.ct, got, tt.want)
		}
	}
}
