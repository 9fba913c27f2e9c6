package similarity

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// Listing descriptions as providers write them: a product pitch followed by
// the marketplace's stock service promises.
const (
	descOriginal = "悦享轻食扫码点餐小程序专为轻食店、沙拉店和咖啡简餐门店打造。" +
		"顾客到店扫描桌贴二维码即可浏览菜单、选择规格并在线下单，无需排队等待服务员。" +
		"后厨通过云打印机实时接收订单，出餐完成后系统自动推送取餐提醒。" +
		"会员体系支持储值、积分和等级折扣，老顾客复购率平均提升三成。" +
		"商家可在后台设置满减、第二份半价和限时秒杀等营销活动，节假日也能灵活调整菜单价格。" +
		"经营报表按日、周、月汇总营业额、客单价和热销菜品，帮助店长安排备货。" +
		"多家分店共用一套菜品库，总部统一定价，分店可单独上下架当日售罄的餐品。" +
		"顾客可以提前预约到店时间，高峰期间由系统按取餐号顺序叫号，减少堂食拥挤。" +
		"外带订单支持打包费设置，环保餐具可按需勾选。\n" +
		"支持二次开发，源码交付，提供一年免费售后。包含后台管理系统，可定制开发。"

	// descPartialCopy keeps six of the original's nine product sentences,
	// reordered, and adds as much text of its own.
	descPartialCopy = "会员体系支持储值、积分和等级折扣，老顾客复购率平均提升三成。" +
		"悦享轻食扫码点餐小程序专为轻食店、沙拉店和咖啡简餐门店打造。" +
		"顾客到店扫描桌贴二维码即可浏览菜单、选择规格并在线下单，无需排队等待服务员。" +
		"我们的团队深耕本地餐饮数字化八年，服务过两百多家门店，熟悉各类小吃快餐的出餐流程。" +
		"后厨通过云打印机实时接收订单，出餐完成后系统自动推送取餐提醒。" +
		"系统上线前会派专人上门培训店员，直到每位收银员都能独立完成退款和改单操作。" +
		"经营报表按日、周、月汇总营业额、客单价和热销菜品，帮助店长安排备货。" +
		"新店开业季可申请三个月的免费试用，期间赠送桌贴物料和菜单拍摄服务。" +
		"多家分店共用一套菜品库，总部统一定价，分店可单独上下架当日售罄的餐品。" +
		"如需对接美团或饿了么外卖平台，可另行购买接口插件，按年续费。\n" +
		"支持二次开发，源码交付，提供一年免费售后。"

	descHonestFood = "味来餐饮外卖点餐系统适合中小型餐厅和快餐连锁使用。" +
		"堂食顾客扫码点餐后直接微信支付，外卖订单自动对接骑手配送，配送进度实时可查。" +
		"菜品支持多规格、加料和套餐组合，库存不足时自动下架。" +
		"收银台、厨房显示屏和小票打印机数据同步，高峰时段也不会漏单。" +
		"会员可领取优惠券并参与拼团活动，商家在后台一键发布新品。\n" +
		"支持二次开发，源码交付，提供一年免费售后。包含后台管理系统，可定制开发。"

	descHonestBeauty = "花漾美业预约小程序服务于美容院、美甲店和养生馆。" +
		"顾客在手机上选择门店、技师和时间段即可完成预约，到店前一小时收到短信提醒。" +
		"技师排班表一目了然，避免同一时段重复接单。" +
		"次卡、疗程卡和储值卡统一核销，剩余次数随时可查。" +
		"店长可以查看每位技师的服务业绩和顾客评价，月底自动生成提成明细。\n" +
		"支持二次开发，源码交付，提供一年免费售后。包含后台管理系统，可定制开发。"
)

