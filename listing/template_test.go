package listing

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// catalogue is the committed template fixture of the repository.
const catalogue = "../testdata/templates"

func TestLoadTemplatesReadsBothFormats(t *testing.T) {
	ts, bad, err := LoadTemplates(context.Background(), catalogue)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("fixture templates reported bad: %v", bad)
	}
	formats := map[TemplateFormat]int{}
	for _, tp := range ts {
		formats[tp.Format]++
		if tp.ID == "" || len(tp.Pages) == 0 || len(tp.DataSources) == 0 || tp.Category == "" {
			t.Errorf("template %s incomplete: %d pages, %d data sources, category %q", tp.ID, len(tp.Pages), len(tp.DataSources), tp.Category)
		}
		comps := 0
		for _, p := range tp.Pages {
			comps += len(p.Components)
			if p.Title == "" {
				t.Errorf("template %s page %s has no title", tp.ID, p.ID)
			}
		}
		if comps == 0 {
			t.Errorf("template %s has no components", tp.ID)
		}
		switch tp.Format {
		case TemplateJSON:
			if tp.ProviderID == "" {
				t.Errorf("template.json %s names no provider", tp.ID)
			}
		case TemplateExport:
			if tp.ProviderID != "" {
				t.Errorf("export %s has provider %s; exports name none", tp.ID, tp.ProviderID)
			}
			if !tp.HasCode() || !strings.HasPrefix(tp.CodeDigest, "sha256:") {
				t.Errorf("export %s: code digest %q", tp.ID, tp.CodeDigest)
			}
			if len(tp.Images) == 0 {
				t.Errorf("export %s lists no image assets", tp.ID)
			}
			if filepath.Base(filepath.Dir(tp.Source)) != tp.ID {
				t.Errorf("export id %s is not its directory's name (%s)", tp.ID, tp.Source)
			}
		}
	}
	if formats[TemplateJSON] == 0 || formats[TemplateExport] == 0 {
		t.Errorf("formats loaded: %v, want both", formats)
	}
}

// writeFiles lays out files (relative path → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadTemplatesReportsBadTemplatesAndLoadsTheRest(t *testing.T) {
	dir := t.TempDir()
	deep := strings.Repeat(`{"type":"view","children":[`, MaxComponentDepth+2) + `{"type":"text"}` + strings.Repeat(`]}`, MaxComponentDepth+2)
	writeFiles(t, dir, map[string]string{
		"good.json":                    `{"id":"T-1","provider_id":"P-01","name":"餐饮点餐","category":"餐饮","pages":[{"id":"home","title":"首页","components":[{"type":"Swiper"}]}],"code_digest":"sha256:ab"}`,
		"zz-dup.json":                  `{"id":"T-1","name":"同号模板"}`,
		"truncated.json":               `{"id":"T-2","pages":[{"id":"home"`,
		"noid.json":                    `{"name":"没有编号"}`,
		"array.json":                   `[1,2,3]`,
		"deep.json":                    `{"id":"T-3","pages":[{"id":"p","components":[` + deep + `]}]}`,
		"notes.txt":                    "不是模板",
		"_shots/a.png":                 "",
		".hidden/x.json":               "{}",
		"noapp/pages/index/index.wxml": `<view/>`,
		"badapp/app.json":              `{"pages": "pages/index/index"}`,
		"nopages/app.json":             `{"window":{"navigationBarTitleText":"空"}}`,
		"mp/app.json":                  `{"pages":["pages/index/index"],"window":{"navigationBarTitleText":"社区团购"}}`,
		"mp/pages/index/index.wxml":    `<view><text>hi</text></view>`,
		"badds/app.json":               `{"pages":["pages/index/index"]}`,
		"badds/datasources/a.json":     `{"name":`,
	})
	ts, bad, err := LoadTemplates(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tp := range ts {
		got = append(got, tp.ID)
	}
	slices.Sort(got)
	if want := []string{"T-1", "mp"}; !slices.Equal(got, want) {
		t.Errorf("loaded %v, want %v", got, want)
	}
	reasons := map[string]string{}
	for _, e := range bad {
		reasons[filepath.Base(e.File)] = e.Error()
	}
	for file, want := range map[string]string{
		"zz-dup.json":    "duplicate template id T-1",
		"truncated.json": "decode template.json",
		"noid.json":      "missing id",
		"array.json":     "decode template.json",
		"deep.json":      "nested",
		"noapp":          "app.json",
		"badapp":         "app.json",
		"nopages":        "no pages",
		"badds":          "datasources/a.json",
	} {
		if !strings.Contains(reasons[file], want) {
			t.Errorf("%s: reported %q, want a reason containing %q", file, reasons[file], want)
		}
	}
	if len(bad) != 9 {
		t.Errorf("%d bad templates reported, want 9: %v", len(bad), bad)
	}
}

