"""Generic sentence banks and slot vocabularies of the grammar, written for this project.

Every entry is one string of ``|``-separated alternatives (``weights.split``). ``{slot}`` names a
value the record's ``Slots`` fills once (the same 小区 throughout one work order): places come
from the configuration, numbers and dates are made per record, the rest is listed here or in a
topic. Sentences carry no final punctuation; the composer adds it.
"""

from __future__ import annotations

from crawlers.corpus.weights import split

# ---------------------------------------------------------------- the opening of a work order
OPERATOR_LEADS = split(
    "市民来电反映：|来电人反映：|市民来电称，|来电人称：|诉求人来电反映，|市民反映：|来电反映：|群众来电反映，"
    "|来电市民表示，|市民来电投诉：|来电人投诉称，|市民来电求助：|来电人来电反映，|市民通过热线反映：")
OPERATOR_QUESTION_LEADS = split("市民来电咨询：|来电人咨询，|市民来电询问：|来电咨询：|来电人想了解：")
CITIZEN_OPENERS = split(
    "尊敬的领导：|领导您好！|您好，|你好，|尊敬的市长：|各位领导好，|12345您好，|尊敬的相关部门领导：|市长您好！"
    "|您好！我想反映一个问题。|领导好，打扰了，|你好，我是一名普通市民，|尊敬的{city}领导：|您好，我要投诉，")
SELF_CITIZEN = split(
    "我是{district}{estate}的业主|我家住在{district}{road}{no}号|本人居住在{street}{community}|我是{estate}{no}栋{unit}单元的住户"
    "|我住在{road}附近的{estate}|我们是{district}{street}的居民|我在{estate}住了{years}年|本人系{estate}{no}号楼业主"
    "|我家在{estate}{no}栋{floor}楼|我是在{district}工作的外地人，租住在{estate}|我是{community}的老住户了"
    "|我们一家三代都住在{street}|我是{road}边上做小生意的|我在{district}上班，每天都要经过{road}")
SELF_OPERATOR = split(
    "来电人系{district}{estate}业主|来电人居住在{street}{community}|来电人称其住在{road}{no}号|来电人为{estate}{no}栋住户"
    "|来电人在{district}{road}附近居住|来电人系{estate}租户|来电人是{community}居民|来电人在{street}经营一家小店"
    "|来电人每天途经{road}上下班")

# ---------------------------------------------------------------- what follows the core complaint
DURATIONS = split(
    "一个多月|半年多|两个星期|三个多月|快一年|十来天|好几个月|整整一周|两年多|一个星期|二十多天|大半年|三年多|好几年"
    "|四五天|近两个月|一年多|三四个月")
TIMES = split("两|三|四|五|好几|七八|十几|无数")
NIGHT = split("晚上十一点以后|凌晨一两点|夜里十二点多|凌晨四五点|晚上十点到凌晨|半夜|每天深夜|早上五点多|晚上九点以后"
              "|中午午休时间|周末早上七点|夜里两三点")
TIME_SENTENCES = split(
    "这种情况已经持续了{duration}|从{month}开始就一直这样|问题存在{duration}了，一直没有解决|最近{duration}越来越严重"
    "|{date}以来情况明显加重|前后已经{duration}了，始终没有改善|这个问题去年就有，{month}以后更严重了|至今已有{duration}"
    "|断断续续已经{duration}|每隔几天就会出现一次")
IMPACTS = split(
    "严重影响了周边居民的正常生活|给居民出行带来很大不便|家里老人和孩子都深受其害|附近住户苦不堪言|已经严重影响到我们的休息"
    "|存在很大的安全隐患|居民意见很大|已经影响到孩子的学习|我年纪大了，身体实在吃不消|周边{households}多户居民都受到影响"
    "|小区业主群里天天有人抱怨|一家人的生活都被打乱了|出了事谁来负责|这样下去迟早要出事|每天都提心吊胆"
    "|家里有刚出生的宝宝，根本没法休息|上班族第二天还要工作，实在熬不住|很多老人不敢出门")
