package similarity

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// FuzzTextFingerprint fingerprints arbitrary titles and descriptions, the
// text providers control: no panic, valid UTF-8 out, the same fingerprint
// for the same input, and keys only when there are shingles.
func FuzzTextFingerprint(f *testing.F) {
	for _, s := range []string{titleOriginal, descOriginal, "", "\xff\xfe\xfd", "加\u200b薇\ufeff：ｗｘ１２３", "。。。，，，"} {
		f.Add(s)
	}
	fp, err := NewTextFingerprinter()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range []TextFingerprint{fp.Title(s), fp.Description(s)} {
			if !utf8.ValidString(p.Normalized) {
				t.Fatalf("normalised text %q is not valid UTF-8", p.Normalized)
			}
			if !slices.IsSorted(p.Shingles) {
				t.Fatalf("shingles of %q are not sorted", s)
			}
			if len(p.Shingles) == 0 && len(p.Keys) > 0 {
				t.Fatalf("%q has %d keys and no shingles", s, len(p.Keys))
			}
		}
		a, b := fp.Description(s), fp.Description(s)
		if a.Normalized != b.Normalized || !slices.Equal(a.Keys, b.Keys) {
			t.Fatalf("Description(%q) is not deterministic", s)
		}
	})
}
