package scanner

import (
	"bytes"
	"fmt"
	"os"

	"github.com/goccy/go-yaml"

	"github.com/listingscan/listingscan/similarity"
)

// Config is what an operator tunes: which providers belong together, and how
// close two listings must be to count as a copy. The zero value is not
// useful; start from DefaultConfig.
type Config struct {
	// AllowProviderGroups lists provider ids that are one company with
	// several accounts. Listings within a group are never copies of each
	// other.
	AllowProviderGroups [][]string `yaml:"allow_provider_groups"`

	// Image is how close two image variants must be (Hamming distance of
	// 64-bit hashes) to be the same picture.
	Image similarity.ImageThresholds `yaml:"image"`

	// TitleRatio is the Levenshtein ratio of normalised titles at or above
	// which a title counts as copied. Titles shorter than TitleMinRunes
	// after normalisation are too generic to call copies.
	TitleRatio    float64 `yaml:"title_ratio"`
	TitleMinRunes int     `yaml:"title_min_runes"`

	// DescriptionContainment is the weighted share of the shorter
	// description's shingles found in the other at or above which a
	// description counts as copied. DescriptionMinRunes excludes
	// descriptions too short to judge.
	DescriptionContainment float64 `yaml:"description_containment"`
	DescriptionMinRunes    int     `yaml:"description_min_runes"`

	// Boilerplate says how fast wording loses weight as evidence when many
	// distinct providers use it: it counts fully when shared by at most
	// boilerplate_full_up_to providers and not at all from
	// boilerplate_zero_from providers. Zero means the built-in defaults.
	BoilerplateFullUpTo int `yaml:"boilerplate_full_up_to"`
	BoilerplateZeroFrom int `yaml:"boilerplate_zero_from"`

	// Check says which findings block a draft in a pre-publish check and
	// which send it to review.
	Check CheckConfig `yaml:"check"`

	// Rules switches rules off or changes their severity, by rule name or
	// family ("quality.*"). `listingscan rules` lists the names.
	Rules map[string]RuleSettings `yaml:"rules"`

	// Templates tunes the rules that hold listings against the templates
	// they sell, and stores against each other (templaterules.go).
	Templates TemplateConfig `yaml:"templates"`

	// Policy tunes the rules that judge one listing on its own: contact
	// words, allowed link domains, service hours, field limits
	// (policyconfig.go).
	Policy PolicyConfig `yaml:"policy"`
}

// DefaultConfig is the configuration used when no file is given. Its
// thresholds are the ones measured in docs/BENCHMARKS.md.
func DefaultConfig() Config {
	return Config{
		Image:                  similarity.DefaultImageThresholds(),
		TitleRatio:             0.75,
		TitleMinRunes:          6,
		DescriptionContainment: 0.55,
		DescriptionMinRunes:    40,
		// Copied text spreads: a popular listing may be copied by several
		// providers, and that must not make the copies invisible. Only
		// wording shared by many more providers than any copy ring fades.
		BoilerplateFullUpTo: 20,
		BoilerplateZeroFrom: 100,
		Templates:           DefaultTemplateConfig(),
		Policy:              defaultPolicy(),
		Check:               DefaultCheckConfig(),
	}
}

// LoadConfig reads a YAML config file over the defaults. Unknown keys are
// an error: a misspelt threshold must not be silently ignored.
func LoadConfig(path string) (Config, error) {
	cfg := DefaultConfig()
	if path == "" {
		return cfg, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("read config: %w", err)
	}
	if err := decodeYAML(data, &cfg); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if err := cfg.validate(); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// decodeYAML decodes strictly. The YAML decoder panics on some malformed
// input (custom tags on sequence items, found by fuzzing); a config file
// is operator input, so that becomes an error like any other.
func decodeYAML(data []byte, cfg *Config) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed YAML: %v", r)
		}
	}()
	return yaml.NewDecoder(bytes.NewReader(data), yaml.DisallowUnknownField()).Decode(cfg)
}

func (c Config) validate() error {
	switch {
	case c.Image.PHash < 0 || c.Image.PHash > 64:
		return fmt.Errorf("image.phash must be within 0..64, got %d", c.Image.PHash)
	case c.Image.DHash < 0 || c.Image.DHash > 64:
		return fmt.Errorf("image.dhash must be within 0..64, got %d", c.Image.DHash)
	case c.TitleRatio <= 0 || c.TitleRatio > 1:
		return fmt.Errorf("title_ratio must be within (0, 1], got %v", c.TitleRatio)
	case c.DescriptionContainment <= 0 || c.DescriptionContainment > 1:
		return fmt.Errorf("description_containment must be within (0, 1], got %v", c.DescriptionContainment)
	case c.BoilerplateFullUpTo < 0 || c.BoilerplateZeroFrom < 0:
		return fmt.Errorf("boilerplate provider counts must not be negative")
	}
	if err := c.Check.validate(); err != nil {
		return err
	}
	if err := validateRules(c.Rules); err != nil {
		return err
	}
	if err := c.Templates.validate(); err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	if err := c.Policy.validate(); err != nil {
		return err
	}
	for i, g := range c.AllowProviderGroups {
		if len(g) < 2 {
			return fmt.Errorf("allow_provider_groups[%d] needs at least two providers", i)
		}
	}
	return nil
}

func (c Config) weights() similarity.WeightsConfig {
	return similarity.WeightsConfig{FullUpTo: c.BoilerplateFullUpTo, ZeroFrom: c.BoilerplateZeroFrom}
}

// groups maps each grouped provider to its group's index.
type groups map[string]int

func (c Config) groups() groups {
	g := groups{}
	for i, members := range c.AllowProviderGroups {
		for _, p := range members {
			g[p] = i
		}
	}
	return g
}

// related reports whether two providers may share material: the same
// provider, or two accounts of one allow-listed group.
func (g groups) related(a, b string) bool {
	if a == b {
		return true
	}
	ga, okA := g[a]
	gb, okB := g[b]
	return okA && okB && ga == gb
}