// Product sentences of other listings in the test catalogue, one per
// provider.
var catalogueSentences = []string{
	"邻里优选社区团购商城帮助团长管理自提点和拼团订单，每日截单后自动生成配货清单。",
	"智联物业报修缴费助手让业主在线提交报修工单，维修师傅接单后实时反馈处理进度。",
	"启航教育课程报名平台支持试听预约、分班排课和家长端的上课提醒，学费可分期支付。",
	"乐动健身会员约课系统提供团课排期、私教预约和体测记录，会员卡到期前自动提醒续费。",
	"安居房产经纪人展业通帮助经纪人发布房源海报，客户浏览记录会推送给对应的经纪人。",
	"鲜果汇水果生鲜配送站按小区划分配送路线，骑手扫码确认送达，缺货商品自动退款。",
	"童趣乐园门票核销系统支持分时段预约入园，闸机扫码核销，节假日自动切换票价。",
	"良匠家装预约小程序展示装修案例和设计师作品，业主可在线预约免费量房。",
	"书香图书借阅小程序对接馆内图书目录，读者扫码借还，逾期自动计算滞纳金。",
	"萌宠之家宠物店小程序提供洗护美容预约和寄养看护，主人可随时查看宠物照片。",
}

// Stock wording that is not in the built-in list: the catalogue weights must
// catch it.
var catalogueGeneric = []string{
	"欢迎新老客户咨询合作，我们将竭诚为您服务。",
	"购买后请联系在线客服获取安装包和使用说明。",
	"本产品适用于各类实体门店的数字化经营。",
}

// catalogueWeights builds weights from a catalogue of fourteen providers,
// each writing its own product text, the stock wording and the marketplace
// boilerplate.
func catalogueWeights(tb testing.TB, f *TextFingerprinter) Weights {
	tb.Helper()
	b := NewWeightsBuilder(WeightsConfig{})
	own := append([]string{descOriginal, descHonestFood, descHonestBeauty, descPartialCopy}, catalogueSentences...)
	for i, text := range own {
		full := text + strings.Join(catalogueGeneric, "") + "支持二次开发，源码交付，提供一年免费售后。"
		b.Add(fmt.Sprintf("P-%02d", i), f.Description(full).Shingles)
	}
	return b.Build()
}

var testFingerprinter = sync.OnceValues(NewTextFingerprinter)

func fingerprinter(tb testing.TB) *TextFingerprinter {
	tb.Helper()
	f, err := testFingerprinter()
	if err != nil {
		tb.Fatalf("NewTextFingerprinter: %v", err)
	}
	return f
}

func TestLevenshteinRatio(t *testing.T) {
	n := normalizer(t)
	tests := []struct {
		name     string
		a, b     string
		min, max float64
	}{
		{"identical", "悦享轻食扫码点餐会员系统", "悦享轻食扫码点餐会员系统", 1, 1},
		{"one of twelve characters changed", "悦享轻食扫码点餐会员系统", "悦享轻食扫码订餐会员系统", 0.916, 0.917},
		{"two of twelve characters changed", "悦享轻食扫码点餐会员系统", "悦享简食扫码订餐会员系统", 0.833, 0.834},
		{"one character inserted", "悦享轻食扫码点餐会员系统", "悦享轻食扫码点餐会员管系统", 0.923, 0.924},
		{"generic titles of one category", "智慧餐厅点餐小程序", "餐饮外卖点餐系统", 0, 0.35},
		{"generic titles sharing the product word", "智慧餐厅点餐小程序", "餐饮外卖点餐小程序", 0, 0.6},
		{"different categories", "花漾美业门店预约平台", "悦享轻食扫码点餐系统", 0, 0.1},
		{"empty and text", "", "点餐", 0, 0},
		{"both empty", "", "", 0, 0},
		{"counts characters not bytes", "点餐a", "点餐b", 0.666, 0.667},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := n.Normalize(tt.a), n.Normalize(tt.b)
			got := LevenshteinRatio(a, b)
			if got < tt.min || got > tt.max {
				t.Errorf("LevenshteinRatio(%q, %q) = %.4f, want in [%.3f, %.3f]", a, b, got, tt.min, tt.max)
			}
			if back := LevenshteinRatio(b, a); back != got {
				t.Errorf("not symmetric: %.4f one way, %.4f the other", got, back)
			}
		})
	}
	// The edit of a 12-character title must stand well clear of generic
	// titles of the same category.
	edit := LevenshteinRatio("悦享轻食扫码点餐会员系统", "悦享简食扫码订餐会员系统")
	generic := LevenshteinRatio("智慧餐厅点餐小程序", "餐饮外卖点餐系统")
	if edit-generic < 0.4 {
		t.Errorf("two-character edit scores %.3f, generic titles %.3f: margin under 0.4", edit, generic)
	}
}

