package scanner

import (
	"strings"
	"testing"

	"github.com/listingscan/listingscan/listing"
)

func TestContactFinderFindsDisguisedContacts(t *testing.T) {
	cf := newContactFinder(defaultPolicy().Contact)
	tests := []struct {
		name, text string
		kind       string
		value      string // normalised value, "" to skip the check
		quoted     string // text as written, "" to skip the check
	}{
		{"qq plain", "售后问题请联系QQ：123456789", contactQQ, "123456789", "QQ：123456789"},
		{"qq full width", "客服ＱＱ　８８６６５５４４", contactQQ, "88665544", ""},
		{"qq homophone 扣扣", "有问题加扣扣 3 5 7 9 2 4 6 8", contactQQ, "35792468", ""},
		{"qq chinese numerals", "企鹅号：九八七六五四三二", contactQQ, "98765432", ""},
		{"wechat id", "详情咨询微信：weda_shop2024", contactWeChat, "weda_shop2024", "微信：weda_shop2024"},
		{"wechat vx", "需要源码的加vx：zhangsan_88", contactWeChat, "zhangsan_88", ""},
		{"wechat 加薇", "加薇 abc-12345 获取演示账号", contactWeChat, "abc-12345", ""},
		{"wechat V信 digits", "V信 88886666 备注来意", contactWeChat, "88886666", ""},
		{"wechat wxid", "联系 wxid_k2j3h4g5 了解", contactWeChat, "wxid_k2j3h4g5", ""},
		{"wechat 威信 upper", "威信号：Tom_Lee_2023", contactWeChat, "Tom_Lee_2023", ""},
		{"wechat spaced word", "微 信：shop_li2023 备注来意", contactWeChat, "shop_li2023", ""},
		{"qq spaced word", "Ｑ　Ｑ：５５６６７７８８", contactQQ, "55667788", ""},
		{"wechat search", "微信搜一搜 kefu_88 关注", contactWeChat, "kefu_88", ""},
		{"wechat same number", "微信同号 13987654321", contactWeChat, "13987654321", ""},
		{"email full width at", "联系邮箱：zhangli88＠163.com", contactEmail, "zhangli88@163.com", ""},
		{"mobile mixed separators", "商务合作 139·1234—5678", contactMobile, "13912345678", ""},
		{"mobile plain", "电话13812345678", contactMobile, "13812345678", "13812345678"},
		{"mobile spaced", "手机 138 1234 5678 随时联系", contactMobile, "13812345678", "138 1234 5678"},
		{"mobile dashes", "热线：159-8765-4321", contactMobile, "15987654321", ""},
		{"mobile dots", "call 186.0000.1111", contactMobile, "18600001111", ""},
		{"mobile full width", "手机：１３９１２３４５６７８", contactMobile, "13912345678", ""},
		{"mobile +86", "+86 137 0000 2222", contactMobile, "13700002222", ""},
		{"mobile chinese", "电话一三八一二三四五六七八", contactMobile, "13812345678", ""},
		{"mobile financial", "壹叁玖 贰贰贰贰 捌捌捌捌", contactMobile, "13922228888", ""},
		{"mobile homophones", "幺扒衫 柳武漆久 灵似伞吧", contactMobile, "18365790438", ""},
		{"mobile zero width", "1\u200b3\u200b8\u200b1234\u200b5678", contactMobile, "13812345678", ""},
		{"landline", "座机 0755-86013388", contactLandline, "075586013388", ""},
		{"landline parens", "（010）62345678", contactLandline, "01062345678", ""},
		{"hotline 400", "服务热线 400-820-8820", contactLandline, "4008208820", ""},
		{"email", "邮箱 service@abc-soft.cn", contactEmail, "service@abc-soft.cn", ""},
		{"email hash", "简历投递 hr_team#qq.com", contactEmail, "hr_team@qq.com", ""},
		{"email at dot", "mail: sales at 163 dot com", contactEmail, "sales@163.com", ""},
		{"email 艾特", "zhang123艾特foxmail.com", contactEmail, "zhang123@foxmail.com", ""},
		{"link http", "演示地址 https://demo.example-soft.cn/app", contactLink, "demo.example-soft.cn", ""},
		{"link www", "官网 www.abcsoft.com 查看案例", contactLink, "www.abcsoft.com", ""},
		{"link bare", "更多模板见 mytemplates.top/list", contactLink, "mytemplates.top", ""},
		{"offline trade", "支持线下交易，价格更低", contactOffline, "线下交易", ""},
		{"offline spaced", "可私 下 转 账 享九折", contactOffline, "私下转账", ""},
		{"offline traditional", "歡迎線下交易", contactOffline, "线下交易", ""},
		{"offline bypass", "绕过平台直接签约更划算", contactOffline, "绕过平台", ""},
		{"offline private chat", "有需要加我私聊", contactOffline, "加我私聊", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms := cf.find("description", tc.text)
			var hit *listing.Match
			for i := range ms {
				if ms[i].Kind == tc.kind {
					hit = &ms[i]
				}
			}
			if hit == nil {
				t.Fatalf("find(%q) = %+v, want a %s", tc.text, ms, tc.kind)
			}
			if tc.value != "" && hit.Value != tc.value {
				t.Errorf("value = %q, want %q", hit.Value, tc.value)
			}
			if tc.quoted != "" && hit.Text != tc.quoted {
				t.Errorf("quoted = %q, want %q", hit.Text, tc.quoted)
			}
			if got := string([]rune(tc.text)[hit.Start:hit.End]); got != hit.Text {
				t.Errorf("offsets %d..%d quote %q, evidence says %q", hit.Start, hit.End, got, hit.Text)
			}
		})
	}
}