func TestLoadTemplatesMissingCatalogue(t *testing.T) {
	if _, _, err := LoadTemplates(context.Background(), filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("a missing catalogue is not an error")
	}
}

func TestLoadTemplateExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "weda-canteen")
	writeFiles(t, dir, map[string]string{
		"app.json": `{"pages":["pages/home/index","pages/order/index"],
			"subPackages":[{"root":"pkg","pages":["member/index"]}],
			"window":{"navigationBarTitleText":"智慧食堂"},
			"tabBar":{"list":[{"pagePath":"pages/home/index","text":"首页"},{"pagePath":"pages/order/index","text":"订单"}]}}`,
		"package.json":            `{"displayName":"智慧食堂","version":"2.1.0","category":"餐饮","features":["在线点餐"]}`,
		"pages/home/index.json":   `{"navigationBarTitleText":"食堂首页"}`,
		"pages/home/index.wxml":   `<import src="../tpl.wxml"/><swiper><swiper-item wx:for="{{banners}}"><image src="{{item}}"/></swiper-item></swiper><block wx:if="{{ok}}"><text>今日菜单</text></block><scroll-view data-source="menu"><view><image/><text/></view></scroll-view>`,
		"pages/home/index.js":     `Page({})`,
		"pages/home/index.wxss":   `.a{color:#f00}`,
		"pages/order/index.wxml":  `<form datasource="orders"><input/><button>提交</button></form>`,
		"pkg/member/index.json":   `{"navigationBarTitleText":"会员中心"}`,
		"images/banner.png":       "png",
		"datasources/orders.json": `{"name":"orders","title":"订单","schema":{"type":"object","required":["phone"],"properties":{"phone":{"title":"手机号","type":"string","format":"tel"},"idcard":{"title":"身份证号","type":["string","null"],"x-required":true},"addr":{"type":"object","properties":{"lat":{"title":"纬度","type":"number"}}}}}}`,
		"datasources/menu.json":   `{"title":"菜品","properties":{"name":{"title":"菜名","type":"string"}}}`,
	})
	tp, err := LoadTemplateExport(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if tp.ID != "weda-canteen" || tp.Name != "智慧食堂" || tp.Category != "餐饮" || tp.Version != "2.1.0" || tp.Format != TemplateExport {
		t.Errorf("metadata: %+v", tp)
	}
	var titles []string
	for _, p := range tp.Pages {
		titles = append(titles, p.Title)
	}
	if want := []string{"食堂首页", "订单", "会员中心"}; !slices.Equal(titles, want) {
		t.Errorf("page titles %v, want %v", titles, want)
	}
	if !tp.Pages[0].IsHome || !tp.Pages[0].IsTab || tp.Pages[2].IsTab {
		t.Errorf("home/tab flags wrong: %+v", tp.Pages)
	}
	home := tp.Pages[0].Components
	var types []string
	for _, c := range home {
		types = append(types, c.Type)
	}
	if want := []string{"swiper", "text", "scroll-view"}; !slices.Equal(types, want) {
		t.Errorf("home components %v, want %v (import skipped, block transparent)", types, want)
	}
	if home[2].DataSource != "menu" || tp.Pages[1].Components[0].DataSource != "orders" {
		t.Errorf("data source bindings lost: %+v / %+v", home[2], tp.Pages[1].Components[0])
	}
	if !tp.HasCode() || tp.Stats.CodeFiles != 3 || tp.Stats.Styles != 1 {
		t.Errorf("code: digest %q, stats %+v", tp.CodeDigest, tp.Stats)
	}
	if !slices.Equal(tp.Images, []string{"images/banner.png"}) {
		t.Errorf("images %v", tp.Images)
	}
	fields := map[string]DataField{}
	for _, d := range tp.DataSources {
		for _, f := range d.Fields {
			fields[d.Name+"."+f.Name] = f
		}
	}
	if f := fields["orders.phone"]; f.Format != "tel" || !f.Required || f.Title != "手机号" {
		t.Errorf("orders.phone = %+v", f)
	}
	if f := fields["orders.idcard"]; f.Type != "string" || !f.Required {
		t.Errorf("orders.idcard = %+v", f)
	}
	if f := fields["orders.addr.lat"]; f.Title != "纬度" || f.Type != "number" {
		t.Errorf("nested field orders.addr.lat = %+v", f)
	}
	if _, ok := fields["menu.name"]; !ok {
		t.Errorf("profile without a name lost its fields: %v", fields)
	}

	// The digest depends on the code, not on when it was read.
	again, err := LoadTemplateExport(context.Background(), dir)
	if err != nil || again.CodeDigest != tp.CodeDigest {
		t.Errorf("digest not stable: %q vs %q (%v)", again.CodeDigest, tp.CodeDigest, err)
	}
	writeFiles(t, dir, map[string]string{"pages/home/index.js": `Page({onLoad(){}})`})
	changed, err := LoadTemplateExport(context.Background(), dir)
	if err != nil || changed.CodeDigest == tp.CodeDigest {
		t.Errorf("digest did not change with the code: %q (%v)", changed.CodeDigest, err)
	}
}

