package marketgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/listingscan/listingscan/listing"
)

// PolicyOptions configures a labelled corpus for the single-listing rules.
type PolicyOptions struct {
	// Split is "tune" or "holdout"; the splits use different seeds.
	Split   string
	N       int    // listings; 0 means 600
	Seed    uint64 // 0: the split's default seed
	Fonts   *Fonts
	Workers int
	Logger  *slog.Logger
}

// Default seeds of the policy corpus splits.
const (
	PolicyTuneSeed    = 0x706f6c74
	PolicyHoldoutSeed = 0x706f6c68
)

// PolicyTruthLine is one label of a policy corpus: a violation the scan
// must report on one listing (Expect true), or a trap — honest text or an
// image that resembles a violation — on which Rule must not fire.
type PolicyTruthLine struct {
	Rule      string `json:"rule"`
	ListingID string `json:"listing_id"`
	Transform string `json:"transform"`
	Expect    bool   `json:"expect"`
}

// policyCase plants one violation or one trap in a clean listing.
type policyCase struct {
	rule      string // the rule it is about
	transform string // the disguise or trap kind
	trap      bool
	plant     func(g *policyGen, e *entry)
}

// policyGen plants cases into a corpus.
type policyGen struct {
	c *corpus
	// extraHTML is appended to a listing's description; hidden marks the
	// paragraph to hide from view.
	extraHTML map[*entry][]string
}

// WritePolicy writes a labelled corpus for the single-listing rules to out:
// listings.jsonl, img/ and truth.ndjson. Every listing starts clean (valid
// plans, daily 09:00–18:00 service, 1–5 tags, no contact details) and gets
// one planted violation with one disguise, or one trap, in rotation, so
// every rule and every disguise is measured on about N / (cases) listings.
func WritePolicy(ctx context.Context, out string, o PolicyOptions) (*Summary, error) {
	prefix, seed, err := pickSplit(o.Split, "PT", PolicyTuneSeed, "PH", PolicyHoldoutSeed, o.Seed)
	if err != nil {
		return nil, err
	}
	if o.N == 0 {
		o.N = 600
	}
	if o.N < 1 || o.N > 20000 {
		return nil, fmt.Errorf("n %d: want 1–20000 listings", o.N)
	}
	log := orDiscard(o.Logger)
	c, err := newCorpus(seed, prefix, 5, 1)
	if err != nil {
		return nil, err
	}
	g := &policyGen{c: c, extraHTML: map[*entry][]string{}}
	truth := g.plan(o.N)
	for e, extra := range g.extraHTML {
		e.descHTML = e.text.Desc.HTML(e.l.Images) + strings.Join(extra, "")
	}
	sum, err := c.render(ctx, out, o.Fonts, o.Workers, log)
	if err != nil {
		return nil, err
	}
	var tb bytes.Buffer
	enc := json.NewEncoder(&tb)
	enc.SetEscapeHTML(false)
	for _, t := range truth {
		if err := enc.Encode(t); err != nil {
			return nil, fmt.Errorf("encode truth: %w", err)
		}
	}
	if err := writeFile(out, "truth.ndjson", tb.Bytes()); err != nil {
		return nil, err
	}
	sum.Truth = sum.Truth[:0]
	for _, t := range truth {
		sum.Truth = append(sum.Truth, TruthLine{Rule: t.Rule, ListingID: t.ListingID, Transform: t.Transform, Expect: t.Expect})
	}
	return sum, nil
}

