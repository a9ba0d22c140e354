"""summarization/news: long-context prompts (articles of 700-2,500 characters) with short summaries.

Articles about real events stick to well-documented facts; the local-news pieces are about unnamed or fictional
towns and organisations.
"""

from __future__ import annotations

import random

from content_common import Draft, prose, qa

NEWS = "summarization/news"

JWST = prose("""
    KOUROU, French Guiana - The James Webb Space Telescope, the largest and most powerful space observatory ever
    built, lifted off on Saturday morning aboard an Ariane 5 rocket from Europe's Spaceport, beginning a
    month-long journey to its observing post about 1.5 million kilometers from Earth.

    The launch, on December 25, 2021, came after more than two decades of development and repeated delays that
    pushed the project's cost to roughly $10 billion. The telescope is a collaboration between NASA, the European
    Space Agency and the Canadian Space Agency, and is widely seen as the successor to the Hubble Space
    Telescope, which has been in orbit since 1990.

    Webb is designed to look further back in time than any instrument before it. Its primary mirror, 6.5 meters
    across, is made of 18 hexagonal segments of beryllium coated with a thin layer of gold, giving it far more
    light-collecting area than Hubble. Because it observes mainly in infrared light, the telescope has to be kept
    extremely cold. A five-layer sunshield roughly the size of a tennis court will shade its mirror and
    instruments from the heat of the Sun, Earth and Moon.

    The observatory was too large to fit inside any rocket fully assembled, so it was folded up for launch.
    Over the coming weeks, engineers will guide it through a long and carefully choreographed sequence of
    deployments: unfolding and tensioning the sunshield, then swinging the side panels of the primary mirror
    into place. Mission managers have acknowledged that the sequence contains hundreds of steps that must all
    work, and, unlike Hubble, Webb will be too far away for astronauts to repair.

    Flight controllers cheered when the rocket's upper stage released the telescope and its solar array
    unfolded as planned. Officials said the Ariane 5 had placed Webb on such a precise path that the telescope
    may be left with more fuel than expected, which could extend its working life.

    Once it reaches its orbit around the second Lagrange point, Webb will spend about six months cooling down,
    aligning its mirror segments and calibrating its instruments before the first science images are released.
    Astronomers hope to use it to spot some of the first galaxies that formed after the Big Bang, to watch stars
    and planetary systems being born inside dusty clouds, and to analyze the atmospheres of planets orbiting
    other stars for signs of water and other molecules.
    """)

EVER_GIVEN = prose("""
    The giant container ship that blocked the Suez Canal for almost a week was pulled free on Monday, March 29,
    2021, allowing traffic to resume on one of the world's busiest trade routes.

    The Ever Given, a vessel roughly 400 meters long, ran aground on March 23 after being hit by strong winds
    during a sandstorm. It became wedged diagonally across the southern end of the canal, with its bow stuck in
    one bank and its stern close to the other, leaving no room for other ships to pass.

    For six days, dredgers dug sand and mud from around the bow while tugboats pushed and pulled at the hull.
    The effort was helped by a spring tide, which raised the water level enough for the tugs to swing the ship
    into the middle of the channel. Crowds of onlookers and canal workers cheered as the vessel began to move.

    By then, hundreds of ships were waiting at both ends of the canal, carrying everything from oil and grain to
    consumer goods and livestock. Some operators had already decided to send their vessels around the Cape of
    Good Hope at the southern tip of Africa, a detour that adds roughly a week or more to a voyage between Asia
    and Europe. Shipping analysts estimated that the blockage held up billions of dollars' worth of goods each
    day.

    The Suez Canal Authority said it would work around the clock to clear the backlog. Economists warned that
    the disruption would ripple through supply chains that were already strained by the pandemic, with delays
    and higher freight costs likely to last for weeks. The incident also revived debate about how dependent
    world trade has become on a handful of narrow waterways.
    """)

