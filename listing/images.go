package listing

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Limits ImageSource uses when its fields are zero.
const (
	DefaultImageMaxBytes int64 = 20 << 20
	DefaultImageTimeout        = 10 * time.Second
	// maxImageRedirects is how many redirects one image fetch follows.
	maxImageRedirects = 3
)

// Errors ImageSource.Read may wrap.
var (
	// ErrForbiddenAddress means an image URL led, directly, through DNS or
	// through a redirect, to an address a scan must not reach: loopback,
	// private, link-local (cloud metadata services), shared, unspecified,
	// multicast or reserved.
	ErrForbiddenAddress = errors.New("address not allowed")
	// ErrNotImage means the bytes read are not an image, typically an HTML
	// error or login page served in place of one.
	ErrNotImage = errors.New("not an image")
	// ErrUnsupportedScheme means a reference is neither a local path nor an
	// http, https or data URL.
	ErrUnsupportedScheme = errors.New("unsupported URL scheme")
)

// ImageSource reads the images listings refer to: local files relative to
// the listing's file, http(s) URLs, and data: URLs. Listings come from
// providers, so their URLs are untrusted: a fetch is bounded in size and
// time, follows at most three redirects, and never connects to loopback,
// private, link-local, shared (100.64.0.0/10, where some clouds serve
// instance metadata), unspecified, multicast or reserved addresses unless
// AllowPrivate is set. The address is checked when connecting, after DNS
// resolution, so neither a DNS name nor a redirect can lead a fetch inside
// the network.
//
// The zero value is ready to use. An ImageSource must not be copied after
// first use; it is safe for concurrent use and reuses connections.
type ImageSource struct {
	// MaxBytes bounds one image; DefaultImageMaxBytes when zero.
	MaxBytes int64
	// Timeout bounds one fetch, redirects and body included;
	// DefaultImageTimeout when zero.
	Timeout time.Duration
	// AllowPrivate permits every address, for marketplaces served from
	// inside the network and for tests.
	AllowPrivate bool
	// Client, when set, fetches instead of a client of ImageSource's own.
	// Its transport, if an *http.Transport, is copied and given the address
	// check; any other RoundTripper is trusted to do its own checking (an
	// egress proxy, say). Its redirect policy is kept after the limit on
	// redirects.
	Client *http.Client

	once   sync.Once
	client *http.Client
	// permit, when set, lets tests reach one loopback server while the
	// address check applies to everything else.
	permit func(netip.AddrPort) bool
}

func (s *ImageSource) maxBytes() int64 {
	if s.MaxBytes > 0 {
		return s.MaxBytes
	}
	return DefaultImageMaxBytes
}

func (s *ImageSource) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultImageTimeout
}

// Read returns the bytes of the image ref names. baseFile is the file that
// names it (Listing.Source): a relative path is resolved against its
// directory, or against its URL when baseFile is an http(s) URL. Local files
// are read whatever their location, within the size limit. The bytes must
// sniff as an image; the caller decodes them.
func (s *ImageSource) Read(ctx context.Context, baseFile, ref string) ([]byte, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, errors.New("empty image reference")
	}
	if len(ref) >= 5 && strings.EqualFold(ref[:5], "data:") {
		data, err := decodeDataURL(ref, s.maxBytes())
		if err != nil {
			return nil, fmt.Errorf("data URL: %w", err)
		}
		return checkImage(data, "data URL")
	}
	if strings.HasPrefix(ref, "//") {
		ref = "https:" + ref
	}
	u, err := url.Parse(ref)
	if err == nil && len(u.Scheme) > 1 { // one letter is a Windows drive
		switch strings.ToLower(u.Scheme) {
		case "http", "https":
			return s.fetch(ctx, u)
		default:
			return nil, fmt.Errorf("image %s: %w %q", ref, ErrUnsupportedScheme, u.Scheme)
		}
	}
	if base, err := url.Parse(baseFile); err == nil && (base.Scheme == "http" || base.Scheme == "https") && base.Host != "" {
		rel, err := url.Parse(ref)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", ref, err)
		}
		return s.fetch(ctx, base.ResolveReference(rel))
	}
	return s.readLocal(baseFile, ref)
}

