"""A seeded generator of realistic synthetic Chinese citizen demands.

The demo, the local fixture site and many tests need demands that look like what a 12345 centre,
a leader's message board or a review site really receives: complaints, praise and questions about
the shipped departments' remits, in the shipped districts' streets, roads and 小区, with replies
that come in time or late, resubmissions of the same demand through another channel, personal
data that must be masked, urgent cases, a topic that surges in the last week, and a few items no
validator should accept. Everything here is written for this project (templates and vocabularies);
nothing is copied from the real data sets, which only shaped proportions and style.

``generate(n, seed=..)`` is deterministic: the same arguments give the same items, in the same
order. Items are plain dicts with the fields of ``suqiu.model.Demand``; with ``with_truth=True``
each also carries a ``"_truth"`` dict (what a perfect pipeline should conclude) that callers must
drop before ``build_demand`` (``strip_truth`` does it).
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from suqiu.config import Config, default_config_text, parse_config
from suqiu.model import SHANGHAI

# The default span ends with ISO week 2026-W47 (Mon 16 Nov 2026), the week DESIGN.md uses.
DEFAULT_START = date(2026, 9, 28)
DEFAULT_WEEKS = 8

SOURCE_WEIGHTS: dict[str, float] = {"hotline": 0.55, "portal": 0.25, "review": 0.14, "open311": 0.06}
CHANNELS: dict[str, list[tuple[str, float]]] = {
    "hotline": [("电话", 0.62), ("微信", 0.18), ("APP", 0.14), ("短信", 0.06)],
    "portal": [("网站", 0.7), ("人民网留言板", 0.3)],
    "review": [("点评", 1.0)],
    "open311": [("Open311", 1.0)],
}
REVIEW_DEPARTMENT = "市场监督管理局"

BAD_KINDS = ("empty_content", "bad_date", "missing_source_id", "rating_out_of_range", "negative_votes")

# --------------------------------------------------------------------------- vocabularies
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
HONORIFICS = ["先生", "女士", "阿姨", "师傅", "老师"]
ENTERPRISES = ["福兴机电有限公司", "闽江建材商行", "榕城物流有限公司", "海峡食品贸易公司", "鼓岭茶业有限公司",
               "南台科技有限公司", "三坊文化传媒公司", "乌山装饰工程公司"]
DURATIONS = ["一个多月", "半年多", "两个星期", "三个多月", "快一年", "十来天", "好几个月", "整整一周"]
NIGHT_TIMES = ["晚上十一点以后", "凌晨一两点", "夜里十二点多", "凌晨四五点", "晚上十点到凌晨"]

OPENERS = ["", "", "", "您好，", "你好，", "尊敬的领导：", "领导您好！", "市长您好，", "12345您好，"]
CLOSERS = ["", "", "希望相关部门尽快处理。", "请有关部门重视！", "望早日解决，谢谢！", "恳请领导关注，谢谢。",
           "麻烦尽快派人来看一下。", "希望能给个说法。"]
RESUBMIT_PREFIXES = ["再次反映：", "之前已经反映过，至今没有处理。", "第二次留言：", "重复反映，", "您好，"]
RESUBMIT_SUFFIXES = ["请尽快处理，谢谢！", "已经打过12345，还是没人管。", "盼回复。", "望尽快解决！"]


@dataclass(frozen=True)
class Topic:
    """A recurring kind of demand: who handles it, how it is categorised, how people write it."""

    key: str
    department: str
    category: str
    titles: tuple[str, ...]
    bodies: tuple[str, ...]
    kind: str = "complaint"            # complaint | praise | question


# Slots: {district} {street} {road} {estate} {community} {no} {duration} {night} {business}
TOPICS: tuple[Topic, ...] = (
    # ---- 住房和城乡建设局
    Topic("property_fee", "住房和城乡建设局", "物业管理",
          ("{estate}物业乱收费", "关于{estate}物业公司擅自涨价的投诉", "{estate}物业服务差还涨物业费"),
          ("我是{district}{estate}的业主，物业公司没有召开业主大会就把物业费从每平米1.2元涨到1.8元，"
           "小区卫生没人打扫，门禁坏了{duration}也没人修，业主去问就说不交钱就停水停电。",
           "{estate}物业公司{duration}前开始强制收取停车管理费，每月三百元，没有任何公示，"
           "业主不交就不让车进小区，这种做法合法吗？")),
    Topic("elevator", "住房和城乡建设局", "物业管理",
          ("{estate}电梯经常故障", "{estate}{no}号楼电梯多次困人"),
          ("{estate}{no}号楼的电梯{duration}里坏了五六次，上周还困住了一个老人和小孩，"
           "物业只是派人重启一下，从来不彻底维修，楼里很多老人上下楼非常困难。",
           "小区电梯已经使用十几年，异响严重，物业说要动用维修基金，但维修基金申请迟迟批不下来，"
           "请问{district}住建部门能否协调加快审批？")),
    Topic("handover_delay", "住房和城乡建设局", "房地产",
          ("{estate}逾期交房", "开发商延期交房无说法", "{district}某楼盘烂尾何时复工"),
          ("我们在{road}附近买的新房合同约定去年年底交房，到现在工地已经停工{duration}，"
           "开发商电话打不通，每个月还在还房贷，几百户业主都很着急，请政府介入。",
           "{estate}二期合同写明六月底交房，开发商一拖再拖，交房时发现墙体开裂、地下室渗水，"
           "要求整改也没有回应，房产证更是遥遥无期。")),
    # ---- 人力资源和社会保障局
    Topic("unpaid_wages", "人力资源和社会保障局", "劳动和社会保障",
          ("工地拖欠农民工工资", "{road}项目拖欠工资", "讨薪无门，求助"),
          ("我们一共二十多个工人在{district}{road}的工地干了{duration}，包工头一直拖欠工资不发，"
           "总共欠了十几万，找项目部也互相推诿，家里老人孩子等着用钱。",
           "公司从{duration}前就开始拖欠员工工资，每次都说下个月一起发，现在已经欠了三个月，"
           "老板还让我们主动辞职，请劳动部门帮帮我们。")),
    Topic("social_insurance", "人力资源和社会保障局", "社会保险",
          ("单位不给缴社保", "咨询养老保险转移接续"),
          ("我在{district}一家公司上班已经两年，单位一直没给缴纳社保，入职时签的合同也不给我一份，"
           "请问这种情况应该去哪里投诉？",
           "请问外地户籍在福州缴纳的养老保险，回老家以后怎么办理转移？需要准备哪些材料，"
           "能不能在网上办理？")),
    # ---- 教育局
    Topic("school_place", "教育局", "教育文体",
          ("{estate}学区划分不合理", "咨询{district}小学入学政策"),
          ("我们{estate}的孩子按规定应该就近入学，今年却被划到三公里外的学校，要穿过{road}，"
           "每天接送非常不安全，小区几百户家长都有意见，希望教育局重新考虑学区划分。",
           "孩子今年九月上一年级，户口在{district}，房子是租的，请问租房家庭需要准备哪些材料，"
           "积分怎么计算？")),
    Topic("extra_tuition", "教育局", "教育文体",
          ("举报教师有偿补课", "{road}培训机构卷款跑路"),
          ("{district}某小学的老师暗示家长让孩子周末到她家补课，每次两百元，不去的孩子在班上受冷落，"
           "希望教育局查处。",
           "{road}上的一家培训机构收了我们一万多学费，上个月突然关门，老板联系不上，"
           "同样情况的家长有五十多个，请求有关部门帮忙追回。")),
    # ---- 市场监督管理局
    Topic("consumer_refund", "市场监督管理局", "消费维权",
          ("健身房预付卡无法退款", "商家拒绝退款"),
          ("我在{road}一家健身房办了两年的卡，交了四千八，现在健身房突然关门，门口只贴了一张装修通知，"
           "客服电话打不通，几百个会员都退不了钱。",
           "在{district}某商场买的电器用了不到一周就坏了，商家说不能退只能修，修了两次还是坏，"
           "要求退款被拒绝，请市场监管部门处理。")),
    Topic("food_safety", "市场监督管理局", "食品安全",
          ("{road}某餐馆食品卫生问题", "超市销售过期食品"),
          ("昨天在{road}一家小饭店吃饭，发现菜里有虫子，后厨卫生非常差，老板态度还很恶劣，"
           "吃完回家全家都拉肚子，请监管部门检查这家店。",
           "{district}{estate}门口的超市货架上有过期一个多月的牛奶和面包还在卖，"
           "跟店员说了也不下架，担心老人小孩买到。")),
    # ---- 卫生健康委员会
    Topic("hospital_service", "卫生健康委员会", "医疗卫生",
          ("医院挂号难排队时间长", "社区卫生服务中心缺药"),
          ("带孩子去医院看儿科，早上七点排队挂号，排到下午才看上，医生看了不到两分钟就打发走，"
           "问几句话就不耐烦，希望卫健部门加强管理。",
           "{district}{community}的社区卫生服务中心经常缺少降压药，老人每个月都要跑大医院开药，"
           "很不方便，希望能保障常用药供应。")),
    Topic("vaccine", "卫生健康委员会", "卫生计生",
          ("咨询疫苗接种预约", "宝宝疫苗预约不上"),
          ("孩子要打的疫苗在{district}几个接种点都约不上，说是没有货，请问什么时候能到？"
           "能不能跨区接种？",)),
    # ---- 生态环境局
    Topic("river_odor", "生态环境局", "水环境",
          ("{road}附近内河发黑发臭", "河道有人偷排污水"),
          ("{district}{road}旁边的内河这{duration}又开始发黑发臭，河面漂着垃圾，夏天晚上根本不敢开窗，"
           "怀疑上游有工厂偷排污水。",
           "每天{night}都能闻到{road}附近河道传来的刺鼻臭味，像是工业废水，河里的鱼也死了不少，"
           "希望环保部门夜间来检查。")),
    Topic("night_noise", "生态环境局", "环境保护",
          ("{road}工地夜间施工噪音扰民", "{estate}楼下酒吧噪音扰民"),
          ("{road}的工地{night}还在施工，打桩机声音特别大，附近{estate}的居民{duration}没睡过好觉，"
           "打电话投诉过几次也没有效果。",
           "{estate}楼下的酒吧每天{night}音乐声震天响，严重影响休息，家里有高考的孩子，"
           "请环保部门依法处理噪音扰民。")),
    Topic("waste_gas", "生态环境局", "环境保护",
          ("工厂废气污染", "{district}某厂排放刺鼻气体"),
          ("{district}{street}有家工厂每天{night}偷偷排放废气，味道非常呛人，附近居民咳嗽、头晕，"
           "希望环保部门检测空气质量，查处违法排放。",)),
    # ---- 交通运输局
    Topic("bus_route", "交通运输局", "公共交通",
          ("建议增加{road}公交班次", "{road}公交车长时间不来"),
          ("{estate}入住了几千户居民，附近只有一条公交线路，早晚高峰要等半个多小时，"
           "建议增加班次或者新开一条到地铁站的线路。",
           "{road}站的公交车经常到点不来，司机还经常不进站，老人等车非常辛苦，"
           "希望交通部门加强对公交公司的管理。")),
    Topic("taxi_refusal", "交通运输局", "交通运输",
          ("出租车拒载绕路", "网约车司机乱收费"),
          ("晚上在{road}打车，连续几辆出租车都说交班拒载，好不容易上了一辆，司机故意绕路多收了三十多块，"
           "车牌号我记下来了，希望严肃处理。",)),
    Topic("parking", "交通运输局", "交通运输",
          ("{road}停车难", "{estate}周边乱停车堵路"),
          ("{road}两边每天都停满了车，早上上学时间经常堵死，消防车都进不去，"
           "建议规划停车位并加强管理。",)),
    # ---- 城市管理局
    Topic("street_vendors", "城市管理局", "城市管理",
          ("{road}占道经营", "{estate}门口流动摊贩扰民"),
          ("{road}人行道每天晚上都被流动摊贩占满，油烟大、垃圾多，行人只能走机动车道，"
           "非常危险，城管来了就跑，走了又回来。",
           "{estate}大门口每天都有十几个摊贩占道经营，早上堵住出入口，垃圾随地扔，"
           "希望城管部门长效管理。")),
    Topic("streetlight", "城市管理局", "市容环卫",
          ("{road}路灯不亮", "{road}井盖缺失很危险", "{estate}垃圾清运不及时"),
          ("{road}靠近{estate}一段的路灯坏了{duration}，晚上一片漆黑，已经有人摔倒，请尽快维修。",
           "{road}人行道上有个井盖不见了，只用一根树枝挡着，晚上看不清很容易掉下去，请城管马上处理。",
           "{estate}旁边的垃圾桶{duration}没人清运，垃圾堆得满地都是，臭气熏天，招来很多老鼠。")),
    # ---- praise and plain questions (sentiment other than complaint)
    Topic("praise_service", "城市管理局", "城市管理",
          ("表扬{street}城管队员", "感谢城管及时处理"),
          ("前几天反映的{road}路灯问题，第二天就修好了，城管队员还打电话回访，效率很高，点个赞！",
           "非常感谢{street}的工作人员，我反映的占道问题很快得到解决，现在出行方便多了。"),
          kind="praise"),
    Topic("praise_hospital", "卫生健康委员会", "医疗卫生",
          ("感谢医院医护人员", "表扬社区医生"),
          ("我母亲住院期间，医生护士非常耐心细致，半夜还来查房，想通过这个平台表扬他们，谢谢！",
           "{community}的家庭医生每个月上门给我父亲量血压，服务很好，特此表扬。"),
          kind="praise"),
    Topic("praise_repair", "住房和城乡建设局", "物业管理",
          ("感谢住建局督促维修", "小区问题已解决，表示感谢"),
          ("上次反映{estate}电梯问题后，住建部门很快督促物业更换了主板，现在运行正常，谢谢政府！",),
          kind="praise"),
    Topic("question_permit", "市场监督管理局", "市场监管",
          ("咨询个体户营业执照办理", "咨询食品经营许可证"),
          ("我想在{road}开一家小吃店，请问办理营业执照和食品经营许可证需要哪些材料？可以网上办理吗？",),
          kind="question"),
    Topic("question_school", "教育局", "教育文体",
          ("咨询幼儿园报名时间", "咨询转学手续"),
          ("孩子今年三岁，请问{district}公办幼儿园什么时候开始报名？需要带哪些材料？",
           "我们从外省调动工作到福州，孩子读三年级，请问转学到{district}需要办理什么手续？"),
          kind="question"),
)

# An emerging problem: almost absent in earlier weeks, a surge in the final week, in one place.
EMERGING = Topic(
    "emerging_metro_night_works", "生态环境局", "环境保护",
    ("浦上大道地铁施工夜间噪音扰民", "地铁工地深夜施工吵得无法入睡", "浦上大道夜间施工何时停止"),
    ("这一周浦上大道地铁站工地{night}一直在破碎路面，噪音和震动非常大，金山碧水和阳光城的居民都睡不着，"
     "孩子第二天还要上学，请问夜间施工有没有办理许可？",
     "仓山区浦上大道地铁施工连续几晚通宵作业，渣土车进进出出，灰尘和噪音严重扰民，"
     "附近几个小区业主都在群里反映，希望环保部门立即查处。",
     "浦上大道地铁工地这几天深夜施工，{night}还在用炮机，我们家有老人心脏不好，实在受不了，"
     "恳请相关部门管一管。"),
)
EMERGING_DISTRICT = "仓山区"

# Urgent cases: the level a good urgency detector should give, and why.
URGENT: tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...] = (
    # key, department, category, level, reason, bodies
    ("gas_leak", "城市管理局", "城市管理", "critical", "燃气泄漏",
     ("{estate}{no}号楼楼道里燃气味道特别浓，好像是燃气泄漏，已经有邻居头晕，物业联系不上，请马上派人来！",
      "{road}路边的燃气管道被施工挖破了，一直在漏气，闻得到很大的煤气味，附近还有饭店在开火，太危险了！")),
    ("no_water", "住房和城乡建设局", "城乡建设",
     "high", "停水多日",
     ("{estate}已经停水三天了，没有任何通知，家里有老人和婴儿，饭都做不了，打物业电话也没人接，请尽快恢复供水！",
      "{district}{street}一带连续四天断水，只有半夜来一点点水，几千户居民生活受到严重影响。")),
    ("wages_new_year", "人力资源和社会保障局", "拖欠工资", "high", "春节前欠薪",
     ("马上就要过春节了，{road}工地老板还欠我们三十多个农民工半年的工资，不发钱我们没法回家过年，求政府帮忙！",
      "快过年了，公司拖欠了我们几个月的工资一直不给，老板说年后再说，我们外地人连回家的车票都买不起。")),
    ("self_harm", "人力资源和社会保障局", "劳动和社会保障", "critical", "自伤风险",
     ("工资拖了一年讨不回来，家里孩子上学的钱都没有，我真的不想活了，再不解决我就从工地楼顶跳下去。",
      "房子交不了，钱也退不回来，我已经走投无路了，如果这次还没人管，我只能用极端方式解决。")),
    ("crowd", "住房和城乡建设局", "房地产", "high", "群体聚集",
     ("{estate}几百名业主现在聚集在售楼部门口，要求开发商给交房说法，现场情绪很激动，请政府马上派人来协调。",
      "今天上午{road}工地有一百多个工人围堵项目部讨薪，堵住了路口，随时可能发生冲突。")),
)

REPLY_OPENERS = ["您好，您反映的问题已收悉。", "网友您好！来信收悉。", "市民您好，感谢您对我们工作的监督。",
                 "您好！关于您反映的情况，现答复如下："]
REPLY_BODIES: dict[str, tuple[str, ...]] = {
    "住房和城乡建设局": ("经我局工作人员现场核查，情况基本属实，已责令物业服务企业限期整改，并将跟踪整改落实情况。",
                    "经核实，该项目已列入重点督办，我局已约谈开发企业负责人，要求其制定交付计划并向业主公示。"),
    "人力资源和社会保障局": ("我局劳动保障监察大队已立案调查，责令用人单位限期支付拖欠的工资，逾期将依法处理。",
                       "根据相关规定，您可携带身份证、劳动合同等材料到辖区社保服务窗口办理，也可通过网上办事大厅申请。"),
    "教育局": ("经调查，学区划分依据适龄儿童人数和学校容量确定，我局将结合您的意见在下一年度统筹研究。",
            "我局已联合属地街道对该机构进行调查，并协助家长登记信息，相关情况已移交公安机关处理。"),
    "市场监督管理局": ("我局执法人员已到现场检查，对商家存在的问题责令整改，并依法立案调查，处理结果将及时反馈。",
                "经调解，商家同意按剩余课时退还费用，请您与执法人员联系办理。"),
    "卫生健康委员会": ("我委已责成该医院核查，医院已对相关医务人员进行批评教育，并将优化挂号流程。",
                "经了解，相关药品已纳入采购计划，预计近期到货，感谢您的反映。"),
    "生态环境局": ("我局执法人员已多次开展夜间巡查，对违规施工单位依法立案处罚，并责令其严格控制作业时间。",
              "经现场监测，该河段水质已按要求采样送检，我局已会同水务部门排查沿线排污口。"),
    "交通运输局": ("我局已将您的建议转交公交集团研究，将根据客流情况优化线路和班次。",
              "经调查核实，涉事驾驶员存在违规行为，已依法作出处罚并记入服务质量信誉档案。"),
    "城市管理局": ("接到反映后，我局已安排执法人员加强巡查，对占道经营行为进行劝导和整治，并建立长效管理机制。",
              "经核实，已安排养护单位完成维修，后续将加强日常巡查。"),
}
REPLY_CLOSERS = ["感谢您的理解与支持！", "如有疑问，请拨打12345咨询。", "特此答复。", ""]
DEPT_UNITS: dict[str, tuple[str, ...]] = {
    "住房和城乡建设局": ("市住建局", "区住建局物业科"),
    "人力资源和社会保障局": ("市人社局劳动保障监察支队", "区人社局"),
    "教育局": ("市教育局", "区教育局基础教育科"),
    "市场监督管理局": ("市市场监管局", "区市场监管局执法大队"),
    "卫生健康委员会": ("市卫健委", "区卫健局医政科"),
    "生态环境局": ("市生态环境局", "区生态环境执法大队"),
    "交通运输局": ("市交通运输局", "市客运管理处"),
    "城市管理局": ("市城管委", "区城管执法局"),
}

# --------------------------------------------------------------------------- reviews
BUSINESS_KINDS = [("鱼丸店", "food"), ("沙县小吃", "food"), ("佛跳墙酒楼", "food"), ("火锅店", "food"),
                  ("健身会所", "service"), ("美发沙龙", "service"), ("洗车行", "service"), ("母婴用品店", "retail"),
                  ("手机维修店", "service"), ("生鲜超市", "retail"), ("奶茶店", "food"), ("KTV", "service")]
BUSINESS_PREFIXES = ["老福州", "闽都", "榕树下", "三坊七巷", "鼓山", "闽江", "阿婆", "好运来", "金牌", "海峡"]
REVIEW_POSITIVE = ("味道很正宗，服务员很热情，上菜速度快，下次还会再来。",
                   "环境干净整洁，价格实惠，老板人很好，推荐！",
                   "服务很专业，师傅耐心讲解，性价比很高，五星好评。",
                   "东西新鲜，分量足，排队的人多但是很有秩序。")
REVIEW_NEUTRAL = ("整体还行，就是周末人太多，等位时间有点长。",
                  "味道一般，价格偏贵，环境还可以。")
REVIEW_NEGATIVE = ("菜里吃出头发，找服务员换也不理，态度极差，再也不会来了。",
                   "办了会员卡充了两千，没过两个月就说要转让，钱退不回来，大家千万别充值！",
                   "标价和结账价格不一样，多收了钱还不承认，涉嫌价格欺诈，已经打12315投诉。",
                   "卫生太差了，桌子油腻腻的，吃完肚子疼了一晚上，怀疑食材不新鲜。",
                   "说好的免费维修结果收了三百块检测费，修完没两天又坏了，找他们就推脱。")

# Open311 service codes map onto departments, as a city publishing GeoReport v2 would configure.
OPEN311_SERVICES: tuple[tuple[str, str, str], ...] = (
    ("streetlight", "路灯故障", "城市管理局"),
    ("manhole", "井盖缺失或破损", "城市管理局"),
    ("garbage", "垃圾清运", "城市管理局"),
    ("noise", "噪音扰民", "生态环境局"),
    ("water_pollution", "河道污染", "生态环境局"),
    ("bus_stop", "公交站点设施", "交通运输局"),
)
OPEN311_BODIES: dict[str, tuple[str, ...]] = {
    "streetlight": ("{road}靠近{estate}的路灯不亮了，晚上走路很不安全。", "{road}有三盏路灯白天也亮着，浪费电。"),
    "manhole": ("{road}人行道井盖破损下陷，容易绊倒行人。", "{estate}门口的雨水井盖不见了，请尽快补上。"),
    "garbage": ("{estate}垃圾分类点已经两天没有清运，气味很大。",),
    "noise": ("{road}附近商铺{night}用大喇叭播放广告，很吵。",),
    "water_pollution": ("{road}桥下河面漂满垃圾，还有油污。",),
    "bus_stop": ("{road}公交站的候车亭顶棚破了，下雨天没法躲雨。",),
}

# Fuzhou district codes for plausible ID-card numbers (first six digits).
DISTRICT_CODES = {"鼓楼区": "350102", "台江区": "350103", "仓山区": "350104", "马尾区": "350105",
                  "晋安区": "350111", "长乐区": "350112", "福清市": "350181"}


# --------------------------------------------------------------------------- PII helpers
def id_card_checksum(first17: str) -> str:
    """GB 11643 check character of a mainland resident ID number."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def fake_id_card(rng: random.Random, district: str | None = None) -> str:
    area = DISTRICT_CODES.get(district or "", "350102")
    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
    body = f"{area}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return body + id_card_checksum(body)