// plan creates n listings, each clean but for its case, and returns the
// truth.
func (g *policyGen) plan(n int) []PolicyTruthLine {
	c := g.c
	r := c.r
	var provs []*provider
	for i := range max(4, n/25) {
		provs = append(provs, c.newProvider(fmt.Sprintf("P-%s%03d", c.idPrefix, i+1), "", "", pick(r, Categories)))
	}
	cases := policyCases()
	base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	w := where{file: "listings.jsonl", format: formatJSONL}
	var truth []PolicyTruthLine
	for i := range n {
		p := provs[r.IntN(len(provs))]
		cat := pick(r, Categories)
		text := c.freshText(p, cat, textOptions{noImageBlock: true})
		e := c.newEntry(p, cat, text, base.Add(time.Duration(i)*time.Hour), w)
		g.makeClean(e)
		cs := cases[i%len(cases)]
		cs.plant(g, e)
		truth = append(truth, PolicyTruthLine{Rule: cs.rule, ListingID: e.l.ID, Transform: cs.transform, Expect: !cs.trap})
	}
	return truth
}

// makeClean brings a generated listing within every single-listing rule.
func (g *policyGen) makeClean(e *entry) {
	r := g.c.r
	e.l.OAuth = listing.OAuth{}
	if r.IntN(5) == 0 {
		e.l.OAuth = listing.OAuth{Enabled: true, Reviewed: true}
	}
	e.l.Service.Hours = pick(r, goodHours)
	for utf8.RuneCountInString(e.l.Title) > 30 {
		e.l.Title = string([]rune(e.l.Title)[:30])
	}
	if len(e.l.Tags) > 5 {
		e.l.Tags = e.l.Tags[:5]
	}
}

var goodHours = []string{
	"周一至周日 09:00-18:00", "周一至周日 09:00-18:00", "每天 09:00-18:00", "周一至周日 08:30-20:00",
	"7×24小时", "全年无休 09:00-21:00", "每天早九晚六", "周一到周日 9:00-18:00", "每日 上午9点至下午6点",
	"周一至周日 ０９：００－１８：００", "7*24小时在线", "周一至周五 09:00-18:00，周六日 09:00-18:00",
}

// --- contact values and their disguises ---

func (g *policyGen) mobile() string {
	r := g.c.r
	d := []byte{'1', "35789"[r.IntN(5)]}
	for range 9 {
		d = append(d, byte('0'+r.IntN(10)))
	}
	return string(d)
}

func (g *policyGen) qq() string {
	r := g.c.r
	n := 6 + r.IntN(5)
	d := []byte{byte('1' + r.IntN(9))}
	for len(d) < n {
		d = append(d, byte('0'+r.IntN(10)))
	}
	return string(d)
}

func (g *policyGen) wechatID() string {
	r := g.c.r
	stems := []string{"weda", "shop", "zhang", "li", "chen", "wang", "yun", "tech", "xiao", "sale", "kefu", "mall", "soft"}
	seps := []string{"_", "", "-", "_"}
	second := pick(r, stems)
	return pick(r, stems) + pick(r, seps) + second[:min(len(second), 2+r.IntN(2))] + strconv.Itoa(10+r.IntN(9000))
}

func (g *policyGen) domain() string {
	r := g.c.r
	return pick(r, []string{"demo", "www", "shop", "app", "m"}) + "." +
		pick(r, []string{"yunshang", "zhidian", "kuaida", "xinyi-soft", "beiyun", "dingcan", "lianke"}) +
		strconv.Itoa(r.IntN(99)) + "." + pick(r, []string{"com", "cn", "net", "top", "com.cn"})
}

var (
	cnDigits   = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	finDigits  = []string{"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"}
	homophones = [][]string{{"灵", "零"}, {"幺"}, {"两"}, {"衫", "伞"}, {"似", "寺"}, {"武"}, {"柳", "溜"}, {"漆"}, {"扒", "吧"}, {"久", "酒"}}
)

func (g *policyGen) mapDigits(d string, f func(int) string) string {
	var b strings.Builder
	for _, ch := range d {
		b.WriteString(f(int(ch - '0')))
	}
	return b.String()
}

func fullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > ' ' && r < 0x7f {
			r += 0xfee0
		}
		b.WriteRune(r)
	}
	return b.String()
}

func group344(d, sep string) string { return d[:3] + sep + d[3:7] + sep + d[7:] }