// readLocal reads a file named relative to baseFile's directory. Pages saved
// by browsers escape file names and add query strings, so those forms are
// tried when the name as written does not exist.
func (s *ImageSource) readLocal(baseFile, ref string) ([]byte, error) {
	var firstErr error
	for _, path := range localCandidates(baseFile, ref) {
		data, err := s.readFile(path)
		if err == nil {
			return checkImage(data, path)
		}
		if firstErr == nil {
			firstErr = err
		}
		if !errors.Is(err, os.ErrNotExist) {
			break
		}
	}
	return nil, firstErr
}

// localCandidates are the paths a local reference may name, most literal
// first.
func localCandidates(baseFile, ref string) []string {
	candidates := []string{ref}
	if i := strings.IndexAny(ref, "?#"); i > 0 {
		candidates = append(candidates, ref[:i])
	}
	for _, c := range append([]string(nil), candidates...) {
		if un, err := url.PathUnescape(c); err == nil && un != c {
			candidates = append(candidates, un)
		}
	}
	dir := ""
	if baseFile != "" {
		dir = filepath.Dir(baseFile)
	}
	paths := make([]string, 0, len(candidates))
	for _, c := range candidates {
		path := filepath.FromSlash(c)
		if !filepath.IsAbs(path) && dir != "" {
			path = filepath.Join(dir, path)
		}
		paths = append(paths, path)
	}
	return paths
}

// Version names the content ref currently refers to without reading it, so
// an interrupted or repeated scan can tell an unchanged image from a changed
// one cheaply. A local file's version is its resolved path, size and
// modification time (the path made absolute, so a run that names its
// input another way resumes as well); a missing file's version says so, so the file
// appearing later changes it. A URL's version is the URL itself: remote
// images are assumed to change only with their address (CDN names carry a
// content hash), and data URLs carry their bytes. Version never touches the
// network.
func (s *ImageSource) Version(baseFile, ref string) string {
	ref = strings.TrimSpace(ref)
	if strings.HasPrefix(ref, "//") {
		return "url:https:" + ref
	}
	if u, err := url.Parse(ref); err == nil && len(u.Scheme) > 1 {
		return "url:" + ref
	}
	if base, err := url.Parse(baseFile); err == nil && (base.Scheme == "http" || base.Scheme == "https") && base.Host != "" {
		if rel, err := url.Parse(ref); err == nil {
			return "url:" + base.ResolveReference(rel).String()
		}
		return "url:" + ref
	}
	for _, path := range localCandidates(baseFile, ref) {
		info, err := os.Stat(path)
		if err == nil {
			// The absolute path: one catalogue named as data/x.jsonl by
			// one run and /srv/data/x.jsonl by the next is the same files.
			if abs, err := filepath.Abs(path); err == nil {
				path = abs
			}
			return fmt.Sprintf("file:%s:%d:%d:%s", path, info.Size(), info.ModTime().UnixNano(), info.Mode().Type())
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "error:" + path + ":" + err.Error()
		}
	}
	return "missing:" + ref
}

func (s *ImageSource) readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("image %s: not a regular file", path)
	}
	data, err := readBounded(f, s.maxBytes(), "image")
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	return data, nil
}

// fetch GETs an image within the source's limits.
func (s *ImageSource) fetch(ctx context.Context, u *url.URL) ([]byte, error) {
	name := u.Redacted()
	if err := s.checkHost(u); err != nil {
		return nil, fmt.Errorf("image %s: %w", name, err)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", name, err)
	}
	req.Header.Set("Accept", "image/*")
	req.Header.Set("User-Agent", "listingscan")
	resp, err := s.httpClient().Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && parent.Err() == nil {
			return nil, fmt.Errorf("image %s: timed out after %s: %w", name, s.timeout(), err)
		}
		return nil, fmt.Errorf("image %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("image %s: HTTP %s", name, resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); refusedContentType(ct) {
		return nil, fmt.Errorf("image %s: served as %s: %w", name, ct, ErrNotImage)
	}
	max := s.maxBytes()
	if resp.ContentLength > max {
		return nil, fmt.Errorf("image %s is %s: %w of %s", name, byteSize(resp.ContentLength), ErrTooLarge, byteSize(max))
	}
	timedOut := func(err error) error {
		if errors.Is(err, context.DeadlineExceeded) && parent.Err() == nil {
			return fmt.Errorf("image %s: timed out after %s: %w", name, s.timeout(), err)
		}
		return fmt.Errorf("image %s: %w", name, err)
	}
	// Sniff the first bytes before reading the rest: an HTML page or an
	// SVG document served in place of an image costs one small read, not
	// the whole size limit.
	head := make([]byte, min(int64(sniffLen), max))
	n, err := io.ReadFull(resp.Body, head)
	head = head[:n]
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return checkImage(head, name)
	case err != nil:
		return nil, timedOut(err)
	}
	if _, err := checkImage(head, name); err != nil {
		return nil, err
	}
	rest, err := readBounded(resp.Body, max-int64(n), "image")
	if errors.Is(err, ErrTooLarge) {
		return nil, fmt.Errorf("image %s is larger than %s: %w", name, byteSize(max), ErrTooLarge)
	}
	if err != nil {
		return nil, timedOut(err)
	}
	return append(head, rest...), nil
}