def fake_mobile(rng: random.Random) -> str:
    return rng.choice(["13", "15", "18", "17", "19"]) + str(rng.randrange(0, 10)) + f"{rng.randrange(0, 10**8):08d}"


def fake_plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    tail = "".join(rng.choice("0123456789" + letters[:6]) for _ in range(4))
    return f"闽A{rng.randrange(0, 10)}{tail}"


def fake_email(rng: random.Random) -> str:
    name = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz") for _ in range(rng.randrange(5, 9)))
    return f"{name}{rng.randrange(10, 99)}@{rng.choice(['qq.com', '163.com', '126.com', 'sina.com'])}"


def _pii_sentence(rng: random.Random, district: str | None) -> tuple[str, dict[str, str]]:
    kind = rng.choice(["mobile", "mobile", "id_card", "plate", "email"])
    if kind == "mobile":
        v = fake_mobile(rng)
        return rng.choice([f"我的联系电话{v}，", f"有问题请打{v}联系我。", f"手机：{v}"]), {kind: v}
    if kind == "id_card":
        v = fake_id_card(rng, district)
        return f"本人身份证号{v}，", {kind: v}
    if kind == "plate":
        v = fake_plate(rng)
        return rng.choice([f"涉事车辆车牌{v}。", f"车牌号是{v}，"]), {kind: v}
    v = fake_email(rng)
    return f"处理结果请发邮箱{v}。", {kind: v}