func TestLevenshteinRatioBounded(t *testing.T) {
	long := strings.Repeat("点", MaxLevenshteinRunes) + strings.Repeat("餐", 5000)
	other := strings.Repeat("点", MaxLevenshteinRunes) + strings.Repeat("单", 5000)
	if got := LevenshteinRatio(long, other); got != 1 {
		t.Errorf("texts equal in their first %d runes score %.3f, want 1", MaxLevenshteinRunes, got)
	}
}

func TestContainment(t *testing.T) {
	weights := NewWeightsBuilder(WeightsConfig{FullUpTo: 2, ZeroFrom: 4})
	for _, p := range []string{"P1", "P2", "P3", "P4"} {
		weights.Add(p, []uint64{100, 101})
	}
	w := weights.Build()
	tests := []struct {
		name string
		a, b []uint64
		w    Weights
		want float64
	}{
		{"identical", []uint64{1, 2, 3}, []uint64{3, 2, 1}, Weights{}, 1},
		{"contained", []uint64{1, 2}, []uint64{1, 2, 3, 4, 5, 6}, Weights{}, 1},
		{"half", []uint64{1, 2, 3, 4}, []uint64{3, 4, 5, 6}, Weights{}, 0.5},
		{"disjoint", []uint64{1, 2}, []uint64{3, 4}, Weights{}, 0},
		{"duplicates count once", []uint64{1, 1, 1, 2}, []uint64{1, 3}, Weights{}, 0.5},
		{"shared only weightless", []uint64{1, 100, 101}, []uint64{2, 100, 101}, w, 0},
		{"weightless ignored in size", []uint64{1, 2, 100, 101}, []uint64{1, 2, 3, 4, 100}, w, 1},
		{"all weightless", []uint64{100, 101}, []uint64{100, 101}, w, 0},
		{"empty", nil, []uint64{1}, Weights{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Containment(tt.a, tt.b, tt.w)
			if got < tt.want-1e-9 || got > tt.want+1e-9 {
				t.Errorf("Containment(%v, %v) = %.4f, want %.4f", tt.a, tt.b, got, tt.want)
			}
			if back := Containment(tt.b, tt.a, tt.w); back != got {
				t.Errorf("not symmetric: %.4f one way, %.4f the other", got, back)
			}
			a, b := asSortedSet(tt.a), asSortedSet(tt.b)
			if of := ContainmentOf(a, tt.w.Of(a), b, tt.w.Of(b)); of != got {
				t.Errorf("ContainmentOf with weights looked up once = %.4f, Containment %.4f", of, got)
			}
		})
	}
}

func TestMatchedSpans(t *testing.T) {
	n := normalizer(t)
	tests := []struct {
		name     string
		a, b     string
		minRunes int
		want     []string
	}{
		{"copied sentence inside other text", "我们的门店系统。顾客扫码即可在线下单无需排队。欢迎使用",
			"自助点餐。顾客扫码即可在线下单无需排队。后厨打印", 6, []string{"顾客扫码即可在线下单无需排队"}},
		{"reordered sentences", "会员储值积分。后厨云打印接单。扫码点餐下单。", "扫码点餐下单。会员储值积分。后厨云打印接单。",
			4, []string{"会员储值积分后厨云打印接单", "扫码点餐下单"}},
		{"short matches ignored", "点餐系统", "订餐系统", 4, nil},
		{"disguised copy matches whole", "悦享轻食扫码点餐", "悅\u200b享 輕食·掃碼點餐", 4, []string{"悦享轻食扫码点餐"}},
		{"repeated text quoted once", "点餐点餐点餐", "点餐", 2, []string{"点餐"}},
		{"empty", "", "点餐", 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := n.Normalize(tt.a), n.Normalize(tt.b)
			spans := MatchedSpans(a, b, tt.minRunes)
			var got []string
			for _, s := range spans {
				got = append(got, s.Text)
				checkSpan(t, a, b, s, tt.minRunes)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("MatchedSpans(%q, %q, %d) = %q, want %q", a, b, tt.minRunes, got, tt.want)
			}
		})
	}
}