PARTIES = split("物业|社区居委会|街道办|城管|派出所|开发商|施工单位|区里相关部门|业委会|村委会|网格员|项目部")
RESPONSES = split(
    "对方只是口头答应，一直没有落实|他们互相推诿，说不归自己管|得到的答复是正在协调|至今没有任何回音|工作人员来看了一眼就走了"
    "|对方态度很差，让我们自己想办法|说要等上级批复|处理了两天又恢复原样|电话打过去一直没人接|说是已经上报，让我们耐心等待"
    "|对方说这个要找另外一个部门|对方登记后让我们回去等通知|当时答应得很好，事后没有下文|对方说月底前解决，结果到现在也没动静")
PRIORS = split(
    "我们多次找过{party}，{response}|之前已经向{party}反映过{times}次，{response}|{date}我找到{party}，{response}"
    "|业主们联名向{party}写过信，{response}|也打过12345，{response}|去{party}问过，{response}|跟{party}沟通了好几次，{response}"
    "|找过{party}和{party2}，{response}")
NARRATIVE_ACTORS = split("我|我们几户邻居|我爱人|楼里的业主代表|小区几位老人|我和家人|我们十几户业主|我和几个同事")
NARRATIVE_EVENTS = split(
    "到{party}当面反映情况|给{party}打了电话|在业主群里发了照片和视频|拍了照片留作证据|去{party}递交了书面材料"
    "|找{party}负责人协商|请{party}到现场查看|再次拨打了热线|到{party2}说明情况|把情况写成材料寄给了{party}")
NARRATIVES = split("{date}，{actor}{event}，{response}|{date}前后，{actor}{event}，{response}|后来{actor}又{event}，{response}"
                   "|到了{month}，{actor}{event}，{response}")
# the law a citizen cites, by department (the generic list for departments not named here)
LAWS_BY_DEPARTMENT: dict[str, tuple[str, ...]] = {
    "住房和城乡建设局": split("物业管理条例|城乡规划法|建筑法|城市房地产管理法"),
    "城市管理局": split("城市市容和环境卫生管理条例|城乡规划法|城市道路管理条例"),
    "人力资源和社会保障局": split("劳动合同法|保障农民工工资支付条例|社会保险法|劳动法"),
    "市场监督管理局": split("消费者权益保护法|食品安全法|价格法|广告法|产品质量法"),
    "交通运输局": split("道路交通安全法|道路运输条例|城市公共汽车和电车客运管理规定"),
    "生态环境局": split("环境噪声污染防治法|大气污染防治法|水污染防治法|固体废物污染环境防治法"),
    "教育局": split("义务教育法|教育法|未成年人保护法|教师法"),
    "卫生健康委员会": split("基本医疗卫生与健康促进法|医疗纠纷预防和处理条例|传染病防治法|执业医师法"),
}
LAWS = split("物业管理条例|环境噪声污染防治法|劳动合同法|消费者权益保护法|城市市容和环境卫生管理条例|道路交通安全法|食品安全法"
             "|大气污染防治法|保障农民工工资支付条例|城乡规划法|义务教育法|社会保险法|价格法|水污染防治法")
REASONS = split(
    "根据相关规定，{party}有责任处理此类问题|按照《{law}》的规定，这种做法是不允许的|我们作为纳税人，有权要求政府部门依法履职"
    "|我们不是无理取闹，只是希望问题得到解决|这个问题看起来不大，但关系到每户居民的切身利益"
    "|类似的情况在其他小区早就解决了，为什么我们这里不行|网上也有不少人反映同样的问题|我们理解政府工作不容易，但拖了这么久总该有个说法"
    "|《{law}》写得清清楚楚，为什么执行不下去|如果再不处理，我们只能继续向上反映")
DEMANDS = split(
    "希望相关部门尽快处理|恳请有关部门介入调查|请求政府部门帮忙协调解决|希望尽快派人到现场查看|请相关部门依法查处"
    "|希望能给我们一个明确的答复|请尽快落实整改|希望有关部门高度重视|恳请领导督促解决|希望能彻底解决，而不是应付了事"
    "|请求有关部门给出处理时限|希望处理结果能及时反馈给我")