# --------------------------------------------------------------------------- generation
@dataclass
class _Place:
    district: str
    street: str
    road: str
    estate: str
    community: str


def _shipped_config() -> Config:
    return parse_config(tomllib.loads(default_config_text()))


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    r = rng.random() * sum(w for _, w in pairs)
    for value, w in pairs:
        r -= w
        if r <= 0:
            return value
    return pairs[-1][0]


class _Generator:
    """Holds the vocabularies from the configuration and the random state of one run."""

    def __init__(self, config: Config, seed: int, start: date, weeks: int) -> None:
        self.rng = random.Random(seed)
        self.config = config
        self.start = start
        self.weeks = weeks
        self.districts = [d for d in config.districts if d.streets and d.roads and d.estates]
        if not self.districts:
            raise ValueError("the configuration has no district with streets, roads and estates")
        known = {d.name for d in config.departments}
        self.topics = [t for t in TOPICS if t.department in known] or list(TOPICS)
        self.urgent = [u for u in URGENT if u[1] in known] or list(URGENT)
        self.emerging_ok = any(d.name == EMERGING_DISTRICT for d in self.districts)
        self.seq: dict[str, int] = {}

    # ---- places and times
    def place(self, district: str | None = None) -> _Place:
        rng = self.rng
        d = next((x for x in self.districts if x.name == district), None) or rng.choice(self.districts)
        return _Place(d.name, rng.choice(d.streets), rng.choice(d.roads), rng.choice(d.estates),
                      rng.choice(d.communities) if d.communities else rng.choice(d.streets))

    def when(self, last_week: bool = False) -> datetime:
        rng = self.rng
        days = self.weeks * 7
        day = rng.randrange(days - 7, days) if last_week else rng.randrange(0, days)
        hour = _weighted(rng, [(h, 3.0 if 8 <= h <= 11 else 2.5 if 14 <= h <= 17 else 1.5 if 18 <= h <= 22
                                else 0.25) for h in range(24)])
        moment = datetime.combine(self.start + timedelta(days=day), time(hour, rng.randrange(60), rng.randrange(60)))
        return moment.replace(tzinfo=SHANGHAI)

    def source_id(self, source: str, at: datetime) -> str:
        n = self.seq[source] = self.seq.get(source, 0) + 1
        if source == "hotline":
            return f"FZ{at:%Y%m%d}{n:05d}"
        if source == "portal":
            return str(8_800_000 + n * 7)
        if source == "review":
            return f"rv{500000 + n * 3}"
        return str(310000 + n)

    def fill(self, template: str, p: _Place, business: str = "") -> str:
        rng = self.rng
        return template.format(district=p.district, street=p.street, road=p.road, estate=p.estate,
                               community=p.community, no=rng.randrange(1, 30), duration=rng.choice(DURATIONS),
                               night=rng.choice(NIGHT_TIMES), business=business)

    def requester(self, source: str) -> tuple[str, str | None]:
        rng = self.rng
        kind = _weighted(rng, [("individual", 0.82), ("anonymous", 0.12), ("enterprise", 0.06)])
        if kind == "anonymous":
            return kind, None
        if kind == "enterprise":
            return kind, rng.choice(ENTERPRISES)
        if source == "portal":
            return kind, f"网友{rng.randrange(10000, 99999)}"
        if source == "review":
            return kind, f"用户{rng.randrange(100000, 999999)}"
        return kind, rng.choice(SURNAMES) + rng.choice(HONORIFICS)

    # ---- the reply side
    def reply(self, item: dict[str, Any], department: str, urgent: bool, subject: str,
              kind: str = "complaint") -> dict[str, Any]:
        """Reply, reply time and status; some replies are late and some demands are still open."""
        rng = self.rng
        dept = self.config.department(department)
        limit_days = (dept.urgent_time_limit_hours / 24 if urgent else dept.time_limit_days) if dept else 15
        received: datetime = item["received_at"]
        end = datetime.combine(self.start + timedelta(days=self.weeks * 7), time(0)).replace(tzinfo=SHANGHAI)
        roll = rng.random()
        if roll < 0.22:                       # still open
            return {"status": rng.choice(["received", "routed", "routed"]), "truth_overdue_open":
                    (end - received).total_seconds() > limit_days * 86400}
        late = roll > 0.86                    # replied after the time limit
        factor = rng.uniform(1.1, 2.5) if late else rng.uniform(0.1, 0.95)
        replied_at = received + timedelta(seconds=int(limit_days * factor * 86400) + rng.randrange(0, 36000))
        if replied_at >= end:
            return {"status": "routed", "truth_overdue_open": (end - received).total_seconds() > limit_days * 86400}
        body = rng.choice(REPLY_BODIES.get(department, ("经核实，已安排相关单位处理。",)))
        if kind == "praise":
            text = "您好，感谢您对我们工作的肯定和鼓励，我们将转达表扬并继续改进服务。"
        else:
            text = rng.choice(REPLY_OPENERS) + f"关于您反映的“{subject}”，" + body + rng.choice(REPLY_CLOSERS)
        out: dict[str, Any] = {
            "status": "closed" if rng.random() < 0.5 else "replied",
            "reply_text": text,
            "replied_at": replied_at,
            "replied_by": rng.choice(DEPT_UNITS.get(department, (department,))),
            "truth_late": late,
        }
        if item["source"] == "hotline":
            out["satisfaction"] = _weighted(rng, [("满意", 0.55), ("基本满意", 0.25), ("不满意", 0.2)])
            if out["satisfaction"] == "不满意" and rng.random() < 0.4:
                out["status"] = "reopened"
        return out

    # ---- one demand of each kind
    def demand(self, source: str, topic: Topic, at: datetime, place: _Place,
               urgent: tuple[str, str] | None = None, body: str | None = None) -> dict[str, Any]:
        rng = self.rng
        channel = _weighted(rng, CHANNELS[source])
        rtype, requester = self.requester(source)
        k = rng.randrange(len(topic.bodies))
        # equal counts mean title i belongs to body i; otherwise titles fit every body
        title_t = topic.titles[k] if len(topic.titles) == len(topic.bodies) else rng.choice(topic.titles)
        title = self.fill(title_t, place)
        text = body if body is not None else self.fill(topic.bodies[k], place)
        if topic.kind == "complaint":
            text = rng.choice(OPENERS) + text + rng.choice(CLOSERS)
        pii: dict[str, str] = {}
        if rng.random() < 0.12:
            sentence, pii = _pii_sentence(rng, place.district)
            text = text + sentence if rng.random() < 0.7 else sentence + text
        sid = self.source_id(source, at)
        item: dict[str, Any] = {
            "source": source, "source_id": sid, "channel": channel, "url": None, "received_at": at,
            "title": title, "content": text, "district": place.district,
            "address": f"{place.district}{place.street}{place.road}{rng.randrange(1, 300)}号"
            if rng.random() < 0.6 else f"{place.district}{place.estate}",
            "requester_type": rtype, "requester": requester,
            "category_given": topic.category if source == "hotline" or rng.random() < 0.3 else None,
            "department_given": topic.department if source == "hotline" and rng.random() < 0.7 else None,
            "status": "received", "reply_text": None, "replied_at": None, "replied_by": None,
            "satisfaction": None, "votes_up": None, "votes_down": None, "rating": None, "business_name": None,
        }
        if source == "portal":
            item["votes_up"] = int(rng.paretovariate(1.4)) - 1
            item["votes_down"] = rng.choice([0, 0, 0, 1, 2])
        sentiment = {"complaint": "negative", "praise": "positive", "question": "neutral"}[topic.kind]
        reply = self.reply(item, topic.department, urgent is not None, title, topic.kind)
        truth = {"topic": topic.key, "department": topic.department, "sentiment": sentiment,
                 "urgency": urgent[0] if urgent else "low", "urgency_reason": urgent[1] if urgent else None,
                 "pii": pii, "dup_of": None, "bad": None, "emerging": topic is EMERGING,
                 "late": reply.pop("truth_late", False), "overdue_open": reply.pop("truth_overdue_open", False)}
        item.update(reply)
        item["_truth"] = truth
        return item

    def review(self, at: datetime) -> dict[str, Any]:
        rng = self.rng
        place = self.place()
        kind, _ = rng.choice(BUSINESS_KINDS)
        name = f"{rng.choice(BUSINESS_PREFIXES)}{BUSINESS_KINDS[[k for k, _ in BUSINESS_KINDS].index(kind)][0]}" \
               f"（{place.road}店）"
        rating = _weighted(rng, [(5, 0.32), (4, 0.22), (3, 0.12), (2, 0.12), (1, 0.22)])
        pool = REVIEW_POSITIVE if rating >= 4 else REVIEW_NEUTRAL if rating == 3 else REVIEW_NEGATIVE
        rtype, requester = "individual", f"用户{rng.randrange(100000, 999999)}"
        sentiment = "positive" if rating >= 4 else "neutral" if rating == 3 else "negative"
        return {
            "source": "review", "source_id": self.source_id("review", at), "channel": "点评", "url": None,
            "received_at": at, "title": "", "content": rng.choice(pool), "district": place.district,
            "address": f"{place.district}{place.road}{rng.randrange(1, 300)}号", "requester_type": rtype,
            "requester": requester, "category_given": "消费评价", "department_given": None, "status": "received",
            "reply_text": None, "replied_at": None, "replied_by": None, "satisfaction": None,
            "votes_up": rng.randrange(0, 30), "votes_down": None, "rating": float(rating), "business_name": name,
            "_truth": {"topic": "review", "department": REVIEW_DEPARTMENT, "sentiment": sentiment,
                       "urgency": "low", "urgency_reason": None, "pii": {}, "dup_of": None, "bad": None,
                       "emerging": False, "late": False, "overdue_open": False},
        }

    def open311(self, at: datetime) -> dict[str, Any]:
        rng = self.rng
        code, name, department = rng.choice(OPEN311_SERVICES)
        place = self.place()
        topic = Topic(code, department, name, (name,), OPEN311_BODIES[code])
        item = self.demand("open311", topic, at, place)
        item["category_given"] = code
        item["title"] = name
        item["department_given"] = department
        return item

    def resubmission(self, original: dict[str, Any], at: datetime, sources: Sequence[str]) -> dict[str, Any]:
        """The same demand again, days later, through another channel, lightly edited."""
        rng = self.rng
        others = [s for s in sources if s != original["source"]]
        source = others[0] if others and rng.random() < 0.7 else rng.choice(list(sources))
        text = original["content"]
        if rng.random() < 0.5 and "，" in text:
            text = text.replace("，", "。", 1)
        if rng.random() < 0.3:
            text = text.replace("非常", "特别").replace("希望", "请求")
        text = rng.choice(RESUBMIT_PREFIXES) + text + rng.choice(["", rng.choice(RESUBMIT_SUFFIXES)])
        channel = _weighted(rng, [c for c in CHANNELS[source] if c[0] != original["channel"]] or CHANNELS[source])
        item = dict(original)
        item.update(source=source, source_id=self.source_id(source, at), channel=channel, received_at=at,
                    content=text, status="received", reply_text=None, replied_at=None, replied_by=None,
                    satisfaction=None, votes_up=None, votes_down=None)
        if source == "portal":
            item["votes_up"], item["votes_down"] = rng.randrange(0, 5), 0
        item["_truth"] = dict(original["_truth"], dup_of=f"{original['source']}:{original['source_id']}",
                              late=False, overdue_open=False)
        return item

    def spoil(self, item: dict[str, Any]) -> dict[str, Any]:
        """Make an item no validator should accept, recording why."""
        kind = self.rng.choice(BAD_KINDS)
        bad = dict(item)
        if kind == "empty_content":
            bad["title"], bad["content"] = "", "   "
        elif kind == "bad_date":
            bad["received_at"] = self.rng.choice(["2026-13-45 25:61", "昨天下午", "", "0000-00-00"])
        elif kind == "missing_source_id":
            bad["source_id"] = ""
        elif kind == "rating_out_of_range":
            bad["rating"] = float(self.rng.choice([7, -1, 10]))
        else:
            bad["votes_up"] = -self.rng.randrange(1, 50)
        bad["_truth"] = dict(item["_truth"], bad=kind)
        return bad

    def one(self, source: str) -> dict[str, Any]:
        rng = self.rng
        if source == "review":
            return self.review(self.when())
        if source == "open311":
            return self.open311(self.when())
        roll = rng.random()
        if roll < 0.05:
            key, dept, cat, level, reason, bodies = rng.choice(self.urgent)
            place = self.place()
            titles = ("紧急求助：{estate}" + reason, "紧急！" + reason, "{road}紧急情况", "请马上处理", "求救")
            topic = Topic(key, dept, cat, titles, bodies)
            return self.demand(source, topic, self.when(), place, urgent=(level, reason))
        if roll < 0.065 and self.emerging_ok:  # a trickle of the emerging topic before its surge
            return self.demand(source, EMERGING, self.when(), self.place(EMERGING_DISTRICT))
        topic = rng.choice(self.topics)
        return self.demand(source, topic, self.when(), self.place())


