package detect

import (
	"strings"

	"github.com/wallwatch/worker/sources"
)

// cueFlag marks what a cue word says about the clause it is in.
type cueFlag uint32

const (
	fNeg       cueFlag = 1 << iota // negation: the clause says it has not happened
	fHedge                         // speculation: may, perhaps, 或许
	fCould                         // could/would: a hedge unless reported speech
	fCond                          // condition or counterfactual: if, unless, 如果
	fQuestion                      // whether, 是否, 吗
	fDirective                     // a regulator's order: ordered, 责令
	fBg                            // history: since, previously, 此前
	fBgWeak                        // history outside the opening paragraphs: already, earlier
	fRecent                        // news: recently, now, 近日
	fContrast                      // but, while, 但: separates clauses
	fMutual                        // both sides act together: tie-up, 合作
	fPlan                          // a plan: a hedged plan is still announced
	fWithout                       // without: negates only an entity that follows
	fNoLonger                      // no longer: halted unless a barrier follows
	fBarrier                       // need, copy, warning: "no longer need" is positive
	fSome                          // some, 部分: testing when users follow
	fUsers                         // users, shoppers, 用户
	fExclude                       // besides, instead of: the entities after it are not connected
	fSkipLine                      // a line starting with it is a link or related block
	fReported                      // said, found: "could" after it is not a hedge
	fNeutral                       // a phrase that only blocks shorter cues inside it
	fRestrict                      // some users, 部分用户: a rollout restricted, even in a trailing phrase
	fUndo                          // lift, 解除: the halt that follows is undone
	fCompete                       // rivals, 对标: competition, not connection
	fToVerb                        // "Taobao to add …": a headline's future
	fAlso                          // also, 也: a parallel statement about another subject
	fJoin                          // connected, 接入: a verb of connecting itself, not of launching an app
)

// cue is what a matched cue phrase means.
type cue struct {
	kind   sources.Kind
	kindW  float32
	stage  sources.Stage
	stageW float32
	conn   float32 // strength as an interconnection predicate
	flags  cueFlag
}

func (c *cue) merge(o cue) {
	if o.kindW > c.kindW {
		c.kind, c.kindW = o.kind, o.kindW
	}
	if o.stageW > c.stageW {
		c.stage, c.stageW = o.stage, o.stageW
	}
	c.conn = max(c.conn, o.conn)
	c.flags |= o.flags
}

// cueSpec lists phrases ("|"-separated; a trailing "*" matches any word
// ending) with one meaning.
type cueSpec struct {
	words string
	cue
}

func k(kind sources.Kind, w float32, words string) cueSpec {
	return cueSpec{words, cue{kind: kind, kindW: w}}
}

func st(stage sources.Stage, w, conn float32, words string) cueSpec {
	return cueSpec{words, cue{stage: stage, stageW: w, conn: conn}}
}

func cn(w float32, words string) cueSpec { return cueSpec{words, cue{conn: w}} }

func fl(f cueFlag, words string) cueSpec { return cueSpec{words, cue{flags: f}} }

func with(s cueSpec, o cue) cueSpec { s.cue.merge(o); return s }

const (
	kPayment     = sources.KindPayment
	kAdvertising = sources.KindAdvertising
	kLinks       = sources.KindLinks
	kMiniProgram = sources.KindMiniProgram
	kWorkplace   = sources.KindWorkplace
	kLogistics   = sources.KindLogistics
	kData        = sources.KindData

	kAnnounced = sources.StageAnnounced
	kTesting   = sources.StageTesting
	kLaunched  = sources.StageLaunched
	kExpanded  = sources.StageExpanded
	kHalted    = sources.StageHalted
)

