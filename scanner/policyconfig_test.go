package scanner

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// The documented default config is what DefaultConfig returns: decoded on
// its own, with unknown keys refused, it gives exactly DefaultConfig.
func TestDefaultConfigYAMLIsDefaultConfig(t *testing.T) {
	var got Config
	if err := yaml.NewDecoder(bytes.NewReader(DefaultConfigYAML()), yaml.DisallowUnknownField()).Decode(&got); err != nil {
		t.Fatalf("decode embedded default config: %v", err)
	}
	want := DefaultConfig()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scanner/defaultconfig.yaml differs from DefaultConfig(); a default or a key changed, so document it in the file:\n yaml: %+v\n code: %+v", got, want)
	}
	if err := got.validate(); err != nil {
		t.Errorf("embedded default config does not validate: %v", err)
	}
}

// Every key of the policy section is documented by a comment in the file.
func TestDefaultConfigYAMLDocumentsPolicyKeys(t *testing.T) {
	text := string(DefaultConfigYAML())
	for _, key := range []string{"allow_link_domains", "qq_words", "wechat_words", "mail_domains", "offline_phrases",
		"offline_exceptions", "number_words", "payment_prefixes", "contact_prefixes", "max_side", "max_tiles",
		"max_price", "from", "to", "min_after_sales_runes", "title_min_runes", "tags_min", "summary_max_runes", "categories"} {
		i := strings.Index(text, "\n    "+key+":")
		if i < 0 {
			i = strings.Index(text, "\n  "+key+":")
		}
		if i < 0 {
			t.Errorf("key %s not in the default config", key)
			continue
		}
		line := text[i+1 : i+1+strings.IndexByte(text[i+1:], '\n')]
		before := text[:i]
		prev := before[strings.LastIndexByte(before, '\n')+1:]
		if !strings.Contains(line, "#") && !strings.HasPrefix(strings.TrimSpace(prev), "#") && !strings.Contains(prev, "#") {
			t.Errorf("key %s has no comment on or above its line", key)
		}
	}
}

func TestLoadPolicyConfig(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{name: "override lists and limits", yaml: "policy:\n  contact:\n    allow_link_domains: [example.cn]\n  quality:\n    title_max_runes: 40\n",
			check: func(t *testing.T, c Config) {
				if !reflect.DeepEqual(c.Policy.Contact.AllowLinkDomains, []string{"example.cn"}) || c.Policy.Quality.TitleMaxRunes != 40 {
					t.Errorf("policy = %+v", c.Policy)
				}
				if len(c.Policy.Contact.QQWords) == 0 || c.Policy.Service.From != "09:00" {
					t.Errorf("unset keys lost their defaults: %+v", c.Policy)
				}
			}},
		{name: "bad service time", yaml: "policy:\n  service:\n    from: \"9h\"\n", wantErr: "policy.service.from"},
		{name: "tags bounds inverted", yaml: "policy:\n  quality:\n    tags_min: 6\n    tags_max: 5\n", wantErr: "tags_min"},
		{name: "link domain with a scheme", yaml: "policy:\n  contact:\n    allow_link_domains: [\"https://weda.tencent.com\"]\n", wantErr: "not a host name"},
		{name: "unknown policy key", yaml: "policy:\n  contact:\n    qq_word: [QQ]\n", wantErr: "qq_word"},
		{name: "disable the policy family", yaml: "rules:\n  quality.*: {enabled: false}\n",
			check: func(t *testing.T, c Config) {
				if c.RuleEnabled(RuleQualityTags) || !c.RuleEnabled(RuleOffplatformContact) {
					t.Errorf("quality.* off should switch off quality.tags only")
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(p, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := LoadConfig(p)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}
