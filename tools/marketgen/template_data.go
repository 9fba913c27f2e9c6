package marketgen

import "github.com/listingscan/listingscan/listing"

// tplCategory is one marketplace category as the template generator
// builds apps of it: the pages every such app has, the features it may
// add, and the data it stores.
type tplCategory struct {
	Name     string
	Word     string // what a title calls such an app
	Pages    []string
	Features []string
	Data     tplData
}

type tplData struct {
	Name, Title string
	Fields      []listing.DataField
}

func f(name, title, typ, format string) listing.DataField {
	return listing.DataField{Name: name, Title: title, Type: typ, Format: format}
}

var tplCategories = []tplCategory{
	{"餐饮", "点餐", []string{"首页", "点餐", "购物车", "订单", "我的"}, []string{"在线支付", "会员积分", "外卖配送", "优惠券", "预约", "地图导航"},
		tplData{"orders", "订单", []listing.DataField{f("customer", "顾客姓名", "string", ""), f("phone", "手机号", "string", "tel"), f("table_no", "桌号", "string", ""), f("amount", "订单金额", "number", ""), f("remark", "备注", "string", ""), f("created_at", "下单时间", "string", "date-time")}}},
	{"零售电商", "商城", []string{"首页", "分类", "商品详情", "购物车", "我的"}, []string{"在线支付", "会员积分", "优惠券", "库存管理", "直播"},
		tplData{"goods", "商品", []listing.DataField{f("title", "商品名称", "string", ""), f("price", "售价", "number", ""), f("cover", "主图", "string", "x-image"), f("sku", "规格", "array", ""), f("on_sale", "是否上架", "boolean", "")}}},
	{"教育培训", "教务", []string{"首页", "课程", "课表", "作业", "我的"}, []string{"在线考试", "视频课程", "直播", "预约", "在线支付"},
		tplData{"students", "学员", []listing.DataField{f("name", "学员姓名", "string", ""), f("parent_phone", "家长电话", "string", "tel"), f("grade", "年级", "string", ""), f("class_id", "班级", "string", "x-relation"), f("enrolled_at", "报名日期", "string", "date")}}},
	{"医疗健康", "健康", []string{"首页", "科室", "医生", "检查报告", "我的"}, []string{"预约", "在线支付", "视频课程"},
		tplData{"patients", "就诊人", []listing.DataField{f("name", "姓名", "string", ""), f("gender", "性别", "string", "x-enum"), f("birthday", "出生日期", "string", "date"), f("phone", "联系电话", "string", "tel"), f("allergy", "过敏史", "string", "")}}},
	{"酒店旅游", "订房", []string{"首页", "房型", "订单", "攻略", "我的"}, []string{"预约", "在线支付", "会员积分", "地图导航", "优惠券"},
		tplData{"guests", "入住人", []listing.DataField{f("name", "入住人姓名", "string", ""), f("phone", "手机号", "string", "tel"), f("checkin", "入住日期", "string", "date"), f("nights", "入住晚数", "number", ""), f("room_type", "房型", "string", "x-relation")}}},
	{"物业", "物业", []string{"首页", "报修", "缴费", "通知公告", "我的"}, []string{"在线支付", "预约"},
		tplData{"repairs", "报修单", []listing.DataField{f("owner", "业主姓名", "string", ""), f("room", "房号", "string", ""), f("phone", "联系电话", "string", "tel"), f("content", "报修内容", "string", "x-long-text"), f("photos", "现场照片", "array", "x-image")}}},
	{"企业办公", "办公", []string{"工作台", "审批", "考勤", "通讯录", "我的"}, []string{"库存管理", "预约"},
		tplData{"approvals", "审批单", []listing.DataField{f("applicant", "申请人", "string", ""), f("dept", "部门", "string", "x-department"), f("kind", "审批类型", "string", "x-enum"), f("amount", "金额", "number", ""), f("submitted_at", "提交时间", "string", "date-time")}}},
	{"政务", "政务", []string{"首页", "办事指南", "在线申报", "进度查询", "我的"}, []string{"预约", "地图导航"},
		tplData{"applications", "申报材料", []listing.DataField{f("applicant", "申请人", "string", ""), f("phone", "联系电话", "string", "tel"), f("matter", "事项名称", "string", ""), f("files", "附件", "array", "x-file"), f("status", "办理状态", "string", "x-enum")}}},
}

// tplFeature is what a feature adds to an app: a page, optionally a
// component that provides it and a data source, and the phrase a listing
// uses to claim it.
type tplFeature struct {
	Page      string
	Component string
	Data      *tplData
	Claim     string
	Tag       string
}

