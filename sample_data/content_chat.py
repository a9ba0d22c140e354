"""RAG/grounded QA, multi-turn chat/open chat, and the deliberately untyped samples (task_type missing)."""

from __future__ import annotations

import random

from content_common import Draft, convo, prose, qa

RAG = "RAG/grounded QA"
CHAT = "multi-turn chat/open chat"
RAG_SYSTEM_ZH = "请仅根据用户提供的参考资料回答问题，并用[编号]标注出处。资料中没有的信息，请明确说明无法从资料中得出。"
RAG_SYSTEM_EN = ("Answer only from the provided documents and cite them like [1]. If the documents do not contain "
                 "the answer, say so.")

ROUTER_MANUAL = prose("""
    [1] LinkWave AX3000 快速入门：首次使用时，请将光猫的网线接入路由器蓝色的WAN口，电脑或其他设备接入黄色的LAN口。
    接通电源后等待约2分钟，指示灯变为常亮白色即表示启动完成。手机连接路由器底部标签上的默认Wi-Fi名称，
    浏览器访问 192.168.10.1 即可进入设置向导。

    [2] 恢复出厂设置：在路由器通电状态下，用牙签或卡针按住机身背面的RESET小孔约8秒，直到指示灯开始快速闪烁橙色后松开。
    路由器将自动重启，所有设置（包括Wi-Fi名称、密码和管理员密码）会恢复为出厂默认值，重启过程约需3分钟，期间请勿断电。

    [3] 指示灯说明：常亮白色表示联网正常；常亮橙色表示未检测到网线或无法连接互联网；快速闪烁橙色表示正在恢复出厂设置；
    缓慢闪烁白色表示正在升级固件。

    [4] 固件升级：登录管理页面，依次进入“系统设置”→“固件升级”，点击“在线检测”。升级过程约5分钟，升级期间请勿断电或重启路由器。
    """)

LEAVE_POLICY = prose("""
    [1] 《员工手册》第4.2条 年休假：员工累计工作已满1年不满10年的，年休假5天；已满10年不满20年的，年休假10天；
    已满20年的，年休假15天。累计工作年限包括在本公司及其他单位的工作年限，新入职员工需提供社保缴纳记录作为证明。

    [2] 第4.3条 年休假的使用：年休假原则上应在当年内休完，可以集中、分段休假，最小单位为半天。
    因工作需要当年确实无法休完的，经部门负责人批准，可顺延至次年第一季度，逾期作废。

    [3] 第4.5条 病假：员工因病需要休息的，应于当天上午10点前向直属主管请假，并在返岗后3个工作日内提交二级及以上医院出具的病假证明。
    病假期间工资按照当地最低工资标准的80%以上执行。

    [4] 第4.6条 请假审批：3天以内（含3天）的假期由直属主管审批；3天以上的假期需经部门负责人审批；
    10天以上的假期还需报人力资源部备案。
    """)

PYTHON_HISTORY = prose("""
    [1] Python is a high-level, general-purpose programming language created by Guido van Rossum. He began
    working on it in the late 1980s at Centrum Wiskunde & Informatica (CWI) in the Netherlands as a successor to
    the ABC language, and the first version, 0.9.0, was released in February 1991.

    [2] Python 2.0 was released in October 2000, introducing features such as list comprehensions and a
    cycle-detecting garbage collector. Python 3.0, released in December 2008, was a major revision that was not
    completely backward-compatible with earlier versions.

    [3] Python 2 reached its end of life on January 1, 2020, after which it no longer received security patches
    or other improvements. The final release, Python 2.7.18, came out in April 2020.

    [4] Van Rossum was the project's "Benevolent Dictator For Life" until he stepped down in July 2018. Since
    2019, Python has been governed by a five-member Steering Council elected by the core developers.
    """)

GREAT_WALL = prose("""
    [1] 2009年，国家文物局和国家测绘局联合公布了明长城的测量数据：明长城东起辽宁虎山，西至甘肃嘉峪关，总长度为8851.8千米，
    其中人工墙体长度为6259.6千米，壕堑长度为359.7千米，天然险长度为2232.5千米。

    [2] 2012年，国家文物局公布，经认定的中国历代长城总长度为21196.18千米，分布在北京、天津、河北、山西、内蒙古、辽宁、吉林、
    黑龙江、山东、河南、陕西、甘肃、青海、宁夏、新疆等15个省（自治区、直辖市）。

    [3] 1987年，长城被联合国教科文组织列入《世界遗产名录》。
    """)

API_DOCS = prose("""
    [1] Authentication: Every request must include an API key in the `Authorization: Bearer <key>` header.
    Keys can be created and revoked on the Dashboard > API Keys page. Requests without a valid key receive HTTP
    401.

    [2] Rate limits: Free-tier keys may make 60 requests per minute; Pro-tier keys may make 600 requests per
    minute. Each response includes the headers `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
    `X-RateLimit-Reset` (a Unix timestamp).

    [3] When a key exceeds its rate limit, the API responds with HTTP 429 Too Many Requests and a `Retry-After`
    header giving the number of seconds to wait. Requests rejected with 429 do not count toward your usage
    quota. We recommend exponential backoff when retrying.

    [4] Pagination: List endpoints return at most 100 items per page. Pass the `next_cursor` value from the
    previous response as the `cursor` query parameter to fetch the next page.
    """)

