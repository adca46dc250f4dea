package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Vocabulary for the generated news. Generic pages talk about companies
// other than the two watched giants, or name both without any connection
// between their platforms (earnings, share prices), as real news does.

var enCompanies = []string{
	"Xiaomi", "BYD", "Huawei", "ByteDance", "Meituan", "JD.com", "Pinduoduo", "NIO", "Baidu",
	"NetEase", "Kuaishou", "Lenovo", "CATL", "SMIC", "Li Auto", "XPeng", "Trip.com", "Bilibili",
	"Zhihu", "Weibo", "Geely", "Haier", "Midea", "Anta", "Luckin Coffee", "iQiyi", "Vipshop",
}

var zhCompanies = []string{
	"小米", "比亚迪", "华为", "字节跳动", "美团", "京东", "拼多多", "蔚来", "百度", "网易", "快手",
	"联想", "宁德时代", "理想汽车", "小鹏汽车", "携程", "哔哩哔哩", "知乎", "微博", "吉利", "海尔",
	"美的", "安踏", "瑞幸咖啡", "爱奇艺", "唯品会",
}

var enProducts = []string{
	"electric SUV", "flagship smartphone", "AI chip", "cloud service", "food-delivery app",
	"short-video platform", "battery pack", "smart speaker", "ride-hailing service", "search engine",
	"large language model", "online game", "streaming service", "payment terminal", "robotaxi fleet",
}

var zhProducts = []string{
	"电动SUV", "旗舰手机", "人工智能芯片", "云服务", "外卖应用", "短视频平台", "动力电池", "智能音箱",
	"网约车服务", "搜索引擎", "大模型", "网络游戏", "流媒体服务", "收款终端", "自动驾驶车队",
}

var enCities = []string{
	"Shanghai", "Beijing", "Shenzhen", "Hangzhou", "Guangzhou", "Chengdu", "Wuhan", "Nanjing",
	"Suzhou", "Xi'an", "Chongqing", "Hefei", "Singapore", "Jakarta", "Riyadh", "Munich",
}

var zhCities = []string{
	"上海", "北京", "深圳", "杭州", "广州", "成都", "武汉", "南京", "苏州", "西安", "重庆", "合肥",
	"新加坡", "雅加达", "利雅得", "慕尼黑",
}

var enPeople = []string{
	"Grace Liu", "Priya Natarajan", "Daniel Okafor", "Mei Chen", "Tom Fischer", "Ana Ruiz",
	"Kenji Sato", "Laura Becker", "Sam Wong", "Fatima Khan", "Lucas Martin", "Ivy Zhang",
}

var zhPeople = []string{"郑洁", "周航", "李明", "王芳", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄蕾", "吴昊", "孙倩"}

var enFirms = []string{
	"Counterpoint", "Canalys", "IDC", "Morgan Stanley", "Jefferies", "Bernstein", "CICC",
	"Goldman Sachs", "Nomura", "Citi", "UBS", "HSBC",
}

var zhFirms = []string{"中金公司", "中信证券", "华泰证券", "国泰君安", "艾瑞咨询", "易观分析", "招商证券", "海通证券"}

var enSections = []string{
	"Tech", "Business", "Markets", "Economy", "Policy", "Autos", "AI", "E-commerce", "Gaming",
	"Startups", "Opinion", "Asia", "World", "Energy", "Science", "Lifestyle",
}

var zhSections = []string{"首页", "科技", "财经", "互联网", "电商", "汽车", "金融", "产业", "评论", "数码", "游戏", "创投", "国际", "能源"}

var enQuarters = []string{"first quarter", "second quarter", "third quarter", "fourth quarter"}

var zhQuarters = []string{"一季度", "二季度", "三季度", "四季度"}

var weekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}