var tplFeatures = map[string]tplFeature{
	"在线支付": {"收银台", "", &tplData{"payments", "支付记录", []listing.DataField{f("amount", "支付金额", "number", ""), f("paid_at", "支付时间", "string", "date-time"), f("channel", "支付渠道", "string", "x-enum")}}, "支持在线支付，微信支付即时到账", "在线支付"},
	"会员积分": {"积分商城", "", &tplData{"points", "积分流水", []listing.DataField{f("member", "会员", "string", "x-relation"), f("delta", "积分变动", "number", ""), f("reason", "变动原因", "string", "")}}, "会员积分体系，消费即可积分兑换礼品", "会员积分"},
	"外卖配送": {"配送跟踪", "", &tplData{"delivery", "配送单", []listing.DataField{f("order", "订单", "string", "x-relation"), f("rider", "骑手", "string", ""), f("eta", "预计送达", "string", "date-time")}}, "外卖配送全程可追踪", "外卖配送"},
	"优惠券":  {"领券中心", "", &tplData{"coupons", "优惠券", []listing.DataField{f("name", "券名称", "string", ""), f("value", "面额", "number", ""), f("expire", "有效期至", "string", "date")}}, "优惠券精准投放，拉新促活", "优惠券"},
	"预约":   {"在线预约", "", &tplData{"bookings", "预约单", []listing.DataField{f("name", "预约人", "string", ""), f("phone", "手机号", "string", "tel"), f("slot", "预约时段", "string", "date-time")}}, "支持在线预约，到店不用排队", "在线预约"},
	"地图导航": {"附近门店", "map", nil, "地图导航一键找到附近门店", "地图导航"},
	"库存管理": {"库存管理", "", &tplData{"inventory", "库存", []listing.DataField{f("item", "物品", "string", "x-relation"), f("qty", "数量", "number", ""), f("warn_at", "预警数量", "number", "")}}, "库存管理与库存预警，避免缺货", "库存管理"},
	"直播":   {"直播间", "live-player", nil, "内置直播带货，边看边买", "直播"},
	"在线考试": {"模拟考试", "", &tplData{"exams", "试卷", []listing.DataField{f("title", "试卷名称", "string", ""), f("score", "总分", "number", ""), f("duration", "时长", "number", "")}}, "在线考试与题库练习，自动判分", "在线考试"},
	"视频课程": {"课程视频", "video", nil, "视频课程随时回看", "视频课程"},
}

// tplSensitive are personal-data fields a template may collect, by kind,
// each written the way a field gets detected (by title, name or format).
var tplSensitive = map[string][]listing.DataField{
	"id_card":   {f("id_card_no", "身份证号", "string", ""), f("cert_no", "身份证号码", "string", ""), f("idcard", "证件", "string", ""), f("f_7", "有效证件", "string", "x-idcard")},
	"bank_card": {f("bank_card", "银行卡号", "string", ""), f("refund_account", "退款银行账号", "string", ""), f("bankcard_no", "收款卡", "string", "")},
	"location":  {f("geo", "实时定位", "object", "x-location"), f("latitude", "纬度", "number", ""), f("pos", "当前经纬度", "string", "")},
	"passport":  {f("passport_no", "护照号码", "string", ""), f("travel_doc", "护照", "string", "")},
	"face":      {f("face_image", "人脸照片", "string", "x-image"), f("selfie", "刷脸认证", "string", "x-image")},
}

// tplHarmless are fields that look personal but are not sensitive kinds:
// the traps for privacy.sensitive_field.
var tplHarmless = []listing.DataField{
	f("member_card_no", "会员卡号", "string", ""), f("address", "收货地址", "string", ""), f("store_addr", "门店地址", "string", ""),
	f("contact", "联系人", "string", ""), f("mobile", "手机号码", "string", "tel"), f("email", "电子邮箱", "string", "email"),
	f("gift_card", "礼品卡卡号", "string", ""), f("id", "编号", "string", ""),
}

// tplAllowed mirrors the scanner's default allow-list: categories that may
// collect a kind of personal data.
var tplAllowed = map[string][]string{
	"id_card":   {"政务", "酒店旅游", "医疗健康", "金融"},
	"bank_card": {"金融"},
	"location":  {"物流", "出行", "外卖配送"},
	"passport":  {"酒店旅游"},
}

var pageSynonyms = map[string][]string{
	"首页": {"主页", "发现", "推荐"}, "点餐": {"菜单", "在线点单"}, "购物车": {"已选商品", "购物袋"}, "订单": {"我的订单", "订单列表"},
	"我的": {"个人中心", "用户中心"}, "分类": {"全部分类", "品类"}, "商品详情": {"宝贝详情", "详情"}, "课程": {"全部课程", "精品课"},
	"课表": {"我的课表", "排课"}, "作业": {"练习", "课后作业"}, "科室": {"科室列表", "门诊科室"}, "医生": {"名医", "医生团队"},
	"检查报告": {"报告查询", "我的报告"}, "房型": {"客房", "房间"}, "攻略": {"游记", "旅行指南"}, "报修": {"维修申请", "一键报修"},
	"缴费": {"物业费", "账单"}, "通知公告": {"社区公告", "通知"}, "工作台": {"应用", "门户"}, "审批": {"流程审批", "申请"},
	"考勤": {"打卡", "出勤"}, "通讯录": {"同事", "组织架构"}, "办事指南": {"服务指南", "事项清单"}, "在线申报": {"网上申报", "材料提交"},
	"进度查询": {"办件查询", "进度"},
}

var storeCities = []string{"杭州", "深圳", "成都", "南京", "广州", "上海", "厦门", "郑州", "武汉", "西安", "苏州", "长沙", "合肥", "青岛"}
var storeTrades = []string{"科技有限公司", "网络科技有限公司", "信息技术有限公司", "软件开发有限公司", "数字科技有限公司", "智能科技有限公司"}
var storeSyllables = []string{"云", "栖", "鲸", "禾", "锦", "程", "知", "微", "帆", "浦", "江", "速", "搭", "星", "辰", "青", "木", "朗", "晴", "川", "泽", "森", "澜", "远", "启", "明", "若", "溪", "鹿", "鸣", "悦", "橙", "墨", "岚", "枫", "屿"}
var storeIntros = []string{
	"{short}专注{domain}数字化解决方案，累计服务客户{n2}余家。",
	"{short}是腾讯云微搭生态合作伙伴，团队{n}人，擅长{domain}行业应用交付。",
	"{short}成立于{year}年，总部位于{city}，为{domain}客户提供小程序与管理系统定制开发。",
	"{short}深耕{domain}领域，拥有自主研发的低代码模板库和{n}人实施团队。",
	"我们是{city}本地的软件服务商{short}，主营{domain}小程序、管理后台和私有化部署。",
}