// sniffLen is how many bytes http.DetectContentType looks at.
const sniffLen = 512

// refusedContentType says whether a declared Content-Type is certainly not
// a raster image. Servers often mislabel images (application/octet-stream,
// text/plain), so only the types that carry markup or scripts are refused
// on the header alone; the bytes are sniffed in every case.
func refusedContentType(ct string) bool {
	mt := strings.ToLower(strings.TrimSpace(ct))
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = strings.TrimSpace(mt[:i])
	}
	switch {
	case mt == "text/html", mt == "application/xhtml+xml", mt == "image/svg+xml",
		mt == "application/javascript", mt == "text/javascript", mt == "application/json":
		return true
	}
	return false
}

// metadataHosts are the names cloud providers give their instance metadata
// services. Some resolve only inside the cloud, where the dial-time check
// still catches their link-local address; refusing the names as well keeps
// the refusal independent of the resolver in use.
var metadataHosts = map[string]bool{
	"metadata.google.internal":   true,
	"metadata.goog":              true,
	"metadata":                   true,
	"instance-data":              true,
	"instance-data.ec2.internal": true,
	"metadata.azure.internal":    true,
	"metadata.tencentyun.com":    true,
}

// checkHost refuses, before any DNS lookup, a URL whose host is a cloud
// metadata service name.
func (s *ImageSource) checkHost(u *url.URL) error {
	if s.AllowPrivate {
		return nil
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if metadataHosts[host] {
		return fmt.Errorf("%w: %s is a cloud metadata service (set AllowPrivate to permit)", ErrForbiddenAddress, host)
	}
	return nil
}

// httpClient builds, once, the client that carries the address check.
func (s *ImageSource) httpClient() *http.Client {
	s.once.Do(func() {
		var c http.Client
		if s.Client != nil {
			c = *s.Client
		}
		switch t := c.Transport.(type) {
		case nil:
			c.Transport = s.guardedTransport(&http.Transport{
				ForceAttemptHTTP2:     true,
				MaxIdleConnsPerHost:   4,
				IdleConnTimeout:       90 * time.Second,
				TLSHandshakeTimeout:   10 * time.Second,
				ResponseHeaderTimeout: 30 * time.Second,
			})
		case *http.Transport:
			c.Transport = s.guardedTransport(t.Clone())
		}
		next := c.CheckRedirect
		c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if len(via) > maxImageRedirects {
				return fmt.Errorf("stopped after %d redirects", maxImageRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to %s: %w %q", req.URL.Redacted(), ErrUnsupportedScheme, req.URL.Scheme)
			}
			if err := s.checkHost(req.URL); err != nil {
				return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), err)
			}
			if next != nil {
				return next(req, via)
			}
			return nil
		}
		s.client = &c
	})
	return s.client
}

// guardedTransport makes t check every address it connects to. Proxies are
// turned off: the check must see the image's host, not a proxy's.
func (s *ImageSource) guardedTransport(t *http.Transport) *http.Transport {
	d := &net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			return s.checkDial(address)
		},
	}
	t.Proxy = nil
	t.DialContext = d.DialContext
	// A TLS dialer of the caller's would connect without the check.
	t.DialTLSContext = nil
	t.DialTLS = nil
	return t
}

// checkDial is called with the resolved address of every connection.
func (s *ImageSource) checkDial(address string) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse %q", ErrForbiddenAddress, address)
	}
	if s.AllowPrivate || (s.permit != nil && s.permit(ap)) {
		return nil
	}
	if why := forbiddenAddr(ap.Addr()); why != "" {
		return fmt.Errorf("%w: %s is a %s address (set AllowPrivate to permit)", ErrForbiddenAddress, ap.Addr(), why)
	}
	return nil
}