// enSentences are generic news sentences; {co}, {co2}, {prod}, {city},
// {pct}, {num}, {amt}, {q}, {person}, {firm}, {day} are filled in.
var enSentences = []string{
	"{co} said revenue rose {pct}% in the {q}, beating analyst estimates compiled by {firm}.",
	"Shares of {co} climbed {pct}% in Hong Kong trading after the results.",
	"The company plans to open a research centre in {city} with about {num} engineers.",
	"{co} launched a new {prod} on {day}, priced about {pct}% below its predecessor.",
	"Analysts at {firm} expect competition in the {prod} market to intensify next year.",
	"{person}, a spokesperson for {co}, declined to comment on the figures.",
	"Deliveries of its {prod} reached {num} units last month, the company said.",
	"{co} is also expanding overseas, with new offices in {city} and {city2}.",
	"The deal values {co2} at about {amt}, according to people familiar with the matter.",
	"Regulators in {city} have asked several platforms to explain their pricing practices.",
	"{co} said it would spend {amt} on research and development over the next three years.",
	"The {prod} will first be available to customers in {city} before a wider rollout.",
	"Gross margin narrowed to {pct}% from a year earlier as the company cut prices.",
	"{co2} has raised {amt} in a funding round led by existing investors.",
	"Industry data from {firm} show that shipments fell {pct}% year on year.",
	"{co} and {co2} have been competing for users in lower-tier cities for two years.",
	"Executives told analysts on a call that they expect margins to recover in the {q}.",
	"The company said it had about {num} merchants on its platform at the end of the period.",
	"{co} will hold its annual developer conference in {city} next month.",
	"Its {prod} business grew {pct}% and now accounts for a fifth of revenue.",
	"Alibaba's shares rose {pct}% in Hong Kong on {day} while Tencent closed slightly lower.",
	"{co} said about {num} employees would move to the new campus in {city} this year.",
	"Local governments in {city} have offered subsidies for buyers of the {prod}.",
	"{person} wrote in a note to clients that the valuation already reflects slower growth.",
	"The startup, founded in {city} in 2019, counts {co} among its backers.",
	"{co} cut the price of its {prod} by {pct}%, the third reduction this year.",
	"Net income attributable to shareholders was {amt}, compared with a loss a year earlier.",
	"Tencent and Alibaba, the country's two largest internet companies by market value, both report results later this month.",
	"The company did not say when the {prod} would reach markets outside China.",
	"Competition has pushed several smaller rivals of {co} out of the {prod} market.",
}

// zhSentences are the Chinese counterparts of enSentences.
var zhSentences = []string{
	"{co}发布{q}财报，营收同比增长{pct}%，高于{firm}此前的预期。",
	"财报发布后，{co}股价在港股市场上涨{pct}%。",
	"该公司计划在{city}设立研发中心，预计将容纳约{num}名工程师。",
	"{co}近日发布新款{prod}，售价较上一代下调约{pct}%。",
	"{firm}分析师认为，明年{prod}市场的竞争将进一步加剧。",
	"对于上述数据，{co}相关负责人{person}表示不予置评。",
	"公司表示，上月{prod}交付量达到{num}台。",
	"{co}也在加速出海，已在{city}和{city2}设立办公室。",
	"据知情人士透露，此次交易对{co2}的估值约为{amt}。",
	"{city}监管部门已约谈多家平台，要求其说明定价规则。",
	"{co}表示，未来三年将在研发上投入{amt}。",
	"该{prod}将率先在{city}上线，随后逐步扩大范围。",
	"由于降价促销，公司毛利率同比收窄至{pct}%。",
	"{co2}宣布完成新一轮融资，融资金额达{amt}，由老股东领投。",
	"{firm}的数据显示，出货量同比下降{pct}%。",
	"近两年来，{co}与{co2}在下沉市场展开了激烈竞争。",
	"公司管理层在电话会上表示，预计{q}利润率将有所回升。",
	"截至报告期末，平台商家数量约为{num}家。",
	"{co}将于下月在{city}举办年度开发者大会。",
	"{prod}业务同比增长{pct}%，目前约占总营收的五分之一。",
	"当日阿里巴巴港股收涨{pct}%，腾讯控股则小幅收跌。",
	"{co}表示，今年约有{num}名员工将迁入位于{city}的新园区。",
	"{city}多地出台补贴政策，鼓励消费者购买{prod}。",
	"{person}在研报中写道，目前估值已经反映了增速放缓的预期。",
	"这家2019年成立于{city}的初创公司，投资方包括{co}。",
	"{co}再次下调{prod}价格，降幅为{pct}%，这是今年第三次降价。",
	"归属于股东的净利润为{amt}，上年同期为亏损。",
	"作为国内市值最大的两家互联网公司，腾讯与阿里巴巴都将在本月晚些时候发布财报。",
	"公司尚未透露{prod}何时进入海外市场。",
	"激烈的竞争已迫使{co}的多家小型对手退出{prod}市场。",
}

var enCommentLines = []string{
	"Interesting numbers, but I'd like to see how this holds up next quarter.",
	"This is exactly what analysts predicted last year.",
	"Prices keep dropping, good for consumers at least.",
	"I have used their app for years and the service has gone downhill.",
	"Great reporting, thanks for the context on the regulatory side.",
	"Not convinced the overseas expansion will work out.",
	"Would love a follow-up on what this means for smaller merchants.",
	"The margins tell the real story here.",
	"Anyone know when this will be available outside the big cities?",
	"Competition is healthy, let them fight it out.",
}

