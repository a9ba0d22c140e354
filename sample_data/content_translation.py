"""translation/zh→en and translation/en→zh.

The first 34 zh→en prompts all open with "把下面的中文翻译成英文": the planted monotonous-prompt-template group that
the diversity dashboard's prompt-monotony view must surface.
"""

from __future__ import annotations

import random

from content_common import Draft, qa

ZH_EN = "translation/zh→en"
EN_ZH = "translation/en→zh"
TRANSLATOR_SYSTEM = "你是一名专业的中英翻译，译文要忠实、通顺，符合目标语言的表达习惯。"

# (Chinese source, English translation)
ZH_TO_EN = [
    ("会议改到下周三下午两点，请大家互相转告。",
     "The meeting has been moved to 2 p.m. next Wednesday. Please pass the word along."),
    ("这款保温杯采用双层真空设计，热水倒进去十二个小时后依然烫手。",
     "This insulated cup has a double-walled vacuum design: hot water poured into it is still piping hot twelve "
     "hours later."),
    ("感谢您一直以来对我们工作的支持，祝您新年快乐、万事如意！",
     "Thank you for your continued support of our work. Wishing you a happy New Year and every success!"),
    ("由于天气原因，本次航班预计延误约两小时，给您带来的不便，敬请谅解。",
     "Due to weather conditions, this flight is expected to be delayed by about two hours. We apologize for any "
     "inconvenience."),
    ("他虽然工作很忙，但每个周末都会抽时间陪父母吃饭。",
     "Although he is very busy at work, he always makes time to have dinner with his parents on weekends."),
    ("这座城市的夜景非常漂亮，尤其是从山顶俯瞰的时候。",
     "The city is beautiful at night, especially when you look down on it from the top of the hill."),
    ("请在截止日期前提交申请材料，逾期不予受理。",
     "Please submit your application materials before the deadline. Late applications will not be accepted."),
    ("熟能生巧。学语言没有捷径，只能多听、多说、多练。",
     "Practice makes perfect. There are no shortcuts to learning a language: you just have to listen, speak "
     "and practice as much as you can."),
    ("本产品不适合三岁以下儿童使用。", "This product is not suitable for children under three years of age."),
    ("我们已经收到您的退款申请，款项将在三到五个工作日内退回原支付账户。",
     "We have received your refund request. The money will be returned to your original payment account within "
     "three to five business days."),
    ("他这个人刀子嘴豆腐心，说话难听，其实很关心别人。",
     "He has a sharp tongue but a soft heart: what he says can sound harsh, but he really cares about people."),
    ("随着人口老龄化加剧，养老服务的需求日益增长。",
     "As the population ages, demand for elderly care services keeps growing."),
    ("这家餐厅的招牌菜是红烧肉，肥而不腻，入口即化。",
     "The restaurant's signature dish is red-braised pork belly: rich but not greasy, it melts in your mouth."),
    ("请勿在车厢内吸烟、饮食。", "Please do not smoke, eat or drink on the train."),
    ("系统将于今晚十点至次日凌晨两点进行维护，届时将无法登录。",
     "The system will be down for maintenance from 10 p.m. tonight to 2 a.m. tomorrow, and you will not be able "
     "to log in during that time."),
    ("人工智能正在改变许多行业，但也带来了隐私和就业方面的担忧。",
     "Artificial intelligence is transforming many industries, but it also raises concerns about privacy and "
     "jobs."),
    ("三人行，必有我师焉。",
     "When three people walk together, one of them can surely be my teacher. (Confucius, The Analects)"),
    ("我们的团队由来自五个国家的二十多名工程师组成。",
     "Our team is made up of more than twenty engineers from five countries."),
    ("如果明天不下雨，我们就去爬香山。", "If it doesn't rain tomorrow, we'll go hiking in the Fragrant Hills."),
    ("小区的快递柜满了，快递员把包裹放在了门卫室。",
     "The parcel lockers in our residential compound were full, so the courier left the package at the "
     "security booth."),
    ("这部电影改编自一部同名小说，上映一周票房就突破了十亿元。",
     "The film is adapted from the novel of the same name and took more than one billion yuan at the box office "
     "in its first week."),
    ("你先别着急，慢慢说，到底发生了什么事？", "Don't panic. Take your time. What exactly happened?"),
    ("为了保护环境，这家超市从今年起不再免费提供塑料袋。",
     "To protect the environment, the supermarket has stopped giving out free plastic bags this year."),
    ("这个方案在技术上可行，但成本太高，我们需要再考虑一下。",
     "The plan is technically feasible, but it costs too much. We need to think it over."),
    ("欢迎各位新同事加入我们这个大家庭！", "A warm welcome to all our new colleagues joining the family!"),
    ("他从小就对天文学感兴趣，长大后成为了一名天体物理学家。",
     "He was fascinated by astronomy as a child and grew up to become an astrophysicist."),
    ("本店所有商品支持七天无理由退换货。",
     "All items in our store can be returned or exchanged within seven days, no questions asked."),
    ("春节期间，高速公路对七座及以下小型客车免收通行费。",
     "During the Spring Festival holiday, passenger cars with seven seats or fewer can use expressways "
     "toll-free."),
    ("学如逆水行舟，不进则退。",
     "Learning is like rowing upstream: if you do not advance, you fall back."),
    ("请把这份文件打印两份，一份交给财务部，一份留档。",
     "Please print two copies of this document: one for the finance department and one for our records."),
    ("经过三年的努力，这个偏远的山村终于通了公路。",
     "After three years of work, the remote mountain village is finally connected by road."),
    ("我对花生过敏，请问这道菜里有花生吗？", "I'm allergic to peanuts. Does this dish contain any peanuts?"),
    ("这次考试考砸了，但我不会放弃。", "I bombed this exam, but I'm not giving up."),
    ("会议纪要请于明天中午前发到我的邮箱。", "Please email me the meeting minutes by noon tomorrow."),
    # ---- the prompts below use varied phrasings ----
    ("大熊猫是中国的国宝，主要生活在四川、陕西和甘肃的山区。",
     "The giant panda is China's national treasure. It lives mainly in the mountains of Sichuan, Shaanxi and "
     "Gansu."),
    ("今天的特价活动仅限会员参加。", "Today's special offer is for members only."),
    ("只要功夫深，铁杵磨成针。",
     "If you work at it hard enough, you can grind an iron rod into a needle. (Perseverance will get you there.)"),
    ("新版本修复了若干已知问题，并提升了应用的启动速度。",
     "The new version fixes several known issues and makes the app start faster."),
    ("我们建议您在航班起飞前至少两小时到达机场办理值机手续。",
     "We recommend that you arrive at the airport at least two hours before your flight to check in."),
    ("雨后的西湖烟雾朦胧，像一幅水墨画。",
     "After the rain, West Lake is veiled in mist, like an ink-wash painting."),
    ("物业通知：本周六上午九点至十二点停水，请提前储水。",
     "Notice from property management: the water supply will be shut off from 9 a.m. to 12 noon this Saturday. "
     "Please store water in advance."),
    ("这位老教授把一生都献给了乡村教育事业。",
     "The old professor devoted his whole life to education in rural areas."),
    ("吃一堑，长一智。", "Every fall into a pit makes you a little wiser. (We learn from our mistakes.)"),
    ("你的建议很有道理，我会在下一版设计中采纳。",
     "Your suggestion makes a lot of sense. I'll adopt it in the next version of the design."),
    ("他已经被这家公司录用了，下个月一号正式入职。",
     "He has been hired by the company and officially starts on the first of next month."),
    ("根据合同约定，乙方应在收到货款后十五日内开具发票。",
     "Under the contract, Party B shall issue an invoice within fifteen days of receiving payment."),
    ("周末的地铁比平时拥挤得多。", "The subway is much more crowded on weekends than on weekdays."),
    ("这只猫每天早上六点准时把我叫醒要吃的。",
     "This cat wakes me up at six o'clock sharp every morning, demanding food."),
    ("请您核对一下收货地址和联系电话是否正确。",
     "Please check that your delivery address and phone number are correct."),
    ("海内存知己，天涯若比邻。",
     "A true friend, though far away, feels like a next-door neighbor. (Wang Bo, Tang dynasty)"),
    ("研究表明，每天步行三十分钟有助于降低患心血管疾病的风险。",
     "Research shows that walking for thirty minutes a day helps lower the risk of cardiovascular disease."),
    ("这本书我读了三遍，每一遍都有新的收获。",
     "I've read this book three times, and I got something new out of it every time."),
    ("面试结果将在一周内通过邮件通知您。",
     "We will notify you of the interview result by email within a week."),
    ("由于原材料价格上涨，公司决定从下月起将产品价格上调百分之五。",
     "Because raw material prices have risen, the company has decided to raise its prices by five percent "
     "starting next month."),
    ("天下没有不散的筵席。",
     "All good things must come to an end. (Literally: there is no banquet in the world that never ends.)"),
    ("我们今晚吃火锅吧，我知道一家很地道的重庆火锅店。",
     "Let's have hot pot tonight. I know a really authentic Chongqing hot pot place."),
    ("这款手机支持5G网络，电池容量为5000毫安时。",
     "This phone supports 5G networks and has a 5,000 mAh battery."),
    ("志愿者们冒着大雨，把救灾物资送到了受灾群众手中。",
     "Braving the heavy rain, volunteers delivered relief supplies to the people affected by the disaster."),
    ("孩子的教育不能只靠学校，家庭同样重要。",
     "A child's education can't be left to schools alone; the family matters just as much."),
    ("一寸光阴一寸金，寸金难买寸光阴。",
     "An inch of time is worth an inch of gold, but an inch of gold cannot buy an inch of time."),
    ("床前明月光，疑是地上霜。举头望明月，低头思故乡。",
     "Before my bed, the moonlight glows;\nI wonder if it's frost upon the ground.\nI raise my head and gaze "
     "at the bright moon,\nthen lower it and think of home.\n\n(Li Bai, \"Quiet Night Thoughts\")"),
]