// checkSpan verifies that s quotes both texts at its offsets.
func checkSpan(t *testing.T, a, b string, s Span, minRunes int) {
	t.Helper()
	ra, rb := []rune(a), []rune(b)
	if s.AStart < 0 || s.AEnd > len(ra) || s.BStart < 0 || s.BEnd > len(rb) || s.AEnd-s.AStart != s.BEnd-s.BStart {
		t.Fatalf("span %+v out of range of %d and %d runes", s, len(ra), len(rb))
	}
	if string(ra[s.AStart:s.AEnd]) != s.Text || string(rb[s.BStart:s.BEnd]) != s.Text {
		t.Fatalf("span %+v does not quote %q at A and B offsets", s, s.Text)
	}
	if utf8.RuneCountInString(s.Text) < max(minRunes, 1) {
		t.Fatalf("span %q shorter than %d runes", s.Text, minRunes)
	}
}

func TestMatchedSpansPartialCopy(t *testing.T) {
	n := normalizer(t)
	a, b := n.Normalize(descOriginal), n.Normalize(descPartialCopy)
	spans := MatchedSpans(a, b, 8)
	copied := 0
	for _, s := range spans {
		checkSpan(t, a, b, s, 8)
		copied += s.AEnd - s.AStart
	}
	// Six of nine product sentences plus the shared boilerplate.
	if share := float64(copied) / float64(utf8.RuneCountInString(a)); share < 0.6 || share > 0.85 {
		t.Errorf("spans cover %.2f of the original, want 0.6–0.85: %+v", share, spans)
	}
}

// TestTextCopiesAreCaught runs each evasion end to end: the copy must share
// a candidate key with the original and score as a copy.
func TestTextCopiesAreCaught(t *testing.T) {
	f := fingerprinter(t)
	w := catalogueWeights(t, f)
	tests := []struct {
		name     string
		original string
		copy     string
		title    bool
		minScore float64
	}{
		{"title verbatim", titleOriginal, titleOriginal, true, 1},
		{"title with zero width characters", titleOriginal, "悦\u200b享轻食·扫码\u200d点餐会员\ufeff一体化小程序", true, 1},
		{"title in traditional characters", titleOriginal, "悅享輕食·掃碼點餐會員一體化小程序", true, 1},
		{"title with spaces", titleOriginal, "悦享 轻食 扫码 点餐 会员 一体化 小程序", true, 1},
		{"title with one character changed", titleOriginal, "悦享轻食·扫码订餐会员一体化小程序", true, 0.93},
		{"title with two characters changed", titleOriginal, "悦享简食·扫码订餐会员一体化小程序", true, 0.87},
		{"title with homoglyphs", "Smart Coffee 扫码点餐", "Ѕmаrt Соffее 扫码点餐", true, 1},
		{"title full width", "Smart Coffee 扫码点餐", "Ｓｍａｒｔ Ｃｏｆｆｅｅ 扫码点餐", true, 1},
		{"description verbatim", descOriginal, descOriginal, false, 1},
		{"description in traditional characters", descOriginal, s2t(t, descOriginal), false, 1},
		{"description disguised", descOriginal, disguise(s2t(t, descOriginal)), false, 1},
		{"description with shuffled sentences", descOriginal, shuffleSentences(descOriginal), false, 1},
		{"description with a full stop every few characters", descOriginal, punctuateEvery(descOriginal, 3), false, 1},
		{"description partially copied", descOriginal, descPartialCopy, false, 0.6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a, b TextFingerprint
			var score float64
			if tt.title {
				a, b = f.Title(tt.original), f.Title(tt.copy)
				score = LevenshteinRatio(a.Normalized, b.Normalized)
			} else {
				a, b = f.Description(tt.original), f.Description(tt.copy)
				score = Containment(a.Shingles, b.Shingles, w)
			}
			if score < tt.minScore {
				t.Errorf("score %.3f, want at least %.3f\noriginal %q\ncopy     %q", score, tt.minScore, a.Normalized, b.Normalized)
			}
			if shared := sharedKeys(a.Keys, b.Keys); shared == 0 {
				t.Errorf("copy shares no key with the original (%d and %d keys)", len(a.Keys), len(b.Keys))
			}
		})
	}
}