def strip_truth(item: dict[str, Any]) -> dict[str, Any]:
    """The item without keys that are not Demand fields (``_truth``)."""
    return {k: v for k, v in item.items() if not k.startswith("_")}


def generate(n: int, seed: int = 0, start: date | None = None, weeks: int = DEFAULT_WEEKS,
             sources: Sequence[str] | None = None, config: Config | None = None,
             bad_rate: float = 0.02, dup_rate: float = 0.06, surge: int | None = None,
             with_truth: bool = False) -> Iterator[dict[str, Any]]:
    """Yield ``n`` synthetic demands (dicts shaped like ``Demand``), deterministic for a seed.

    ``sources`` restricts the mix (hotline, portal, review, open311); ``surge`` is how many items
    of the emerging topic land in the final week (default: 6% of ``n``, at least 8, when the
    hotline or portal is in the mix). Items come sorted by ``received_at``.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if weeks < 1:
        raise ValueError("weeks must be >= 1")
    chosen = list(sources) if sources else list(SOURCE_WEIGHTS)
    unknown = [s for s in chosen if s not in SOURCE_WEIGHTS]
    if unknown:
        raise ValueError(f"unknown sources: {unknown}")
    gen = _Generator(config or _shipped_config(), seed, start or DEFAULT_START, weeks)
    rng = gen.rng
    textual = [s for s in chosen if s in ("hotline", "portal")]
    n_surge = 0
    if textual and gen.emerging_ok:
        n_surge = min(n, surge if surge is not None else max(8, round(n * 0.06)) if n >= 40 else 0)
    items: list[dict[str, Any]] = []
    for _ in range(n_surge):
        items.append(gen.demand(rng.choice(textual), EMERGING, gen.when(last_week=True),
                                gen.place(EMERGING_DISTRICT)))
    weights = [(s, SOURCE_WEIGHTS[s]) for s in chosen]
    while len(items) < n:
        items.append(gen.one(_weighted(rng, weights)))
    items.sort(key=lambda x: (x["received_at"], x["source_id"]))
    # resubmissions replace some later items so that n stays exact
    originals = [i for i in items if i["source"] in textual and i["_truth"]["sentiment"] == "negative"]
    if originals and len(items) > 10:
        end = datetime.combine(gen.start + timedelta(days=weeks * 7), time(0)).replace(tzinfo=SHANGHAI)
        used: set[int] = set()      # originals must survive, or dup_of would name a missing record
        replaced: set[int] = set()
        for idx in rng.sample(range(len(items)), k=min(len(items) // 2, round(len(items) * dup_rate))):
            orig = rng.choice(originals)
            at = orig["received_at"] + timedelta(seconds=rng.randrange(43200, 864000))
            victim = items[idx]
            if (at >= end or victim is orig or id(victim) in used or id(orig) in replaced
                    or victim["_truth"]["emerging"]):
                continue
            used.add(id(orig))
            replaced.add(id(victim))
            items[idx] = gen.resubmission(orig, at, textual)
        items.sort(key=lambda x: (x["received_at"], x["source_id"]))
    n_bad = round(len(items) * bad_rate)
    for idx in rng.sample(range(len(items)), k=min(n_bad, len(items))):
        items[idx] = gen.spoil(items[idx])
    for item in items:
        yield item if with_truth else strip_truth(item)
