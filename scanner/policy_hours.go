package scanner

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// parseClock reads "HH:MM" into minutes after midnight.
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	return hh*60 + mm, nil
}

func formatClock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// weekdayNames are how evidence names the days, Monday first.
var weekdayNames = [7]string{"周一", "周二", "周三", "周四", "周五", "周六", "周日"}

// serviceWeek is what a service-hours line promises: for each weekday
// (Monday first) the time ranges, in minutes after midnight.
type serviceWeek [7][][2]int

// hourToken is one piece of a service-hours line: a set of days or a time
// range.
type hourToken struct {
	start, end int
	days       []int  // weekday indexes; nil for a time token
	span       [2]int // minutes, for a time token
	allDay     bool   // a time token promising round-the-clock service
	daily      bool   // a day token meaning every day
}

const cnHour = `\d{1,2}|[零一二两三四五六七八九十]{1,3}`

var (
	allDayRE    = regexp.MustCompile(`7\s*[x×*✕]\s*24|24\s*(?:小时|h\b|H\b)|全天候|全天在线`)
	dayRangeRE  = regexp.MustCompile(`(?:周|星期|礼拜)([一二三四五六日天1-7])\s*(?:至|到|-|~|—|–|－|～)\s*(?:周|星期|礼拜)?([一二三四五六日天1-7])`)
	dayWordRE   = regexp.MustCompile(`每天|每日|天天|全年无休|365\s*天|7\s*天|全周|工作日|周末|双休日|周六日|(?:周|星期|礼拜)[一二三四五六日天]`)
	timeRE      = regexp.MustCompile(`(早上?|上午|中午|下午|晚上?)?\s*(` + cnHour + `)\s*(?:(?::|：|\.)\s*(\d{2})|(点半)|点|时)?\s*(?:-|~|至|到|—|–|－|～)\s*(早上?|上午|中午|下午|晚上?)?\s*(` + cnHour + `)\s*(?:(?::|：|\.)\s*(\d{2})|(点半)|点|时)?`)
	earlyLateRE = regexp.MustCompile(`早\s*(` + cnHour + `)\s*(?:点|:00)?\s*晚\s*(` + cnHour + `)`)
)

func cnNumber(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	val := map[rune]int{'零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10, true
	case len(rs) == 1:
		v, ok := val[rs[0]]
		return v, ok
	case len(rs) == 2 && rs[0] == '十':
		v, ok := val[rs[1]]
		return 10 + v, ok
	case len(rs) == 2 && rs[1] == '十':
		v, ok := val[rs[0]]
		return v * 10, ok
	case len(rs) == 3 && rs[1] == '十':
		a, ok1 := val[rs[0]]
		b, ok2 := val[rs[2]]
		return a*10 + b, ok1 && ok2
	}
	return 0, false
}

func dayIndex(s string) int {
	switch s {
	case "一", "1":
		return 0
	case "二", "2":
		return 1
	case "三", "3":
		return 2
	case "四", "4":
		return 3
	case "五", "5":
		return 4
	case "六", "6":
		return 5
	}
	return 6 // 日, 天, 7
}

// clockOf reads an hour, its minutes and the part of day before it.
func clockOf(part, hour, minute, half string) (int, bool) {
	h, ok := cnNumber(hour)
	if !ok || h > 24 {
		return 0, false
	}
	m := 0
	if minute != "" {
		m, _ = strconv.Atoi(minute)
		if m > 59 {
			return 0, false
		}
	}
	if half != "" {
		m = 30
	}
	if strings.HasPrefix(part, "下午") || strings.HasPrefix(part, "晚") {
		if h < 12 {
			h += 12
		}
	}
	return h*60 + m, h*60+m <= 24*60
}

