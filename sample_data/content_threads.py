"""Multi-turn conversations for task types whose main modules are mostly single-turn.

Real SFT sets rarely stop at one exchange: users ask for a more casual translation, a shorter summary, an extra
field, or a follow-up question. Each thread here has 2-4 user turns.
"""

from __future__ import annotations

import random

from content_common import Draft, convo

FENCE = "```"


def build(rng: random.Random) -> list[Draft]:
    """All follow-up threads."""
    threads = [
        ("translation/zh→en", None, [
            "把这句话翻译成英文：请您在方便的时候回复这封邮件。",
            "Please reply to this email at your convenience.",
            "能不能更口语一点？是发给同事的。",
            "可以，发给同事可以写得轻松一些：\n- \"Get back to me when you get a chance.\"\n"
            "- \"Let me know when you can.\"\n\n“at your convenience”比较正式，更适合发给客户或上级。"]),
        ("translation/zh→en", None, [
            "“好久不见，最近怎么样？”用英语怎么说？",
            "Long time no see! How have you been?",
            "How have you been 和 How are you 有什么区别？",
            "“How are you?”问的是你现在好不好，日常见面随口就说；“How have you been?”用的是现在完成时，"
            "问的是从上次见面到现在这段时间过得怎么样，所以特别适合很久没见的朋友。"]),
        ("translation/en→zh", None, [
            "Translate into Chinese: The early bird gets the worm, but the second mouse gets the cheese.",
            "早起的鸟儿有虫吃，但第二只老鼠才能吃到奶酪。",
            "What does the second half mean?",
            "It's a joke built on the first proverb. The first mouse to go for the cheese in a mousetrap gets "
            "caught; the second mouse, arriving after the trap has sprung, gets the cheese safely. So while the "
            "first half praises being first, the second half says that sometimes it pays to let others take the "
            "risk and learn from their mistakes."]),
        ("translation/en→zh", None, [
            "请把这句翻成中文：We are pleased to offer you the position of Product Designer.",
            "我们很高兴地通知您，您已被录用为产品设计师。",
            "再正式一点，要用在录用通知书上。",
            "经过综合评估，我司很荣幸地通知您：您已被正式录用为产品设计师一职。"]),
        ("code/generation", None, [
            "Bash one-liner to count how many times each IP appears in access.log (the IP is the first field).",
            f"{FENCE}bash\nawk '{{print $1}}' access.log | sort | uniq -c | sort -rn | head\n{FENCE}\n\n`awk` "
            "prints the first field, `sort | uniq -c` counts identical lines, `sort -rn` puts the biggest counts "
            "first, and `head` shows the top 10.",
            "How do I only count today's requests?",
            "If the log uses the common format with dates like `[10/Jun/2024:13:55:36 +0000]`, filter on today's "
            f"date first:\n\n{FENCE}bash\ngrep \"$(LC_ALL=C date +%d/%b/%Y)\" access.log | awk '{{print $1}}' | "
            f"sort | uniq -c | sort -rn | head\n{FENCE}\n\n`LC_ALL=C` makes sure the month is written as "
            "`Jun` even on a system set to another language."]),
        ("code/generation", None, [
            "用JavaScript写一个函数，判断某一年是不是闰年。",
            f"{FENCE}javascript\nfunction isLeapYear(year) {{\n  if (year % 400 === 0) return true;\n  "
            f"if (year % 100 === 0) return false;\n  return year % 4 === 0;\n}}\n\nconsole.log(isLeapYear(2000)); "
            f"// true\nconsole.log(isLeapYear(1900)); // false\nconsole.log(isLeapYear(2024)); // true\n{FENCE}\n\n"
            "规则：能被4整除但不能被100整除，或者能被400整除。",
            "能写成一行吗？",
            f"{FENCE}javascript\nconst isLeapYear = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;\n{FENCE}"]),
        ("code/explanation", None, [
            "What does `git reset --hard HEAD~1` do?",
            "It moves your current branch back by one commit and makes your working directory and staging area "
            "match that older commit exactly. The last commit disappears from the branch, and any uncommitted "
            "changes are thrown away too, so use it with care.",
            "Oops, I ran it by accident. Can I get my commit back?",
            "Usually yes, as long as it was committed. Git keeps a log of where HEAD has been:\n\n"
            f"{FENCE}bash\ngit reflog            # find the line just before the reset, e.g. HEAD@{{1}}\n"
            f"git reset --hard HEAD@{{1}}\n{FENCE}\n\nThat restores the branch to the lost commit. Uncommitted "
            "changes that were discarded by the reset, however, cannot be recovered this way."]),
        ("e-commerce/customer service", "你是「优选商城」的在线客服，语气礼貌、简洁，优先给出可执行的办法。", [
            "我买的运动鞋小了，能换大一码吗？",
            "可以的。请问鞋子是否穿过？吊牌和鞋盒还在吗？",
            "没穿过，吊牌和盒子都在。",
            "好的，符合换货条件。请在订单页点击“申请售后”→“换货”，选择大一码（如原来是41码就选42码），提交后按页面提示把鞋寄回。"
            "我们收到并确认无误后会马上发出新鞋。因尺码问题换货，一次往返运费由我们承担。"]),
        ("e-commerce/customer service", None, [
            "Do you price match?",
            "We match our own price: if the identical item gets cheaper on our site within 14 days of your "
            "purchase, we refund the difference. We don't match other retailers.",
            "The blender I bought 5 days ago is now $20 cheaper on your site.",
            "That qualifies. I've submitted a $20 price adjustment for your order; it goes back to your "
            "original payment method within 3-5 business days, and you'll get a confirmation email shortly."]),
        ("e-commerce/customer service", None, [
            "发票抬头开错了，能重开吗？",
            "可以重开。请问您开的是电子普通发票，还是增值税专用发票？",
            "电子普通发票。",
            "电子普通发票可以直接在订单详情页点击“换开发票”，填写正确的抬头和税号后提交，原发票会自动作废，"
            "新发票一般1-3个工作日内开具并发送到您的邮箱。每个订单最多可以换开一次，请仔细核对信息。"]),
        ("medical/knowledge QA", None, [
            "最近总是头晕，是不是低血压？",
            "头晕的原因很多，低血压只是其中之一，其他常见原因还有睡眠不足、贫血、颈椎问题、内耳问题（如耳石症）、低血糖等。"
            "建议先在家量几次血压，记下当时的症状。",
            "量了一下，90/60。",
            "90/60 mmHg处在正常范围的下限，一般把低于90/60 mmHg视为低血压。很多身材偏瘦的年轻女性平时就在这个水平，"
            "没有不适就不需要治疗。如果蹲下后站起来时头晕明显，可能是体位性低血压，起身要慢，注意多喝水，"
            "饮食中不用刻意限盐。如果头晕频繁、伴有黑蒙、晕厥、心慌或胸闷，请及时到医院检查。"]),
        ("medical/knowledge QA", None, [
            "Is it okay to exercise with a cold?",
            "Doctors often use the \"neck check\": if your symptoms are above the neck (runny nose, sneezing, "
            "mild sore throat), light to moderate exercise like walking or an easy jog is usually fine. Lower "
            "the intensity and stop if you feel worse.",
            "What if I have a fever?",
            "Then skip it. With a fever, or with symptoms below the neck such as chest congestion, body aches "
            "or an upset stomach, exercise raises your body temperature further, strains the heart and can "
            "prolong the illness. Rest until you've been fever-free for at least a day, then ease back in."]),
        ("finance/knowledge QA", None, [
            "Should I pay off my student loan early or invest the money?",
            "It mostly comes down to the interest rate. Paying off a loan gives a guaranteed \"return\" equal "
            "to its rate. Investing in a diversified stock fund has historically returned more over long "
            "periods, but with no guarantee. Before either, make sure you have an emergency fund and take any "
            "employer retirement match.",
            "My rate is 3.5% and I already have an emergency fund and my employer match.",
            "At 3.5%, many people would keep making the regular payments and invest the extra, because long-run "
            "expected stock returns are higher than 3.5%. Paying it off early still makes sense if debt "
            "stresses you or you need a guaranteed outcome, for example if you plan to buy a home soon. A middle "
            "path is to split the extra money between the two."]),
        ("finance/knowledge QA", None, [
            "什么是ETF？",
            "ETF是交易型开放式指数基金，通常跟踪某个指数（比如沪深300、中证500），可以像股票一样在交易所随时买卖，"
            "费率一般比主动管理型基金低。买一只ETF，相当于一次性买入了指数里的一篮子股票。",
            "沪深300ETF适合新手吗？",
            "比较适合作为入门选择：它覆盖沪深两市市值大、流动性好的300只股票，分散度高，不用挑个股，管理费低。"
            "但它仍然是股票资产，短期可能下跌20%甚至更多，建议用长期闲钱投资，可以用定投的方式分批买入，并做好持有三年以上的准备。"]),
        ("legal/consultation", None, [
            "公司一直不给我交社保，我能辞职并要求经济补偿吗？",
            "可以。根据《劳动合同法》第三十八条，用人单位未依法为劳动者缴纳社会保险费的，劳动者可以解除劳动合同；"
            "第四十六条规定，劳动者依照第三十八条解除劳动合同的，用人单位应当支付经济补偿。此外还可以要求补缴社保。",
            "那我需要提前30天通知公司吗？",
            "不需要。这种情况属于因用人单位过错的“被迫解除”，可以随时通知解除，不受提前30天的限制。"
            "建议用书面形式（如EMS邮寄或邮件）发出《解除劳动合同通知书》，写明解除理由是“未依法缴纳社会保险费”，并保留好寄送凭证、"
            "劳动合同、工资流水等证据。公司不支付补偿的，可以在一年内申请劳动仲裁。"]),
        ("information extraction/structured output", "Reply with valid JSON only.", [
            "Extract the person's name and company: \"Hi, I'm Tom Becker from Lumina Labs. Call me at 555-0142 "
            "or email tom.becker@luminalabs.io.\"",
            "{\n  \"name\": \"Tom Becker\",\n  \"company\": \"Lumina Labs\"\n}",
            "Also include the phone number and email.",
            "{\n  \"name\": \"Tom Becker\",\n  \"company\": \"Lumina Labs\",\n  \"phone\": \"555-0142\",\n  "
            "\"email\": \"tom.becker@luminalabs.io\"\n}"]),
        ("classification/sentiment", None, [
            "这条评论是正面还是负面：“物流很快，包装也很用心，就是客服回复有点慢。”",
            "正面为主。评论肯定了物流和包装，只对客服回复速度有轻微不满。",
            "如果要给1到5分呢？",
            "4分。整体满意，有一个小缺点。"]),
        ("summarization/news", None, [
            "Summarize this: The city of Lakeview opened 12 kilometers of protected bike lanes on Monday, "
            "connecting the train station, the university and the downtown shopping district. The lanes are "
            "separated from traffic by concrete curbs and have their own signals at major intersections. The "
            "project cost 8.4 million dollars, most of it from a regional transport grant. City officials expect "
            "the number of daily bike trips downtown to double within two years, and say they will add bike "
            "parking at the station by the end of the summer. Some shop owners worried about the loss of 140 "
            "street parking spaces, but the city says a new garage two blocks away has room to spare.",
            "Lakeview opened 12 km of curb-protected bike lanes linking the train station, university and "
            "downtown, funded mostly by an $8.4 million regional grant. Officials expect downtown bike trips to "
            "double in two years and plan more bike parking at the station; some businesses are concerned "
            "about losing 140 parking spaces, which the city says a nearby garage can absorb.",
            "Make it one sentence for a tweet.",
            "Lakeview just opened 12 km of protected bike lanes connecting the station, university and "
            "downtown, and expects bike trips to double within two years."]),
        ("reasoning/common-sense", None, [
            "为什么夏天穿白色衣服更凉快？",
            "白色能反射大部分可见光，吸收的太阳辐射少；深色衣服吸收的光多，转化成热量，所以在太阳底下穿白色衣服会感觉更凉快。",
            "那为什么沙漠里的贝都因人常穿黑色长袍？",
            "这个问题有人专门研究过：黑袍确实吸收了更多热量，但热量主要集中在长袍外层，而宽松的长袍和身体之间有空气层，"
            "外层受热后空气上升，从底部带进新鲜空气，形成对流，把热量带走。结果穿黑袍和白袍的人身体吸收的热量差不多。"
            "关键在于“宽松”：贴身的黑衣服在烈日下仍然会更热。"]),
        ("reasoning/multi-step CoT", None, [
            "A meeting room is booked 9:00-10:30, 11:00-12:15 and 14:00-15:45. Between 8:00 and 17:00, how many "
            "hours is it free?",
            "Bookings: 9:00-10:30 is 1.5 h, 11:00-12:15 is 1.25 h, 14:00-15:45 is 1.75 h. Total booked: "
            "1.5 + 1.25 + 1.75 = 4.5 h.\nThe window 8:00-17:00 is 9 h, so the room is free for 9 - 4.5 = 4.5 hours.",
            "What's the longest free slot?",
            "Free slots: 8:00-9:00 (1 h), 10:30-11:00 (30 min), 12:15-14:00 (1 h 45 min), 15:45-17:00 "
            "(1 h 15 min). They add up to 4.5 h, which matches. The longest is 12:15-14:00, 1 hour 45 minutes."]),
        ("multi-turn chat/open chat", None, [
            "My basil plant keeps wilting even though I water it every day.",
            "Daily watering may actually be the problem: basil hates soggy roots, and overwatered roots can't "
            "take up water, so the plant wilts as if it were dry. Check the soil an inch down. Water only when "
            "that's dry, and make sure the pot drains.",
            "The soil is pretty wet. It's on a windowsill that gets strong afternoon sun.",
            "Then it's likely both: wet roots plus afternoon heat. Let the soil dry out for a few days, empty "
            "any water sitting in the saucer, and if the pot has no drainage hole, repot it into one that does. "
            "Basil loves sun, but if the glass gets very hot in the afternoon, move it back a little from the "
            "window. Pinch off the flower buds, too; it keeps the plant leafy."]),
        ("multi-turn chat/open chat", None, [
            "成年人学吉他会不会太晚？",
            "一点也不晚。成年人理解能力强，会主动找方法，只要坚持，半年左右就能弹唱不少简单的歌。唯一的难点是刚开始手指按弦会疼，"
            "一般两三周后长出茧子就好了。",
            "每天练多久合适？",
            "刚开始每天20到30分钟就够了，比周末一次练两小时效果好得多。可以这样分配：5分钟爬格子热身，10分钟练和弦转换，"
            "剩下的时间弹一首喜欢的歌。手指疼得厉害就停下休息，别硬撑。",
            "推荐先学什么歌？",
            "选和弦少、节奏简单的：比如《小星星》《童年》《平凡之路》这类只用几个基础和弦（C、G、Am、F、Em）的歌。"
            "F和弦需要横按，比较难，可以先用简化版的小F和弦代替。"]),
        ("multi-turn chat/open chat", None, [
            "Help me plan 3 days in Kyoto.",
            "Here's a balanced plan:\n- **Day 1, east**: Kiyomizu-dera early, walk down Sannenzaka and Ninenzaka, "
            "Yasaka Shrine, then Gion in the evening.\n- **Day 2, north and west**: Kinkaku-ji (Golden Pavilion), "
            "Ryoan-ji's rock garden, then the Arashiyama bamboo grove and Tenryu-ji.\n- **Day 3, south**: Fushimi "
            "Inari at sunrise before the crowds, then Nishiki Market for lunch and the Philosopher's Path in the "
            "afternoon.",
            "What if it rains?",
            "Kyoto is lovely in the rain, and temples with covered halls work well: Sanjusangen-do with its 1,001 "
            "statues of Kannon, the Kyoto Railway Museum, Nishiki Market (mostly covered), or a tea ceremony "
            "class. Fushimi Inari's gates are also atmospheric in light rain; just wear shoes with grip.",
            "Any food I must try?",
            "Yudofu (simmered tofu) near Nanzen-ji, kaiseki if your budget allows, matcha sweets in Uji or Gion, "
            "obanzai (Kyoto home-style dishes), and snacks at Nishiki Market such as tamagoyaki and pickles."]),
        ("education/tutoring", "You are a friendly geography tutor running a quick quiz.", [
            "Can you quiz me on capitals of South America?",
            "Let's go! First question: what is the capital of Peru?",
            "Lima",
            "Correct! Next: what's the capital of Colombia?",
            "Bogota",
            "Right, Bogotá. Last one, and it's a tricky one: what's the capital of Bolivia?",
            "La Paz",
            "Half right! La Paz is the seat of government, but the constitutional capital is Sucre, where the "
            "judiciary sits. I'll give you 2.5 out of 3. Want another round with harder ones?"]),
        ("education/tutoring", None, [
            "“的”“地”“得”怎么区分？",
            "记住一个口诀：“的”后面跟名词，“地”后面跟动词，“得”前面是动词或形容词。\n- 美丽**的**花园（“的”+名词）\n"
            "- 认真**地**学习（“地”+动词）\n- 跑**得**很快（动词+“得”，后面补充说明程度或结果）",
            "“他高兴得跳了起来”为什么用“得”？",
            "因为“跳了起来”是在补充说明“高兴”到了什么程度。“高兴”是形容词，放在“得”前面，后面的“跳了起来”是补语，"
            "所以用“得”。如果说“他高兴地跳了起来”，意思就变成“以高兴的样子跳了起来”，“高兴”修饰动作“跳”，用“地”也对。"
            "两种说法都成立，只是侧重点不同。"]),
        ("creative writing/story", None, [
            "帮我写一首关于妈妈的四句小诗。",
            "厨房的灯总是最后一个熄灭，\n唠叨里藏着最软的关切。\n她把岁月熬成一碗热汤，\n却把白发悄悄留给自己。",
            "能不能押韵一点？",
            "灯下针线密又长，\n粥里添糖暖心房。\n一声叮嘱千般意，\n白发悄悄染鬓霜。"]),
    ]
    return [convo(task_type, turns, system=system, key=f"thread-{i + 1}")
            for i, (task_type, system, turns) in enumerate(threads)]