CHANDRAYAAN = prose("""
    India became the first country to land a spacecraft near the Moon's south pole on Wednesday, August 23, 2023,
    when the Vikram lander of its Chandrayaan-3 mission touched down gently shortly after 6 p.m. local time.

    The landing made India only the fourth country to achieve a soft landing on the Moon, after the United
    States, the former Soviet Union and China. Scientists at the Indian Space Research Organisation's mission
    control in Bengaluru erupted in applause as the lander confirmed its touchdown. Prime Minister Narendra
    Modi, who watched the landing online from South Africa, where he was attending a summit, called it a
    historic day for the country.

    The success came four years after the lander of the Chandrayaan-2 mission crashed during its final descent,
    and just days after Russia's Luna-25 probe, which was also aiming for the south polar region, crashed into
    the Moon. Chandrayaan-3 was launched on July 14 from the Satish Dhawan Space Centre at Sriharikota.

    The lander carried a small six-wheeled rover named Pragyan. Both were designed to work for about one lunar
    day, roughly 14 days on Earth, studying the composition of the surface and measuring temperature and
    seismic activity. The region interests scientists because permanently shadowed craters near the pole may
    hold water ice, which future missions could use for drinking water, oxygen and rocket fuel.
    """)

NOTRE_DAME = prose("""
    PARIS - Notre-Dame Cathedral reopened on Saturday, December 7, 2024, five years after a fire that destroyed
    its roof and toppled its spire and shocked people around the world.

    The fire broke out on the evening of April 15, 2019, and spread through the medieval oak timbers of the roof
    before firefighters brought it under control overnight. The stone vaults largely held, protecting much of
    the interior, and many of the cathedral's treasures were carried out during the blaze.

    President Emmanuel Macron promised within days that the cathedral would be rebuilt within five years, a
    target many experts considered unrealistic. Donations poured in from companies, foundations and ordinary
    people in France and abroad. After a long debate about whether to add a modern touch, the authorities
    decided to rebuild the spire exactly as it had been designed in the 19th century by the architect Eugène
    Viollet-le-Duc, and to reconstruct the roof frame in oak using traditional techniques.

    Hundreds of craftspeople, including carpenters, stonemasons, glassmakers and organ builders, worked on the
    restoration. Visitors who entered the cathedral after the reopening ceremony described the cleaned limestone
    walls as brighter than they had seen them in their lifetimes.
    """)

FOUR_DAY_WEEK = prose("""
    MILLBROOK - The city council voted 7-2 on Tuesday night to let about 300 municipal employees try a four-day
    working week for one year, starting in January.

    Under the pilot, staff in the parks, planning and libraries departments will work four 9.5-hour days
    instead of five 8-hour days, keeping their full salaries while their weekly hours drop from 40 to 38.
    Front-desk services such as permit applications will stay open five days a week through staggered
    schedules. Police, fire and water-treatment staff are not included.

    Supporters said the change would help the city compete for workers. "We have had a planning engineer
    position open for eleven months," said council member Rosa Delgado, who proposed the pilot. "Private firms
    offer flexibility we can't match on salary alone." The city's human resources office will track sick days,
    overtime, staff turnover and resident complaints and report to the council every quarter.

    The two council members who voted against the plan warned that longer days could be hard on employees with
    young children and said the city should first survey residents about service hours. The council can end the
    pilot early if the quarterly reports show response times getting worse.
    """)

TOOL_LIBRARY = prose("""
    Residents of Eastfield will soon be able to borrow a pressure washer, a ladder or a sewing machine as easily
    as a novel. The town's public library announced this week that it will open a "library of things" in the
    former storage room behind the children's section on the first of next month.

    The collection starts with about 150 items, most of them donated by local hardware stores and residents who
    answered an appeal in the spring. Alongside power tools, it includes camping gear, a telescope, board games,
    a projector for community events and a set of kitchen equipment for canning and preserving. Anyone with a
    library card can borrow up to two items at a time for one week, free of charge. Power tools require a short
    safety briefing the first time they are borrowed.

    Head librarian Thomas Nguyen said the idea came from patrons. "People kept asking whether we could lend out
    the things you need once a year and then store in a garage forever," he said. "Sharing them saves money and
    space, and it keeps perfectly good tools out of landfill." Volunteers from a local repair cafe will check
    and maintain the items once a month.
    """)

