package detect

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// folded is a piece of text prepared for matching: ASCII letters lowercased,
// full-width forms and typographic quotes and dashes folded to ASCII, an
// intra-word hyphen turned into a space, runs of spaces collapsed. lower and
// cased have the same bytes except for letter case; orig maps each byte
// offset (and the end) back into the source text.
type folded struct {
	lower string
	cased string
	orig  []int32
}

// foldText folds src.
func foldText(src string) folded {
	var lower, cased strings.Builder
	lower.Grow(len(src))
	cased.Grow(len(src))
	orig := make([]int32, 0, len(src)+1)
	emit := func(b byte, at int) {
		cased.WriteByte(b)
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		lower.WriteByte(b)
		orig = append(orig, int32(at))
	}
	space := true // drop leading spaces
	var last byte // the last byte written
	for i := 0; i < len(src); {
		if c := src[i]; c < utf8.RuneSelf && c > ' ' && c != '-' && c != '`' {
			// Plain ASCII: the common case.
			emit(c, i)
			last = c
			space = false
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(src[i:])
		at := i
		i += n
		if r >= utf8.RuneSelf {
			if r = foldRune(r); r < 0 {
				continue
			}
		}
		if r == '\t' || r == '\n' || r == '\r' {
			r = ' '
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
			emit(' ', at)
			last = ' '
			continue
		}
		space = false
		if r == '-' && isLatin(last) && i < len(src) && isLatin(src[i]) {
			r = ' ' // mini-program → mini program, e-commerce → e commerce
		}
		if r < utf8.RuneSelf {
			emit(byte(r), at)
			last = byte(r)
			continue
		}
		var buf [utf8.UTFMax]byte
		m := utf8.EncodeRune(buf[:], r)
		for k := 0; k < m; k++ {
			emit(buf[k], at)
		}
		last = buf[m-1]
	}
	lo, ca := lower.String(), cased.String()
	n := len(lo)
	for n > 0 && lo[n-1] == ' ' {
		n--
	}
	orig = append(orig[:n], int32(len(src)))
	return folded{lower: lo[:n], cased: ca[:n], orig: orig}
}

// traditional holds pairs of a traditional Chinese character and its
// simplified form, for the characters of names and cue words: pages in
// traditional script (淘寶, 騰訊, 測試) read like simplified ones.
const traditional = "來来係系個个們们備备傳传僅仅僑侨價价儀仪億亿優优儲储兌兑內内兩两刪删則则剛刚剝剥創创劍剑動动務务勞劳勢势勵励匯汇區区協协參参叢丛唄呗問问啓启啟启喚唤喪丧單单嗎吗" +
	"嘆叹嘗尝噸吨嚴严國国圍围園园圖图團团執执堅坚報报場场塊块壓压壞坏壯壮夥伙奪夺奮奋娛娱媽妈嬰婴學学實实寧宁審审寫写寬宽寶宝將将尋寻對对導导屆届層层嶺岭帳账帶带幣币" +
	"幫帮幹干幾几廟庙廠厂廢废廣广廳厅彈弹彌弥後后徑径從从復复徵征態态憂忧應应懷怀戰战戲戏戶户掃扫揚扬換换揮挥損损搖摇搶抢摺折撥拨擁拥擇择擊击擋挡擔担據据擬拟擴扩攜携" +
	"攤摊敗败敵敌數数斂敛斷断於于時时晉晋暫暂曆历曬晒會会東东條条業业極极構构槍枪樂乐標标樣样橋桥機机檔档檢检欄栏權权歐欧歲岁歷历歸归殺杀毀毁氣气決决沒没淨净淺浅減减" +
	"測测準准溝沟滅灭滙汇滿满漲涨潛潜濟济瀏浏為为無无熱热燈灯營营爭争爲为爾尔牆墙牽牵獎奖獨独獲获現现瑪玛環环產产畢毕畫画異异當当療疗發发盡尽監监盤盘眾众確确碼码礎础" +
	"禮礼穩稳窮穷競竞筆笔節节範范築筑簡简簽签籌筹糧粮紀纪約约紅红納纳紐纽紙纸級级結结絕绝絡络給给統统絲丝綁绑經经綜综維维網网緊紧線线締缔編编緩缓縣县縫缝縮缩總总績绩" +
	"繫系繼继續续義义習习聖圣聞闻聯联職职聽听脅胁腦脑臉脸臨临臺台與与艱艰華华萬万著着蓋盖藝艺蘋苹蘭兰處处虛虚號号螞蚂蟲虫蟻蚁術术衛卫衝冲裏里補补裝装裡里複复襲袭見见" +
	"規规視视親亲覺觉覽览觀观觸触訂订計计訊讯訓训託托記记訪访設设許许訴诉診诊詐诈評评詞词詢询試试該该詳详誇夸認认誕诞語语誠诚誤误說说誰谁課课調调談谈請请論论諾诺謀谋" +
	"謂谓講讲謝谢證证識识譜谱譯译議议護护讀读變变讓让讚赞豎竖豐丰豬猪貓猫負负財财貢贡貧贫貨货販贩貫贯責责貴贵買买貸贷費费貼贴貿贸賀贺資资賓宾賞赏賠赔賣卖質质賬账賴赖" +
	"賺赚購购賽赛贊赞贏赢趕赶趙赵趨趋跡迹踐践躍跃車车軍军軒轩軟软軸轴較较載载輔辅輕轻輛辆輝辉輪轮輯辑輸输轉转辦办辭辞農农迴回這这連连週周進进遊游運运過过達达違违遞递" +
	"遠远適适遲迟遷迁選选邁迈還还邊边邏逻郵邮鄉乡鄭郑醜丑醫医釋释釘钉針针鈔钞銀银銷销鋒锋鋪铺錄录錢钱錦锦錯错錶表鍵键鎖锁鎮镇鏈链鏡镜鐘钟鐵铁鑑鉴鑰钥長长門门閃闪閉闭" +
	"開开閑闲閒闲間间閣阁閱阅闆板闊阔關关陣阵陰阴陳陈陸陆陽阳隊队階阶際际隨随險险隱隐隸隶隻只雖虽雙双雜杂雞鸡離离難难雲云電电霧雾靈灵靜静韌韧韓韩響响頁页頂顶項项順顺" +
	"預预頒颁頓顿頗颇領领頭头頸颈頻频顆颗題题額额顏颜願愿類类顧顾顯显風风飄飘飛飞飯饭飲饮飼饲飽饱餅饼養养餓饿餘余館馆馬马駐驻騎骑騙骗騰腾驅驱驗验驚惊驛驿髒脏體体髮发" +
	"鬆松鬥斗鬧闹魚鱼魯鲁鮮鲜鳥鸟鳴鸣鵝鹅麗丽麥麦麵面麼么麽么黃黄點点黨党齊齐齒齿齡龄龍龙"

// simplified maps a CJK character (offset from U+4E00) to its simplified
// form, or 0.
var simplified = func() []rune {
	t := make([]rune, 0x9FFF-0x4E00+1)
	rs := []rune(traditional)
	for i := 0; i+1 < len(rs); i += 2 {
		t[rs[i]-0x4E00] = rs[i+1]
	}
	return t
}()

// foldString folds s and returns its lowercase form.
func foldString(s string) string { return foldText(s).lower }

func isAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

func isLatin(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }

// isHan reports whether r is a CJK ideograph.
func isHan(r rune) bool {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF: // the unified ideographs: nearly all text
		return true
	case r < 0x2E80:
		return false
	}
	return unicode.Is(unicode.Han, r)
}

// lastRune returns the rune ending at byte i of s (exclusive), or 0.
func lastRune(s string, i int) rune {
	if i <= 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

// nextRune returns the rune starting at byte i of s, or 0.
func nextRune(s string, i int) rune {
	if i >= len(s) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

// trimSentence trims spaces and stray closing punctuation around a sentence.
func trimSentence(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == 0xFEFF })
}

func isUpper(b byte) bool { return 'A' <= b && b <= 'Z' }
