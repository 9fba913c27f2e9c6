package scanner

import (
	_ "embed"
	"fmt"
	"strings"
)

// defaultConfigYAML is the documented default configuration: every key
// with a comment saying what it does. DefaultConfig returns exactly what it
// says (a test holds the two together), so an operator can start a config
// file from `listingscan rules --default-config` and know each value is the
// one in effect.
//
//go:embed defaultconfig.yaml
var defaultConfigYAML []byte

// DefaultConfigYAML returns the documented default configuration file.
func DefaultConfigYAML() []byte { return append([]byte(nil), defaultConfigYAML...) }

// PolicyConfig is what the rules that judge one listing on its own read:
// the word lists that betray contact details, the link domains that belong
// to the marketplace, the service hours the marketplace demands and the
// field limits. Lists replace the defaults as a whole when set in a file.
type PolicyConfig struct {
	Contact ContactConfig `yaml:"contact"`
	QR      QRConfig      `yaml:"qr"`
	Price   PriceConfig   `yaml:"price"`
	Service ServiceConfig `yaml:"service"`
	Quality QualityConfig `yaml:"quality"`
}

// ContactConfig tunes offplatform.contact.
type ContactConfig struct {
	// AllowLinkDomains are hosts (and their subdomains) a listing may link
	// to: the marketplace's own pages.
	AllowLinkDomains []string `yaml:"allow_link_domains"`
	// QQWords and WeChatWords introduce a QQ number or a WeChat id
	// ("QQ：", "加薇"). Matching ignores case and full-width forms.
	QQWords     []string `yaml:"qq_words"`
	WeChatWords []string `yaml:"wechat_words"`
	// MailDomains are the mail providers whose addresses count also when
	// written with "#", "at" or "艾特" instead of "@".
	MailDomains []string `yaml:"mail_domains"`
	// OfflinePhrases steer a buyer to trade off the platform. Spaces,
	// punctuation and zero-width characters between their characters do
	// not hide them.
	OfflinePhrases []string `yaml:"offline_phrases"`
	// OfflineExceptions are honest wordings that contain an offline
	// phrase ("线上线下交易" describes an app feature).
	OfflineExceptions []string `yaml:"offline_exceptions"`
	// NumberWords are words after which a long number is a reference, not a
	// phone number: order numbers, licence numbers.
	NumberWords []string `yaml:"number_words"`
}

// QRConfig tunes offplatform.qr and bounds the work of finding QR codes.
type QRConfig struct {
	// PaymentPrefixes and ContactPrefixes classify a QR payload by how it
	// starts (case-insensitive, scheme optional for http links).
	PaymentPrefixes []string `yaml:"payment_prefixes"`
	ContactPrefixes []string `yaml:"contact_prefixes"`
	// MaxSide is the longest side, in pixels, an image is scaled down to
	// before it is searched as a whole; MaxTiles bounds the crops searched
	// when the whole image shows no code, cut from a copy at most twice as
	// large.
	MaxSide  int `yaml:"max_side"`
	MaxTiles int `yaml:"max_tiles"`
}

// PriceConfig tunes consistency.price.
type PriceConfig struct {
	// MaxPrice is the largest believable price of one plan, in yuan.
	MaxPrice float64 `yaml:"max_price"`
}

// ServiceConfig tunes service.hours and service.missing.
type ServiceConfig struct {
	// From and To are the daily hours (HH:MM) online service must cover on
	// every day of the week.
	From string `yaml:"from"`
	To   string `yaml:"to"`
	// MinAfterSalesRunes is the shortest after-sales description that
	// counts as one.
	MinAfterSalesRunes int `yaml:"min_after_sales_runes"`
}

// QualityConfig holds the field limits of the quality.* rules.
type QualityConfig struct {
	TitleMinRunes   int `yaml:"title_min_runes"`
	TitleMaxRunes   int `yaml:"title_max_runes"`
	TagsMin         int `yaml:"tags_min"`
	TagsMax         int `yaml:"tags_max"`
	SummaryMaxRunes int `yaml:"summary_max_runes"`
	// Categories, when set, are the only categories a listing may name;
	// empty accepts any.
	Categories []string `yaml:"categories"`
}