CUP_PHASEOUT = prose("""
    Harbor Roast, a regional coffee chain with 112 cafes, said on Thursday that it will stop offering single-use
    cups at 40 of its stores by the end of the year and replace them with a deposit scheme.

    Customers at the participating cafes will pay a deposit of $1 for a reusable cup, which they can return at
    any Harbor Roast location for a refund or swap for a clean one. Customers who bring their own cups will
    continue to receive a 25-cent discount. The company said the 40 stores, mostly in downtown areas and near
    universities, were chosen because a trial at six cafes last year saw more than 60% of customers adopt the
    reusable cups within three months.

    The chain estimates that its stores currently hand out about 9 million disposable cups a year. Chief
    executive Ana Kowalski said the company would decide whether to extend the scheme to all stores after
    reviewing return rates and washing costs next spring. Environmental groups welcomed the move but urged the
    company to set a firm date for the rest of the chain.
    """)

CHANGE5 = prose("""
    12月17日凌晨，嫦娥五号返回器携带月球样品，在内蒙古四子王旗预定区域安全着陆。探月工程嫦娥五号任务取得圆满成功，
    这是我国首次实现地外天体采样返回。

    嫦娥五号探测器于2020年11月24日由长征五号遥五运载火箭在中国文昌航天发射场发射升空，由轨道器、返回器、着陆器和上升器
    四部分组成。12月1日，着陆器和上升器组合体在月球正面风暴洋中的吕姆克山脉以北地区成功着陆，随后通过钻取和表取两种方式
    采集月球样品，并在月面展示了国旗。

    12月3日，上升器携带样品从月面起飞，进入预定环月轨道。12月6日，上升器与在轨道上等待的轨道器和返回器组合体完成交会对接，
    这是我国首次实现月球轨道交会对接。样品转移到返回器后，轨道器和返回器组合体踏上回家之路，返回器最终以接近第二宇宙速度
    进入大气层，采用“半弹道跳跃”方式减速后着陆。

    经称重，嫦娥五号共带回月球样品1731克。这是人类时隔四十多年再次从月球带回样品。专家表示，嫦娥五号采样区域的月球岩石
    形成年代相对较晚，对研究月球演化历史具有重要价值。

    嫦娥五号任务的成功，标志着我国探月工程“绕、落、回”三步走规划圆满收官。样品入藏后，将按照相关管理办法向国内外科研
    机构开放申请，开展科学研究。
    """)

HZMB = prose("""
    2018年10月23日，港珠澳大桥开通仪式在广东珠海举行。24日上午9时起，大桥正式通车运营。

    港珠澳大桥东接香港，西接珠海和澳门，全长约55公里，是集桥、岛、隧于一体的跨海通道，其中海底沉管隧道长约6.7公里，
    是目前世界上最长的公路沉管隧道之一。为了让大桥下方的航道和机场航线不受影响，设计者在伶仃洋中建设了两座人工岛，
    实现桥梁与隧道的转换。大桥设计使用寿命为120年。

    大桥建成前，从香港驾车到珠海、澳门需要绕行，单程约3个小时；通车后，车程缩短至约45分钟。业内人士认为，大桥将进一步
    促进粤港澳大湾区内的人员往来、物流运输和旅游消费，加快区域融合发展。

    建设者们在施工中攻克了深海沉管对接、海上人工岛快速成岛等多项技术难题。按照规定，通行港珠澳大桥的车辆需申领相应的
    通行许可，过往旅客在各自口岸办理通关手续。
    """)

WINTER_OLYMPICS = prose("""
    2月20日晚，北京2022年冬奥会闭幕式在国家体育场举行。经过16天的比赛，中国体育代表团共获得9枚金牌、4枚银牌、2枚铜牌，
    金牌数和奖牌数均创下历届冬奥会参赛的最好成绩，金牌榜位列第三。

    本届冬奥会上，中国队在短道速滑混合团体接力中夺得首金，此后自由式滑雪、单板滑雪、速度滑冰等项目接连传来捷报。
    18岁的谷爱凌获得自由式滑雪女子大跳台和女子U型场地技巧两枚金牌，以及女子坡面障碍技巧银牌；17岁的苏翊鸣获得
    单板滑雪男子大跳台金牌，一批年轻运动员在雪上项目实现突破。

    随着本届冬奥会的举办，北京成为世界上首个既举办过夏季奥运会又举办过冬季奥运会的城市，被称为“双奥之城”。
    2008年奥运会的部分场馆在本届冬奥会中再次投入使用，“水立方”改造为“冰立方”承担冰壶比赛。

    闭幕式上，奥运会会旗交接给下一届冬奥会举办城市——意大利的米兰和科尔蒂纳丹佩佐。
    """)