func TestExportWithoutCodeHasNoDigest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shell")
	writeFiles(t, dir, map[string]string{
		"app.json":           `{"pages":["pages/index/index"]}`,
		"images/cover.png":   "png",
		"datasources/a.json": `{"name":"a","properties":{"x":{"type":"string"}}}`,
	})
	tp, err := LoadTemplateExport(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if tp.HasCode() {
		t.Errorf("export without scripts or markup has code digest %q", tp.CodeDigest)
	}
}

func TestParseWXML(t *testing.T) {
	type node = Component
	tests := []struct {
		name string
		in   string
		want []node
	}{
		{"self closing and nesting", `<view><image src="a"/><text>x</text></view>`,
			[]node{{Type: "view", Children: []node{{Type: "image"}, {Type: "text"}}}}},
		{"custom components", `<van-cell-group><van-cell title="a"/></van-cell-group>`,
			[]node{{Type: "van-cell-group", Children: []node{{Type: "van-cell"}}}}},
		{"block is transparent", `<view><block wx:for="{{a}}"><text/></block></view>`,
			[]node{{Type: "view", Children: []node{{Type: "text"}}}}},
		{"wxs and import skipped", `<wxs module="m">var a = 1 < 2; <view/></wxs><import src="a"/><view/>`,
			[]node{{Type: "view"}}},
		{"raw text tags read as markup", `<textarea/><view/>`,
			[]node{{Type: "textarea"}, {Type: "view"}}},
		{"unclosed tags closed at the end", `<view><scroll-view><text>`,
			[]node{{Type: "view", Children: []node{{Type: "scroll-view", Children: []node{{Type: "text"}}}}}}},
		{"stray end tag ignored", `</swiper><view></view>`,
			[]node{{Type: "view"}}},
		{"data source binding", `<scroll-view data-source=" menu "/>`,
			[]node{{Type: "scroll-view", DataSource: "menu"}}},
		{"comments and text ignored", `<!-- <view/> -->hello<text/>`,
			[]node{{Type: "text"}}},
		{"empty", ``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWXML([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !equalTrees(got, tt.want) {
				t.Errorf("ParseWXML(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func equalTrees(a, b []Component) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type != b[i].Type || a[i].DataSource != b[i].DataSource || !equalTrees(a[i].Children, b[i].Children) {
			return false
		}
	}
	return true
}

func TestParseWXMLBounds(t *testing.T) {
	deep := strings.Repeat("<view>", 10*MaxComponentDepth)
	got, err := ParseWXML([]byte(deep))
	if err != nil {
		t.Fatal(err)
	}
	if n, d := countComponents(got, 1); d > MaxComponentDepth || n > MaxComponentDepth {
		t.Errorf("deep markup gave %d components %d deep, want at most %d", n, d, MaxComponentDepth)
	}
	wide := strings.Repeat("<text/>", MaxPageComponents+100)
	got, err = ParseWXML([]byte(wide))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != MaxPageComponents {
		t.Errorf("wide markup gave %d components, want %d", len(got), MaxPageComponents)
	}
	if _, err := ParseWXML(make([]byte, MaxTemplatePartBytes+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized markup: %v, want ErrTooLarge", err)
	}
}

func FuzzParseWXML(f *testing.F) {
	for _, s := range []string{`<view><text/></view>`, `<block><wxs>1<2</wxs></block>`, `<scroll-view data-source="a">`, `</x></y><z`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := ParseWXML(data)
		if err != nil {
			return
		}
		if n, d := countComponents(cs, 1); n > MaxPageComponents || d > MaxComponentDepth+1 {
			t.Fatalf("bounds exceeded: %d components, depth %d", n, d)
		}
	})
}

func FuzzDecodeTemplateJSON(f *testing.F) {
	for _, s := range []string{
		`{"id":"T-1","pages":[{"id":"p","components":[{"type":"View","children":[{"type":"Text"}]}]}],"datasources":[{"name":"a","fields":[{"name":"x"}]}]}`,
		`{"id":""}`, `[]`, `{"id":"T","pages":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tp, err := DecodeTemplateJSON(data)
		if err != nil {
			return
		}
		if tp.ID == "" || len(tp.Pages) > MaxTemplatePages {
			t.Fatalf("accepted template breaks the model: %+v", tp)
		}
	})
}

func FuzzDecodeDataSourceProfile(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","schema":{"properties":{"x":{"title":"身份证号","type":"string","x-required":true}}}}`,
		`{"properties":{"o":{"type":"object","properties":{"y":{"type":["number","null"]}}}}}`,
		`{}`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := DecodeDataSourceProfile(data)
		if err != nil {
			return
		}
		if len(ds.Fields) > MaxTemplateFields {
			t.Fatalf("%d fields", len(ds.Fields))
		}
	})
}