// defaultPolicy is the policy part of DefaultConfig; defaultconfig.yaml
// documents the same values.
func defaultPolicy() PolicyConfig {
	return PolicyConfig{
		Contact: ContactConfig{
			AllowLinkDomains: []string{"weda.tencent.com", "cloud.tencent.com"},
			QQWords:          []string{"QQ", "扣扣", "企鹅", "Q号", "球球", "抠抠"},
			WeChatWords: []string{"微信", "薇信", "威信", "徽信", "维信", "微心", "VX", "V信", "加V", "加薇", "加微",
				"WX", "weixin", "wechat"},
			MailDomains: []string{"qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn",
				"sohu.com", "aliyun.com", "139.com", "189.cn", "gmail.com", "outlook.com", "hotmail.com"},
			OfflinePhrases: []string{"线下交易", "私下交易", "私下转账", "私下付款", "私下联系", "加我私聊", "私聊我",
				"绕过平台", "绕开平台", "不走平台", "平台外交易", "场外交易", "直接转账给我", "线下打款", "线下付款更优惠"},
			OfflineExceptions: []string{"线上线下交易", "线上与线下交易", "线上和线下交易"},
			NumberWords:       []string{"订单", "单号", "编号", "流水", "工单", "批次", "备案", "许可证", "税号", "信用代码", "版本"},
		},
		QR: QRConfig{
			PaymentPrefixes: []string{"wxp://", "qr.alipay.com/", "alipays://", "payapp.weixin.qq.com", "wx.tenpay.com",
				"qr.95516.com", "i.qianbao.qq.com"},
			ContactPrefixes: []string{"u.wechat.com/", "weixin.qq.com/r/", "weixin.qq.com/g/", "work.weixin.qq.com/u/",
				"qm.qq.com/", "jq.qq.com/", "MECARD:", "BEGIN:VCARD", "tel:", "mailto:", "MATMSG:"},
			MaxSide:  2048,
			MaxTiles: 9,
		},
		Price:   PriceConfig{MaxPrice: 10_000_000},
		Service: ServiceConfig{From: "09:00", To: "18:00", MinAfterSalesRunes: 6},
		Quality: QualityConfig{
			TitleMinRunes: 4, TitleMaxRunes: 30,
			TagsMin: 1, TagsMax: 5,
			SummaryMaxRunes: 140,
		},
	}
}

func (p PolicyConfig) validate() error {
	if _, err := parseClock(p.Service.From); err != nil {
		return fmt.Errorf("policy.service.from: %w", err)
	}
	if _, err := parseClock(p.Service.To); err != nil {
		return fmt.Errorf("policy.service.to: %w", err)
	}
	q := p.Quality
	switch {
	case q.TitleMinRunes < 0 || q.TitleMaxRunes < q.TitleMinRunes:
		return fmt.Errorf("policy.quality: title_min_runes %d and title_max_runes %d must satisfy 0 <= min <= max", q.TitleMinRunes, q.TitleMaxRunes)
	case q.TagsMin < 0 || q.TagsMax < q.TagsMin:
		return fmt.Errorf("policy.quality: tags_min %d and tags_max %d must satisfy 0 <= min <= max", q.TagsMin, q.TagsMax)
	case q.SummaryMaxRunes <= 0:
		return fmt.Errorf("policy.quality.summary_max_runes must be positive, got %d", q.SummaryMaxRunes)
	case p.Price.MaxPrice <= 0:
		return fmt.Errorf("policy.price.max_price must be positive, got %v", p.Price.MaxPrice)
	case p.QR.MaxSide < 200 || p.QR.MaxSide > 8000:
		return fmt.Errorf("policy.qr.max_side must be within 200..8000, got %d", p.QR.MaxSide)
	case p.QR.MaxTiles < 0 || p.QR.MaxTiles > 64:
		return fmt.Errorf("policy.qr.max_tiles must be within 0..64, got %d", p.QR.MaxTiles)
	}
	for _, d := range p.Contact.AllowLinkDomains {
		if d == "" || strings.ContainsAny(d, "/: ") {
			return fmt.Errorf("policy.contact.allow_link_domains: %q is not a host name", d)
		}
	}
	for name, list := range map[string][]string{
		"qq_words": p.Contact.QQWords, "wechat_words": p.Contact.WeChatWords, "offline_phrases": p.Contact.OfflinePhrases,
	} {
		for _, w := range list {
			if strings.TrimSpace(w) == "" {
				return fmt.Errorf("policy.contact.%s: empty entry", name)
			}
		}
	}
	return nil
}