SHENZHOU13 = prose("""
    2022年4月16日9时56分，神舟十三号载人飞船返回舱在东风着陆场成功着陆，航天员翟志刚、王亚平、叶光富安全顺利出舱，
    身体状态良好。神舟十三号载人飞行任务取得圆满成功。

    三名航天员于2021年10月16日进驻天和核心舱，在轨驻留183天，刷新了中国航天员单次飞行任务的在轨时间纪录。其间，
    乘组完成了两次出舱活动，王亚平成为中国首位进行出舱活动的女航天员；他们还在空间站里进行了两次“天宫课堂”太空授课，
    并开展了多项科学实验和技术试验。

    本次返回首次采用了快速返回方案，飞船从与空间站分离到着陆用时约9个小时，比以往大大缩短。航天专家介绍，
    神舟十三号任务的成功，为空间站后续的建造和长期运营积累了宝贵经验。
    """)

SORTING = prose("""
    记者从市城市管理局获悉，本市将从下月1日起在全市居民小区推行生活垃圾分类积分制度。居民按要求将垃圾分为可回收物、
    厨余垃圾、有害垃圾和其他垃圾四类投放，每正确投放一次可获得积分，积分可以在社区便民超市兑换洗衣液、纸巾等日用品。

    据介绍，积分制度此前已在城东三个街道试点一年。试点小区的厨余垃圾分出量提高了约四成，其他垃圾量明显下降。
    为方便上班族，试点小区将定时投放的时间调整为早上7点至9点、晚上6点至9点两个时段，并在投放点安排志愿者现场指导。

    城市管理局有关负责人表示，推广初期以宣传引导为主，暂不对个人违规投放进行处罚。对于分类质量长期不达标的小区，
    将约谈物业服务企业并督促整改。市民如对积分规则有疑问，可拨打12345市民服务热线咨询。
    """)

RAINSTORM = prose("""
    市气象台今天上午10时发布暴雨蓝色预警信号：预计未来12小时内，我市大部分地区将出现暴雨，局部地区有大暴雨，
    并伴有雷电和短时大风，最大小时雨量可达50毫米以上。

    受降雨影响，市区部分低洼路段可能出现积水，山区可能发生山洪、滑坡等地质灾害。市防汛抗旱指挥部已启动防汛四级应急响应，
    要求各区加强对地下通道、下穿隧道、在建工地和老旧小区的巡查，提前转移危险区域人员。

    气象部门提醒市民：尽量减少外出，确需出行的请避开积水路段，不要在大树、广告牌下避雨；驾车遇到积水较深的路段时，
    不要强行通过。中小学和幼儿园可根据实际情况调整上学和放学时间。本轮降雨预计将持续到明天下午，后期天气将逐渐转好。
    """)

CANTEEN = prose("""
    “以前自己做饭，一个人吃不了多少，常常对付一口。现在下楼走几步就有热乎饭菜，一荤两素一汤只要12元。”
    家住幸福里社区的78岁居民王大爷说。

    上个月，幸福里社区老年食堂正式开张。食堂由社区提供场地、引入专业餐饮企业运营，每天供应早餐和午餐，
    菜品以清淡、软烂为主，每周公布菜单。60岁以上的社区居民凭卡就餐可享受政府补贴，80岁以上老人补贴更多；
    行动不便的老人可以通过电话预订，由志愿者送餐上门。

    食堂开业一个月来，日均就餐人数已超过200人次。社区负责人表示，下一步将根据老人的反馈增加低糖、低盐菜品，
    并在用餐区开设健康讲座和手机使用课堂，让食堂不仅是吃饭的地方，也成为老人们聊天、交流的好去处。
    """)

