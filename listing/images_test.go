package listing

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readFixture(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestImageSourceLocal(t *testing.T) {
	png := readFixture(t, "testdata/images/red.png")
	abs, err := filepath.Abs("testdata/images/red.png")
	if err != nil {
		t.Fatal(err)
	}
	base := "testdata/images/listing.json" // need not exist: only its directory counts
	tests := []struct {
		name    string
		max     int64
		base    string
		ref     string
		wantErr error
		errText string
	}{
		{name: "relative to the listing's file", base: base, ref: "red.png"},
		{name: "relative with dot segments", base: "testdata/html/jsonld.html", ref: "../images/./red.png"},
		{name: "absolute path", base: base, ref: abs},
		{name: "no base file: relative to the working directory", ref: "testdata/images/red.png"},
		{name: "name escaped by a saved page", base: base, ref: "%E5%B0%81%E9%9D%A2%20%E5%9B%BE.png"},
		{name: "query string added by a saved page", base: base, ref: "封面 图.png?v=2"},
		{name: "missing file", base: base, ref: "missing.png", wantErr: fs.ErrNotExist, errText: "missing.png"},
		{name: "directory", base: base, ref: ".", errText: "not a regular file"},
		{name: "over the size limit", max: 32, base: base, ref: "red.png", wantErr: ErrTooLarge},
		{name: "HTML saved under an image name", base: base, ref: "login.png", wantErr: ErrNotImage, errText: "text/html"},
		{name: "empty reference", base: base, ref: "  ", errText: "empty image reference"},
		{name: "other scheme", base: base, ref: "ftp://cdn.example.com/a.png", wantErr: ErrUnsupportedScheme},
		{name: "file URL", base: base, ref: "file:///etc/passwd", wantErr: ErrUnsupportedScheme},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &ImageSource{MaxBytes: tt.max}
			got, err := src.Read(t.Context(), tt.base, tt.ref)
			if tt.wantErr == nil && tt.errText == "" {
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if !bytes.Equal(got, png) {
					t.Errorf("Read returned %d bytes, want the %d bytes of red.png", len(got), len(png))
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

func TestImageSourceDataURL(t *testing.T) {
	png := readFixture(t, "testdata/images/red.png")
	b64 := base64.StdEncoding.EncodeToString(png)
	tests := []struct {
		name    string
		max     int64
		ref     string
		wantErr error
	}{
		{name: "base64", ref: "data:image/png;base64," + b64},
		{name: "base64 wrapped and unpadded", ref: "data:image/png;base64," + strings.TrimRight(b64[:40]+"\n"+b64[40:], "=")},
		{name: "percent-encoded", ref: "data:image/png," + url.PathEscape(string(png))},
		{name: "over the size limit", max: 64, ref: "data:image/png;base64," + b64, wantErr: ErrTooLarge},
		{name: "payload far over the limit is refused before decoding", max: 64, ref: "data:image/png;base64," + strings.Repeat("A", 4096), wantErr: ErrTooLarge},
		{name: "not an image", ref: "data:text/html,<html><body>hi</body></html>", wantErr: ErrNotImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := (&ImageSource{MaxBytes: tt.max}).Read(t.Context(), "", tt.ref)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Read = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(got, png) {
				t.Fatalf("Read = %d bytes, %v; want red.png", len(got), err)
			}
		})
	}
}

// imageServer serves the fixture PNG and the misbehaving responses the
// fetch tests need.
func imageServer(t *testing.T) *httptest.Server {
	t.Helper()
	png := readFixture(t, "testdata/images/red.png")
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/red.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	})
	mux.HandleFunc("/big.png", func(w http.ResponseWriter, r *http.Request) {
		body := append(png, make([]byte, 4096)...)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body)
	})
	mux.HandleFunc("/big-chunked.png", func(w http.ResponseWriter, r *http.Request) {
		w.Write(png)
		w.(http.Flusher).Flush()
		for range 8 {
			w.Write(make([]byte, 1024))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png") // lies; the bytes are sniffed
		fmt.Fprint(w, "<!DOCTYPE html><html><body>请先登录</body></html>")
	})
	mux.HandleFunc("/slow.png", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	mux.HandleFunc("/redirect/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		if n <= 0 {
			http.Redirect(w, r, "/red.png", http.StatusFound)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/redirect/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/to", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("url"), http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		close(release)
		srv.Close()
	})
	return srv
}

func TestImageSourceFetch(t *testing.T) {
	png := readFixture(t, "testdata/images/red.png")
	srv := imageServer(t)
	other := imageServer(t)
	tests := []struct {
		name    string
		src     *ImageSource
		ref     string
		wantErr error
		errText string
	}{
		{name: "fetch", src: &ImageSource{AllowPrivate: true}, ref: srv.URL + "/red.png"},
		{name: "relative to a listing fetched over http", src: &ImageSource{AllowPrivate: true}, ref: "../red.png"},
		{name: "three redirects are followed", src: &ImageSource{AllowPrivate: true}, ref: srv.URL + "/redirect/2"},
		{name: "a fourth is not", src: &ImageSource{AllowPrivate: true}, ref: srv.URL + "/redirect/3", errText: "stopped after 3 redirects"},
		{name: "loopback refused", src: &ImageSource{}, ref: srv.URL + "/red.png", wantErr: ErrForbiddenAddress, errText: "loopback"},
		{name: "loopback refused after DNS", src: &ImageSource{}, ref: strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/red.png", wantErr: ErrForbiddenAddress},
		{name: "redirect to another loopback server refused", src: permitOnly(srv), ref: srv.URL + "/to?url=" + url.QueryEscape(other.URL+"/red.png"), wantErr: ErrForbiddenAddress},
		{name: "redirect to cloud metadata refused", src: permitOnly(srv), ref: srv.URL + "/to?url=" + url.QueryEscape("http://169.254.169.254/latest/meta-data/"), wantErr: ErrForbiddenAddress, errText: "link-local"},
		{name: "redirect to another scheme refused", src: permitOnly(srv), ref: srv.URL + "/to?url=" + url.QueryEscape("ftp://cdn.example.com/a.png"), wantErr: ErrUnsupportedScheme},
		{name: "the permitted server itself", src: permitOnly(srv), ref: srv.URL + "/red.png"},
		{name: "over the size limit by Content-Length", src: &ImageSource{AllowPrivate: true, MaxBytes: 1024}, ref: srv.URL + "/big.png", wantErr: ErrTooLarge, errText: "is 4187 bytes"},
		{name: "over the size limit while reading", src: &ImageSource{AllowPrivate: true, MaxBytes: 1024}, ref: srv.URL + "/big-chunked.png", wantErr: ErrTooLarge},
		{name: "timeout", src: &ImageSource{AllowPrivate: true, Timeout: 50 * time.Millisecond}, ref: srv.URL + "/slow.png", wantErr: context.DeadlineExceeded, errText: "timed out after 50ms"},
		{name: "HTML served as an image", src: &ImageSource{AllowPrivate: true}, ref: srv.URL + "/login", wantErr: ErrNotImage, errText: "text/html"},
		{name: "not found", src: &ImageSource{AllowPrivate: true}, ref: srv.URL + "/missing.png", errText: "HTTP 404"},
		{name: "caller's client keeps the check", src: &ImageSource{Client: &http.Client{Transport: &http.Transport{}}}, ref: srv.URL + "/red.png", wantErr: ErrForbiddenAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := srv.URL + "/listings/L-1.json"
			got, err := tt.src.Read(t.Context(), base, tt.ref)
			if tt.wantErr == nil && tt.errText == "" {
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if !bytes.Equal(got, png) {
					t.Errorf("Read returned %d bytes, want the %d bytes of red.png", len(got), len(png))
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

// permitOnly is a source that may reach srv, a loopback server, and nothing
// else the address check forbids: it stands in for a public image host.
func permitOnly(srv *httptest.Server) *ImageSource {
	u, _ := url.Parse(srv.URL)
	ap := netip.MustParseAddrPort(u.Host)
	return &ImageSource{permit: func(a netip.AddrPort) bool { return a == ap }}
}

func TestForbiddenAddr(t *testing.T) {
	tests := []struct {
		addr string
		want string
	}{
		{"127.0.0.1", "loopback"},
		{"127.8.9.10", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"192.168.1.1", "private"},
		{"fc00::1", "private"},
		{"fd12:3456::1", "private"},
		{"169.254.169.254", "link-local"},
		{"169.254.0.23", "link-local"},
		{"fe80::1", "link-local"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"0.1.2.3", "unspecified"},
		{"224.0.0.1", "multicast"},
		{"ff02::1", "multicast"},
		{"100.100.100.200", "shared (carrier-grade NAT)"},
		{"64:ff9b::a00:1", "private"},
		{"2002:c0a8:0101::1", "private"},
		{"255.255.255.255", "reserved"},
		{"8.8.8.8", ""},
		{"119.29.29.29", ""},
		{"2402:4e00::", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := forbiddenAddr(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Errorf("forbiddenAddr(%s) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}

func TestCheckImage(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		ok   bool
	}{
		{"png", readFixture(t, "testdata/images/red.png"), true},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), true},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), true},
		{"webp", []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), true},
		{"tiff", []byte("II*\x00\x08\x00\x00\x00"), true},
		{"heic", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"), true},
		{"html", []byte("<html><body>403</body></html>"), false},
		{"json", []byte(`{"error":"forbidden"}`), false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := checkImage(tt.data, tt.name)
			if (err == nil) != tt.ok {
				t.Errorf("checkImage = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrNotImage) {
				t.Errorf("error %v does not wrap ErrNotImage", err)
			}
		})
	}
}

// TestImageSourceVersion: a version changes with the image's content and
// with nothing else, so an incremental scan resumes a catalogue however
// its input file is named.
func TestImageSourceVersion(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "img"), 0o755); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(dir, "img", "a.png")
	if err := os.WriteFile(img, []byte("first"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	var s ImageSource
	base := s.Version(filepath.Join(dir, "listings.jsonl"), "img/a.png")
	if !strings.HasPrefix(base, "file:") {
		t.Fatalf("version of a local file = %q, want file:...", base)
	}
	same := []struct{ name, baseFile, ref string }{
		{"input named relatively", "listings.jsonl", "img/a.png"},
		{"input named with dot", "./listings.jsonl", "img/a.png"},
		{"another input in the same directory", filepath.Join(dir, "changed.jsonl"), "img/a.png"},
		{"image named absolutely", "elsewhere/listings.jsonl", img},
	}
	for _, tc := range same {
		if got := s.Version(tc.baseFile, tc.ref); got != base {
			t.Errorf("%s: version %q, want %q", tc.name, got, base)
		}
	}
	if got := s.Version("listings.jsonl", "img/missing.png"); got != "missing:img/missing.png" {
		t.Errorf("missing image: version %q", got)
	}
	if got := s.Version("listings.jsonl", "https://cdn.example.com/a.png"); got != "url:https://cdn.example.com/a.png" {
		t.Errorf("remote image: version %q", got)
	}
	if err := os.WriteFile(img, []byte("second, longer"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := s.Version("listings.jsonl", "img/a.png"); got == base {
		t.Errorf("version %q did not change with the image", got)
	}
}