WARRANTY = prose("""
    [1] 晴风牌空气净化器KJ500提供整机1年保修，主要部件电机提供3年保修，保修期自购买发票日期起计算。

    [2] 以下情况不在免费保修范围内：滤网等耗材的自然损耗；未按说明书使用造成的损坏；私自拆机或由非授权人员维修；
    进水、摔落等人为损坏。

    [3] 滤网建议每6个月更换一次，在高污染环境下应缩短更换周期。当机身滤网更换指示灯亮起时，请及时更换原装滤网。
    """)

TRAVEL_POLICY = prose("""
    [1] 差旅管理办法 第一章 总则：本办法适用于公司全体正式员工及实习生因公出差发生的交通、住宿、餐饮及市内交通费用。
    出差须事先在OA系统提交出差申请，经审批后方可预订交通和住宿，未经审批产生的费用原则上不予报销。

    [2] 第二章 交通标准：员工乘坐火车的，普通员工可乘坐高铁/动车二等座，部门经理及以上可乘坐一等座；
    乘坐飞机的，一律乘坐经济舱，应优先选择折扣机票，提前7天以上预订。单程距离在800公里以内且有直达高铁的，原则上乘坐高铁。
    因紧急公务需改签或退票产生的费用可以报销，因个人原因产生的费用由个人承担。

    [3] 第三章 住宿标准：一线城市（北京、上海、广州、深圳）普通员工每人每晚不超过500元，部门经理及以上不超过700元；
    省会城市及计划单列市普通员工不超过400元，部门经理及以上不超过550元；其他城市普通员工不超过300元，部门经理及以上不超过450元。
    两名同性员工同行出差的，原则上合住一间标准间，按单人标准的1.5倍报销。超出标准部分由个人承担。

    [4] 第四章 伙食补助与市内交通：出差期间按自然天数发放伙食补助，一线城市每天100元，其他城市每天80元，已由接待方安排用餐的不再发放。
    市内交通原则上乘坐公共交通工具，确需乘坐出租车或网约车的，凭发票实报实销，每天不超过100元。

    [5] 第五章 报销流程：出差结束后10个工作日内，在OA系统提交报销申请，附上交通票据、住宿发票（须注明公司抬头和税号）及行程单。
    逾期未报销的，须由部门负责人书面说明原因。财务部审核通过后，报销款在5个工作日内转入员工工资卡。
    """)

DRUG_LEAFLET = prose("""
    [1] Product: CalmSleep 10 mg tablets (fictional example leaflet). Use: short-term treatment of trouble falling
    asleep in adults. Take one tablet immediately before bedtime, only when you can get at least 7-8 hours of
    sleep.

    [2] Warnings: Do not drink alcohol while taking CalmSleep. Alcohol increases its sedative effect and the risk
    of sleepwalking, confusion and dangerously slowed breathing. Do not drive or operate machinery the next
    morning if you still feel drowsy.

    [3] Do not take CalmSleep if you are pregnant or breastfeeding, or if you have severe liver disease or sleep
    apnea. Not for use in children under 18.
    """)

METRO_NOTICE = prose("""
    [1] 2024年5月20日发布：自6月1日起，地铁2号线工作日首班车时间调整为5:30，末班车时间延长至23:30（原为23:00）。

    [2] 2023年12月1日发布：地铁2号线运营时间为6:00至23:00，周五、周六末班车延长至24:00。

    [3] 自2024年6月1日起，周五、周六末班车延长政策继续执行，末班车时间为次日0:30。
    """)

COURSE_CATALOG = prose("""
    [1] CS 201 Data Structures (4 credits). Prerequisite: CS 101 Introduction to Programming with a grade of C
    or better. Covers lists, stacks, queues, trees, hash tables and graphs. Offered every fall and spring.

    [2] CS 305 Algorithms (4 credits). Prerequisites: CS 201 and MATH 210 Discrete Mathematics. Students who
    have not completed MATH 210 may enroll with instructor permission. Offered in spring only.

    [3] CS 340 Databases (3 credits). Prerequisite: CS 201. Covers relational modeling, SQL, transactions and
    indexing. Offered every fall.
    """)

INSURANCE_CLAUSE = prose("""
    [1] 第五条 保险责任：在保险期间内，被保险人因遭受意外伤害事故导致身故或伤残的，保险人按照合同约定给付保险金；
    被保险人因意外伤害事故在二级及以上医院发生的必要、合理的医疗费用，在扣除免赔额100元后，按80%的比例给付意外医疗保险金。

    [2] 第七条 责任免除：因下列情形之一导致被保险人身故、伤残或发生医疗费用的，保险人不承担给付保险金的责任：
    （一）被保险人故意自伤、自杀；（二）被保险人酒后驾驶、无合法有效驾驶证驾驶；（三）被保险人从事潜水、跳伞、攀岩、
    蹦极等高风险运动；（四）因疾病导致的医疗费用。
    """)

COMPANY_FAQ = prose("""
    [1] Orbitly's Starter plan costs $12 per user per month and includes up to 10 projects and 5 GB of storage
    per user. The Team plan costs $24 per user per month with unlimited projects and 50 GB of storage per user.

    [2] All plans can be billed monthly or annually. Annual billing is discounted by 20%. You can upgrade at any
    time; the price difference is prorated for the rest of the billing period.

    [3] Orbitly offers a 14-day free trial of the Team plan. No credit card is required to start the trial.
    """)


