package scanner

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/listingscan/listingscan/listing"
)

// Kinds of contact detail offplatform.contact reports, as written in
// evidence.
const (
	contactMobile   = "mobile"
	contactLandline = "landline"
	contactQQ       = "qq"
	contactWeChat   = "wechat"
	contactEmail    = "email"
	contactLink     = "link"
	contactOffline  = "offline_trade"
)

// folded is a text prepared for matching: lower case, full-width forms
// folded to ASCII, zero-width characters dropped and the traditional forms
// of the characters the phrases use mapped to simplified ones. orig maps
// each folded rune back to the rune it came from, so evidence quotes the
// text as written with offsets into it.
type folded struct {
	src   []rune
	runes []rune
	orig  []int // folded rune index → source rune index
	str   string
	byteR []int // byte offset in str → folded rune index (len(str)+1 entries)
}

// traditionalFold maps the traditional characters that occur in contact
// words and offline phrases to their simplified forms.
var traditionalFold = map[rune]rune{
	'線': '线', '轉': '转', '賬': '账', '帳': '账', '聯': '联', '繫': '系', '過': '过', '臺': '台', '號': '号',
	'碼': '码', '繞': '绕', '開': '开', '與': '与', '這': '这', '個': '个', '買': '买', '賣': '卖', '價': '价',
	'訊': '讯', '話': '话', '電': '电', '聊': '聊', '場': '场', '親': '亲', '給': '给', '優': '优', '惠': '惠',
	'貳': '贰', '陸': '陆', '捌': '捌', '兩': '两', '傘': '伞', '舊': '旧', '靈': '灵', '溝': '沟', '通': '通',
}

func isZeroWidth(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u180e':
		return true
	}
	return false
}

func foldRune(r rune) rune {
	switch {
	case r >= '\uff01' && r <= '\uff5e':
		r -= 0xfee0
	case r == '\u3000':
		r = ' '
	}
	if t, ok := traditionalFold[r]; ok {
		r = t
	}
	if r < utf8.RuneSelf {
		return unicode.ToLower(r)
	}
	return r
}

func foldText(s string) *folded {
	f := &folded{src: []rune(s)}
	f.runes = make([]rune, 0, len(f.src))
	f.orig = make([]int, 0, len(f.src))
	for i, r := range f.src {
		if isZeroWidth(r) {
			continue
		}
		f.runes = append(f.runes, foldRune(r))
		f.orig = append(f.orig, i)
	}
	f.str = string(f.runes)
	// Regular expressions report byte offsets on rune boundaries only.
	f.byteR = make([]int, len(f.str)+1)
	ri := 0
	for bi := range f.str {
		f.byteR[bi] = ri
		ri++
	}
	f.byteR[len(f.str)] = len(f.runes)
	return f
}

// span maps a folded rune range to the source text and its rune offsets.
func (f *folded) span(start, end int) (string, int, int) {
	if start >= end || end > len(f.runes) {
		return "", 0, 0
	}
	s, e := f.orig[start], f.orig[end-1]+1
	return string(f.src[s:e]), s, e
}

// runeAt maps a byte offset of the folded string to a folded rune index.
func (f *folded) runeAt(b int) int { return f.byteR[b] }

// digitValue reads a rune as a digit: ASCII digits, Chinese numerals
// (plain and financial forms) and the homophones used to slip phone numbers
// past filters (幺=1, 扒=8, 衫=3 …). word says it was not an ASCII digit.
func digitValue(r rune) (d byte, word, ok bool) {
	if r >= '0' && r <= '9' {
		return byte(r - '0'), false, true
	}
	if v, ok := wordDigits[r]; ok {
		return v, true, true
	}
	return 0, false, false
}

var wordDigits = func() map[rune]byte {
	m := map[rune]byte{}
	for d, set := range []string{
		"零〇灵铃洞令○", "一壹幺妖腰", "二贰两俩", "三叁衫伞", "四肆似寺",
		"五伍武舞", "六陆柳溜", "七柒漆拐", "八捌扒吧巴", "九玖久酒",
	} {
		for _, r := range set {
			m[r] = byte(d)
		}
	}
	return m
}()

// isDigitSeparator are the characters people put between the digits of a
// phone number to group it or to hide it.
func isDigitSeparator(r rune) bool {
	switch r {
	case ' ', '-', '.', '·', '_', '—', '–', '\t', ')', '）', '(', '（', '、', '/', '|', '*':
		return true
	}
	return false
}