OPERATOR_DEMANDS = split(
    "诉求：希望相关部门尽快处理|来电人要求相关部门尽快核实处理|诉求：请相关部门到现场查看并处理|来电人希望尽快得到解决"
    "|市民要求给予答复|请相关部门核实处理并回复来电人|诉求：请求依法查处|来电人希望有关部门协调解决|诉求：请尽快安排人员处理"
    "|来电人情绪激动，要求尽快处理")
CLOSERS = split("谢谢！|谢谢领导！|盼复。|麻烦了，谢谢。|期待回复。|感谢！|辛苦了！|望早日解决，谢谢！|拜托了。|急盼答复！")
CONNECTORS = split("另外，|还有一个问题，|此外，|同时，|再就是，|不仅如此，|更过分的是，|除此之外，|另一个问题是，|还有，|顺便再反映一下，")
QUESTIONS = split(
    "请问这种情况应该找哪个部门|请问具体需要准备哪些材料|请问可以在网上办理吗|想了解一下相关政策|请问办理需要多长时间"
    "|请问有没有相关的补贴政策|请问收费标准是多少|请问去哪里办理比较方便|请问有没有书面的政策文件可以参考")
QUESTION_CONTEXT = split(
    "我今年{age}岁，在{district}{work}|我们一家是{years}年前从{other_city}搬来{city}的|我是{street}的居民，平时在{road}附近上班"
    "|家里有{kids}个孩子，老大今年上{grade}|我爱人在{other_city}工作，我一个人带孩子|我是个体户，在{road}开了一家小店"
    "|之前在{party}问过，说法和网上的不一致|{date}我去{district}政务服务中心问过一次|我不太会用手机上网，所以打电话来问"
    "|我对政策不太了解，怕材料准备不全白跑一趟|听邻居说政策{month}调整过|社区工作人员让我打12345问一下"
    "|我的户口还在{other_city}，人在{city}工作了{years}年|我在{estate}租房住，房东不太配合|我是退休职工，住在{community}")
PRAISE_CONTEXT = split(
    "当时是{date}晚上，我们一家都很着急|工作人员{times}次上门了解情况|处理完以后还专门打电话回访|我们{community}的老人都说好"
    "|这件事我们反映了{duration}，这次终于解决了|工作人员冒着大雨到现场处理|本来以为要拖很久，没想到{days}天就办好了"
    "|我住在{estate}，在{road}附近|当时我年纪大了一个人去办事，他们全程帮忙|{street}的同志们辛苦了")
SUGGESTION_CONTEXT = split(
    "{road}附近这几年新建了很多小区|周边居民有{households}多户|早晚高峰的时候特别明显|我观察了{duration}|其他城市已经有成功的做法"
    "|这样既方便群众又能节省成本|我住在{estate}，每天都经过{road}|{district}人口增长很快，配套跟不上|希望在{year}内能考虑")
WORKS = split("上班|开店|打零工|做保洁|送外卖|跑网约车|做小生意|当保安")
KIDS = split("一|两|三")
GRADES = split("幼儿园|一年级|三年级|五年级|初一|初三|高一")
SUGGESTION_TAILS = split("建议相关部门统筹考虑|建议尽快出台相关措施|这是我们的一点建议，供参考|希望领导能采纳我们的建议")
PRAISE_TAILS = split("特此表扬|想通过这个平台表示感谢|给他们点个赞|希望领导能对他们予以表扬")
OTHER_CITIES = split("厦门市|泉州市|漳州市|莆田市|南平市|三明市|龙岩市|宁德市|深圳市|广州市|杭州市|温州市|南昌市|上海市")

# ---------------------------------------------------------------- people
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
            "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