// contactSentences frame a contact the way listings slip them in.
var contactSentences = []string{
	"如需定制开发或演示账号，请联系%s。",
	"购买前可先咨询%s，获取详细报价。",
	"售后对接：%s（工作日秒回）",
	"更多行业案例请加%s了解。",
	"大客户采购享专属优惠，联系%s",
	"部署遇到问题可直接找技术负责人%s",
}

// plantContact puts a contact string into a text field, chosen at random
// among those where it fits the field limits, and returns nothing: the
// listing's truth names the disguise, not the field.
func (g *policyGen) plantContact(e *entry, contact string, hiddenOK bool) {
	r := g.c.r
	sentence := fmt.Sprintf(pick(r, contactSentences), contact)
	fields := []string{"desc", "desc", "desc", "after_sales", "summary"}
	if hiddenOK {
		fields = append(fields, "hidden", "hidden")
	}
	switch pick(r, fields) {
	case "summary":
		if s := e.l.Summary + sentence; utf8.RuneCountInString(s) <= 140 {
			e.l.Summary = s
			return
		}
		g.addPara(e, sentence)
	case "after_sales":
		e.l.Service.AfterSales += sentence
	case "hidden":
		g.addHidden(e, contact)
	default:
		g.addPara(e, sentence)
	}
}

func (g *policyGen) addPara(e *entry, text string) {
	g.extraHTML[e] = append(g.extraHTML[e], "<p>"+html.EscapeString(text)+"</p>")
}

func (g *policyGen) addHidden(e *entry, text string) {
	styles := []string{`display:none`, `font-size:0`, `color:#ffffff`, `visibility:hidden`, `position:absolute;left:-9999px`}
	tag := pick(g.c.r, []string{"p", "span", "div"})
	g.extraHTML[e] = append(g.extraHTML[e], fmt.Sprintf(`<%s style="%s">%s</%s>`, tag, pick(g.c.r, styles), html.EscapeString(text), tag))
}

func contactCase(transform string, hiddenOK bool, value func(g *policyGen) string) policyCase {
	return policyCase{rule: "offplatform.contact", transform: transform, plant: func(g *policyGen, e *entry) {
		g.plantContact(e, value(g), hiddenOK)
	}}
}

func trapCase(rule, transform string, plant func(g *policyGen, e *entry)) policyCase {
	return policyCase{rule: rule, transform: transform, trap: true, plant: plant}
}

func violation(rule, transform string, plant func(g *policyGen, e *entry)) policyCase {
	return policyCase{rule: rule, transform: transform, plant: plant}
}