// TestHonestListingsAreNotCopies checks that listings sharing only the
// marketplace's wording and their category's words do not score as copies.
func TestHonestListingsAreNotCopies(t *testing.T) {
	f := fingerprinter(t)
	w := catalogueWeights(t, f)
	tests := []struct {
		name     string
		a, b     string
		title    bool
		maxScore float64
	}{
		{"same category descriptions", descOriginal, descHonestFood, false, 0.1},
		{"different category descriptions", descOriginal, descHonestBeauty, false, 0.05},
		{"boilerplate only", "支持二次开发，源码交付，提供一年免费售后。包含后台管理系统，可定制开发。一对一技术支持，免费部署上线。",
			"包含后台管理系统！可定制开发！支持二次开发。源码交付。提供一年免费售后，免费部署上线，一对一技术支持。", false, 0.05},
		{"boilerplate and stock wording around own text", catalogueSentences[0] + strings.Join(catalogueGeneric, "") + "支持二次开发，源码交付。",
			catalogueSentences[1] + strings.Join(catalogueGeneric, "") + "源码交付，支持二次开发。", false, 0.05},
		{"generic titles of one category", "智慧餐厅点餐小程序", "餐饮外卖点餐系统", true, 0.35},
		{"titles sharing stock words", "悦享轻食扫码点餐微信小程序", "花漾美业门店预约微信小程序", true, 0.4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var score float64
			if tt.title {
				a, b := f.Title(tt.a), f.Title(tt.b)
				score = LevenshteinRatio(a.Normalized, b.Normalized)
			} else {
				a, b := f.Description(tt.a), f.Description(tt.b)
				score = Containment(a.Shingles, b.Shingles, w)
			}
			if score > tt.maxScore {
				t.Errorf("score %.3f, want at most %.3f", score, tt.maxScore)
			}
		})
	}
	// Boilerplate alone makes no keys at all.
	if keys := f.Description("支持二次开发，源码交付，提供一年免费售后。包含后台管理系统，可定制开发。").Keys; len(keys) != 0 {
		t.Errorf("boilerplate-only description has %d keys, want none", len(keys))
	}
}

func sharedKeys(a, b []string) int {
	set := map[string]bool{}
	for _, k := range a {
		set[k] = true
	}
	n := 0
	for _, k := range b {
		if set[k] {
			n++
		}
	}
	return n
}

// shuffleSentences reverses the order of the sentences of s, a
// deterministic shuffle.
func shuffleSentences(s string) string {
	parts := strings.SplitAfter(strings.ReplaceAll(s, "\n", "。"), "。")
	slices.Reverse(parts)
	return strings.Join(parts, "")
}

// punctuateEvery inserts a full stop after every n-th character, cutting
// the text into pieces too short for shingles of their own.
func punctuateEvery(s string, n int) string {
	var b strings.Builder
	i := 0
	for _, r := range s {
		b.WriteRune(r)
		i++
		if i%n == 0 {
			b.WriteRune('。')
		}
	}
	return b.String()
}

