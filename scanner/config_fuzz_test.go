package scanner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadConfig reads fuzzed YAML as an operator's config file: it either
// loads a config that passes validation or fails with an error naming the
// file, and never panics.
func FuzzLoadConfig(f *testing.F) {
	if data, err := os.ReadFile("../testdata/marketplace/listingscan.yaml"); err == nil {
		f.Add(string(data))
	}
	f.Add("allow_provider_groups:\n  - [P-09, P-10]\nimage: {phash: 12, dhash: 14}\ntitle_ratio: 0.75\n")
	f.Add("title_ratio: .nan\nboilerplate_full_up_to: -1\n")
	f.Add("a: &a [*a, *a]\nb: *a\n")
	f.Add("image: {phash: 99999999999999999999}\n")
	f.Add("- - - - - - - - -\n")
	path := filepath.Join(f.TempDir(), "listingscan.yaml") // rewritten for each input
	f.Fuzz(func(t *testing.T, yaml string) {
		if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := LoadConfig(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) && !strings.Contains(err.Error(), "config") {
				t.Fatalf("error does not name the config: %v", err)
			}
			return
		}
		if err := cfg.validate(); err != nil {
			t.Fatalf("LoadConfig accepted a config that does not validate: %v", err)
		}
	})
}