// policyCases is the rotation of planted violations and traps.
func policyCases() []policyCase {
	cases := []policyCase{
		// QQ
		contactCase("qq.plain", true, func(g *policyGen) string { return pick(g.c.r, []string{"QQ：", "QQ ", "qq:", "QQ号"}) + g.qq() }),
		contactCase("qq.fullwidth", false, func(g *policyGen) string { return fullWidth("QQ " + g.qq()) }),
		contactCase("qq.spaced", false, func(g *policyGen) string {
			return pick(g.c.r, []string{"扣扣 ", "Q号：", "企鹅 "}) + strings.Join(strings.Split(g.qq(), ""), " ")
		}),
		contactCase("qq.chinese", false, func(g *policyGen) string {
			return pick(g.c.r, []string{"企鹅号：", "扣扣", "QQ "}) + g.mapDigits(g.qq(), func(d int) string { return cnDigits[d] })
		}),
		// WeChat
		contactCase("wechat.id", true, func(g *policyGen) string {
			return pick(g.c.r, []string{"微信：", "微信号 ", "微信 "}) + g.wechatID()
		}),
		contactCase("wechat.vx", true, func(g *policyGen) string {
			return pick(g.c.r, []string{"vx：", "VX ", "Vx:", "v信 ", "V信："}) + g.wechatID()
		}),
		contactCase("wechat.homophone", false, func(g *policyGen) string {
			return pick(g.c.r, []string{"加薇 ", "薇信：", "威信 ", "徽信号：", "加V："}) + g.wechatID()
		}),
		contactCase("wechat.wxid", false, func(g *policyGen) string {
			return "wxid_" + strings.ToLower(g.wechatID()[:4]) + strconv.Itoa(1000+g.c.r.IntN(9000))
		}),
		contactCase("wechat.number", false, func(g *policyGen) string {
			return pick(g.c.r, []string{"微信同号 ", "vx同号", "加V "}) + g.mobile()
		}),
		// Mobile numbers
		contactCase("mobile.plain", true, func(g *policyGen) string {
			return pick(g.c.r, []string{"电话 ", "手机：", "热线", "Tel: "}) + g.mobile()
		}),
		contactCase("mobile.spaced", false, func(g *policyGen) string { return "手机 " + group344(g.mobile(), " ") }),
		contactCase("mobile.dashed", true, func(g *policyGen) string { return "电话：" + group344(g.mobile(), "-") }),
		contactCase("mobile.dotted", false, func(g *policyGen) string { return group344(g.mobile(), ".") }),
		contactCase("mobile.fullwidth", false, func(g *policyGen) string { return "手机：" + fullWidth(g.mobile()) }),
		contactCase("mobile.plus86", false, func(g *policyGen) string { return "+86 " + group344(g.mobile(), " ") }),
		contactCase("mobile.chinese", false, func(g *policyGen) string {
			return "电话" + g.mapDigits(g.mobile(), func(d int) string { return cnDigits[d] })
		}),
		contactCase("mobile.financial", false, func(g *policyGen) string {
			return "手机" + g.mapDigits(g.mobile(), func(d int) string { return finDigits[d] })
		}),
		contactCase("mobile.homophone", true, func(g *policyGen) string {
			r := g.c.r
			return g.mapDigits(g.mobile(), func(d int) string {
				if r.IntN(3) == 0 {
					return strconv.Itoa(d)
				}
				return pick(r, homophones[d])
			})
		}),
		contactCase("mobile.zerowidth", false, func(g *policyGen) string {
			var b strings.Builder
			for i, ch := range g.mobile() {
				if i > 0 && i%2 == 0 {
					b.WriteString("\u200b")
				}
				b.WriteRune(ch)
			}
			return "电话 " + b.String()
		}),
		contactCase("mobile.mixed", false, func(g *policyGen) string {
			m := g.mobile()
			return pick(g.c.r, []string{"联系电话：", "手机/微信同号 ", "商务合作 "}) + m[:3] + pick(g.c.r, []string{" ", "-", "－", "·"}) + m[3:7] + pick(g.c.r, []string{"-", " ", "—"}) + m[7:]
		}),
		contactCase("keyword.spaced", false, func(g *policyGen) string {
			if g.c.r.IntN(2) == 0 {
				return pick(g.c.r, []string{"Q Q ", "Ｑ　Ｑ：", "扣 扣："}) + g.qq()
			}
			return pick(g.c.r, []string{"微 信：", "V X：", "微-信 ", "薇 信 "}) + pick(g.c.r, []string{g.wechatID(), g.qq()})
		}),
		contactCase("wechat.search", false, func(g *policyGen) string {
			return pick(g.c.r, []string{"微信搜索 ", "微信搜一搜 ", "加微信号："}) + g.wechatID()
		}),
		// Landlines and hotlines
		contactCase("landline.area", true, func(g *policyGen) string {
			r := g.c.r
			area := pick(r, []string{"010", "021", "020", "0755", "0571", "028", "027"})
			n := strconv.Itoa(2 + r.IntN(7))
			for len(n) < 8 {
				n += strconv.Itoa(r.IntN(10))
			}
			return "座机 " + pick(r, []string{area + "-" + n, "(" + area + ")" + n, area + " " + n[:4] + " " + n[4:]})
		}),
		contactCase("landline.400", false, func(g *policyGen) string {
			r := g.c.r
			return fmt.Sprintf("服务热线 400-%03d-%04d", r.IntN(1000), r.IntN(10000))
		}),
		// E-mail
		contactCase("email.plain", true, func(g *policyGen) string {
			return "邮箱 " + strings.ReplaceAll(g.wechatID(), "-", ".") + "@" + pick(g.c.r, []string{"qq.com", "163.com", "yunshang-tech.cn", "foxmail.com"})
		}),
		contactCase("email.disguised", false, func(g *policyGen) string {
			r := g.c.r
			id := strings.ReplaceAll(g.wechatID(), "-", "_")
			dom := pick(r, []string{"qq", "163", "126", "foxmail"})
			return "邮箱 " + pick(r, []string{id + "#" + dom + ".com", id + " at " + dom + " dot com", id + "艾特" + dom + ".com", id + "(at)" + dom + ".com"})
		}),
		contactCase("email.fullwidth_at", false, func(g *policyGen) string {
			return "联系邮箱：" + strings.ReplaceAll(g.wechatID(), "-", "") + "＠" + pick(g.c.r, []string{"qq.com", "163.com", "sina.com"})
		}),
		violation("offplatform.contact", "link.tel_mailto", func(g *policyGen, e *entry) {
			href := "tel:" + g.mobile()
			if g.c.r.IntN(2) == 0 {
				href = "mailto:" + strings.ReplaceAll(g.wechatID(), "-", "") + "@163.com"
			}
			g.extraHTML[e] = append(g.extraHTML[e], fmt.Sprintf(`<p><a href="%s">一键联系我们</a></p>`, href))
		}),
		// Links
		contactCase("link.text", false, func(g *policyGen) string { return "官网 https://" + g.domain() + "/case" }),
		contactCase("link.bare", false, func(g *policyGen) string { return "演示地址 " + strings.TrimPrefix(g.domain(), "www.") + "/demo" }),
		violation("offplatform.contact", "link.href", func(g *policyGen, e *entry) {
			g.extraHTML[e] = append(g.extraHTML[e], fmt.Sprintf(`<p>查看<a href="https://%s/price">完整报价单</a></p>`, g.domain()))
		}),
		// Off-platform trading
		contactCase("offline.phrase", true, func(g *policyGen) string {
			return pick(g.c.r, []string{"支持线下交易，价格可再优惠", "可私下转账，免平台手续费", "加我私聊，绕过平台更划算", "不走平台直接签合同", "私下交易享八折"})
		}),
		contactCase("offline.disguised", false, func(g *policyGen) string {
			return pick(g.c.r, []string{"线 下 交 易 更 便 宜", "私-下-转-账立减500", "線下交易另有優惠", "绕·过·平·台 直接下单"})
		}),

		// QR codes in images
		qrCase("qr.payment", false, func(g *policyGen) string { return "wxp://f2f0" + g.token(22) }),
		qrCase("qr.alipay", false, func(g *policyGen) string { return "https://qr.alipay.com/fkx" + g.token(18) }),
		qrCase("qr.wechat_card", false, func(g *policyGen) string { return "https://u.wechat.com/E" + g.token(20) }),
		qrCase("qr.qq_group", false, func(g *policyGen) string { return "https://qm.qq.com/cgi-bin/qm/qr?k=" + g.token(24) }),
		qrCase("qr.vcard", false, func(g *policyGen) string {
			return "BEGIN:VCARD\nVERSION:3.0\nFN:" + pick(g.c.r, []string{"张经理", "李工", "王老师"}) + "\nTEL:" + g.mobile() + "\nEND:VCARD"
		}),
		qrCase("qr.link", false, func(g *policyGen) string { return "https://" + g.domain() + "/m/" + g.token(6) }),
		qrCase("trap.qr_marketplace", true, func(g *policyGen) string {
			return "https://weda.tencent.com/market/app/" + strconv.Itoa(10000+g.c.r.IntN(90000))
		}),
		trapCase("offplatform.qr", "trap.plain_images", func(g *policyGen, e *entry) {
			g.c.addPicture(e, kindBanner, 0)
			g.c.addPicture(e, kindScreen, Layout(g.c.r.IntN(int(NumLayouts))))
		}),

		// Prices
		violation("consistency.price", "price.no_plans", func(_ *policyGen, e *entry) { e.l.Price.Plans = nil }),
		violation("consistency.price", "price.above_list", func(g *policyGen, e *entry) {
			p := &e.l.Price.Plans[g.c.r.IntN(len(e.l.Price.Plans))]
			lp, _ := strconv.Atoi(string(p.ListPrice))
			p.Price = json.Number(strconv.Itoa(lp + 100*(1+g.c.r.IntN(20))))
		}),
		violation("consistency.price", "price.text", func(g *policyGen, e *entry) {
			e.l.Price.Plans[0].Price = json.Number(pick(g.c.r, []string{"面议", "免费", "联系客服", "NaN"}))
		}),
		violation("consistency.price", "price.non_positive", func(g *policyGen, e *entry) {
			e.l.Price.Plans[len(e.l.Price.Plans)-1].Price = json.Number(pick(g.c.r, []string{"0", "-1", "-199.00", "0.00"}))
		}),
		violation("consistency.price", "price.absurd", func(g *policyGen, e *entry) {
			e.l.Price.Plans[0].Price = json.Number(pick(g.c.r, []string{"1e308", "99999999999", "1e400", "Infinity"}))
			e.l.Price.Plans[0].ListPrice = ""
		}),
		violation("consistency.price", "price.duplicate_name", func(_ *policyGen, e *entry) {
			pl := e.l.Price.Plans
			e.l.Price.Plans = append(pl, listing.PricePlan{Name: pl[0].Name, Duration: "2年", Unit: pl[0].Unit,
				ListPrice: pl[len(pl)-1].ListPrice, Price: pl[len(pl)-1].Price})
		}),
		trapCase("consistency.price", "trap.price_formats", func(g *policyGen, e *entry) {
			p := &e.l.Price.Plans[0]
			if g.c.r.IntN(2) == 0 {
				p.ListPrice = ""
			} else {
				lp, _ := strconv.Atoi(string(p.ListPrice))
				p.ListPrice = json.Number(fmt.Sprintf("%d,%03d.00", lp/1000, lp%1000))
			}
		}),

		// Service
		violation("service.hours", "hours.weekdays", func(g *policyGen, e *entry) {
			e.l.Service.Hours = pick(g.c.r, []string{"周一至周五 09:00-18:00", "工作日 9:00-18:00", "周一到周五 早九晚六", "9:00-18:00（周一至周五）"})
		}),
		violation("service.hours", "hours.six_days", func(g *policyGen, e *entry) {
			e.l.Service.Hours = pick(g.c.r, []string{"周一至周六 09:00-18:00", "星期一至星期六 9点-18点"})
		}),
		violation("service.hours", "hours.short_day", func(g *policyGen, e *entry) {
			e.l.Service.Hours = pick(g.c.r, []string{"每天 09:00-17:00", "周一至周日 10:00-18:00", "每日 9:30-18:00", "周一至周日 09:00-12:00 14:00-17:30"})
		}),
		violation("service.hours", "hours.weekend_short", func(g *policyGen, e *entry) {
			e.l.Service.Hours = pick(g.c.r, []string{"周一至周五 9:00-18:00，周末 10:00-16:00", "工作日 09:00-18:00，周六日 14:00-18:00"})
		}),
		violation("service.hours", "hours.none", func(_ *policyGen, e *entry) { e.l.Service.Hours = "" }),
		violation("service.missing", "service.empty", func(g *policyGen, e *entry) {
			e.l.Service.AfterSales = pick(g.c.r, []string{"", " ", "无"})
		}),
		trapCase("service.hours", "trap.hours_formats", func(g *policyGen, e *entry) {
			e.l.Service.Hours = pick(g.c.r, []string{"7×24小时", "全年无休 8:30-20:00", "每天早九晚六", "周一至周日 ０９：００－１８：００",
				"每日 上午9点至下午6点", "周一至周五 9:00-18:00，周六日 9:00-18:00", "星期一到星期天 9点-18点"})
		}),

		// OAuth
		violation("oauth.unreviewed", "oauth.unreviewed", func(_ *policyGen, e *entry) { e.l.OAuth = listing.OAuth{Enabled: true} }),

		// Field limits
		violation("quality.title_length", "title.short", func(g *policyGen, e *entry) {
			e.l.Title = pick(g.c.r, []string{"点餐", "商城", "OA", "预约", "门店"})
		}),
		violation("quality.title_length", "title.long", func(_ *policyGen, e *entry) {
			for utf8.RuneCountInString(e.l.Title) <= 30 {
				e.l.Title += "｜支持二次开发源码交付私有化部署多门店连锁版"
			}
		}),
		violation("quality.tags", "tags.none", func(_ *policyGen, e *entry) { e.l.Tags = nil }),
		violation("quality.tags", "tags.too_many", func(_ *policyGen, e *entry) {
			e.l.Tags = append(e.l.Tags, "小程序", "低代码", "微搭", "源码", "SaaS", "定制开发")[:6+len(e.l.Tags)%3]
		}),
		violation("quality.tags", "tags.repeated", func(_ *policyGen, e *entry) { e.l.Tags = append(e.l.Tags[:1], e.l.Tags[0]) }),
		violation("quality.summary_length", "summary.long", func(_ *policyGen, e *entry) {
			for utf8.RuneCountInString(e.l.Summary) <= 140 {
				e.l.Summary += "支持多门店统一管理、会员积分、营销活动配置与经营数据分析。"
			}
		}),
		violation("quality.image_unreadable", "image.truncated", func(g *policyGen, e *entry) {
			pic := g.c.addPicture(e, kindBanner, 0)
			pic.job.outputs[0].transform = "truncate"
		}),
		violation("quality.image_unreadable", "image.missing", func(_ *policyGen, e *entry) {
			e.l.Images = append(e.l.Images, "img/"+e.l.ID+"-deleted.jpg")
		}),
	}
	cases = append(cases, trapCase("offplatform.contact", "trap.relative_link", func(g *policyGen, e *entry) {
		g.extraHTML[e] = append(g.extraHTML[e], fmt.Sprintf(`<p>使用说明见<a href="/market/app/%d#faq">常见问题</a>，或<a href="https://weda.tencent.com/market">返回市场</a>。</p>`, 1000+g.c.r.IntN(9000)))
	}))
	// Traps for offplatform.contact: honest text that looks like contacts.
	for _, t := range contactTraps {
		cases = append(cases, trapCase("offplatform.contact", t.name, func(g *policyGen, e *entry) {
			g.addPara(e, t.text(g))
		}))
	}
	return cases
}

