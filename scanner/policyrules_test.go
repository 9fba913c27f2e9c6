package scanner

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/listingscan/listingscan/listing"
)

func TestServiceHours(t *testing.T) {
	from, to := 9*60, 18*60
	tests := []struct {
		line  string
		ok    bool   // hours stated at all
		short string // substring of the shortfall, "" when covered
	}{
		{"周一至周日 09:00-18:00", true, ""},
		{"每天 09:00–18:00", true, ""},
		{"7×24小时", true, ""},
		{"7*24 小时在线", true, ""},
		{"全年无休 8:30-20:00", true, ""},
		{"周一至周日 ０９：００－１８：００", true, ""},
		{"每天早九晚六", true, ""},
		{"每日 上午9点至下午6点", true, ""},
		{"星期一到星期天 9点-18点", true, ""},
		{"周一至周五 9:00-18:00，周六日 9:00-18:00", true, ""},
		{"09:00-18:00", true, ""},
		{"周一至周五 9:00-18:00", true, "周六、周日"},
		{"工作日 09:00-18:00", true, "周六、周日"},
		{"周一至周六 09:00-18:00", true, "周日"},
		{"每天 09:00-17:30", true, "no day covered"},
		{"每天 10:00-18:00", true, "no day covered"},
		{"周一至周五 9:00-18:00，周末 10:00-16:00", true, "周六、周日"},
		{"9:00-18:00（周一至周五）", true, "周六、周日"},
		{"每天早十晚五", true, "no day covered"},
		{"工作时间在线答疑", false, ""},
		{"", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			week, ok := parseServiceHours(tc.line)
			if ok != tc.ok {
				t.Fatalf("parse ok = %v, want %v (week %v)", ok, tc.ok, week)
			}
			if !ok {
				return
			}
			got := hoursShortfall(week, from, to)
			if tc.short == "" && got != "" || tc.short != "" && !strings.Contains(got, tc.short) {
				t.Errorf("shortfall = %q, want %q", got, tc.short)
			}
		})
	}
}

// clean is a listing no single-listing rule objects to.
func clean() listing.Listing {
	return listing.Listing{
		ID: "L-1", Provider: listing.Provider{ID: "P-1"},
		Title: "餐饮点餐小程序", Tags: []string{"餐饮", "点餐"}, Category: "餐饮",
		Summary:         "扫码点餐、会员积分、外卖配送一体化的餐饮门店小程序。",
		DescriptionHTML: "<p>支持微信支付与堂食扫码点餐。</p><p>版本 v2.3.1，2024-05-01 发布。</p>",
		Price: listing.Price{Plans: []listing.PricePlan{
			{Name: "基础版", Duration: "1年", ListPrice: "1999", Price: "1599"},
			{Name: "专业版", Duration: "1年", ListPrice: "3999", Price: "2999"},
		}},
		Service: listing.Service{AfterSales: "购买后提供一年免费售后，工作时间在线答疑。", Hours: "周一至周日 09:00-18:00", Channels: []string{"在线客服", "电话"}},
	}
}