// forbiddenAddr names the kind of address a fetch must not reach, or is
// empty for a public unicast address.
func forbiddenAddr(a netip.Addr) string {
	a = a.Unmap()
	// NAT64 and 6to4 addresses embed an IPv4 address that is reached in
	// the end: judge that one.
	if a.Is6() {
		b := a.As16()
		if netip.MustParsePrefix("64:ff9b::/96").Contains(a) {
			a = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		} else if netip.MustParsePrefix("2002::/16").Contains(a) {
			a = netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
		}
	}
	switch {
	case !a.IsValid():
		return "invalid"
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		return "private"
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.IsUnspecified():
		return "unspecified"
	case a.IsMulticast():
		return "multicast"
	}
	for _, r := range []struct{ prefix, why string }{
		{"0.0.0.0/8", "unspecified"},
		{"100.64.0.0/10", "shared (carrier-grade NAT)"},
		{"192.0.0.0/24", "reserved"},
		{"198.18.0.0/15", "reserved"},
		{"240.0.0.0/4", "reserved"},
		{"::/96", "reserved (IPv4-compatible)"},
		{"100::/64", "reserved"},
		{"2001:db8::/32", "reserved"},
	} {
		if netip.MustParsePrefix(r.prefix).Contains(a) {
			return r.why
		}
	}
	return ""
}

// decodeDataURL decodes "data:[type][;base64],payload" within max bytes.
func decodeDataURL(ref string, max int64) ([]byte, error) {
	meta, payload, ok := strings.Cut(ref[len("data:"):], ",")
	if !ok {
		return nil, errors.New("no comma before the payload")
	}
	if strings.HasSuffix(strings.ToLower(strings.TrimSpace(meta)), ";base64") {
		if int64(len(payload)) > 3*int64(base64.StdEncoding.EncodedLen(int(min(max, 1<<40)))) {
			return nil, fmt.Errorf("payload is larger than %s: %w", byteSize(max), ErrTooLarge)
		}
		clean := strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\t', '\r', '\n':
				return -1
			}
			return r
		}, payload)
		if un, err := url.PathUnescape(clean); err == nil {
			clean = un
		}
		clean = strings.TrimRight(clean, "=")
		data, err := base64.RawStdEncoding.DecodeString(clean)
		if err != nil {
			data, err = base64.RawURLEncoding.DecodeString(clean)
		}
		if err != nil {
			return nil, fmt.Errorf("base64: %w", err)
		}
		if int64(len(data)) > max {
			return nil, fmt.Errorf("payload is larger than %s: %w", byteSize(max), ErrTooLarge)
		}
		return data, nil
	}
	if int64(len(payload)) > 3*max {
		return nil, fmt.Errorf("payload is larger than %s: %w", byteSize(max), ErrTooLarge)
	}
	data, err := url.PathUnescape(payload)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("payload is larger than %s: %w", byteSize(max), ErrTooLarge)
	}
	return []byte(data), nil
}

// checkImage refuses bytes that do not sniff as an image format.
func checkImage(data []byte, name string) ([]byte, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("image %s: empty: %w", name, ErrNotImage)
	}
	ct := http.DetectContentType(data)
	if isSVG(data) {
		return nil, fmt.Errorf("image %s: content is an SVG document, which is not decoded: %w", name, ErrNotImage)
	}
	if strings.HasPrefix(ct, "image/") || isOtherImage(data) {
		return data, nil
	}
	return nil, fmt.Errorf("image %s: content is %s: %w", name, ct, ErrNotImage)
}

// isSVG recognises an SVG document in its first bytes. SVG is markup that
// may carry scripts and external references; it is refused by name so the
// reason is clear rather than "text/xml".
func isSVG(data []byte) bool {
	head := bytes.ToLower(data[:min(len(data), sniffLen)])
	return bytes.Contains(head, []byte("<svg")) && !strings.HasPrefix(http.DetectContentType(data), "image/")
}

// isOtherImage recognises image formats the standard sniffer does not:
// TIFF, and HEIF/AVIF in an ISO media container.
func isOtherImage(data []byte) bool {
	if bytes.HasPrefix(data, []byte("II*\x00")) || bytes.HasPrefix(data, []byte("MM\x00*")) {
		return true
	}
	if len(data) >= 12 && string(data[4:8]) == "ftyp" {
		switch string(data[8:12]) {
		case "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1", "avif", "avis":
			return true
		}
	}
	return false
}
