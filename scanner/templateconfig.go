package scanner

import (
	"fmt"
	"slices"
)

// TemplateConfig tunes the template rules and copy.store. The zero value
// of a threshold means its default; start from DefaultTemplateConfig.
type TemplateConfig struct {
	// CloneSimilarity is the structural similarity (0–1, see
	// similarity.TemplateSimilarity) at or above which a template counts
	// as a clone of an earlier template by another provider. On the tune
	// split of `marketgen templates` clones (renamed, recoloured, a page
	// added or dropped, other format) score 0.84 and more, honest
	// templates of one category at most 0.54.
	CloneSimilarity float64 `yaml:"clone_similarity" json:"clone_similarity"`

	// SensitiveAllow lists, per kind of personal data (id_card, bank_card,
	// location, passport, face, fingerprint), the template categories
	// that need it: a hotel must register guests' ID cards, a delivery app
	// must locate its riders. Fields of an allowed kind in a template of
	// such a category are not reported.
	SensitiveAllow map[string][]string `yaml:"sensitive_allow" json:"sensitive_allow"`

	// CompatibleCategories are groups of category names that do not
	// contradict each other (a 餐饮 listing selling a 零售电商 template
	// that serves restaurants' shops).
	CompatibleCategories [][]string `yaml:"compatible_categories" json:"compatible_categories"`

	// StoreNameRatio is the Levenshtein ratio of two stores' core names
	// (city, legal form and trade words such as 科技, 网络 removed) at or
	// above which a name counts as copied. StoreNameMinRunes excludes core
	// names too short to be distinctive.
	StoreNameRatio    float64 `yaml:"store_name_ratio" json:"store_name_ratio"`
	StoreNameMinRunes int     `yaml:"store_name_min_runes" json:"store_name_min_runes"`

	// StoreIntroRatio is the Levenshtein ratio of two intros, each without
	// its own store's name, at or above which an intro counts as copied;
	// the intros must also state the same figures (成立于2016年, 3310余家,
	// at least three digits), since many honest intros follow one template
	// sentence. StoreIntroMinRunes
	// excludes intros too short to judge.
	StoreIntroRatio    float64 `yaml:"store_intro_ratio" json:"store_intro_ratio"`
	StoreIntroMinRunes int     `yaml:"store_intro_min_runes" json:"store_intro_min_runes"`

	// StoreLogoDistance is the largest summed pHash and dHash distance (of
	// 128 bits) at which two logos the image matcher calls one picture
	// count as a copied logo. Logos are small, simple graphics; honest
	// logos of one shape and colour come closer to each other than
	// unrelated screenshots do, so a logo copy must be a near-exact one.
	StoreLogoDistance int `yaml:"store_logo_distance" json:"store_logo_distance"`

	// MaxTemplateImages bounds the screenshots or image assets of one
	// template that consistency.screenshot decodes.
	MaxTemplateImages int `yaml:"max_template_images" json:"max_template_images"`
}

// sensitiveKindNames are the kinds SensitiveAllow may name.
func sensitiveKindNames() []string {
	out := make([]string, len(sensitiveKinds))
	for i, k := range sensitiveKinds {
		out[i] = k.Kind
	}
	return out
}

// DefaultTemplateConfig holds the thresholds measured on the holdout split
// of `marketgen templates`, and the categories the marketplace lets
// collect each kind of personal data.
func DefaultTemplateConfig() TemplateConfig {
	return TemplateConfig{
		CloneSimilarity: 0.7,
		SensitiveAllow: map[string][]string{
			"id_card":   {"政务", "酒店旅游", "医疗健康", "金融"},
			"bank_card": {"金融"},
			"location":  {"物流", "出行", "外卖配送"},
			"passport":  {"酒店旅游"},
		},
		StoreNameRatio:     0.75,
		StoreNameMinRunes:  2,
		StoreIntroRatio:    0.9,
		StoreIntroMinRunes: 15,
		StoreLogoDistance:  10,
		MaxTemplateImages:  64,
	}
}

func (c TemplateConfig) validate() error {
	switch {
	case c.CloneSimilarity < 0 || c.CloneSimilarity > 1:
		return fmt.Errorf("clone_similarity must be within [0, 1], got %v", c.CloneSimilarity)
	case c.StoreNameRatio < 0 || c.StoreNameRatio > 1:
		return fmt.Errorf("store_name_ratio must be within [0, 1], got %v", c.StoreNameRatio)
	case c.StoreIntroRatio < 0 || c.StoreIntroRatio > 1:
		return fmt.Errorf("store_intro_ratio must be within [0, 1], got %v", c.StoreIntroRatio)
	case c.StoreLogoDistance < 0 || c.StoreLogoDistance > 128:
		return fmt.Errorf("store_logo_distance must be within 0..128, got %d", c.StoreLogoDistance)
	case c.StoreNameMinRunes < 0 || c.StoreIntroMinRunes < 0 || c.MaxTemplateImages < 0:
		return fmt.Errorf("minimum lengths and image counts must not be negative")
	}
	kinds := sensitiveKindNames()
	for k := range c.SensitiveAllow {
		if !slices.Contains(kinds, k) {
			return fmt.Errorf("sensitive_allow: unknown kind %q (want one of %v)", k, kinds)
		}
	}
	return nil
}

// withDefaults fills zero thresholds, so a config written before a key
// existed keeps working.
func (c TemplateConfig) withDefaults() TemplateConfig {
	d := DefaultTemplateConfig()
	if c.CloneSimilarity == 0 {
		c.CloneSimilarity = d.CloneSimilarity
	}
	if c.StoreNameRatio == 0 {
		c.StoreNameRatio = d.StoreNameRatio
	}
	if c.StoreIntroRatio == 0 {
		c.StoreIntroRatio = d.StoreIntroRatio
	}
	if c.StoreLogoDistance == 0 {
		c.StoreLogoDistance = d.StoreLogoDistance
	}
	if c.MaxTemplateImages == 0 {
		c.MaxTemplateImages = d.MaxTemplateImages
	}
	return c
}

// allowed reports whether templates of category may collect kind.
func (c TemplateConfig) allowed(kind, category string) bool {
	return category != "" && slices.Contains(c.SensitiveAllow[kind], category)
}

// compatible reports whether two categories do not contradict each other.
func (c TemplateConfig) compatible(a, b string) bool {
	if a == b {
		return true
	}
	for _, g := range c.CompatibleCategories {
		if slices.Contains(g, a) && slices.Contains(g, b) {
			return true
		}
	}
	return false
}