// digitRun is a stretch of digits, possibly split by separators.
type digitRun struct {
	start, end int // folded rune range, separators inside included
	digits     []byte
	words      int // digits written as words or homophones
}

func (d digitRun) value() string {
	b := make([]byte, len(d.digits))
	for i, v := range d.digits {
		b[i] = '0' + v
	}
	return string(b)
}

// readDigits reads the digit run starting at i (which must be a digit).
// Separators join digits when at most maxSep of them stand in a row.
func readDigits(rs []rune, i int) digitRun {
	run := digitRun{start: i, end: i}
	j := i
	for j < len(rs) {
		d, word, ok := digitValue(rs[j])
		if ok {
			run.digits = append(run.digits, d)
			if word {
				run.words++
			}
			j++
			run.end = j
			continue
		}
		k := j
		for k < len(rs) && k-j < 3 && isDigitSeparator(rs[k]) {
			k++
		}
		if k == j || k >= len(rs) {
			break
		}
		if _, _, ok := digitValue(rs[k]); !ok {
			break
		}
		j = k
	}
	return run
}

func isASCIIAlnum(r rune) bool {
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// contactFinder finds contact details and off-platform phrasing in text.
type contactFinder struct {
	cfg ContactConfig
	// qqWords and wxWords are the contact words as runes, and starts
	// their first runes: keywordAt runs at every rune of every text.
	qqWords, wxWords [][]rune
	starts           map[rune]bool
	numWords         []string
	phrases          []string
	exceptions       []string
}

func newContactFinder(cfg ContactConfig) *contactFinder {
	low := func(ws []string) []string {
		out := make([]string, 0, len(ws))
		for _, w := range ws {
			if w = string(foldText(strings.TrimSpace(w)).runes); w != "" {
				out = append(out, w)
			}
		}
		// Longer words first, so "微信号" is not read as "微信" + "号…".
		slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
		return out
	}
	compact := func(ws []string) []string {
		out := low(ws)
		for i, w := range out {
			out[i] = compactString(w)
		}
		return out
	}
	c := &contactFinder{cfg: cfg, starts: map[rune]bool{},
		numWords: low(cfg.NumberWords), phrases: compact(cfg.OfflinePhrases), exceptions: compact(cfg.OfflineExceptions)}
	for _, w := range low(cfg.QQWords) {
		c.qqWords = append(c.qqWords, []rune(w))
	}
	for _, w := range low(cfg.WeChatWords) {
		c.wxWords = append(c.wxWords, []rune(w))
	}
	for _, w := range append(slices.Clone(c.qqWords), c.wxWords...) {
		c.starts[w[0]] = true
	}
	return c
}

func compactString(s string) string {
	var b strings.Builder
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.IsPunct(r) && !unicode.IsSymbol(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// find returns every contact detail in text, quoted from field.
func (c *contactFinder) find(field, text string) []listing.Match {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	f := foldText(text)
	var out []listing.Match
	taken := make([]bool, len(f.runes)) // folded runes already part of a match
	add := func(kind string, start, end int, value string) {
		for i := start; i < end; i++ {
			if taken[i] {
				return
			}
		}
		for i := start; i < end; i++ {
			taken[i] = true
		}
		t, s, e := f.span(start, end)
		out = append(out, listing.Match{Field: field, Kind: kind, Text: t, Value: value, Start: s, End: e})
	}
	c.findEmails(f, add)
	c.findLinks(f, add)
	c.findKeyed(f, add)
	c.findPhones(f, add, taken)
	c.findOffline(f, add)
	slices.SortFunc(out, func(a, b listing.Match) int { return a.Start - b.Start })
	return out
}

type addFunc func(kind string, start, end int, value string)

var (
	emailRE = regexp.MustCompile(`[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}`)
	// A disguised address: "name#qq.com", "name at 163 dot com", "name艾特qq.com".
	disguisedEmailRE = regexp.MustCompile(`([a-z0-9][a-z0-9._-]{2,})\s*(?:#|\(at\)|\[at\]|\{at\}| at |艾特|圈a)\s*([a-z0-9-]+)\s*(?:\.|。|dot|\(dot\)|\[dot\]|点)\s*([a-z]{2,3}(?:\.cn)?)\b`)
	urlRE            = regexp.MustCompile(`(?:https?://|www\.)[^\s，。、；;！!？?）)"'<>（(【】\[\]]+`)
	bareDomainRE     = regexp.MustCompile(`[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com\.cn|com|cn|net|org|top|xyz|cc|vip|shop|site|link|info|club|online|tech|ltd|wang|ink)(?:/[^\s，。、；;）)"'<>]*)?`)
	wxidRE           = regexp.MustCompile(`wxid_[a-z0-9_-]{4,}`)
)

// Each pattern below needs a literal that most descriptions lack; looking
// for it first spares running the pattern over every description (the
// patterns were half of the policy rules' time in a 100k scan).
var (
	disguisedEmailSeparators = []string{"#", "(at)", "[at]", "{at}", " at ", "艾特", "圈a"}
	urlStarts                = []string{"http://", "https://", "www."}
)

func containsAny(s string, literals []string) bool {
	return slices.ContainsFunc(literals, func(l string) bool { return strings.Contains(s, l) })
}

func (c *contactFinder) findEmails(f *folded, add addFunc) {
	if strings.IndexByte(f.str, '@') >= 0 {
		c.findPlainEmails(f, add)
	}
	if containsAny(f.str, disguisedEmailSeparators) {
		c.findDisguisedEmails(f, add)
	}
}

func (c *contactFinder) findPlainEmails(f *folded, add addFunc) {
	for _, m := range emailRE.FindAllStringIndex(f.str, -1) {
		s, e := f.runeAt(m[0]), f.runeAt(m[1])
		add(contactEmail, s, e, f.str[m[0]:m[1]])
	}
}

func (c *contactFinder) findDisguisedEmails(f *folded, add addFunc) {
	for _, m := range disguisedEmailRE.FindAllStringSubmatchIndex(f.str, -1) {
		domain := f.str[m[4]:m[5]] + "." + f.str[m[6]:m[7]]
		if !slices.Contains(c.cfg.MailDomains, domain) {
			continue
		}
		s, e := f.runeAt(m[0]), f.runeAt(m[1])
		add(contactEmail, s, e, f.str[m[2]:m[3]]+"@"+domain)
	}
}

func (c *contactFinder) findLinks(f *folded, add addFunc) {
	if containsAny(f.str, urlStarts) {
		c.findURLs(f, add)
	}
	if strings.IndexByte(f.str, '.') >= 0 {
		c.findBareDomains(f, add)
	}
}

func (c *contactFinder) findURLs(f *folded, add addFunc) {
	for _, m := range urlRE.FindAllStringIndex(f.str, -1) {
		raw := strings.TrimRight(f.str[m[0]:m[1]], ".,:")
		host := linkHost(raw)
		if host == "" || c.allowedHost(host) {
			continue
		}
		add(contactLink, f.runeAt(m[0]), f.runeAt(m[0]+len(raw)), host)
	}
}

func (c *contactFinder) findBareDomains(f *folded, add addFunc) {
	for _, m := range bareDomainRE.FindAllStringIndex(f.str, -1) {
		s, e := f.runeAt(m[0]), f.runeAt(m[1])
		if s > 0 && (isASCIIAlnum(f.runes[s-1]) || f.runes[s-1] == '@' || f.runes[s-1] == '.' || f.runes[s-1] == '/') {
			continue
		}
		// Domains are written in lower case; "ASP.NET" is a product name.
		src, _, _ := f.span(s, e)
		if strings.ToLower(src) != src {
			continue
		}
		raw := strings.TrimRight(f.str[m[0]:m[1]], ".,:")
		host := linkHost(raw)
		if host == "" || c.allowedHost(host) {
			continue
		}
		add(contactLink, s, f.runeAt(m[0]+len(raw)), host)
	}
}

// linkHost returns the host a link points to, "" when it is relative or
// not a web link.
func linkHost(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	low := strings.ToLower(raw)
	switch {
	case strings.HasPrefix(low, "//"):
		raw = "https:" + raw
	case strings.HasPrefix(low, "http://"), strings.HasPrefix(low, "https://"):
	case strings.Contains(low, "://"):
		return ""
	default:
		if strings.HasPrefix(low, "/") || strings.HasPrefix(low, "#") || strings.HasPrefix(low, "?") || strings.HasPrefix(low, ".") {
			return ""
		}
		if i := strings.IndexAny(low, "/?#"); i >= 0 {
			low = low[:i]
		}
		if !strings.Contains(low, ".") {
			return ""
		}
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
}

func (c *contactFinder) allowedHost(host string) bool {
	for _, d := range c.cfg.AllowLinkDomains {
		d = strings.ToLower(d)
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// keyJoiner are the characters between a contact word and the number or id
// it introduces: "QQ：", "微信号 是", "VX-".
func isKeyJoiner(r rune) bool {
	switch r {
	case ' ', ':', '：', '号', '是', '为', '-', '(', '（', '群', '码', '\t', '=', '→', '+', '＋', '~', '搜', '索', '加', '同':
		return true
	}
	return false
}

// findKeyed finds QQ numbers and WeChat ids introduced by their words.
func (c *contactFinder) findKeyed(f *folded, add addFunc) {
	if strings.Contains(f.str, "wxid_") {
		for _, m := range wxidRE.FindAllStringIndex(f.str, -1) {
			add(contactWeChat, f.runeAt(m[0]), f.runeAt(m[1]), f.str[m[0]:m[1]])
		}
	}
	rs := f.runes
	for i := 0; i < len(rs); i++ {
		kind, w := c.keywordAt(rs, i)
		if w == 0 {
			continue
		}
		kwEnd := i + w
		j := kwEnd
		colon := false
		for j < len(rs) && j-kwEnd < 8 {
			if n := joinerWordAt(rs, j); n > 0 {
				j += n
				continue
			}
			if !isKeyJoiner(rs[j]) {
				break
			}
			if rs[j] == ':' || rs[j] == '：' || rs[j] == '号' || rs[j] == '是' || rs[j] == '为' {
				colon = true
			}
			j++
		}
		if j >= len(rs) {
			continue
		}
		if _, _, ok := digitValue(rs[j]); ok {
			run := readDigits(rs, j)
			n := len(run.digits)
			if n >= 5 && n <= 11 && run.digits[0] != 0 && !(run.end < len(rs) && isASCIIAlnum(rs[run.end])) {
				// Word digits after the word must be most of the run, or
				// "微信 一对一" would be a number.
				if run.words == 0 || n >= 6 {
					add(kind, i, run.end, run.value())
					i = run.end - 1
				}
			}
			continue
		}
		if kind == contactWeChat && rs[j] < utf8.RuneSelf && unicode.IsLetter(rs[j]) {
			k := j
			hasMark := false
			for k < len(rs) && k-j < 20 && rs[k] < utf8.RuneSelf && (isASCIIAlnum(rs[k]) || rs[k] == '_' || rs[k] == '-') {
				if unicode.IsDigit(rs[k]) || rs[k] == '_' || rs[k] == '-' {
					hasMark = true
				}
				k++
			}
			if k-j >= 6 && (hasMark || colon) && !(k < len(rs) && isASCIIAlnum(rs[k])) {
				id, _, _ := f.span(j, k) // ids keep their case
				add(contactWeChat, i, k, id)
				i = k - 1
			}
		}
	}
}

// keywordAt reports the contact word starting at rs[i], if any, and how
// many runes it spans: one space or separator between its characters ("微
// 信", "Q Q", "V-X") does not hide it.
func (c *contactFinder) keywordAt(rs []rune, i int) (string, int) {
	if !c.starts[rs[i]] {
		return "", 0
	}
	match := func(w []rune) int {
		j := i
		for k, r := range w {
			if k > 0 && j < len(rs) && isKeySpacer(rs[j]) && j+1 < len(rs) && rs[j+1] == r {
				j++
			}
			if j >= len(rs) || rs[j] != r {
				return 0
			}
			j++
		}
		return j - i
	}
	try := func(words [][]rune, kind string) (string, int) {
		for _, w := range words {
			n := match(w)
			if n == 0 {
				continue
			}
			if first := w[0]; first < utf8.RuneSelf && i > 0 && isASCIIAlnum(rs[i-1]) {
				continue
			}
			if last := w[len(w)-1]; last < utf8.RuneSelf && unicode.IsLetter(last) && i+n < len(rs) && rs[i+n] < utf8.RuneSelf && unicode.IsLetter(rs[i+n]) {
				continue
			}
			return kind, n
		}
		return "", 0
	}
	if k, n := try(c.qqWords, contactQQ); n > 0 {
		return k, n
	}
	return try(c.wxWords, contactWeChat)
}

// isKeySpacer are the characters slipped between the characters of a
// contact word to break it up.
func isKeySpacer(r rune) bool {
	switch r {
	case ' ', '-', '·', '.', '*', '_', '/', '|', '~':
		return true
	}
	return false
}

// joinerWords are words between a contact word and its value: "微信搜一搜
// xxx", "微信同号 138…".
var joinerWords = [][]rune{[]rune("搜一搜"), []rune("搜索"), []rune("同号"), []rune("号码")}

func joinerWordAt(rs []rune, i int) int {
	for _, w := range joinerWords {
		if i+len(w) <= len(rs) && slices.Equal(rs[i:i+len(w)], w) {
			return len(w)
		}
	}
	return 0
}

// findPhones finds mainland mobile numbers, landlines with an area code
// and 400/800 hotlines, written in any digits.
func (c *contactFinder) findPhones(f *folded, add addFunc, taken []bool) {
	rs := f.runes
	for i := 0; i < len(rs); i++ {
		if _, _, ok := digitValue(rs[i]); !ok || taken[i] {
			continue
		}
		if i > 0 {
			if _, _, ok := digitValue(rs[i-1]); ok {
				continue
			}
		}
		run := readDigits(rs, i)
		next := run.end
		if kind, value := c.phoneKind(rs, run); kind != "" {
			add(kind, run.start, run.end, value)
		}
		i = next - 1
	}
}

func (c *contactFinder) phoneKind(rs []rune, run digitRun) (string, string) {
	if run.start > 0 && (isASCIIAlnum(rs[run.start-1]) && !isPlusPrefix(rs, run.start)) {
		return "", "" // part of a code: "SN1381234…", "v2.3.1"
	}
	if run.end < len(rs) && isASCIIAlnum(rs[run.end]) {
		return "", ""
	}
	if c.afterNumberWord(rs, run.start) {
		return "", ""
	}
	d := run.value()
	if strings.HasPrefix(d, "86") && len(d) == 13 {
		d = d[2:]
	}
	if len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' {
		return contactMobile, d
	}
	if run.words > 0 {
		return "", ""
	}
	switch {
	case (strings.HasPrefix(d, "400") || strings.HasPrefix(d, "800")) && len(d) == 10:
		return contactLandline, d
	case len(d) >= 10 && len(d) <= 12 && d[0] == '0' && d[1] != '0' && hasAreaCodeBreak(rs, run):
		return contactLandline, d
	}
	return "", ""
}

func isPlusPrefix(rs []rune, i int) bool { return i > 0 && (rs[i-1] == '+') }

// hasAreaCodeBreak tells a landline ("0755-8601 3388", "(010)62345678")
// from a bare long number starting with 0: a separator after the 3- or
// 4-digit area code, or a number of exactly 11–12 digits in a row.
func hasAreaCodeBreak(rs []rune, run digitRun) bool {
	n := 0
	for i := run.start; i < run.end; i++ {
		if _, _, ok := digitValue(rs[i]); ok {
			n++
			continue
		}
		return n == 3 || n == 4
	}
	return n == 11 || n == 12
}

func (c *contactFinder) afterNumberWord(rs []rune, start int) bool {
	from := max(0, start-8)
	before := string(rs[from:start])
	for _, w := range c.numWords {
		if strings.Contains(before, w) {
			return true
		}
	}
	return false
}

// findOffline finds phrases that steer buyers to trade off the platform,
// also when spaced out or punctuated.
func (c *contactFinder) findOffline(f *folded, add addFunc) {
	var compact []rune
	var back []int
	for i, r := range f.runes {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		compact = append(compact, r)
		back = append(back, i)
	}
	cs := string(compact)
	excluded := make([]bool, len(compact))
	for _, ex := range c.exceptions {
		for off := 0; ; {
			k := strings.Index(cs[off:], ex)
			if k < 0 {
				break
			}
			s := utf8.RuneCountInString(cs[:off+k])
			for i := s; i < s+utf8.RuneCountInString(ex); i++ {
				excluded[i] = true
			}
			off += k + len(ex)
		}
	}
	for _, ph := range c.phrases {
		for off := 0; ; {
			k := strings.Index(cs[off:], ph)
			if k < 0 {
				break
			}
			s := utf8.RuneCountInString(cs[:off+k])
			e := s + utf8.RuneCountInString(ph)
			off += k + len(ph)
			if slices.Contains(excluded[s:e], true) {
				continue
			}
			add(contactOffline, back[s], back[e-1]+1, ph)
		}
	}
}