def _rag() -> list[Draft]:
    items = [
        (f"参考资料：\n{ROUTER_MANUAL}\n\n问题：路由器忘记管理密码了，怎么恢复出厂设置？要多久？",
         "可以通过恢复出厂设置解决：在路由器通电状态下，用牙签或卡针按住机身背面的RESET小孔约8秒，"
         "等指示灯开始快速闪烁橙色后松开，路由器会自动重启[2]。重启过程约需3分钟，期间不要断电[2]。\n\n"
         "注意：恢复后Wi-Fi名称、密码和管理员密码都会变回出厂默认值[2]，需要重新连接底部标签上的默认Wi-Fi，"
         "再访问192.168.10.1进行设置[1]。", RAG_SYSTEM_ZH),
        (f"参考资料：\n{LEAVE_POLICY}\n\n问题：我工作满12年了（其中在本公司3年），一年有几天年假？今年没休完能留到明年吗？",
         "1. 年假天数：累计工作年限包括在本公司和其他单位的工作年限[1]，您累计已满12年，属于“已满10年不满20年”，"
         "每年可休年休假10天[1]。入职时需要提供社保缴纳记录作为工作年限证明[1]。\n"
         "2. 顺延：年休假原则上当年休完；因工作需要确实休不完的，经部门负责人批准可以顺延到次年第一季度，逾期作废[2]。", RAG_SYSTEM_ZH),
        (f"Documents:\n{PYTHON_HISTORY}\n\nQuestion: When did Python 2 stop being supported, and what was its last "
         "release?",
         "Python 2 reached its end of life on January 1, 2020, after which it received no more security patches or "
         "improvements [3]. Its final release was Python 2.7.18, which came out in April 2020 [3].", RAG_SYSTEM_EN),
        (f"参考资料：\n{GREAT_WALL}\n\n问题：长城到底有多长？",
         "要区分两种口径：\n- 明长城：总长度为8851.8千米，其中人工墙体6259.6千米、壕堑359.7千米、天然险2232.5千米[1]；\n"
         "- 中国历代长城：经认定的总长度为21196.18千米，分布在15个省（自治区、直辖市）[2]。\n\n"
         "人们常说的“万里长城”如果指历代长城，约2.1万千米。", RAG_SYSTEM_ZH),
        (f"Documents:\n{API_DOCS}\n\nQuestion: My script sometimes gets a 429. What does that mean and how should I "
         "handle it?",
         "A 429 Too Many Requests means your key exceeded its rate limit: 60 requests per minute on the Free tier "
         "or 600 on Pro [2][3]. The response includes a `Retry-After` header with the number of seconds to wait "
         "[3], so pause for that long before retrying, and use exponential backoff for repeated retries as the "
         "docs recommend [3]. You can avoid hitting the limit by watching the `X-RateLimit-Remaining` and "
         "`X-RateLimit-Reset` headers on each response [2]. Rejected 429 requests don't count toward your usage "
         "quota [3].", RAG_SYSTEM_EN),
        (f"参考资料：\n{WARRANTY}\n\n问题：KJ500现在卖多少钱？",
         "参考资料中没有提到KJ500的价格，无法根据资料回答。资料只包含保修政策（整机1年、电机3年）[1]、"
         "不在保修范围内的情况[2]和滤网更换建议[3]。价格建议您查看官方商城或咨询销售渠道。", RAG_SYSTEM_ZH),
        (f"参考资料：\n{TRAVEL_POLICY}\n\n问题：我是普通员工，下周去上海出差3晚，和一位男同事一起去。住宿每晚最多能报多少？伙食补助怎么算？",
         "1. 住宿：上海属于一线城市，普通员工单人标准为每晚不超过500元[3]。您和同性同事同行，原则上应合住一间标准间，"
         "按单人标准的1.5倍报销，即每间每晚不超过750元[3]，超出部分由个人承担[3]。\n"
         "2. 伙食补助：按出差的自然天数发放，一线城市每天100元[4]；如果接待方已经安排了用餐，就不再发放[4]。"
         "出差3晚一般对应4个自然天，即最多400元（以实际出差天数为准）。\n"
         "3. 别忘了出差前要先在OA系统提交出差申请并获批[1]，回来后10个工作日内提交报销，住宿发票须注明公司抬头和税号[5]。",
         RAG_SYSTEM_ZH),
        (f"Documents:\n{DRUG_LEAFLET}\n\nQuestion: Can I have a glass of wine with dinner if I'm taking CalmSleep "
         "at bedtime?",
         "No. The leaflet says not to drink alcohol while taking CalmSleep, because alcohol increases its sedative "
         "effect and the risk of sleepwalking, confusion and dangerously slowed breathing [2]. It also advises "
         "taking it only when you can sleep at least 7-8 hours [1]. If you have questions about timing, ask your "
         "doctor or pharmacist.", RAG_SYSTEM_EN),
        (f"参考资料：\n{METRO_NOTICE}\n\n问题：现在（2024年7月）地铁2号线周三的末班车是几点？",
         "周三是工作日。根据2024年5月20日发布的通知，自6月1日起2号线工作日末班车延长至23:30[1]。"
         "2023年12月的通知中末班车为23:00[2]，但已被新通知调整，所以现在周三的末班车是23:30。"
         "（如果是周五、周六，末班车为次日0:30[3]。）", RAG_SYSTEM_ZH),
        (f"Documents:\n{COURSE_CATALOG}\n\nQuestion: I passed CS 101 with a B. Can I take Algorithms next fall?",
         "Not directly. Algorithms (CS 305) is offered in spring only [2], and it requires CS 201 Data Structures "
         "and MATH 210 Discrete Mathematics [2]. Your B in CS 101 qualifies you for CS 201 [1], which is offered "
         "every fall and spring [1]. A possible path: take CS 201 (and MATH 210 if you can) in the fall, then CS "
         "305 in the spring. Without MATH 210 you would need instructor permission [2].", RAG_SYSTEM_EN),
        (f"参考资料：\n{INSURANCE_CLAUSE}\n\n问题：我周末去攀岩摔伤了，去三甲医院花了2100元医药费，这份意外险能赔多少？",
         "很遗憾，这种情况不能赔付。根据第七条责任免除条款，被保险人从事潜水、跳伞、攀岩、蹦极等高风险运动导致的伤害，"
         "保险人不承担给付保险金的责任[2]。\n\n"
         "作为对比：如果是普通意外受伤（非免责情形），在二级及以上医院的合理医疗费用会扣除100元免赔额后按80%赔付[1]，"
         "2100元可赔（2100-100）×80%=1600元。", RAG_SYSTEM_ZH),
    ]
    drafts = [qa(RAG, p, a, system=s, key=f"rag-{i + 1}") for i, (p, a, s) in enumerate(items)]
    drafts.append(convo(RAG, [
        "How much would a 5-person team pay per year on the Team plan if we pay annually?",
        "The Team plan is $24 per user per month [1]. For 5 users that's $120 a month, or $1,440 a year at the "
        "monthly rate. Annual billing is discounted by 20% [2], so you'd pay $1,152 per year.",
        "Can we try it first?",
        "Yes. There's a 14-day free trial of the Team plan, and you don't need a credit card to start it [3].",
    ], system=f"{RAG_SYSTEM_EN}\n\nDocuments:\n{COMPANY_FAQ}", key="rag-multiturn"))
    return drafts