func (g *policyGen) token(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.c.r.IntN(len(alphabet))]
	}
	return string(b)
}

var contactTraps = []struct {
	name string
	text func(g *policyGen) string
}{
	{"trap.price", func(g *policyGen) string {
		r := g.c.r
		p := 600 + r.IntN(60)*100
		return fmt.Sprintf("基础版 ¥%d/年，专业版 %d元/年，旗舰版 ￥%d,%03d.00，活动期间立减 %d 元。", p-1, p*2-1, p*3/1000, p*3%1000, 100+r.IntN(5)*100)
	}},
	{"trap.duration", func(g *policyGen) string {
		return pick(g.c.r, []string{"1年 / 2年 / 3年套餐可选，两年享八折，三年送一年。", "包含12个月售后，续费 1年起，买二送一。"})
	}},
	{"trap.date", func(g *policyGen) string {
		r := g.c.r
		return fmt.Sprintf("本模板于 2024-%02d-%02d 上线，2025年%d月%d日完成第%d次升级，更新于 2025.%02d.%02d。",
			1+r.IntN(12), 1+r.IntN(28), 1+r.IntN(12), 1+r.IntN(28), 2+r.IntN(8), 1+r.IntN(12), 1+r.IntN(28))
	}},
	{"trap.version", func(g *policyGen) string {
		r := g.c.r
		return fmt.Sprintf("当前版本 v%d.%d.%d，兼容微搭 %d.%d 及以上运行时。", 1+r.IntN(5), r.IntN(20), r.IntN(30), 2+r.IntN(3), r.IntN(10))
	}},
	{"trap.order_number", func(g *policyGen) string {
		r := g.c.r
		n := g.mobile()
		return pick(r, []string{
			"示例：订单号 " + n + " 在后台可查询物流状态。",
			fmt.Sprintf("工单编号 %s 的处理进度会短信通知。", n),
			fmt.Sprintf("交易流水 2025%02d%02d%s 自动对账。", 1+r.IntN(12), 1+r.IntN(28), n[:8]),
		})
	}},
	{"trap.service_hours", func(g *policyGen) string {
		return pick(g.c.r, []string{"客服在线时间：每天 09:00-18:00，节假日 09:00 - 18:00 照常。", "技术支持时段 8:30-20:30，7×24小时故障响应。"})
	}},
	{"trap.allowed_link", func(g *policyGen) string {
		return pick(g.c.r, []string{"上架详情见 https://weda.tencent.com/market/app/" + strconv.Itoa(1000+g.c.r.IntN(9000)),
			"部署文档参考 cloud.tencent.com/document/product/1301", "演示入口：https://weda.tencent.com/demo"})
	}},
	{"trap.wechat_product", func(g *policyGen) string {
		return pick(g.c.r, []string{"基于微信小程序开发，支持微信支付、微信登录和微信公众号消息推送。",
			"打通企业微信通讯录，审批结果通过微信服务通知推送。", "支持WeChat Pay 与 WeChat 小程序一键授权登录。"})
	}},
	{"trap.qq_mention", func(g *policyGen) string {
		return pick(g.c.r, []string{"支持QQ登录与QQ浏览器访问，客服时间内不会出现QQ离线。", "可一键分享到QQ空间与微信朋友圈。"})
	}},
	{"trap.counts", func(g *policyGen) string {
		r := g.c.r
		return fmt.Sprintf("已服务 %d+ 门店，覆盖 %d 座城市，日均订单 %d 笔，支持 1920×1080 大屏。", 1000+r.IntN(9000), 20+r.IntN(300), 10000+r.IntN(90000))
	}},
	{"trap.online_offline", func(g *policyGen) string {
		return pick(g.c.r, []string{"打通线上线下交易数据，门店与商城库存实时同步。", "支持线上和线下交易统一对账。"})
	}},
	{"trap.tech_names", func(g *policyGen) string {
		return pick(g.c.r, []string{"前端基于 Vue.js 与 Node.js，调用 wx.login 完成静默授权。", "后端兼容 ASP.NET Core 与 Spring Boot 3。"})
	}},
	{"trap.chinese_numbers", func(g *policyGen) string {
		return pick(g.c.r, []string{"一对一培训，三天上线，九大功能模块，七大行业方案。", "一站式交付，两周完成部署，支持三级分销。"})
	}},
}

// qrCase draws a banner or a screenshot with a QR code of payload pasted
// in a corner at a random size. A trap QR points at the marketplace.
func qrCase(transform string, trap bool, payload func(g *policyGen) string) policyCase {
	return policyCase{rule: "offplatform.qr", transform: transform, trap: trap, plant: func(g *policyGen, e *entry) {
		g.addQRPicture(e, payload(g))
	}}
}
