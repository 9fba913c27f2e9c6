package scanner

import (
	"testing"

	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/similarity"
)

func TestSensitiveFields(t *testing.T) {
	tests := []struct {
		name  string
		field listing.DataField
		want  string // kind, "" for none
	}{
		{"ID card by title", listing.DataField{Name: "f1", Title: "身份证号码"}, "id_card"},
		{"ID card by name", listing.DataField{Name: "id_card_no", Title: "证件"}, "id_card"},
		{"ID card by format", listing.DataField{Name: "f7", Title: "有效证件", Format: "x-idcard"}, "id_card"},
		{"nested ID card", listing.DataField{Name: "guest.idNumber"}, "id_card"},
		{"bank card by title", listing.DataField{Name: "acct", Title: "退款银行账号"}, "bank_card"},
		{"bank card by name", listing.DataField{Name: "bankcard_no", Title: "收款卡"}, "bank_card"},
		{"precise location by format", listing.DataField{Name: "geo", Title: "位置", Format: "x-location"}, "location"},
		{"latitude", listing.DataField{Name: "latitude", Type: "number"}, "location"},
		{"coordinates in the title", listing.DataField{Name: "pos", Title: "当前经纬度"}, "location"},
		{"passport", listing.DataField{Name: "passport_no", Title: "护照号码"}, "passport"},
		{"face photo", listing.DataField{Name: "selfie", Title: "刷脸认证"}, "face"},
		{"member card is not a bank card", listing.DataField{Name: "member_card_no", Title: "会员卡号"}, ""},
		{"gift card is not a bank card", listing.DataField{Name: "gift_card", Title: "礼品卡卡号"}, ""},
		{"delivery address is not a precise location", listing.DataField{Name: "address", Title: "收货地址"}, ""},
		{"phone number", listing.DataField{Name: "mobile", Title: "手机号码", Format: "tel"}, ""},
		{"plain id", listing.DataField{Name: "id", Title: "编号"}, ""},
		{"a name containing lat", listing.DataField{Name: "template_name", Title: "模板名称"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, ok := sensitive(tt.field)
			got := ""
			if ok {
				got = k.Kind
			}
			if got != tt.want {
				t.Errorf("sensitive(%+v) = %q, want %q", tt.field, got, tt.want)
			}
		})
	}
}

func TestSensitiveAllowList(t *testing.T) {
	cfg := DefaultTemplateConfig()
	for _, tt := range []struct {
		kind, category string
		want           bool
	}{
		{"id_card", "酒店旅游", true},
		{"id_card", "餐饮", false},
		{"bank_card", "金融", true},
		{"location", "教育培训", false},
		{"face", "政务", false},
		{"id_card", "", false},
	} {
		if got := cfg.allowed(tt.kind, tt.category); got != tt.want {
			t.Errorf("allowed(%s, %s) = %v, want %v", tt.kind, tt.category, got, tt.want)
		}
	}
}

func TestStoreCore(t *testing.T) {
	norm, err := similarity.NewNormalizer()
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"杭州云栖数智科技有限公司":     "云栖数智",
		"云栖数智网络科技（深圳）有限公司": "云栖数智",
		"深圳市鲸禾网络科技有限公司":    "鲸禾",
		"成都锦程软件开发有限公司":     "锦程",
		"南京知微信息技术有限公司":     "知微",
		"科技有限公司":           "科技",
		"速搭":               "速搭",
	} {
		if got := storeCore(norm.Normalize(in)); got != norm.Normalize(want) {
			t.Errorf("storeCore(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestIntroCopied(t *testing.T) {
	norm, err := similarity.NewNormalizer()
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name, intro string) *store {
		st := &store{name: name, intro: intro}
		st.normalise(norm)
		return st
	}
	cfg := DefaultTemplateConfig()
	orig := mk("杭州云栖数智科技有限公司", "云栖数智专注餐饮数字化解决方案，累计服务客户3310余家。")
	tests := []struct {
		name string
		copy *store
		want bool
	}{
		{"own name put in", mk("厦门海鸥网络科技有限公司", "海鸥专注餐饮数字化解决方案，累计服务客户3310余家。"), true},
		{"the original's name left in", mk("厦门海鸥网络科技有限公司", "我们和云栖数智一样专注餐饮数字化，为商户提供小程序。"), true},
		{"one template sentence, other figures", mk("厦门海鸥网络科技有限公司", "海鸥专注餐饮数字化解决方案，累计服务客户5120余家。"), false},
		{"one template sentence without figures", mk("厦门海鸥网络科技有限公司", "海鸥是腾讯云微搭生态合作伙伴，擅长餐饮行业应用交付。"), false},
		{"too short", mk("厦门海鸥网络科技有限公司", "餐饮3310家"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := introCopied(tt.copy, orig, cfg); got != tt.want {
				t.Errorf("introCopied = %v, want %v (%q vs %q)", got, tt.want, tt.copy.introNorm, orig.introNorm)
			}
		})
	}
}