def _open_chat() -> list[Draft]:
    threads = [
        ["周末想去杭州玩两天，有什么推荐的路线？",
         "两天的话可以这样安排：\n**第一天：西湖**\n- 上午：从断桥出发，走白堤到孤山，再去平湖秋月；\n"
         "- 中午：在湖边吃杭帮菜，比如西湖醋鱼、龙井虾仁、东坡肉；\n- 下午：坐船游湖去三潭印月，或者沿苏堤骑车；\n"
         "- 傍晚：去雷峰塔看夕阳，晚上可以看音乐喷泉（具体场次以景区公告为准）。\n\n"
         "**第二天：灵隐寺 + 龙井村**\n- 上午：灵隐寺和飞来峰，建议早点去避开人流；\n"
         "- 下午：去龙井村或梅家坞喝茶、在茶园里散步；\n- 晚上：河坊街、南宋御街逛逛吃小吃。",
         "我不太喜欢人多的地方，有没有小众一点的？",
         "可以试试这些人少一些的地方：\n- **西溪湿地**：面积大，游客分散，坐摇橹船很安静；\n"
         "- **九溪烟树 / 十里琅珰**：徒步路线，溪水、茶园和山林，适合喜欢自然的人；\n"
         "- **满觉陇**：秋天桂花开的时候特别美，平时也比较清静；\n- **小河直街 / 桥西历史街区**：运河边的老街，生活气息浓。\n\n"
         "西湖如果想去，可以选早上7点前或者晚上去，人会少很多。"],
        ["I want to start running but I get out of breath after two minutes. Any advice?",
         "That's completely normal when starting out. The trick is to run slower and mix in walking:\n\n"
         "- **Run/walk intervals**: run 1 minute, walk 2 minutes, repeat 8 times. Each week, run a bit longer and "
         "walk a bit less.\n- **Slow down**: you should be able to speak in short sentences while running. If "
         "you can't, you're going too fast.\n- **Three times a week** with rest days in between is plenty.\n\n"
         "Programs like Couch to 5K follow exactly this idea and get most beginners running 30 minutes in about "
         "9 weeks.",
         "What about shoes? Do I need expensive ones?",
         "No need for expensive ones. What matters is fit and comfort: go to a running store if you can, try a "
         "few pairs, and pick the one that feels comfortable right away, with about a thumb's width of space at "
         "the toe. Mid-range shoes are fine for beginners. Replace them every 500-800 km or when they start "
         "feeling flat."],
        ["最近工作压力很大，晚上总是睡不着，怎么办？",
         "听起来你最近真的很辛苦。可以先从这几个方面试试：\n"
         "1. **固定作息**：每天尽量同一时间起床，周末也不要睡太晚，这比几点睡更重要；\n"
         "2. **睡前1小时远离工作和手机**：可以把明天要做的事写在纸上，“清空”大脑；\n"
         "3. **白天适度运动**，但睡前2-3小时避免剧烈运动；下午以后少喝咖啡和茶；\n"
         "4. **躺下20分钟还睡不着就起来**，到别的房间做点放松的事，有困意再回床上。",
         "试过写清单，但还是会想工作的事。",
         "脑子停不下来很常见。可以试试这两个方法：\n- **4-7-8呼吸法**：吸气4秒，屏住7秒，缓慢呼气8秒，重复几轮，能帮身体进入放松状态；\n"
         "- **身体扫描**：从脚趾开始，依次注意每个部位的感觉，把注意力从思绪上转移开。\n\n"
         "另外也值得看看压力的来源本身，比如能不能和领导沟通一下工作量。如果失眠持续超过一个月，"
         "或者已经明显影响白天的状态和情绪，建议去医院的睡眠门诊或心理科看看，这很常见，也很有效。",
         "好的，谢谢你，我今晚试试。",
         "不客气，希望今晚能睡个好觉。别给自己太大压力，睡眠有时候越想控制越难。慢慢来，有需要随时来聊。"],
        ["Can you recommend some sci-fi books for someone who loved The Martian?",
         "If you liked The Martian's problem-solving and humor, try:\n- **Project Hail Mary** by Andy Weir: same "
         "author, same science-nerd fun, plus a great alien friendship.\n- **Seveneves** by Neal Stephenson: "
         "engineering-heavy survival after the Moon breaks apart.\n- **The Three-Body Problem** by Liu Cixin: "
         "hard sci-fi with huge ideas about physics and first contact.\n- **Red Mars** by Kim Stanley Robinson: "
         "a detailed, realistic take on colonizing Mars.\n- **Children of Time** by Adrian Tchaikovsky: evolution "
         "and survival on a terraformed planet.",
         "I've read Project Hail Mary already. Which of the others is the easiest read?",
         "Children of Time is probably the most page-turning of the rest: short chapters, a clear plot and big "
         "ideas without heavy technical detail. Seveneves and Red Mars are long and slow in places, and The "
         "Three-Body Problem starts slowly before it gets mind-bending."],
        ["我想养一只猫，需要准备什么？",
         "养猫前建议准备好这些：\n- **吃喝**：适合年龄的猫粮（幼猫用幼猫粮）、食盆、水盆（有条件可以用流动饮水机）；\n"
         "- **如厕**：猫砂盆和猫砂（豆腐砂、膨润土砂都可以），放在安静的角落；\n"
         "- **住和玩**：猫窝、猫抓板（保护家具）、逗猫棒；\n- **安全**：给窗户和阳台装上防护网，这一点非常重要；\n"
         "- **健康**：接回家后一周左右带去宠物医院体检，按时打疫苗、驱虫，6个月左右考虑绝育。",
         "幼猫一天喂几次？",
         "幼猫胃小、消化快，建议少量多餐：\n- 2-4个月：每天4次左右；\n- 4-6个月：每天3次；\n- 6个月以后：每天2次即可。\n\n"
         "按猫粮包装上的推荐量来喂，随时提供干净的水。刚接回家时先继续吃它原来的粮，想换粮的话要用7天左右逐渐混合过渡，"
         "避免拉肚子。不要喂牛奶，很多猫乳糖不耐受。"],
        ["I have a job interview tomorrow for a marketing role. I'm nervous.",
         "Being nervous means you care. A few things that help the night before:\n- Re-read the job description "
         "and pick 3 stories from your experience that match what they want: a result you're proud of, a problem "
         "you solved, a time you worked with a difficult team.\n- Use the STAR format for each: Situation, Task, "
         "Action, Result (with a number if possible).\n- Look at the company's recent campaigns so you can "
         "mention one you liked and why.\n- Prepare 2-3 questions for them.\n- Lay out your clothes, check the "
         "route or video link, and go to bed on time.",
         "What if they ask about my biggest weakness?",
         "Pick a real but manageable weakness that isn't central to the role, and show what you're doing about "
         "it. For example: \"I used to spend too long perfecting first drafts. I've started sharing rough drafts "
         "earlier with my team, which gets me useful feedback sooner and has sped up our campaign turnaround.\" "
         "Avoid fake weaknesses like \"I'm a perfectionist\" with nothing behind them; interviewers have heard "
         "them many times.",
         "Thanks, that's really helpful.",
         "You're welcome, and good luck tomorrow! Take a slow breath before you walk in. You've prepared, and "
         "they already liked your application enough to invite you."],
        ["你觉得学编程应该从什么语言开始？",
         "对大多数初学者，我推荐从Python开始：语法简洁，接近自然语言，能让你把精力放在编程思维上；"
         "而且用途很广，数据分析、自动化脚本、网站后端、人工智能都用得上，学完马上能做点实用的东西，容易保持兴趣。\n\n"
         "不过也要看目标：想做网页前端，可以从JavaScript开始；想打扎实的计算机基础或者参加算法竞赛，C/C++更合适。",
         "我是想做数据分析的。",
         "那Python就是很合适的选择，再加上SQL。建议的顺序：\n1. Python基础语法（变量、循环、函数、列表和字典），2-4周；\n"
         "2. 数据分析三件套：pandas（数据处理）、matplotlib/seaborn（画图）、NumPy；\n"
         "3. SQL：工作中大量数据存在数据库里，查询语句一定要熟练；\n"
         "4. 找真实数据集做小项目，比如分析某个公开数据集并写成报告。\n\n做项目是进步最快的方式，遇到不会的再回头查。"],
        ["What's a good way to learn to cook if I'm a complete beginner?",
         "Start with a handful of versatile basics rather than random recipes:\n1. Scrambled eggs and omelets "
         "(heat control)\n2. Pasta with a simple tomato sauce (timing, seasoning)\n3. A stir-fry (knife skills, "
         "high heat)\n4. Roasted vegetables and chicken thighs (using the oven)\n5. A pot of soup or chili (building "
         "flavor)\n\nCook each one 2-3 times until it feels easy, then vary it. Taste as you go, and salt a little "
         "at a time.",
         "What equipment do I actually need?",
         "Less than you'd think: one good chef's knife (and a way to keep it sharp), a large cutting board, a "
         "10-inch nonstick or cast-iron skillet, a medium saucepan, a big pot, a sheet pan, a wooden spoon, a "
         "spatula, tongs, and measuring cups. That covers nearly all beginner recipes. Buy specialty tools only "
         "when a recipe you make often actually needs them."],
        ["帮我想想给妈妈的生日礼物，她60岁，喜欢养花。",
         "喜欢养花的妈妈，可以考虑这些：\n- **实用园艺工具**：一套好用的修枝剪、小铲子和园艺手套，或者带轮子的花架；\n"
         "- **花草本身**：一盆品相好的兰花、茶花或月季，或者她念叨过想养的品种；\n"
         "- **智能小设备**：自动浇花器，出门几天也不用担心；\n"
         "- **体验类**：陪她去一趟植物园、花卉展，或者报名一个插花课；\n- **定制纪念**：把她养的花拍成照片，做成一本相册或台历。",
         "她其实最近腰不太好，蹲着弄花很累。",
         "那可以优先考虑让她少弯腰的礼物：\n- **升高的种植箱/种植架**：齐腰高度，站着就能种花、松土，非常适合腰不好的人；\n"
         "- **长柄园艺工具**：长柄的铲子、耙子和剪刀；\n- **园艺护膝凳**：正着放是小板凳，可以坐着干活，翻过来是跪垫，扶手还能帮助起身；\n"
         "- **自动浇花系统**：减少每天弯腰提水壶浇水。\n\n可以再配一张卡片，写上“希望您养花开心，也照顾好自己的腰”，会很暖心。"],
        ["Is it worth learning Latin in 2024?",
         "It depends on your goals. Latin is worth it if you enjoy languages and history, want to read Roman "
         "authors or medieval texts in the original, or study law, medicine, biology or Romance languages, where "
         "it makes vocabulary click. It also trains careful reading and grammar. It's not worth it if you want a "
         "language to speak while traveling or for most careers; a living language will pay off faster.",
         "I like history. How long would it take to read Caesar?",
         "With steady study (about 30-45 minutes a day), many learners can read adapted Caesar within a year and "
         "the original Gallic War with a dictionary and notes in about 1-2 years. Caesar is a classic first "
         "author because his prose is clear and military vocabulary repeats a lot. A textbook like Wheelock's "
         "Latin or the reading-based Lingua Latina per se Illustrata is a good start."],
        ["你知道怎么做红烧肉吗？",
         "家常红烧肉的做法：\n**食材**：五花肉500克、冰糖20克、生抽2勺、老抽1勺、料酒2勺、姜片、葱段、八角1个。\n\n"
         "**步骤**：\n1. 五花肉切3厘米左右的块，冷水下锅，加姜片和料酒焯水，撇去浮沫后捞出洗净；\n"
         "2. 锅里少放油，小火放入冰糖，炒到融化起泡、变成琥珀色（炒糖色）；\n"
         "3. 倒入五花肉翻炒，让每块都裹上糖色；\n4. 加料酒、生抽、老抽、姜葱、八角，倒入没过肉的开水；\n"
         "5. 大火烧开后转小火，盖盖炖60分钟左右；\n6. 开盖转大火收汁，汤汁浓稠发亮即可。",
         "我没有冰糖，用白糖可以吗？",
         "可以，用白砂糖代替，量差不多（20克左右）。白糖炒糖色更容易糊，火要更小，颜色变成枣红色、冒小泡时就马上下肉。"
         "如果担心炒糊，也可以不炒糖色：把肉煸到微黄出油后，直接和糖、酱油一起加水炖，颜色稍浅一些，但味道一样好吃。"],
        ["Tell me a fun fact.",
         "Octopuses have three hearts and blue blood. Two hearts pump blood through the gills, and the third "
         "pumps it to the rest of the body. Their blood is blue because it uses a copper-based molecule, "
         "hemocyanin, to carry oxygen instead of iron-based hemoglobin.",
         "Another one!",
         "Honey never really spoils. Archaeologists have found pots of honey in ancient Egyptian tombs that are "
         "thousands of years old and still edible. Its low water content and acidity make it very hard for "
         "bacteria to grow."],
        ["我下个月去日本，第一次出国，要注意什么？",
         "第一次去日本，可以注意这些：\n- **证件**：护照有效期至少6个月，提前办好签证，打印或保存好行程和酒店订单；\n"
         "- **支付**：日本很多小店只收现金，带一些日元；大城市刷卡和手机支付也比较普遍；\n"
         "- **交通**：买一张西瓜卡（Suica）或ICOCA卡坐地铁、公交，也能在便利店付款；\n"
         "- **礼仪**：排队、车厢内不打电话、垃圾带走（街上垃圾桶很少）、不需要给小费；\n"
         "- **电源**：日本是两扁脚插座，电压100V，国内的两脚扁插头一般可以直接用，三脚插头需要转换头；\n- **保险**：建议买一份境外旅行保险。",
         "手机上网怎么办？",
         "三种常见方式：\n1. **开通国际漫游**：最省事，但价格相对高；\n2. **买日本流量卡/eSIM**：出发前在网上买好，落地插卡或扫码就能用，性价比高，"
         "手机需要支持eSIM或有卡槽；\n3. **租随身Wi-Fi**：适合多人同行共享，但要记得每天充电、随身带着。\n\n"
         "一个人去的话，流量卡或eSIM通常是最划算的选择。"],
        ["What's the difference between weather and climate?",
         "Weather is what the atmosphere is doing right now or over the next few days in a particular place: "
         "temperature, rain, wind. Climate is the long-term pattern of weather in a region, typically averaged "
         "over 30 years. A handy saying: climate is what you expect, weather is what you get.",
         "So one cold winter doesn't disprove global warming?",
         "Right. A single cold winter is weather. Climate change shows up in long-term trends across the whole "
         "globe: average temperatures rising decade by decade, more frequent heat extremes, and so on. In a "
         "warming climate there are still cold snaps; they just become less frequent relative to record highs."],
        ["hi", "Hi there! How can I help you today?",
         "just bored lol", "Happens to the best of us! Want a quick riddle, a random fun fact, or a suggestion for "
         "something to watch or read? I can also give you a 5-minute challenge, like learning to say \"thank you\" "
         "in five languages."],
        ["你好", "你好！有什么可以帮你的吗？",
         "随便聊聊吧，今天下雨心情不太好。",
         "下雨天确实容易让人提不起精神。不过雨天也有雨天的好处：可以泡杯热茶，听听雨声，看一部一直想看的电影，"
         "或者什么都不做，安安静静地休息一下。你今天是遇到什么不顺心的事了吗？愿意的话可以跟我说说。"],
    ]
    drafts = [convo(CHAT, turns, key=f"chat-{i + 1}") for i, turns in enumerate(threads)]
    drafts.append(convo(CHAT, [
        "I'm thinking about switching careers from accounting to UX design. Am I crazy?",
        "Not crazy at all. Plenty of UX designers came from other fields, and accounting gives you some real "
        "strengths: attention to detail, comfort with complex systems, and experience explaining numbers to "
        "non-experts. What draws you to UX?",
        "I like figuring out why people struggle with software. Our accounting system is a nightmare.",
        "That's the heart of UX research: noticing where people struggle and why. A low-risk way to start: take "
        "an intro course (Google's UX certificate or a similar one), then redesign one painful workflow from "
        "your accounting system as a case study: interview colleagues, map the current process, sketch a better "
        "one, and test it with them. Domain expertise is valuable; fintech and accounting-software companies "
        "actively look for designers who understand their users.",
    ], system="You are a thoughtful career coach. Ask questions and give practical next steps.", key="chat-career"))
    drafts.append(convo(CHAT, [
        "帮我给新开的咖啡店起几个名字，店开在大学附近，风格偏安静、适合自习。",
        "给你几个方向：\n- **书页咖啡**：贴合自习、看书的氛围；\n- **慢半拍**：提醒大家在忙碌中慢下来；\n"
        "- **角落**：安静一隅，适合专注；\n- **逗号咖啡**：学习累了，停一停，喝一杯；\n- **落笔**：适合写作业、写论文的地方。",
        "“逗号咖啡”不错，能再想几句配套的宣传语吗？",
        "围绕“逗号”可以这样写：\n- “在这里停一停，故事还没写完。”\n- “学习不是句号，是无数个逗号。”\n"
        "- “给忙碌的一天，加一个逗号。”\n- “一杯咖啡的时间，刚好够一个逗号。”\n\n第三句最简洁，适合做门头或杯套上的标语。",
    ], key="chat-cafe"))
    return drafts