JOB_FAIR = prose("""
    本周六，市人力资源和社会保障局联合多所高校在会展中心举办2024届高校毕业生专场招聘会，
    共有320家用人单位进场，提供岗位8600余个，涉及电子信息、智能制造、现代物流、医疗健康、金融服务等领域。

    招聘会现场设置了政策咨询区、简历诊断区和直播带岗区。政策咨询区的工作人员向毕业生介绍了就业补贴、
    创业担保贷款和人才公寓申请等政策；简历诊断区由职业指导师一对一帮助毕业生修改简历；直播带岗区则由企业人力资源负责人
    在线介绍岗位，吸引了不少外地毕业生“云端”投递。

    据统计，当天进场求职的毕业生约1.1万人次，初步达成就业意向2300余人。市人社局表示，今年还将陆续举办
    40余场各类招聘活动，并为未就业的离校毕业生提供不断线的就业服务。
    """)

SUMMARY_SYSTEM = ("You are a news editor. Summaries must be accurate, neutral and contain no facts that are not in "
                  "the article.")


def build(rng: random.Random) -> list[Draft]:
    """All summarization drafts."""
    items = [
        (f"Summarize this article in three sentences.\n\n{JWST}",
         "The James Webb Space Telescope, a roughly $10 billion collaboration between NASA, ESA and the Canadian "
         "Space Agency, launched on an Ariane 5 rocket from French Guiana on December 25, 2021. Its 6.5-meter "
         "gold-coated mirror and tennis-court-sized sunshield had to be folded for launch and will be unfolded "
         "in a complex deployment sequence on the way to its orbit about 1.5 million km from Earth. After about "
         "six months of cooling and calibration, it will study the earliest galaxies, star and planet formation, "
         "and the atmospheres of exoplanets.", SUMMARY_SYSTEM, "news-jwst"),
        (f"TL;DR:\n\n{EVER_GIVEN}",
         "The Ever Given, a 400 m container ship that ran aground across the Suez Canal in a sandstorm on March "
         "23, 2021, was freed on March 29 with dredgers, tugboats and a spring tide; hundreds of ships had "
         "queued and some rerouted around Africa, and the delays are expected to ripple through already "
         "strained supply chains.", None, "news-suez"),
        (f"请用中文概括下面这篇英文报道的主要内容，不超过100字。\n\n{CHANDRAYAAN}",
         "2023年8月23日，印度“月船3号”的维克拉姆着陆器在月球南极附近成功软着陆，印度成为第四个实现月球软着陆的国家，"
         "也是首个在月球南极附近着陆的国家。此前“月船2号”着陆失败，俄罗斯“月球25号”也刚坠毁。"
         "着陆器携带的“智慧号”月球车将工作约14天，研究月面成分等。", None, "news-chandrayaan"),
        (f"Write a headline and a one-paragraph summary for this article.\n\n{NOTRE_DAME}",
         "Headline: Notre-Dame Reopens Five Years After Devastating Fire\n\nSummary: Notre-Dame Cathedral in "
         "Paris reopened on December 7, 2024, more than five years after the April 15, 2019 fire that destroyed "
         "its roof and spire. Finished close to President Macron's five-year target, the restoration rebuilt the "
         "spire to "
         "Viollet-le-Duc's 19th-century design and the roof frame in oak with traditional methods, funded by "
         "donations from France and abroad and carried out by hundreds of craftspeople.", None, "news-notredame"),
        (f"Summarize the key points of this story as bullet points.\n\n{FOUR_DAY_WEEK}",
         "- Millbrook's council voted 7-2 for a one-year four-day-week pilot for about 300 city employees, "
         "starting in January.\n- Staff in parks, planning and libraries will work four 9.5-hour days (38 hours "
         "instead of 40) at full pay; public counters stay open five days through staggered shifts. Police, fire "
         "and water-treatment staff are excluded.\n- Supporters say it will help recruitment (one engineering "
         "post has been vacant for 11 months).\n- HR will report sick days, overtime, turnover and complaints "
         "quarterly; opponents worry about long days for parents, and the council can end the pilot early if "
         "service slips.", None, "news-fourday"),
        (f"Give me a two-sentence summary.\n\n{TOOL_LIBRARY}",
         "Eastfield's public library will open a free \"library of things\" next month, lending about 150 donated "
         "items such as power tools, camping gear, a telescope and kitchen equipment to cardholders, two items "
         "at a time for a week. The librarian says it saves residents money and space and keeps tools out of "
         "landfill, with volunteers from a repair cafe maintaining the items.", None, "news-library"),
        (f"Summarize for a busy reader in one sentence.\n\n{CUP_PHASEOUT}",
         "Harbor Roast will replace single-use cups with a $1 reusable-cup deposit scheme at 40 of its 112 cafes "
         "by year-end, after a six-cafe trial saw over 60% adoption, and will decide next spring whether to "
         "expand it chain-wide.", SUMMARY_SYSTEM, "news-cups"),
        (f"请用三句话概括这篇新闻。\n\n{CHANGE5}",
         "2020年12月17日，嫦娥五号返回器携带1731克月球样品在内蒙古四子王旗安全着陆，我国首次实现地外天体采样返回。"
         "探测器11月24日从文昌发射，12月1日着陆月球风暴洋，完成钻取和表取采样后，上升器起飞并于12月6日"
         "实现我国首次月球轨道交会对接。任务的成功标志着探月工程“绕、落、回”三步走圆满收官。", None, "news-change5"),
        (f"给这篇报道拟一个标题，并写一段50字以内的摘要。\n\n{HZMB}",
         "标题：港珠澳大桥正式通车 港珠澳车程缩至45分钟\n\n摘要：全长约55公里、集桥岛隧于一体的港珠澳大桥"
         "于2018年10月24日通车，香港至珠海、澳门车程由约3小时缩短至约45分钟。", None, "news-hzmb"),
        (f"Summarize this Chinese news report in English, in about 60 words.\n\n{WINTER_OLYMPICS}",
         "The Beijing 2022 Winter Olympics closed on February 20. China won 9 gold, 4 silver and 2 bronze medals, "
         "its best Winter Games ever and third in the gold table, with stars such as Eileen Gu (two golds, one "
         "silver) and Su Yiming. Beijing became the first city to host both Summer and Winter Olympics; Milan "
         "and Cortina d'Ampezzo host next.", None, "news-olympics"),
        (f"概括这条新闻的要点。\n\n{SHENZHOU13}",
         "要点：\n1. 2022年4月16日，神舟十三号返回舱在东风着陆场成功着陆，翟志刚、王亚平、叶光富安全出舱。\n"
         "2. 乘组在轨驻留183天，创中国航天员单次飞行在轨时间纪录，完成两次出舱活动和两次“天宫课堂”。\n"
         "3. 王亚平成为中国首位出舱的女航天员。\n4. 本次首次采用快速返回方案，约9小时返回地面。", None,
         "news-shenzhou13"),
        (f"{SORTING}\n\n用一句话总结上面这篇新闻。",
         "本市下月起在全市小区推行垃圾分类积分制度，居民正确分类投放可积分兑换日用品，推广初期以引导为主、暂不处罚个人。",
         None, "news-sorting"),
        (f"请为下面的预警新闻写一条不超过80字的手机推送摘要。\n\n{RAINSTORM}",
         "【暴雨蓝色预警】未来12小时我市大部分地区有暴雨、局部大暴雨，伴雷电大风。防汛四级应急响应已启动，"
         "请减少外出、避开积水路段，勿在大树和广告牌下避雨。", None, "news-rainstorm"),
        (f"这篇稿子太长了，帮我压缩成100字左右。\n\n{CANTEEN}",
         "幸福里社区老年食堂上月开张，由社区提供场地、专业企业运营，供应清淡软烂的早餐和午餐，一荤两素一汤12元。"
         "60岁以上老人享受补贴，行动不便者可电话订餐、志愿者送餐。开业一月日均就餐超200人次，"
         "下一步将增加低糖低盐菜品并开设讲座和手机课堂。", None, "news-canteen"),
        (f"Summarize the following news in English bullet points.\n\n{JOB_FAIR}",
         "- The city's human resources bureau and several universities held a job fair for 2024 graduates at the "
         "convention center on Saturday.\n- 320 employers offered more than 8,600 jobs in IT, manufacturing, "
         "logistics, healthcare and finance.\n- The fair had zones for policy advice, one-on-one resume help and "
         "livestreamed recruiting for remote applicants.\n- About 11,000 visits were recorded and over 2,300 "
         "graduates reached preliminary agreements.\n- More than 40 further recruitment events are planned this "
         "year.", None, "news-jobfair"),
    ]
    return [qa(NEWS, prompt, answer, system=system, key=key) for prompt, answer, system, key in items]
