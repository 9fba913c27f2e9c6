package similarity

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// boilerplatePhrases is the marketplace's stock wording: service promises,
// delivery terms and feature names that honest providers write in nearly
// every listing. Sharing them says nothing about copying, so their shingles
// never become candidate keys. Phrases are written already normalised
// (simplified, lower-case, no punctuation); a test keeps them that way.
//
// Changing the list changes the keys of every listing that uses a phrase:
// bump TextPrintVersion when editing it.
const boilerplatePhrases = `
支持二次开发
源码交付
源码无加密
提供一年免费售后
一对一技术支持
免费部署上线
包安装调试
包含后台管理系统
可定制开发
支持个性化定制
微信小程序
小程序商城
公众号
多端适配
安卓苹果双端
免费更新升级
终身免费升级
24小时在线客服
专业技术团队
售后无忧
提供详细操作文档
提供使用教程
提供技术文档
操作简单易上手
界面简洁美观
数据安全可靠
系统稳定运行
一键部署
快速上线
支持私有化部署
云端部署
无需编程基础
低代码开发
拖拽式搭建
可视化配置
满足不同行业需求
适用于各行各业
欢迎咨询
如有疑问请联系客服
购买前请先咨询客服
正版授权
无隐藏收费
支持微信支付
数据统计报表
会员管理
订单管理
商品管理
营销工具
支持多门店
`

// BoilerplatePhrases returns the built-in list of stock marketplace phrases,
// normalised.
func BoilerplatePhrases() []string {
	return strings.Fields(boilerplatePhrases)
}

// Boilerplate removes stock wording before signatures are computed, so
// that text every provider writes never makes two listings candidates. The
// zero value removes nothing. A Boilerplate is read-only and safe for
// concurrent use.
//
// Descriptions lose every trigram that overlaps an occurrence of a stock
// phrase, not only the phrase's own trigrams: two honest listings that both
// write 支持二次开发，源码交付 would otherwise still share the trigrams
// that straddle the two phrases (开发源, 发源码). Titles lose the bigrams of
// the stock phrases but keep their characters: every common character occurs
// in some stock phrase, and a title without them would have little left to
// compare.
type Boilerplate struct {
	// byFirst lists the phrases by their first rune.
	byFirst map[rune][]string
	bigrams map[uint64]struct{}
}

// NewBoilerplate returns the boilerplate of the given phrases, which must
// already be normalised.
func NewBoilerplate(phrases []string) Boilerplate {
	b := Boilerplate{byFirst: map[rune][]string{}, bigrams: map[uint64]struct{}{}}
	for _, p := range phrases {
		r, _ := utf8.DecodeRuneInString(p)
		if p == "" || slices.Contains(b.byFirst[r], p) {
			continue
		}
		b.byFirst[r] = append(b.byFirst[r], p)
		for _, h := range Shingles(p, 2) {
			b.bigrams[h] = struct{}{}
		}
	}
	return b
}

// DefaultBoilerplate is the boilerplate of BoilerplatePhrases.
func DefaultBoilerplate() Boilerplate {
	return NewBoilerplate(BoilerplatePhrases())
}

// TitleShingles is TitleShingles(norm) without the bigrams of stock
// phrases.
func (b Boilerplate) TitleShingles(norm string) []uint64 {
	sh := TitleShingles(norm)
	out := sh[:0]
	for _, h := range sh {
		if _, ok := b.bigrams[h]; !ok {
			out = append(out, h)
		}
	}
	return slices.Clip(out)
}

// DescriptionShingles is DescriptionShingles(sentences) without the
// trigrams that overlap a stock phrase.
func (b Boilerplate) DescriptionShingles(sentences []string) []uint64 {
	var sh []uint64
	for _, piece := range joinShortSentences(sentences, MinSentenceRunes) {
		spans := b.occurrences(piece)
		if len(spans) == 0 {
			sh = appendShingles(sh, piece, DescriptionShingleSize)
			continue
		}
		// What is left around the phrases contributes its whole trigrams
		// only: a character or two between two phrases says nothing.
		start := 0
		for _, span := range spans {
			sh = appendNgrams(sh, piece[start:span[0]], DescriptionShingleSize)
			start = span[1]
		}
		sh = appendNgrams(sh, piece[start:], DescriptionShingleSize)
	}
	return sortedSet(sh)
}

// occurrences returns the byte ranges of stock phrases in s, in order and
// merged where they overlap.
func (b Boilerplate) occurrences(s string) [][2]int {
	if len(b.byFirst) == 0 {
		return nil
	}
	var spans [][2]int
	for i, r := range s {
		for _, p := range b.byFirst[r] {
			if !strings.HasPrefix(s[i:], p) {
				continue
			}
			end := i + len(p)
			if n := len(spans); n > 0 && i < spans[n-1][1] {
				spans[n-1][1] = max(spans[n-1][1], end)
			} else {
				spans = append(spans, [2]int{i, end})
			}
		}
	}
	return spans
}