func TestContactFinderLeavesHonestTextAlone(t *testing.T) {
	cf := newContactFinder(defaultPolicy().Contact)
	tests := []struct{ name, text string }{
		{"prices", "基础版¥1999，标准版 2999元/年，旗舰版 ￥12,800.00，立省 1599 元"},
		{"plan durations", "1年 / 2年 / 3年套餐可选，两年享八折，三年送一年"},
		{"dates", "2024-05-01 上线，2024年5月1日起升级；更新于 2025.12.31"},
		{"timestamps", "最后更新 2024-05-01 13:30:00"},
		{"versions", "当前版本 v2.3.1，兼容 V3.10.12 及以上，内核 1.13.2"},
		{"order numbers", "订单号 13812345678，工单编号：15900001111"},
		{"long order id", "交易流水 202405011234567890"},
		{"service hours", "服务时间 周一至周日 09:00-18:00，节假日 09:00 - 18:00"},
		{"wechat products", "基于微信小程序开发，支持微信支付、微信登录和微信公众号消息推送"},
		{"wechat pay english", "Supports WeChat Pay and WeChat miniprogram login"},
		{"qq login", "支持QQ登录，客服时间内不会出现QQ离线"},
		{"enterprise wechat channel", "企业微信"},
		{"allowed links", "详见 https://weda.tencent.com/market/app/123 与 cloud.tencent.com/document/product/1301"},
		{"tech names", "前端基于 Vue.js 与 Node.js，后端 ASP.NET Core，调用 wx.login 接口"},
		{"online offline feature", "打通线上线下交易数据，门店与商城库存实时同步"},
		{"counts", "已服务 3000+ 门店，覆盖 120 个城市，一站式交付"},
		{"ip and ports", "默认部署在 192.168.1.10:8080"},
		{"percent and sizes", "识别准确率 99.5%，支持 1920*1080 分辨率，库存 10000 件"},
		{"chinese number words", "一对一培训，三天上线，九大功能模块，七大行业方案"},
		{"license number", "ICP备案号：粤ICP备12345678号-1，统一社会信用代码 91440300MA5XXXXX1X"},
		{"model numbers", "适配 iPhone13 与 Mate40，支持 5G"},
		{"phone field label", "客服电话请在购买后于订单页查看"},
		{"spaced wechat product", "基于微 信小程序，支持微-信支付"},
		{"traditional honest", "2024年5月1日正式開放，當前版本 V3.10.12，支持線上和線下交易統一對賬"},
		{"price list spaced", "套餐价格 1299 1599 1999 元"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if ms := cf.find("description", tc.text); len(ms) > 0 {
				t.Errorf("find(%q) = %+v, want nothing", tc.text, ms)
			}
		})
	}
}

func TestContactFinderReportsEveryMatch(t *testing.T) {
	cf := newContactFinder(defaultPolicy().Contact)
	ms := cf.find("summary", "QQ 12345678 或微信 ab_c1234，电话 13800001111")
	var kinds []string
	for _, m := range ms {
		kinds = append(kinds, m.Kind)
	}
	if got := strings.Join(kinds, ","); got != "qq,wechat,mobile" {
		t.Errorf("kinds = %s, want qq,wechat,mobile in text order", got)
	}
}

// BenchmarkContactFinder runs the contact search over a listing-sized
// description (about 1,200 characters) with one disguised WeChat id, as
// every scanned listing's fields are searched.
//
//	go test ./scanner -run '^$' -bench ContactFinder
func BenchmarkContactFinder(b *testing.B) {
	cf := newContactFinder(defaultPolicy().Contact)
	text := strings.Repeat("本系统支持门店扫码点餐、会员储值与积分营销，后台可配置菜品、桌台和打印机，提供一年免费售后与源码交付。", 24) +
		"详情咨询微 信：weda_shop2024"
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if ms := cf.find("description", text); len(ms) != 1 {
			b.Fatalf("found %d contacts, want 1", len(ms))
		}
	}
}