var zhCommentLines = []string{
	"数据不错，但还要看下个季度能不能保持。",
	"去年就有分析师这么预测了。",
	"价格一直在降，对消费者来说是好事。",
	"用了好几年，感觉服务越来越差了。",
	"报道很详细，谢谢。",
	"出海这条路恐怕没那么好走。",
	"希望能有后续报道，讲讲对中小商家的影响。",
	"利润率才是关键。",
	"什么时候三四线城市也能用上？",
	"良性竞争是好事。",
}

// fill replaces the placeholders of a sentence template.
func fill(r *rand.Rand, tmpl string, zh bool) string {
	companies, cities, products, people, firms, quarters := enCompanies, enCities, enProducts, enPeople, enFirms, enQuarters
	if zh {
		companies, cities, products, people, firms, quarters = zhCompanies, zhCities, zhProducts, zhPeople, zhFirms, zhQuarters
	}
	co := pick(r, companies)
	co2 := pick(r, companies)
	for co2 == co {
		co2 = pick(r, companies)
	}
	city := pick(r, cities)
	city2 := pick(r, cities)
	amt := fmt.Sprintf("$%d.%d billion", 1+r.IntN(40), r.IntN(10))
	if zh {
		amt = fmt.Sprintf("%d.%d亿元", 1+r.IntN(400), r.IntN(10))
	}
	return strings.NewReplacer(
		"{co2}", co2, "{co}", co, "{city2}", city2, "{city}", city,
		"{prod}", pick(r, products), "{person}", pick(r, people), "{firm}", pick(r, firms),
		"{q}", pick(r, quarters), "{day}", pick(r, weekdays),
		"{pct}", fmt.Sprintf("%d.%d", 1+r.IntN(45), r.IntN(10)),
		"{num}", fmt.Sprintf("%d", 100+r.IntN(9900)),
		"{amt}", amt,
	).Replace(tmpl)
}

// paragraph returns n generic sentences.
func paragraph(r *rand.Rand, n int, zh bool) string {
	tmpls := enSentences
	sep := " "
	if zh {
		tmpls, sep = zhSentences, ""
	}
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fill(r, pick(r, tmpls), zh)
	}
	return strings.Join(parts, sep)
}

// genericTitle returns a headline for a page without an event.
func genericTitle(r *rand.Rand, zh bool) string {
	if zh {
		return fill(r, pick(r, []string{
			"{co}{q}营收增长{pct}% 新款{prod}销量亮眼",
			"{co}在{city}设立研发中心 加码{prod}",
			"{co2}完成新一轮融资 估值约{amt}",
			"{co}再降价：{prod}下调{pct}%",
			"{firm}：{prod}市场竞争加剧 {co}份额上升",
			"{co}发布新款{prod} 将率先在{city}上线",
		}), true)
	}
	return fill(r, pick(r, []string{
		"{co} revenue rises {pct}% as {prod} sales take off",
		"{co} to open {city} research centre for its {prod}",
		"{co2} raises {amt} in new funding round",
		"{co} cuts {prod} prices again, by {pct}%",
		"{firm}: {prod} competition heats up as {co} gains share",
		"{co} unveils new {prod}, starting in {city}",
	}), false)
}

// An entity is a platform named in an event, in English and Chinese.
type entity struct{ en, zh string }

var (
	aliShops = []entity{
		{"Taobao", "淘宝"}, {"Tmall", "天猫"}, {"Taobao Deals", "淘特"}, {"Ele.me", "饿了么"},
		{"Xianyu", "闲鱼"}, {"Youku", "优酷"}, {"Damai", "大麦"}, {"Fliggy", "飞猪"},
		{"Freshippo", "盒马"}, {"Amap", "高德地图"},
	}
	adSurfaces = []entity{
		{"WeChat Moments", "朋友圈"}, {"WeChat Channels", "视频号"}, {"WeChat mini programs", "微信小程序"},
	}
)

// eventText is the generated wording of one interconnection development.
type eventText struct {
	kind, stage string // what the development is, for the expected counts
	title, lead string
	follow      string
}