func FuzzMatchedSpans(f *testing.F) {
	f.Add("顾客扫码即可在线下单无需排队", "自助点餐顾客扫码即可在线下单", 4)
	f.Add("点餐点餐点餐", "点餐", 1)
	f.Add("", "x", 0)
	f.Fuzz(func(t *testing.T, a, b string, minRunes int) {
		a, b = strings.ToValidUTF8(a, ""), strings.ToValidUTF8(b, "")
		minRunes = minRunes % 16
		spans := MatchedSpans(a, b, minRunes)
		usedA := map[int]bool{}
		for _, s := range spans {
			checkSpan(t, a, b, s, minRunes)
			for i := s.AStart; i < s.AEnd; i++ {
				if usedA[i] {
					t.Fatalf("rune %d of a quoted twice in %+v", i, spans)
				}
				usedA[i] = true
			}
		}
	})
}

func BenchmarkMatchedSpans(b *testing.B) {
	n := normalizer(b)
	a, c := n.Normalize(descOriginal), n.Normalize(descPartialCopy)
	for b.Loop() {
		MatchedSpans(a, c, 8)
	}
}

func TestTextFingerprintRoundTrip(t *testing.T) {
	f := fingerprinter(t)
	for _, fp := range []TextFingerprint{f.Title(titleOriginal), f.Description(descOriginal)} {
		data, err := json.Marshal(fp)
		if err != nil {
			t.Fatal(err)
		}
		var back TextFingerprint
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if !back.Comparable() || back.Normalized != fp.Normalized || !slices.Equal(back.Shingles, fp.Shingles) || !slices.Equal(back.Keys, fp.Keys) {
			t.Errorf("fingerprint changed in JSON: %s", data)
		}
	}
	tests := []struct {
		name string
		fp   TextFingerprint
		want bool
	}{
		{"current", TextFingerprint{Version: TextPrintVersion, Normalized: "点餐"}, true},
		{"older version", TextFingerprint{Version: TextPrintVersion - 1, Normalized: "点餐"}, false},
		{"no text", f.Title("！！！"), false},
		{"zero", TextFingerprint{}, false},
	}
	for _, tt := range tests {
		if got := tt.fp.Comparable(); got != tt.want {
			t.Errorf("%s: Comparable() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestFingerprinterConcurrent checks that one fingerprinter serves many
// goroutines with the results it gives one.
func TestFingerprinterConcurrent(t *testing.T) {
	f := fingerprinter(t)
	inputs := append([]string{titleOriginal, descOriginal, s2t(t, descOriginal), "Ѕmаrt Соffее"}, catalogueSentences...)
	want := make([]TextFingerprint, len(inputs))
	for i, in := range inputs {
		want[i] = f.Description(in)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(inputs))
	for range 4 {
		wg.Go(func() {
			for i, in := range inputs {
				if got := f.Description(in); got.Normalized != want[i].Normalized || !slices.Equal(got.Keys, want[i].Keys) {
					errs <- in
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for in := range errs {
		t.Errorf("concurrent fingerprint of %q differs", in)
	}
}

// EditsAtLeast never exceeds the edit distance, and it is what lets most
// title pairs skip computing it.
func TestEditsAtLeastBoundsTheDistance(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	alphabet := []rune("智慧餐饮点单小程序医疗预约商城会员管理系统ab1")
	random := func() string {
		rs := make([]rune, rng.IntN(14))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(rs)
	}
	pruned := 0
	for range 5000 {
		a, b := random(), random()
		lb := EditsAtLeast(a, RuneSetOf(a), b, RuneSetOf(b))
		d := levenshtein.ComputeDistance(a, b)
		if lb > d {
			t.Fatalf("%q, %q: bound %d over the distance %d", a, b, lb, d)
		}
		if lb > 0 {
			pruned++
		}
	}
	if pruned < 1000 {
		t.Fatalf("the bound was above zero for only %d of 5000 pairs", pruned)
	}
	if got := EditsAtLeast("智慧餐饮", RuneSetOf("智慧餐饮"), "智慧医疗", RuneSetOf("智慧医疗")); got != 2 {
		t.Fatalf("two characters each side lacks: bound %d, want 2", got)
	}
}