// parseServiceHours reads a service-hours line ("周一至周五 9:00-18:00，
// 周末 10:00-16:00", "7×24小时", "全年无休 8:30-20:00", "每天早九晚六").
// Times stated without any day are read as every day. ok is false when the
// line states no time at all.
func parseServiceHours(line string) (week serviceWeek, ok bool) {
	s := string(foldText(line).runes)
	s = strings.NewReplacer("：", ":", "星期天", "星期日", "礼拜天", "礼拜日").Replace(s)
	var toks []hourToken
	add := func(t hourToken) { toks = append(toks, t) }
	for _, m := range allDayRE.FindAllStringIndex(s, -1) {
		add(hourToken{start: m[0], end: m[1], allDay: true, span: [2]int{0, 24 * 60}})
	}
	for _, m := range dayRangeRE.FindAllStringSubmatchIndex(s, -1) {
		a, b := dayIndex(s[m[2]:m[3]]), dayIndex(s[m[4]:m[5]])
		var days []int
		for d := a; ; d = (d + 1) % 7 {
			days = append(days, d)
			if d == b || len(days) == 7 {
				break
			}
		}
		add(hourToken{start: m[0], end: m[1], days: days})
	}
	for _, m := range dayWordRE.FindAllStringIndex(s, -1) {
		w := s[m[0]:m[1]]
		var days []int
		daily := false
		switch {
		case w == "工作日":
			days = []int{0, 1, 2, 3, 4}
		case w == "周末" || w == "双休日" || w == "周六日":
			days = []int{5, 6}
		case strings.HasPrefix(w, "周") || strings.HasPrefix(w, "星期") || strings.HasPrefix(w, "礼拜"):
			r := []rune(w)
			days = []int{dayIndex(string(r[len(r)-1]))}
		default:
			days, daily = []int{0, 1, 2, 3, 4, 5, 6}, true
		}
		add(hourToken{start: m[0], end: m[1], days: days, daily: daily})
	}
	for _, m := range earlyLateRE.FindAllStringSubmatchIndex(s, -1) {
		from, ok1 := clockOf("", s[m[2]:m[3]], "", "")
		to, ok2 := clockOf("晚", s[m[4]:m[5]], "", "")
		if ok1 && ok2 {
			add(hourToken{start: m[0], end: m[1], span: [2]int{from, to}})
		}
	}
	for _, m := range timeRE.FindAllStringSubmatchIndex(s, -1) {
		g := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return s[m[2*i]:m[2*i+1]]
		}
		// A bare "1-5" is a day or count range, not hours.
		if g(3) == "" && g(4) == "" && g(7) == "" && g(8) == "" && !strings.ContainsAny(s[m[0]:m[1]], "点时") {
			continue
		}
		from, ok1 := clockOf(g(1), g(2), g(3), g(4))
		part := g(5)
		if part == "" && g(1) != "" {
			part = g(1)
		}
		to, ok2 := clockOf(part, g(6), g(7), g(8))
		if ok1 && ok2 && to <= from && to < 12*60 && part == "" {
			to += 12 * 60 // "9点-6点"
		}
		if ok1 && ok2 {
			add(hourToken{start: m[0], end: m[1], span: [2]int{from, to}})
		}
	}
	slices.SortFunc(toks, func(a, b hourToken) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	// Drop tokens inside an earlier one ("周一" inside "周一至周五").
	kept := toks[:0]
	end := -1
	for _, t := range toks {
		if t.start < end {
			continue
		}
		kept = append(kept, t)
		end = t.end
	}
	toks = kept

	// Each run of day tokens governs the time tokens after it; times
	// before any day token belong to the first run of days when nothing
	// follows that run, else to every day.
	var segs []struct {
		days  []int
		spans [][2]int
	}
	cur := -1
	lastWasDay := false
	var pending [][2]int
	for _, t := range toks {
		if t.days != nil {
			if !lastWasDay || cur < 0 {
				segs = append(segs, struct {
					days  []int
					spans [][2]int
				}{})
				cur = len(segs) - 1
			}
			segs[cur].days = append(segs[cur].days, t.days...)
			lastWasDay = true
			continue
		}
		lastWasDay = false
		span := t.span
		if t.allDay {
			span = [2]int{0, 24 * 60}
		}
		if cur < 0 {
			pending = append(pending, span)
			continue
		}
		segs[cur].spans = append(segs[cur].spans, span)
	}
	if len(pending) > 0 {
		if len(segs) > 0 && len(segs[0].spans) == 0 {
			segs[0].spans = pending
		} else {
			segs = append(segs, struct {
				days  []int
				spans [][2]int
			}{days: []int{0, 1, 2, 3, 4, 5, 6}, spans: pending})
		}
	}
	for _, sg := range segs {
		for _, d := range sg.days {
			week[d] = append(week[d], sg.spans...)
			if len(sg.spans) > 0 {
				ok = true
			}
		}
	}
	return week, ok
}

// covers reports whether the ranges cover [from, to] without a gap.
func covers(spans [][2]int, from, to int) bool {
	sorted := slices.Clone(spans)
	slices.SortFunc(sorted, func(a, b [2]int) int { return a[0] - b[0] })
	at := from
	for _, s := range sorted {
		if s[0] > at {
			break
		}
		at = max(at, s[1])
	}
	return at >= to
}

// hoursShortfall says which days a service week leaves uncovered between
// from and to, "" when it covers them all.
func hoursShortfall(week serviceWeek, from, to int) string {
	var missing []string
	for d := range week {
		if !covers(week[d], from, to) {
			missing = append(missing, weekdayNames[d])
		}
	}
	switch len(missing) {
	case 0:
		return ""
	case 7:
		return fmt.Sprintf("no day covered %s-%s", formatClock(from), formatClock(to))
	}
	return fmt.Sprintf("%s not covered %s-%s", strings.Join(missing, "、"), formatClock(from), formatClock(to))
}