func TestPolicyRules(t *testing.T) {
	rules, err := newPolicyRules(defaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		edit   func(l *listing.Listing, p *Print)
		want   []string // rules expected, in any order
		reason string   // substring of some match value of the first wanted rule
	}{
		{name: "clean listing", edit: func(*listing.Listing, *Print) {}},
		{name: "phone in hidden text", edit: func(l *listing.Listing, _ *Print) {
			l.DescriptionHTML += `<p style="display:none">联系 138 0013 8000</p>`
		}, want: []string{RuleOffplatformContact}, reason: "13800138000"},
		{name: "external link in description", edit: func(l *listing.Listing, _ *Print) {
			l.DescriptionHTML += `<a href="https://shop.example.com/buy">点此购买</a>`
		}, want: []string{RuleOffplatformContact}, reason: "shop.example.com"},
		{name: "marketplace and relative links", edit: func(l *listing.Listing, _ *Print) {
			l.DescriptionHTML += `<a href="/app/123">详情</a><a href="https://weda.tencent.com/x">市场</a><a href="#faq">FAQ</a>`
		}},
		{name: "mailto link", edit: func(l *listing.Listing, _ *Print) {
			l.DescriptionHTML += `<a href="mailto:sales@foo.cn">写信</a>`
		}, want: []string{RuleOffplatformContact}, reason: "sales@foo.cn"},
		{name: "qq in tag", edit: func(l *listing.Listing, _ *Print) { l.Tags = append(l.Tags, "QQ12345678") },
			want: []string{RuleOffplatformContact}, reason: "12345678"},
		{name: "payment qr", edit: func(_ *listing.Listing, p *Print) {
			p.Images = []ImageFact{{Ref: "img/pay.png", QR: []string{"wxp://f2f0abcdef"}}}
		}, want: []string{RuleOffplatformQR}, reason: "wxp://"},
		{name: "marketplace qr", edit: func(_ *listing.Listing, p *Print) {
			p.Images = []ImageFact{{Ref: "img/m.png", QR: []string{"https://weda.tencent.com/market/app/1"}}}
		}},
		{name: "unreadable image", edit: func(_ *listing.Listing, p *Print) {
			p.Images = []ImageFact{{Ref: "img/x.jpg", Err: "truncated image data"}}
		}, want: []string{RuleQualityImage}, reason: "truncated"},
		{name: "no plans", edit: func(l *listing.Listing, _ *Print) { l.Price.Plans = nil },
			want: []string{RuleConsistencyPrice}, reason: "no price plans"},
		{name: "price above list", edit: func(l *listing.Listing, _ *Print) { l.Price.Plans[1].Price = "4999" },
			want: []string{RuleConsistencyPrice}, reason: "above list price"},
		{name: "free text price", edit: func(l *listing.Listing, _ *Print) { l.Price.Plans[0].Price = "免费" },
			want: []string{RuleConsistencyPrice}, reason: "not a number"},
		{name: "negative price", edit: func(l *listing.Listing, _ *Print) { l.Price.Plans[0].Price = "-1" },
			want: []string{RuleConsistencyPrice}, reason: "not positive"},
		{name: "absurd price", edit: func(l *listing.Listing, _ *Print) { l.Price.Plans[0].Price = "1e308"; l.Price.Plans[0].ListPrice = "" },
			want: []string{RuleConsistencyPrice}, reason: "believable"},
		{name: "overflowing price", edit: func(l *listing.Listing, _ *Print) { l.Price.Plans[0].Price = "1e999" },
			want: []string{RuleConsistencyPrice}, reason: "finite"},
		{name: "duplicate plan names", edit: func(l *listing.Listing, _ *Print) { l.Price.Plans[1].Name = "基础版 " },
			want: []string{RuleConsistencyPrice}, reason: "same name"},
		{name: "bare price", edit: func(l *listing.Listing, _ *Print) { l.Price.Plans = []listing.PricePlan{{Price: "1999"}} }},
		{name: "nameless plan among several", edit: func(l *listing.Listing, _ *Print) { l.Price.Plans[1].Name = "" },
			want: []string{RuleConsistencyPrice}, reason: "no name"},
		{name: "thousands separator", edit: func(l *listing.Listing, _ *Print) { l.Price.Plans[1].ListPrice = "3,999.00" }},
		{name: "weekdays only", edit: func(l *listing.Listing, _ *Print) { l.Service.Hours = "周一至周五 9:00-18:00" },
			want: []string{RuleServiceHours}, reason: "周六"},
		{name: "hours in after-sales text", edit: func(l *listing.Listing, _ *Print) {
			l.Service.Hours = ""
			l.Service.AfterSales = "7×24小时在线客服，售后期一年。"
		}},
		{name: "no after-sales", edit: func(l *listing.Listing, _ *Print) { l.Service.AfterSales = " " },
			want: []string{RuleServiceMissing}},
		{name: "oauth unreviewed", edit: func(l *listing.Listing, _ *Print) { l.OAuth = listing.OAuth{Enabled: true} },
			want: []string{RuleOAuthUnreviewed}},
		{name: "oauth reviewed", edit: func(l *listing.Listing, _ *Print) { l.OAuth = listing.OAuth{Enabled: true, Reviewed: true} }},
		{name: "short title", edit: func(l *listing.Listing, _ *Print) { l.Title = "点餐" },
			want: []string{RuleQualityTitleLength}, reason: "at least 4"},
		{name: "long title", edit: func(l *listing.Listing, _ *Print) { l.Title = strings.Repeat("智慧餐饮", 8) },
			want: []string{RuleQualityTitleLength}, reason: "at most 30"},
		{name: "spaced title within limits", edit: func(l *listing.Listing, _ *Print) {
			l.Title = "多　门　店 制 造 工 厂 流 程 审 批 平 台·连 锁 版"
		}},
		{name: "no tags", edit: func(l *listing.Listing, _ *Print) { l.Tags = nil },
			want: []string{RuleQualityTags}},
		{name: "six tags", edit: func(l *listing.Listing, _ *Print) { l.Tags = []string{"a", "b", "c", "d", "e", "f"} },
			want: []string{RuleQualityTags}},
		{name: "repeated tag", edit: func(l *listing.Listing, _ *Print) { l.Tags = []string{"餐饮", "餐饮"} },
			want: []string{RuleQualityTags}, reason: "repeated"},
		{name: "long summary", edit: func(l *listing.Listing, _ *Print) { l.Summary = strings.Repeat("扫码点餐会员积分", 18) },
			want: []string{RuleQualitySummaryLength}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := clean()
			p := &Print{Version: printVersion}
			tc.edit(&l, p)
			fs := rules.check(&l, p)
			var got []string
			for _, f := range fs {
				got = append(got, f.Rule)
				if f.ID != listing.FindingID(f.Rule, l.ID) || f.ListingID != l.ID || f.OtherListingID != "" || len(f.Evidence.Matches) == 0 {
					t.Errorf("malformed finding %+v", f)
				}
			}
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				b, _ := json.Marshal(fs)
				t.Fatalf("rules = %v, want %v\n%s", got, want, b)
			}
			if tc.reason != "" {
				b, _ := json.Marshal(fs[0].Evidence.Matches)
				if !strings.Contains(string(b), tc.reason) {
					t.Errorf("evidence %s does not mention %q", b, tc.reason)
				}
			}
		})
	}
}

func TestPolicyRuleCatalogue(t *testing.T) {
	names := map[string]bool{}
	for _, r := range Rules() {
		names[r.Name] = true
	}
	for _, r := range policyRuleInfo() {
		if r.Meaning == "" || !strings.HasSuffix(r.Meaning, ".") {
			t.Errorf("%s: meaning %q should be one sentence", r.Name, r.Meaning)
		}
		if !names[r.Name] {
			t.Errorf("%s missing from Rules()", r.Name)
		}
	}
	for _, name := range []string{"offplatform.contact", "offplatform.qr", "consistency.price", "service.hours", "service.missing", "oauth.unreviewed"} {
		if !names[name] {
			t.Errorf("rule %s of the design is not in the catalogue", name)
		}
	}
}