def _untyped() -> list[Draft]:
    """Samples with no task_type at all: the importer must flag them as untyped."""
    items = [
        ("写一张请假条，明天因为发烧要请一天病假。",
         "请假条\n\n尊敬的王经理：\n\n您好！我因昨晚开始发烧，今天体温仍在38.5℃左右，需要去医院就诊并休息，"
         "特向您请病假一天（2024年6月13日）。请假期间的工作已与同事李华交接，紧急事项可电话联系我。"
         "返岗后我会补交医院的病假证明。\n\n恳请批准！\n\n申请人：张敏\n2024年6月12日"),
        ("What's the capital of Canada?", "Ottawa."),
        ("推荐几部适合全家一起看的电影。",
         "适合全家一起看的电影：\n- 《寻梦环游记》：关于家人和记忆，温暖感人；\n- 《疯狂动物城》：节奏明快，大人孩子都爱看；\n"
         "- 《千与千寻》：宫崎骏经典，画面优美；\n- 《帕丁顿熊》：幽默温馨，英式冷笑话很多；\n- 《飞屋环游记》：开头十分钟就能让大人落泪。"),
        ("How do I get red wine out of a carpet?",
         "Act fast:\n1. Blot (don't rub) with a clean cloth to soak up as much as possible.\n2. Pour a little "
         "cold water on the stain and blot again.\n3. Mix 1 tablespoon of dish soap and 1 tablespoon of white "
         "vinegar in 2 cups of warm water; sponge it on and blot until the stain lifts.\n4. For stubborn stains "
         "on light-colored carpet, a paste of baking soda and water left to dry, then vacuumed, helps. Test any "
         "hydrogen peroxide on a hidden spot first, since it can bleach.\n5. Rinse with cold water and blot dry."),
        ("为什么说“一年之计在于春”？",
         "这句话出自南朝萧绎的《纂要》：“一年之计在于春，一日之计在于晨。”在农耕社会，春天是播种的季节，"
         "春天种得好，秋天才能有好收成，所以一年的计划要在春天做好。后来引申为：做任何事情都要在开始时打好基础、做好规划，抓紧时间。"),
        ("Give me a 5-minute morning stretching routine.",
         "Hold each for about 30-45 seconds and breathe slowly:\n1. Neck rolls: slow half-circles side to side.\n"
         "2. Shoulder rolls: 10 backward, 10 forward.\n3. Standing side stretch: reach one arm overhead and lean "
         "to the opposite side; switch.\n4. Forward fold: bend at the hips, knees soft, let your head hang.\n"
         "5. Cat-cow on hands and knees: alternate arching and rounding your back.\n6. Low lunge: one foot "
         "forward, back knee down, hips sink forward; switch sides.\n7. Child's pose to finish."),
        ("帮我把这句话改得更委婉一点：你这个方案根本行不通。",
         "可以这样说：\n- “这个方案的思路很好，不过在执行层面可能还有一些困难，我们能不能一起再看看？”\n"
         "- “我有几点担心，比如成本和时间上可能比较紧张，是不是可以再完善一下？”\n"
         "- “这个方向我觉得值得考虑，如果能解决××问题，可行性会更高。”"),
        ("Who painted the Mona Lisa?",
         "Leonardo da Vinci, in the early 1500s. It hangs in the Louvre in Paris."),
        ("冬天皮肤很干怎么办？",
         "1. 洗澡水不要太热，时间控制在10分钟以内，少用碱性强的沐浴露；\n2. 洗完澡3分钟内趁皮肤还微湿时涂身体乳，锁住水分；\n"
         "3. 选含凡士林、甘油、尿素、神经酰胺等成分的保湿产品；\n4. 室内用加湿器，湿度保持在40%-60%；\n"
         "5. 多喝水，少抓挠。如果出现严重瘙痒、脱屑或湿疹，建议去皮肤科看看。"),
        ("Write a polite email declining a meeting invitation.",
         "Subject: Re: Project sync on Thursday\n\nHi Daniel,\n\nThank you for the invitation. Unfortunately I "
         "have a prior commitment on Thursday afternoon and won't be able to join. Could you share the notes "
         "afterward? I'm also happy to send my updates in writing beforehand, or to find another time next week "
         "if a conversation would be more useful.\n\nBest regards,\nLaura"),
        ("怎么挑西瓜？",
         "几个实用的方法：\n- **看纹路**：条纹清晰、深浅分明、纹路散开的一般比较熟；\n- **看瓜脐和瓜蒂**：瓜脐（底部圆点）小的更好，"
         "瓜蒂弯曲、新鲜的比较好；\n- **拍声音**：用手拍，声音“咚咚”清脆的是熟瓜，“噗噗”闷响的可能熟过了，“当当”很脆的可能还没熟；\n"
         "- **掂重量**：同样大小的瓜，越重水分越足；\n- **看底部**：和地面接触的那块如果是黄色，说明在地里长熟了。"),
        ("How many continents are there?",
         "Seven, in the most common model taught in English-speaking countries: Africa, Antarctica, Asia, "
         "Australia (Oceania), Europe, North America and South America. Some countries teach six, combining the "
         "Americas or Europe and Asia."),
        ("帮我写一条朋友圈，庆祝结婚五周年。",
         "五年前的今天，我们说好一起走下去。\n从两个人的出租屋，到现在有了自己的小家；\n吵过、闹过，也一起扛过很多难关。\n"
         "谢谢你一直在。\n木婚快乐，下一个五年，还是你。❤️"),
        ("Is a tomato a fruit or a vegetable?",
         "Botanically, a tomato is a fruit: it develops from the flower and contains seeds. In cooking it's "
         "treated as a vegetable because it's savory. In 1893 the US Supreme Court (Nix v. Hedden) even ruled "
         "that tomatoes count as vegetables for import-tariff purposes."),
        ("用一句话介绍一下你自己。", "我是一个AI助手，可以回答问题、帮你写作、翻译、分析问题，也可以陪你聊天。"),
        ("What's the boiling point of water in Fahrenheit?", "212°F at sea level (100°C)."),
        ("怎么给绿萝浇水？",
         "绿萝喜湿但怕积水，遵循“见干见湿”的原则：盆土表面2-3厘米干了再浇，一次浇透，直到盆底有水流出，托盘里的积水要倒掉。"
         "春夏生长期一般3-5天浇一次，秋冬减少到一周左右一次。平时可以往叶片上喷水增加湿度。叶片发黄、根部发黑，多半是浇水太多了。"),
        ("Suggest a name for a golden retriever puppy.",
         "A few ideas: Sunny, Maple, Biscuit, Honey, Cooper, Goldie, Teddy or Ginger. Sunny suits a golden's "
         "happy personality perfectly."),
        ("最近有什么好的习惯推荐吗？",
         "推荐几个简单、容易坚持的小习惯：\n- 每天早上喝一杯温水；\n- 饭后散步15分钟；\n- 睡前写下当天的三件好事；\n"
         "- 每天读10页书；\n- 手机设置一个晚上10点后的“勿扰模式”。\n\n一次只培养一个，坚持三周以上再加新的，成功率会高很多。"),
        ("Thanks for your help earlier!",
         "You're very welcome! Glad I could help. Let me know if anything else comes up."),
    ]
    drafts = [qa(None, q, a, key=f"untyped-{i + 1}", plants=["untyped"]) for i, (q, a) in enumerate(items)]
    return drafts


def build(rng: random.Random) -> list[Draft]:
    """RAG, open-chat and untyped drafts."""
    return _rag() + _open_chat() + _untyped()