# Prompt templates for the zh→en pairs after the monotonous group (rotated in order).
VARIED_ZH_EN_PROMPTS = [
    "请将这句话译成英文：{zh}",
    "Translate into English: {zh}",
    "“{zh}”用英语怎么说？",
    "帮我翻译成英文，要地道一点：\n{zh}",
    "{zh}\n\n——这句话翻译成英文是什么？",
    "Can you help me put this into natural English?\n\n{zh}",
    "中译英：{zh}",
]
MONOTONOUS_OPENINGS = ["把下面的中文翻译成英文：\n{zh}", "把下面的中文翻译成英文。\n{zh}", "把下面的中文翻译成英文：{zh}"]
MONOTONOUS_COUNT = 34

# (English source, Chinese translation)
EN_TO_ZH = [
    ("The early bird catches the worm.", "早起的鸟儿有虫吃。"),
    ("Please find attached the revised contract for your review.", "附件是修改后的合同，请您审阅。"),
    ("Our office will be closed on Monday for the public holiday.", "因公共假期，我们办公室周一不对外办公。"),
    ("Could you tell me how to get to the nearest subway station?", "请问最近的地铁站怎么走？"),
    ("Your package was left at your front door at 3:42 p.m.", "您的包裹已于下午3点42分放在您家门口。"),
    ("Climate change is one of the greatest challenges facing humanity.", "气候变化是人类面临的最严峻挑战之一。"),
    ("I'm afraid I can't make it to dinner tonight; something came up at work.",
     "恐怕我今晚没法去吃饭了，工作上临时有点事。"),
    ("Keep out of reach of children.", "请放在儿童接触不到的地方。"),
    ("Actions speak louder than words.", "行动胜于言语。（也可译作“事实胜于雄辩”。）"),
    ("This update includes bug fixes and performance improvements.", "本次更新包含问题修复和性能优化。"),
    ("She has worked at the hospital as a nurse for fifteen years.", "她在这家医院当护士已经十五年了。"),
    ("We regret to inform you that your application was not successful.", "很遗憾地通知您，您的申请未获通过。"),
    ("Mind the gap between the train and the platform.", "请注意列车与站台之间的空隙。"),
    ("It's raining cats and dogs outside.", "外面正下着倾盆大雨。"),
    ("Photosynthesis converts light energy into chemical energy stored in glucose.",
     "光合作用把光能转化为储存在葡萄糖中的化学能。"),
    ("Don't put all your eggs in one basket.", "不要把所有鸡蛋放在同一个篮子里。（意思是不要孤注一掷，要分散风险。）"),
    ("The museum is open from 9 a.m. to 5 p.m., Tuesday through Sunday.",
     "博物馆周二至周日开放，开放时间为上午9点至下午5点。"),
    ("He apologized for the misunderstanding and offered to pay for the damage.",
     "他为这次误会道了歉，并主动提出赔偿损失。"),
    ("Add the flour gradually, stirring constantly to prevent lumps.", "分次加入面粉，同时不停搅拌，防止结块。"),
    ("All passengers must go through security screening.", "所有乘客都必须接受安全检查。"),
    ("The company reported a 12% increase in quarterly revenue.", "该公司公布季度营收同比增长12%。"),
    ("Time flies when you're having fun.", "快乐的时光总是过得特别快。"),
    ("Please rate your experience on a scale from 1 to 5.", "请用1到5分为您的体验打分。"),
    ("Where there's a will, there's a way.", "有志者，事竟成。"),
    ("Two-factor authentication adds an extra layer of security to your account.",
     "双重身份验证为您的账户增加了一层额外的安全保护。"),
    ("The concert was cancelled because of the storm, and all tickets will be fully refunded.",
     "音乐会因暴风雨取消，所有门票将全额退款。"),
    ("I look forward to hearing from you.", "期待您的回复。"),
    ("Fragile - handle with care.", "易碎物品，小心轻放。"),
    ("Remote work has changed how many teams collaborate. Meetings have moved online, documentation has become "
     "more important, and managers have had to learn to judge results rather than hours spent at a desk. "
     "Some employees love the flexibility; others miss the energy of a shared office.",
     "远程办公改变了许多团队的协作方式。会议搬到了线上，文档变得更加重要，管理者也不得不学会看结果，"
     "而不是看员工在办公桌前坐了多少小时。有些员工很喜欢这种灵活性，也有人怀念共享办公室里的那种活力。"),
    ("The old lighthouse keeper climbed the spiral stairs every evening at dusk, even after the light had been "
     "automated. \"Somebody should still say goodnight to the sea,\" he told the curious children from the "
     "village, and he never explained what he meant.",
     "即使灯塔早已实现了自动化，老守塔人依然每天黄昏都沿着螺旋楼梯爬上塔顶。“总得有人跟大海道一声晚安。”"
     "他这样对村里那些好奇的孩子们说，却从来没有解释过这句话是什么意思。"),
]