// cueSpecs is the cue vocabulary, English and Chinese. Longer phrases win
// over the shorter ones inside them, so a phrase can also be listed to
// neutralise a misleading word in it ("food delivery", "in tests", 实测).
var cueSpecs = []cueSpec{
	// Kinds: what connects.
	with(k(kPayment, 1.2, "pay for|pays for|paying for|paid for"), cue{conn: 0.8}),
	with(k(kPayment, 1.2, "pay with|pays with|pay through|pay via|paying with|paid with|check out with|checkout with|checking out with|checks out with|settle fares with|settle bills with"), cue{conn: 1}),
	with(k(kAdvertising, 1.2, "send traffic|sends traffic|sending traffic|drive traffic|drives traffic|driving traffic"), cue{conn: 1}),
	k(kPayment, 1, "pay|pays|paying|paid|payment|payments|checkout|checkouts|check out|checking out|checked out|wallet|wallets|e-wallet|cashier|payment option|payment options|payment method|payment methods|payment screen|payment page|payment tool|payment tools|payment service|payment services|transfer money|money transfer|money transfers|transfers to|scan to pay|scan-to-pay|ask a friend to pay|pay on behalf"),
	k(kPayment, 0.5, "qr code|qr codes|alipay code|payment code"),
	k(kPayment, 1, "支付|付款|支付方式|付款方式|支付选项|付款环节|支付环节|支付页面|付款页面|收款|结账|钱包|零钱|转账|转给|帮忙付|帮我付|代付|扫码支付|扫码付款|支付能力|支付通道|付费"),
	k(kPayment, 1.5, "收银台|支付渠道"),
	k(kPayment, 0.5, "扫码|二维码|结算|收付款"),
	k(kAdvertising, 1, "ad|ads|advert|adverts|advertis*|ad placement|ad placements|placements|ad space|ad spaces|ad revenue|ad inventory|ad traffic|ad platform|ad cards|ad card|marketing|traffic|buy traffic|commercial traffic|ad delivery"),
	k(kAdvertising, 1.2, "广告|信息流|引流|导流|效果广告|营销|推广|流量|流量入口|广告流量|广告资源|广告位|资源位|买量"),
	with(k(kAdvertising, 1.5, "投放|投流|投广告|投放广告|买广告|购买广告"), cue{conn: 1}),
	with(k(kAdvertising, 1.5, "place ads|places ads|placed ads|placing ads|run ads|runs ads|running ads|ran ads|buy ads|buys ads|bought ads|buying ads|serve ads|serves ads|served ads|serving ads|show ads|shows ads|showing ads|advertise on|advertise in|advertises on|advertises in|advertised on|advertised in|advertising on|advertising in"), cue{conn: 1}),
	k(kLinks, 1.2, "link|links|external link|external links|outside link|outside links|product link|product links|web link|web links|e-commerce link|e-commerce links|url|urls|share|shares|shared|sharing|share to|product card|product cards|text code|text codes|passcode|passcodes|martian language|link sharing"),
	k(kLinks, 0.8, "commands"),
	k(kLinks, 1, "gift|gifts|gifting|send a gift|send gifts|sends gifts|gift card|gift cards|linking|link back|links back|linking back|card|cards|送礼|送礼物|礼物|送给|发给好友|分享给好友"),
	with(k(kLinks, 1, "send it to|send them to|sends it to|sent to|send to|发送给"), cue{conn: 1}),
	k(kPayment, 1.2, "send money|sends money|sent money|sending money|red packet|red packets|红包|bank card|bank cards|credit card|credit cards|debit card|debit cards|card payment|card payments|银行卡|信用卡|储蓄卡"),
	with(st(kLaunched, 1.2, 1, "open links|opens links|opened links|open outside links|open external links|open the links|share links|shares links|shared links|allowed links|allows links|allowing links|unblocked links|unblocks links"), cue{kind: kLinks, kindW: 1.5}),
	with(st(kHalted, 1.5, 1, "restricted links|restricts links|restricting links|blocked links|blocks links|blocking links|banned links|bans links|banning links|throttled links"), cue{kind: kLinks, kindW: 1.5}),
	k(kLinks, 1.5, "连结|链结|链接|外链|网址|外部链接|分享|口令|淘口令|商品卡片|火星文|转发"),
	k(kLinks, 0.5, "卡片"),
	k(kMiniProgram, 1, "mini program|mini programs|miniprogram|applet|applets|小程序"),
	k(kWorkplace, 1.2, "meeting|meetings|video conference|video conferences|conferencing|video call|video calls|office software|office suite|office tools|collaboration tools|workplace|会议|办公|协同办公|视频会议|协作|通讯录"),
	k(kWorkplace, 0.5, "文档|docs"),
	k(kLogistics, 1.2, "logistics|courier|couriers|parcel|parcels|parcel tracking|tracking|package tracking|tracking number|tracking numbers|shipping|shipment|shipments|deliveries|物流|快递|配送|包裹|驿站|取件|寄件"),
	k(kLogistics, 0.6, "delivery"),
	with(k(kLogistics, 1.2, "deliver|delivers|delivered|delivering|deliver parcels|delivers parcels|ship parcels|ships parcels|collect parcels|collects parcels|揽收|派送|发货|寄件|取件"), cue{conn: 1}),
	k(kData, 1.2, "modeling|modelling|user data|data silos|data fragmentation|login|log in|logins|sign in|single sign-on|account system|identity|建模|登录|用户画像|数据"),
	with(k(kData, 1.5, "data sharing|share data|shared data|federated learning|joint modeling|joint modelling|数据互通|联邦学习|联合建模|账号互通"), cue{conn: 0.8, flags: fMutual}),
	with(k(kData, 2.5, "data partnership|data cooperation|joint measurement|measure campaigns|campaign measurement|cross-platform measurement|attribution data|privacy-preserving computation|privacy computing|privacy-enhancing|clean room|data clean room|share campaign data|share ad data|share advertising data|share their data|数据合作|隐私计算|联合度量|效果度量|归因分析|数据洁净室"), cue{conn: 0.8, flags: fMutual}),
	k(kData, 0.6, "data"),
	k(kData, 0.4, "账号|account|accounts"),
	// Phrases that look like a kind but are not one.
	fl(fNeutral, "food delivery|food-delivery|delivery app|delivery platform|delivery giant|delivery service|delivery services|pay attention|paid off|pays off|pay tv|pay rise|payroll|ad hoc|big data|data center|data centre|data centers|外卖|大数据|数据中心|online advertising revenue|advertising revenue|ad revenue|advertising business|marketing budget|data provided by|data from|according to data|数据显示|财报数据|market share|shares rose|shares fell|shares held|class a shares|share price|shares of|per share|a share|its shares|the shares"),

	// Stages.
	st(kLaunched, 1.5, 1, "launch|launches|launched|launching|went online|go online|goes online|gone online|came online|come online|went live|go live|goes live|gone live|is live|now live|rolled out|rolls out|roll out|rolling out|debut|debuts|debuted|unveiled|unveils|introduced|introduces"),
	st(kLaunched, 2, 1, "now supports|now support|now accepts|now accept|now lets|now let|now allows|now allow|now offers|now offer|now available|now open|now opens|can now|now can|officially|officially launched|formally|fully|full rollout|fully opened|start accepting|starts accepting|started accepting|began accepting|start taking|starts taking|started taking|started offering|starts offering|began offering|begun offering|lifted|lifts the block|lifted the block|unblocked|unblocks|stopped blocking|stop blocking"),
	st(kLaunched, 1.2, 1, "switch on|switched on|switches on|turned on|turns on|turn on"),
	st(kLaunched, 1, 1, "opening its|opening their|opening up its|opening up their|opens its|opened its|open its|opens their|opened their"),
	st(kLaunched, 1.2, 1, "removes barriers|removes a barrier|removes the barrier|removed barriers|removed a barrier|remove barriers|removing barriers|removes one of|tear down|tears down|tearing down|tore down|torn down|break down the walls|breaks down the walls|打破壁垒|拆除壁垒|拆墙|打破围墙|推倒围墙"),
	st(kLaunched, 1, 1, "include|includes|included|adopt|adopts|adopted|adopting|hook up|hooks up|hooked up|plug into|plugs into|plugged into|tap into|taps into|tapped into|comes to|come to|came to|coming to|arrive|arrives|arrived|arriving|embrace|embraces|embraced|embracing|landed on|lands on|land on|landed in|lands in|land in|landing in|landing on|shows up in|showed up in|pops up in|popped up in|welcomes|welcomed|support|supports|supported|supporting|accept|accepts|accepted|accepting|add|adds|added|adding|offer|offers|offered|offering|opened|opens|open to|opened to|opens to|opening up|opened up|opens up|open up|integrated|integrates|integrate|integrating|integration|connected|connects|connect|connecting|connection|enabled|enables|enable|appear|appears|appeared|appearing|show up|shows up|showed up|showing up|started|starts|began|begun|begin|begins|available|joined|joins"),
	st(kLaunched, 0.5, 0.5, "can|able to|opening|start|now"),
	st(kLaunched, 0.8, 0.8, "open"),
	st(kLaunched, 1, 1, "all users|every user|everyone|all shoppers"),
	st(kLaunched, 1.5, 1, "上线|正式|全面|全量|推出|登陆|现身|亮相|落地|用上|新上线|全面开放|全面接入|解除屏蔽|放开|松绑"),
	with(st(kLaunched, 1, 1, "打通|互通"), cue{flags: fMutual}),
	with(st(kLaunched, 1, 1, "牵手|联姻|结盟"), cue{flags: fMutual}),
	st(kLaunched, 1, 1, "支援|迎来|接纳|拥抱|接入|支持|开通|开放|新增|接通|入驻|引入|允许|出现|出现了|已可|可直接|已经可以|已能|刷到"),
	st(kLaunched, 1.5, 1, "现可|现已|现已可|现已支持|现已开放|现已上线|已支持|已上线|已开通|已接入|已开放"),
	st(kLaunched, 0.8, 0.8, "开始|已开始|开始在"),
	st(kLaunched, 0.4, 0.6, "可以|即可|能够|也能|就能|可在|可用|进入|增加|使用|选择"),
	st(kTesting, 2, 1, "internal test|internal tests|internal testing|tested internally|testing internally|being tested|is testing|are testing|was testing|were testing|started testing|starts testing|began testing|begun testing|start testing|trial run|gray release|grey release|gray test|grey test|gray testing|grey testing|beta test|beta testing|public beta|gradually being opened|being opened gradually|opened gradually|gradually opened|gradually opening|opening gradually|gradually rolled out|gradually rolling out|gradually rolls out"),
	with(st(kTesting, 2, 1, "not every|not all|not everyone|并非所有|不是所有|并非全部|small group|small share|small number|small range|small scale|limited number|limited trial|limited test|select users|selected users|certain users|some users|some shoppers|some customers|some merchants|some accounts|some products|a few users|小范围|部分用户|部分商品|部分账号|部分地区|部分商家|少数用户|一部分用户"), cue{flags: fRestrict}),
	st(kTesting, 1.2, 1, "in phases|in stages|phased|phase in|phased in|soft launch|soft launched|soft-launch|分批|分阶段"),
	st(kTesting, 1.5, 1, "testing|tests|test|tested|trial|trials|trialled|trialed|trialling|trialing|pilot|pilots|piloting|piloted|beta"),
	st(kTesting, 0.8, 0.5, "limited|gradually|a number of|step by step"),
	st(kTesting, 2, 1, "内测|灰度|公测|试点|试行|试运行|逐步开放|陆续开放|逐步放开|逐步开通|邀请测试|定向测试"),
	st(kTesting, 1.2, 1, "测试|试水|尝试|试用"),
	st(kTesting, 0.6, 0.3, "逐步|陆续"),
	fl(fNeutral, "in tests|in a test|in our tests|our tests|tests by|test by|tests showed|stress test|实测|测试发现|记者测试|记者实测|尝试过"),
	st(kExpanded, 1.5, 1, "expand|expands|expanded|expanding|expansion|widen|widens|widened|widening|broaden|broadens|broadened|more users|more merchants|more products|more scenarios|more scenes|more shoppers|more brands|deeper|deepen|deepens|deepened|deepening|now also|also covers|scaled up|scales up|scale up|extended to|extends to|extend to|further opened|further opens|further integrate|further integration"),
	st(kExpanded, 0.8, 0.5, "extend|extends|extended|further|upgrade|upgrades|upgraded|stepped up|steps up"),
	st(kExpanded, 1.5, 1, "扩大|扩展|拓展|扩容|深化|更多用户|覆盖更多|进一步开放|进一步打通|进一步放开|进一步接入|进一步扩大|进一步深化|加码|延伸至|扩大到|扩展到|扩大至"),
	st(kExpanded, 0.8, 0.5, "进一步"),
	st(kExpanded, 0.8, 0.5, "升级|新进展|同样可以|也能在"),
	// "More users" as a purpose is not a widening.
	fl(fNeutral, "方便更多用户|吸引更多用户|触达更多用户|服务更多用户|帮助更多用户|让更多用户|获取更多用户|吸引更多消费者|触达更多消费者|reach more users|attract more users|win more users|help more users|serve more users|bring more users|draw more users|reach more shoppers|attract more shoppers|win more shoppers"),
	st(kExpanded, 0.8, 1, "覆盖|cover|covers|covering"),
	st(kExpanded, 1, 1, "推广至|推广到"),
	st(kHalted, 1.5, 1, "stops accepting|stopped accepting|stop accepting|stops supporting|stopped supporting|disappear|disappears|disappeared|disappearing|vanished|vanishes|pulled from|removed from|taken off|消失|不见了|block|blocks|blocked|blocking|pulled|pulls|taken down|took down|take down|takes down|taken offline|removed|removes|suspend|suspends|suspended|suspending|halt|halts|halted|halting|shut down|shuts down|shut out|shuts out|shutting out|cut off|cuts off|banned|ban|bans|banning|withdrawn|withdrew|withdraws|disabled|discontinued|walled off|walling off|walls off"),
	st(kHalted, 2.5, 1, "can no longer be found|no longer be found|no longer available|no longer appears|no longer appeared|no longer supports|no longer supported|no longer accepts|no longer accepted|无法找到|找不到|搜不到|已下线|已下架|搜索不到|无法搜到|无法搜索到|已无法|已经无法|已不能|已经不能|已不再|已经不再|已暂停服务|暂停服务|已停止服务|停止服务|已停用|已关闭"),
	st(kHalted, 1.5, 1, "下线|下架|屏蔽|封禁|封杀|叫停|切断|撤下|移除|禁止|断开|停用|停止|暂停|关闭|中断"),
	with(st(kHalted, 1.5, 1, "no longer|不再"), cue{flags: fNoLonger}),
	st(kAnnounced, 2, 0.8, "plans to|plan to|planning to|planned to|is preparing|are preparing|preparing to|prepares to|prepare to|readies|readying|getting ready|intends to|intend to|is set to|are set to|upcoming|agreed to|has agreed|have agreed|pledged to|promised to|is expected to|are expected to|asking for opinions|soliciting opinions"),
	st(kAnnounced, 2, 1, "applied for|has applied|have applied|had applied|applied to|applied with|filed applications|filed an application|submitted an application|submitted applications|applications"),
	st(kAnnounced, 1, 1, "application"),
	with(st(kAnnounced, 1.2, 0, "will|plans|planned|soon|going to"), cue{flags: fPlan}),
	cn(0.5, "announce|announces|announced|announcing|agreement|agreed|宣布"),
	with(st(kAnnounced, 2, 0.5, "计划|即将|拟于|拟在|拟将|征求意见|预计将|有意|意向"), cue{flags: fPlan}),
	with(st(kAnnounced, 2, 0.8, "筹备|准备|拟推出|拟接入|拟上线|拟开放|拟开通|拟支持"), cue{flags: fPlan}),
	with(st(kAnnounced, 2, 1, "技术对接|进行对接|正在对接|对接中|技术联调|联调中|按照规划|按照计划|根据规划|根据计划|according to the plan|under the plan|in the works|working on|are working to|is working to|will be able to|将可以|将能|将能够|将可"), cue{flags: fPlan}),
	st(kAnnounced, 2, 1, "申请|提交申请|接入申请|提交了申请|提交过|达成协议|签署"),
	with(st(kAnnounced, 1.5, 1, "将上线|将接入|将开放|将支持|将推出|将开通|将上架|将覆盖|将扩大|将打通|将提供|将引入|将正式|将允许|将恢复"), cue{flags: fPlan}),
	with(st(kAnnounced, 1.5, 0, "将在|将于|将会|将向|将对|将全面|将逐步|将陆续|将与|将面向|将被|后续会|后续将|未来将"), cue{flags: fPlan}),

	// Connection predicates without a stage of their own.
	cn(1, "point to|points to|pointed to|pointing to|link to|links to|linked to|linking to|linking|link directly|links directly|link straight|links straight|redirect|redirects|redirected|redirecting|redirection|jump to|jumps to|jumped to|jump|jumps|straight to|directly to|send users|sends users|sending users|access|accessed|accessing|join|joining|let|lets|letting|allow|allows|allowed|allowing|carried|carries|carrying|carry|bring|brings|bringing|brought|available in|available on|available to|from within|buy traffic"),
	cn(0.6, "take|takes|taking|via|inside|within"),
	cn(0.5, "directly|direct|through|use|uses|using|used|bridge|bridges|route|routes"),
	cn(1, "跳转|直跳|直达|打开|点开|访问|拉起|调起|唤起|加入|下单|分享到|分享给|发到|发送到|发送至|跳到|直接打开|直接访问|直接跳转|直接使用|完成付款|完成支付|完成购买"),
	cn(0.4, "直接|用|通过|借助"),
	with(cn(1, "tie-up|tie up|tie-ups|tied up|collaborate|collaborates|collaborated|collaborating|collaboration|cooperate|cooperates|cooperated|cooperating|cooperation|co operation|partner|partners|partnered|partnering|partnership|interconnect|interconnects|interconnected|interconnection|interconnectivity|interoperability|interoperable|jointly|joint|join hands|joining hands|joined hands|shook hands|shake hands|合作|携手|联合|联手|握手|互联互通|共同|一起"), cue{flags: fMutual}),
	fl(fMutual, "between|each other|each other's|one another|mutual|mutually|both sides|both parties|the two companies|the two groups|the two giants|之间|相互|互相|双方|彼此"),

	// Negation, hedges, conditions, questions, orders.
	fl(fNeg, "not|n't|never|neither|nor|no|none|nothing|cannot|can't|don't|doesn't|didn't|isn't|aren't|wasn't|weren't|won't|wouldn't|couldn't|hasn't|haven't|hadn't|shouldn't|not yet|no such|still no|still not|still cannot|still can't|still only|still need|still needs|still needed|still require|still requires|still required|still has to|still have to|still had to|remains the only|remain the only|remained the only|is still the only|was still the only|still the only|failed to|fails to|unable to|not able to|in vain|unsuccessful|without success|refused|refuses|refuse to|rejected|rejects|denied|denies|lack|lacks|lacked|lacking|absent|yet to"),
	fl(fNeg, "仍需|仍然需要|依然需要|还需要|仍要|依然要|仍得|不支持|不能|不可以|不可|不会|不是|不提供|不接受|不允许|不开放|不让|并未|并非|并不|尚未|仍未|还未|从未|未曾|未能|未|没有|没能|没|无法|无从|仍无法|还不能|仍不能|暂不|暂无|尚无|仍只能|仍然只能|依然只能|还只能|仍只有|仍然只有|依然只有|依然只会|仍只会|只能通过|拒绝|失败|未获|一直没有|迟迟"),
	fl(fNeutral, "not until|was not until|is not until|直到|not only|not just|not to mention|not least|if not|whether or not|no need|no matter|no doubt|nothing new|不用|无需|不必|不需要|不需|免去|不少|不同|不断|不过|不仅|不但|不错|不久|无论|无缝|未来|未公布的|不排除|毫无疑问|不管|不妨|不停|不乏|并不是唯一|would be able to"),
	fl(fWithout, "without|没有了"),
	fl(fBarrier, "need|needs|needed|require|requires|required to|have to|has to|had to|copy|copies|copied|copying|paste|pasted|warning|warnings|warning page|prompt|prompts|pop up|pop-up|pops up|需要|复制|粘贴|提示|弹出|警告|跳出|风险提示"),
	fl(fHedge, "should|ought to|应该|应当|理应|seems|seem to|seemed to|appears to be|appear to be|appeared to be|looks like|look like|may|might|possibly|perhaps|maybe|likely|unlikely|rumor|rumors|rumour|rumours|rumored|rumoured|speculat*|follow suit|believe|believes|believed|suspect|suspects|analysts say|analysts said|analyst said|或许|可能|也许|有望|或将|据传|传闻|猜测|预测|未必|恐怕|认为|看来|推测|猜想|料将|效仿|跟进|更像是|像是|似乎|看起来|看似"),
	fl(fCould, "could|would"),
	fl(fHedge, "in talks|in discussions|holding talks|in negotiations|谈判中|正在洽谈|正在磋商|正在商谈|正在谈判|正在接洽"),
	fl(fHedge, "有助于|有利于|将有助于|helps to|help to|would help|could help|should help|aims to help"),
	fl(fAlso, "also|too|as well|likewise|同样|也|亦|也能在|同样可以"),
	fl(fJoin, "接入|接通|打通|已接入|connected|connects|connect|integrated|integrates|integrate|accepted|accepts|accept|adopted|adopts|hooked up|plugged into"),
	with(st(kLaunched, 1, 1, "added it|adds it|add it|accepted it|accepts it|began accepting it|率先接入|先后接入|陆续接入|也接入|相继接入"), cue{flags: fJoin}),
	fl(fCond, "imagine|imagining|suppose|supposing|what if|设想|想象|假设|if|unless|were to|even if|in case|whenever|如果|假如|倘若|一旦|除非|要是|万一|只要|若是|如若|若能|若"),
	fl(fNeutral, "若干|如果说"),
	fl(fQuestion, "whether|is it possible|will it|would it|could it|can it|why|when will|是否|能否|会否|会不会|能不能|可否|何时|为何|为什么|吗|多久|什么时候|啥时候"),
	fl(fDirective, "lawsuit|lawsuits|sued|sues|suing|court|courts|ruled|ruling|verdict|defendant|defendants|plaintiff|plaintiffs|起诉|诉讼|被告|原告|法院|判决|宣判|一审|二审|裁定|判赔|侵权案"),
	fl(fDirective, "ordered|urged|urges|demanded|instructed|instructs|told platforms|told companies|told internet|required platforms|required companies|要求|责令|勒令|约谈|督促|指导会|行政指导"),
	fl(fBg, "since|previously|back in|as early as|in the past|used to|formerly|prior to|此前|早在|曾|曾经|回顾|以来|彼时|那时|原先|原本|起初|最早|早些时候|早前|一度|历史上|first added|first launched|first introduced|first appeared|first rolled out|first opened|first began|first started|when it first|when they first|最初|当初|首次上线时"),
	fl(fBgWeak, "already|could already|would already|earlier|before|之前|过去|当时|以前|先前"),
	fl(fNeutral, "上线后|上线之后|上线以后|after launch|after its launch|should now|should be able|to rival platforms|to rival services|to rival apps|to rival companies|to rival firms|to rival sites|to rival products|to rival wallets|to rival e commerce|to rival platform|to rival service|to rival app|a block of|block of text|blocks of text|as soon as|soon after|soon afterwards|shortly after|shortly afterwards|once again|at once|earlier today|before the"),
	fl(fBgWeak, "earlier this month|earlier this year|follows|followed|comes after|came after|coming after|on the heels of|在此之前"),
	fl(fUndo, "lift|lifts|lifted|lifting|end|ends|ended|ending|scrap|scraps|scrapped|undo|loosen|loosens|loosened|relax|relaxes|relaxed|ease|eases|eased|stop|stops|stopped|stopping|cease|ceases|ceased|ceasing|解除|取消|撤销|结束|放宽|放松|松绑|停止|不再"),
	st(kLaunched, 2, 1, "stops blocking|stopping blocking|stops banning|stopped banning|no longer blocks|no longer blocking|no longer bans|ceased blocking|停止屏蔽|不再屏蔽|取消屏蔽|解禁|解封|恢复访问|恢复正常访问"),
	st(kHalted, 1.2, 1, "restrict|restricts|restricted|restricting|limit access|limits access|limited access|throttle|throttles|throttled|throttling|限制了|限制访问|限流了"),
	st(kHalted, 0.8, 0.8, "restriction|restrictions|限制|限流"),
	fl(fCompete, "to rival|rivaling|rivalling|compete with|competes with|competing with|competed with|to compete|take on|takes on|taking on|to challenge|versus|vs|对标|抗衡|剑指|叫板|竞争|争夺|抢夺|较量|pk"),
	with(cn(0.8, "to add|to accept|to support|to open|to allow|to let|to launch|to offer|to integrate|to connect|to bring|to roll out|to start|to begin|to introduce|to take|to link|to join|to enable|to test|to trial|to pilot|to expand|to block|to end|to drop|to pull|to share|to place|to sell|to list|to show|to carry|to run|to host|to stream|to open up|to team up|to tie up|to partner|to cooperate|to measure|to use|to put|to switch on|to go live"), cue{flags: fToVerb}),
	st(kAnnounced, 1.5, 0.8, "poised to|about to|is to|are to|set to"),
	fl(fRecent, "recently|this week|today|yesterday|latest|newly|just|now|currently|at present|quietly|近日|日前|近期|最近|近两日|近几日|昨日|昨天|今天|今日|本周|现在|如今|目前|悄然|刚刚|此番|此次|这次|新近"),
	fl(fContrast, "but|however|although|though|while|whereas|even though|even as|instead|但|但是|然而|却|可是|虽然|尽管|只是"),
	fl(fNeutral, "but also|but not|while also"),
	fl(fSome, "some|部分|一些|少数|一部分"),
	fl(fUsers, "users|user|shoppers|customers|buyers|consumers|merchants|people|accounts|orders|products|用户|商家|账号|账户|商品|消费者|买家|网友|订单"),
	fl(fExclude, "unlike|不同于|next to|alongside|besides|apart from|other than|instead of|rather than|except|excluding|除了"),
	fl(fReported, "said|says|stated|states|announced|found|noticed|discovered|reported|confirmed|showed|told|saw"),
	fl(fSkipLine, "see also|related:|related coverage|related articles|related stories|read more|read also|also read|recommended:|more:|editor:|editor/|source:|photo:|image:|相关阅读|相关新闻|延伸阅读|推荐阅读|相关报道|责任编辑|编辑：|编辑:|来源：|来源:|图片来源|上一篇|下一篇|previous post|next post|热门排行|热门文章"),
}

// cueWords expands a spec's phrase list.
func cueWords(s string) []string {
	parts := strings.Split(s, "|")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