HONORIFICS = split("先生|女士|先生|女士|阿姨|师傅")
FIRM_HEADS = split("鑫盛|恒达|华信|闽海|榕发|永安|金诺|嘉禾|宏远|瑞丰|天成|海川|新创|众和|联拓|中瑞|博雅|凯旋")
FIRM_TRADES = split("贸易|科技|建材|物流|餐饮管理|装饰工程|电子商务|食品|机电设备|文化传媒|劳务|物业服务|汽车服务|医疗器械")

ADDRESSES = split("{district}{street}{road}{no}号|{district}{estate}{no}栋|{district}{road}{no}号附近|{street}{community}"
                  "|{district}{road}{estate}|{district}{street}{estate}{no}号楼|{road}{no}号")
PHONE_SENTENCES = split("联系电话：{phone}。|我的手机号{phone}，方便的话请回电。|有问题请打{phone}联系我。|联系人电话{phone}。")
PHONE_SENTENCES_OPERATOR = split("来电人联系电话{phone}。|来电人要求回电，电话{phone}。|回访电话：{phone}。")

# ---------------------------------------------------------------- replies
REPLY_OPENERS = split(
    "您好！您反映的问题已收悉。|市民您好，感谢您对我们工作的关心和支持。|您好，关于您反映的“{title}”问题，现答复如下："
    "|尊敬的市民：您好！|您好，您的诉求我单位已收到。|您好，接到您的诉求后，我们高度重视。")
REPLY_ACTIONS = split(
    "经{unit}工作人员现场核查，情况基本属实|接件后，我单位立即安排工作人员到{place}进行了实地查看|经调查核实，{place}确实存在您反映的问题"
    "|我单位已会同{street}、{community}相关人员进行了现场调查|经与相关责任单位沟通了解，现将情况说明如下"
    "|我单位第一时间联系了相关责任主体，并约谈了负责人|{date}，我单位执法人员到现场进行了检查")
REPLY_RESULTS = split(
    "目前已责令相关责任单位限期整改，并将持续跟踪落实情况|现问题已处理完毕，我们将加强日常巡查，防止问题反弹"
    "|已依法立案调查，处理结果将及时向您反馈|由于涉及多个部门，我单位已牵头协调，预计{days}个工作日内处理完毕"
    "|经协调，相关单位已同意按规定处理，请您保持电话畅通|我们已将您的意见建议纳入下一步工作计划统筹考虑"
    "|经调解，双方已达成一致意见|已督促责任单位制定整改方案，并向居民公示")
ANSWERS = split(
    "可携带身份证件到{district}政务服务中心相关窗口办理，也可通过线上平台申请|相关政策可登录{city}人民政府网站查询"
    "|您所咨询的事项按现行规定执行，具体以窗口审核为准|建议您先与所在社区联系，由社区协助办理")
REPLY_CLOSERS = split("感谢您的理解与支持！|如有疑问，可拨打12345热线咨询。|特此回复。|再次感谢您对我们工作的监督。")
DUP_REPLIES = split("经核实，该诉求与工单{orig}反映的问题重复，已合并办理，处理结果请见原工单答复。"
                    "|该工单为重复件，已并入工单{orig}统一办理。")

# ---------------------------------------------------------------- resubmissions
RESUBMIT_PREFIXES = split(
    "再次反映：|之前反映过此问题，至今未解决。|第{times}次反映，|您好，|重复反映，|上次反映后没人处理，现再次反映：|市民再次来电，"
    "|问题依旧，再次反映，")
RESUBMIT_SUFFIXES = split("请尽快处理！|已经过去{days}天了，仍然没有人处理。|盼回复。|希望这次能有结果。|请不要再推诿了。"
                          "|谢谢。")
RESUBMIT_TITLE_PREFIXES = split("再次反映|再次投诉|重复反映|还是")
# word swaps a person makes retelling the same thing
SYNONYMS: tuple[tuple[str, str], ...] = (
    ("非常", "特别"), ("已经", "早就"), ("希望", "恳请"), ("现在", "目前"), ("一直", "始终"), ("多次", "好几次"),
    ("严重", "十分"), ("尽快", "赶紧"), ("我们", "大家"), ("反映", "投诉"), ("没有", "没"), ("问题", "情况"),
)