EN_ZH_PROMPTS = [
    "Translate into Chinese: {en}",
    "请把这句英文翻译成中文：{en}",
    "What's the Chinese for \"{en}\"?",
    "英译中：\n{en}",
    "Please translate the following into Simplified Chinese.\n\n{en}",
    "这句话什么意思？帮我翻成中文：{en}",
]


def build(rng: random.Random) -> list[Draft]:
    """All translation drafts (rng is unused: the order is fixed, the build script shuffles)."""
    drafts = []
    for i, (zh, en) in enumerate(ZH_TO_EN):
        if i < MONOTONOUS_COUNT:
            prompt = MONOTONOUS_OPENINGS[i % len(MONOTONOUS_OPENINGS)].format(zh=zh)
            plants = ["monotonous_prompt"]
        else:
            prompt = VARIED_ZH_EN_PROMPTS[i % len(VARIED_ZH_EN_PROMPTS)].format(zh=zh)
            plants = []
        system = TRANSLATOR_SYSTEM if i % 6 == 5 else None
        drafts.append(qa(ZH_EN, prompt, en, system=system, key=f"zh2en-{i + 1}", plants=plants))
    for i, (en, zh) in enumerate(EN_TO_ZH):
        prompt = EN_ZH_PROMPTS[i % len(EN_ZH_PROMPTS)].format(en=en)
        system = TRANSLATOR_SYSTEM if i % 7 == 3 else None
        drafts.append(qa(EN_ZH, prompt, zh, system=system, key=f"en2zh-{i + 1}"))
    return drafts
