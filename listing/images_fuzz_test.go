package listing

import (
	"encoding/base64"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// FuzzImageSourceDataURL reads fuzzed data: URLs, the one image reference
// whose bytes come from the listing itself. Read either refuses them with a
// reason or returns at most MaxBytes bytes that sniff as an image.
func FuzzImageSourceDataURL(f *testing.F) {
	f.Add("data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")))
	f.Add("data:image/gif,GIF89a%01%00%01%00")
	f.Add("data:,<svg xmlns='http://www.w3.org/2000/svg'/>")
	f.Add("data:text/html;base64,PGh0bWw+")
	f.Add("data:image/png;base64,%%%")
	src := &ImageSource{MaxBytes: 4 << 10}
	f.Fuzz(func(t *testing.T, ref string) {
		data, err := src.Read(t.Context(), "", ref)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if int64(len(data)) > src.MaxBytes {
			t.Fatalf("Read returned %d bytes, over the %d limit", len(data), src.MaxBytes)
		}
		if _, err := checkImage(data, "fuzz"); err != nil {
			t.Fatalf("Read returned bytes that are not an image: %v", err)
		}
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ref)), "data:") {
			t.Fatalf("Read of %q succeeded without a file or network", ref)
		}
	})
}

// FuzzForbiddenAddr checks the address rule on every address: an IPv4
// address and its IPv4-mapped IPv6 form are judged alike, so a mapped form
// never slips past the check.
func FuzzForbiddenAddr(f *testing.F) {
	for _, a := range []string{"127.0.0.1", "169.254.169.254", "10.1.2.3", "100.64.0.1", "8.8.8.8", "0.0.0.0", "224.0.0.1"} {
		b := netip.MustParseAddr(a).As4()
		f.Add(b[0], b[1], b[2], b[3])
	}
	f.Fuzz(func(t *testing.T, a, b, c, d byte) {
		v4 := netip.AddrFrom4([4]byte{a, b, c, d})
		mapped := netip.AddrFrom16(v4.As16())
		if got, want := forbiddenAddr(mapped), forbiddenAddr(v4); got != want {
			t.Fatalf("forbiddenAddr(%s) = %q, but %s is %q", mapped, got, v4, want)
		}
		src := &ImageSource{}
		err := src.checkDial(netip.AddrPortFrom(mapped, 443).String())
		if (err == nil) != (forbiddenAddr(v4) == "") {
			t.Fatalf("checkDial(%s) = %v, forbiddenAddr = %q", mapped, err, forbiddenAddr(v4))
		}
		if err != nil && !errors.Is(err, ErrForbiddenAddress) {
			t.Fatalf("checkDial error %v does not wrap ErrForbiddenAddress", err)
		}
	})
}