// eventFor writes a development in one of several wordings.
func eventFor(r *rand.Rand, zh bool, when time.Time) eventText {
	a := pick(r, aliShops)
	b := pick(r, adSurfaces)
	day := when.Format("January 2")
	zday := fmt.Sprintf("%d月%d日", when.Month(), when.Day())
	type variant struct{ kind, stage, title, lead, follow, ztitle, zlead, zfollow string }
	vs := []variant{
		{"payment", "launched",
			"{A} now accepts WeChat Pay", "{A} now accepts WeChat Pay at checkout, the company confirmed on {day}, ending years in which shoppers had to use Alipay or a bank card.",
			"The option appears for all users after updating the app, according to a notice in the app.",
			"{zA}正式接入微信支付", "{zday}，{zA}宣布正式接入微信支付，用户在结算页面即可选择微信支付完成付款。",
			"更新至最新版本后，所有用户均可看到该选项。"},
		{"payment", "testing",
			"{A} begins testing WeChat Pay with some users", "{A} has started a small-scale test that lets some users pay with WeChat Pay, people familiar with the matter said on {day}.",
			"The option is only shown to part of its users for now, and the company did not say when it would be widely available.",
			"{zA}灰度测试微信支付 部分用户已可使用", "记者{zday}注意到，{zA}近日开始小范围测试微信支付，部分用户在付款时已可看到微信支付选项。",
			"{zA}客服表示，该功能目前仍在灰度测试中，仅对部分用户开放。"},
		{"payment", "announced",
			"{A} to add WeChat Pay as a payment option", "{A} will add WeChat Pay as a payment option, the company said on {day}, without giving a date.",
			"The plan still needs technical work on both sides, a person close to the company said.",
			"{zA}将接入微信支付", "{zA}方面{zday}表示，将于年内接入微信支付，具体上线时间尚未公布。",
			"知情人士称，双方仍在进行技术对接。"},
		{"advertising", "launched",
			"Alimama starts placing Taobao ads in {B}", "Alimama, Alibaba's marketing platform, now places ads for Taobao and Tmall merchants in {B}, according to a notice sent to advertisers on {day}.",
			"Merchants can buy the traffic from the Alimama console, the notice said.",
			"阿里妈妈开始在{zB}投放淘宝商家广告", "{zday}，阿里妈妈向商家发出通知，淘宝天猫商家现可通过阿里妈妈在{zB}投放广告。",
			"商家可在阿里妈妈后台直接购买相关流量。"},
		{"workplace", "launched",
			"Users can now join DingTalk meetings from WeChat", "DingTalk users can now invite WeChat contacts to join meetings directly from WeChat, without installing DingTalk, the company said on {day}.",
			"Invited users open the meeting link in WeChat and join with their WeChat account.",
			"钉钉会议支持微信用户直接加入", "钉钉{zday}上线新功能，微信用户无需下载钉钉即可通过微信直接加入钉钉会议。",
			"受邀用户在微信中点击会议链接即可入会。"},
		{"links", "launched",
			"WeChat now lets {A} links open in chats", "WeChat now lets users open {A} product links directly in one-on-one chats, no longer asking them to copy the address into a browser, it said on {day}.",
			"Links shared in group chats still need to be copied for now.",
			"微信单聊可直接打开{zA}链接", "微信{zday}调整外链规则，用户在单聊中可直接打开{zA}商品链接，无需再复制到浏览器。",
			"群聊中的链接暂时仍需复制后打开。"},
		{"mini_program", "launched",
			"{A} launches a mini program inside WeChat", "{A} has launched a WeChat mini program that lets users browse and order without leaving WeChat, the company said on {day}.",
			"Orders placed in the mini program are paid with WeChat Pay.",
			"{zA}微信小程序正式上线", "{zday}，{zA}微信小程序正式上线，用户可在微信内直接浏览和下单。",
			"在小程序内下单可使用微信支付付款。"},
		{"logistics", "launched",
			"Cainiao parcel tracking arrives in WeChat", "Cainiao said on {day} that parcel tracking for Taobao orders is now available in WeChat through a service account.",
			"Users can check delivery status without opening the Taobao app.",
			"菜鸟包裹物流信息可在微信查询", "菜鸟{zday}宣布，淘宝订单的物流信息现可在微信中通过服务号查询。",
			"用户无需打开淘宝App即可查看配送进度。"},
	}
	v := vs[r.IntN(len(vs))]
	rep := strings.NewReplacer("{A}", a.en, "{B}", b.en, "{zA}", a.zh, "{zB}", b.zh, "{day}", day, "{zday}", zday)
	if zh {
		return eventText{kind: v.kind, stage: v.stage, title: rep.Replace(v.ztitle), lead: rep.Replace(v.zlead), follow: rep.Replace(v.zfollow)}
	}
	return eventText{kind: v.kind, stage: v.stage, title: rep.Replace(v.title), lead: rep.Replace(v.lead), follow: rep.Replace(v.follow)}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
