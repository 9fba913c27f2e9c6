package scanner

import (
	"strings"

	"github.com/listingscan/listingscan/listing"
)

// feature is one capability a listing may claim and a template may or may
// not have. Claims are the phrases that claim it in a listing's title, tags,
// summary or description; a template provides it when a page title, a data
// source name or title, a field name or title contains one of Provides, or
// one of its components is of a type in Components.
type feature struct {
	Name       string
	Claims     []string
	Provides   []string
	Components []string
}

// featureLexicon is the small, deliberately conservative vocabulary of
// features consistency.metadata checks. A phrase is listed only when it
// names one capability unambiguously: "支付" alone is too common in boiler
// text ("支持微信支付的商户号") to count as a claim, "在线支付" is not.
var featureLexicon = []feature{
	{"在线支付", []string{"在线支付", "微信支付下单", "线上支付", "在线付款"}, []string{"支付", "收银", "付款", "结算", "payment"}, []string{"payment", "paybutton", "pay", "cashier"}},
	{"会员积分", []string{"会员积分", "积分商城", "积分兑换", "积分抵扣", "会员等级"}, []string{"积分", "points"}, []string{"points", "memberpoints"}},
	{"预约", []string{"在线预约", "预约挂号", "预约到店", "预约服务", "预约看房", "预约试听"}, []string{"预约", "挂号", "booking", "appointment", "reservation"}, []string{"booking", "appointment", "calendarbooking"}},
	{"外卖配送", []string{"外卖配送", "外卖点餐", "配送到家", "骑手配送", "同城配送"}, []string{"外卖", "配送", "骑手", "delivery", "rider"}, []string{"delivery"}},
	{"直播", []string{"直播", "直播带货", "直播课"}, []string{"直播", "livestream"}, []string{"liveplayer", "livepusher", "live"}},
	{"优惠券", []string{"优惠券", "领券", "代金券", "满减券"}, []string{"优惠券", "券", "coupon"}, []string{"coupon", "couponlist"}},
	{"库存管理", []string{"库存管理", "库存预警", "出入库", "库存盘点"}, []string{"库存", "入库", "出库", "盘点", "inventory"}, []string{"inventory"}},
	{"在线考试", []string{"在线考试", "在线题库", "模拟考试", "刷题"}, []string{"考试", "题库", "试题", "exam"}, []string{"exam", "quiz"}},
	{"视频课程", []string{"视频课程", "录播课", "课程视频"}, []string{"视频", "video"}, []string{"video", "videoplayer"}},
	{"地图导航", []string{"地图导航", "地图找店", "附近门店"}, []string{"地图", "导航"}, []string{"map"}},
}

// sensitiveKind is one kind of personal data a template field may collect.
// A field collects it when its title contains one of Titles, its name
// (lower case, without separators) contains one of Names, or its format is
// one of Formats. Not lists title words that make a match a different,
// harmless field: 会员卡号 is not a bank card.
type sensitiveKind struct {
	Kind    string
	Label   string
	Titles  []string
	Names   []string
	Formats []string
	Not     []string
}

var sensitiveKinds = []sensitiveKind{
	{"id_card", "身份证号", []string{"身份证", "证件号码", "证件号", "身份号码"}, []string{"idcard", "idno", "idnumber", "identitycard", "identityno", "citizenid", "sfz"}, []string{"idcard", "id-card", "x-idcard"}, nil},
	{"bank_card", "银行卡号", []string{"银行卡", "银行账号", "银行账户", "开户行账号", "储蓄卡", "信用卡号"}, []string{"bankcard", "bankaccount", "cardno", "bankno", "creditcard"}, []string{"bankcard", "bank-card", "x-bankcard"}, []string{"会员卡", "储值卡", "购物卡", "礼品卡"}},
	{"location", "精确位置", []string{"经纬度", "经度", "纬度", "定位", "实时位置", "gps"}, []string{"latitude", "longitude", "lat", "lng", "gps", "geopoint", "geolocation", "coordinates"}, []string{"x-location", "geopoint", "geo", "location", "x-geopoint"}, nil},
	{"passport", "护照号", []string{"护照"}, []string{"passport"}, []string{"passport", "x-passport"}, nil},
	{"face", "人脸信息", []string{"人脸", "面部", "刷脸", "面容"}, []string{"face", "faceimage", "faceid", "facedata"}, []string{"x-face", "face"}, nil},
	{"fingerprint", "指纹", []string{"指纹"}, []string{"fingerprint"}, []string{"x-fingerprint"}, nil},
}

// foldName lower-cases a field name and drops separators, so id_card,
// idCard and id-card compare equal.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r == '_' || r == '-' || r == '.' || r == ' ' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sensitive returns the kind of personal data a field collects, if any.
// Names are matched as whole folded names or as the last part of a dotted
// name, except for long unambiguous words, which may appear anywhere.
func sensitive(f listing.DataField) (sensitiveKind, bool) {
	title := strings.ToLower(f.Title)
	format := strings.ToLower(strings.TrimSpace(f.Format))
	name := f.Name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	folded := foldName(name)
	for _, k := range sensitiveKinds {
		if excluded(title, k.Not) {
			continue
		}
		for _, fm := range k.Formats {
			if format == fm {
				return k, true
			}
		}
		for _, t := range k.Titles {
			if strings.Contains(title, t) {
				return k, true
			}
		}
		for _, n := range k.Names {
			if folded == n || (len(n) >= 6 && strings.Contains(folded, n)) {
				return k, true
			}
		}
	}
	return sensitiveKind{}, false
}

func excluded(title string, not []string) bool {
	for _, n := range not {
		if strings.Contains(title, n) {
			return true
		}
	}
	return false
}
