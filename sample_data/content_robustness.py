"""Planted robustness prompts (badly written prompts with good answers) and planted answer-quality flaws.

Robustness kinds follow the robustness issue's tags: typo (English misspellings and Chinese homophone /
near-form characters), incomplete (cut off, dangling conjunction, unbalanced bracket), code_mix (Chinese with
English words) and pinyin (Chinese partly written in pinyin). The labels live only in planted.json and the README;
demo.jsonl carries no tags, so the detectors have to find these on their own.
"""

from __future__ import annotations

import random

from content_common import Draft, qa

TYPO, INCOMPLETE, CODE_MIX, PINYIN = ("robustness:typo", "robustness:incomplete", "robustness:code_mix",
                                      "robustness:pinyin")

# (plant, task_type, prompt, answer)
ROBUSTNESS = [
    # ---- English typos ----
    (TYPO, "code/generation", "how do i revers a string in pyhton?",
     "Use slicing with a step of -1:\n\n```python\ntext = \"hello\"\nreversed_text = text[::-1]\nprint(reversed_text)"
     "  # olleh\n```\n\n`[::-1]` walks the string from the end to the start. `\"\".join(reversed(text))` does the "
     "same thing and can be more readable for beginners."),
    (TYPO, "medical/knowledge QA", "whats the diffrence between a virus and bacteria",
     "- **Bacteria** are single-celled living organisms. They can reproduce on their own, and many are harmless "
     "or even helpful (like gut bacteria). Some cause infections such as strep throat or urinary tract "
     "infections, which antibiotics can treat.\n- **Viruses** are much smaller and are not cells. They can only "
     "multiply inside a host's cells. They cause colds, flu, COVID-19 and chickenpox. Antibiotics don't work on "
     "them; some can be treated with antivirals, and many are prevented with vaccines."),
    (TYPO, "multi-turn chat/open chat", "Can you recomend a good book about machine lerning for begginers?",
     "Two good starting points:\n- **Hands-On Machine Learning with Scikit-Learn, Keras and TensorFlow** by "
     "Aurélien Géron: practical and code-first, great if you know some Python.\n- **An Introduction to "
     "Statistical Learning** by James, Witten, Hastie and Tibshirani: clear explanations of the core ideas, and "
     "the PDF is free on the authors' website.\n\nIf you prefer video, Andrew Ng's Machine Learning "
     "Specialization pairs well with either book."),
    (TYPO, "e-commerce/customer service", "I recieved the wrong size shoes, how do i exchnage them?",
     "Sorry about the mix-up! Go to Orders, select the shoes and choose \"Return or exchange\", then pick the "
     "size you need. Print the prepaid label, send the shoes back in their original box, and we'll ship the new "
     "size as soon as the return is scanned by the carrier. Exchanges for a wrong size are free."),
    (TYPO, "reasoning/common-sense", "Wat is the capital of Austrailia?",
     "Canberra. Many people guess Sydney or Melbourne, but Canberra was purpose-built as the capital as a "
     "compromise between those two rival cities, and Parliament has met there since 1927."),
    (TYPO, "finance/knowledge QA", "explane compound intrest with an exmaple",
     "Compound interest means you earn interest on your interest, not just on the original amount.\n\nExample: "
     "you invest $1,000 at 5% a year, compounded yearly.\n- After year 1: $1,000 × 1.05 = $1,050\n- After year "
     "2: $1,050 × 1.05 = $1,102.50\n- After year 3: $1,102.50 × 1.05 = $1,157.63\n\nWith simple interest you'd "
     "have $1,150 after 3 years; the extra $7.63 is interest earned on earlier interest. The gap grows quickly "
     "over long periods, which is why starting to save early matters."),
    (TYPO, "translation/en→zh", "Tranlsate to chinese: I will be late for the meeting tomorow.",
     "明天的会议我会迟到。"),
    (TYPO, "reasoning/math", "Jenny has 24 cookies and gives a thrid of them to her freinds. How many does she "
                             "have left?",
     "She gives away 24 / 3 = 8 cookies.\nShe has 24 - 8 = 16 cookies left.\n\nAnswer: 16"),
    (TYPO, "creative writing/story", "write a short poem abuot autumn leafs",
     "Autumn Leaves\n\nThey let go one by one,\nred and amber in the sun,\nspinning slowly as they fall,\n"
     "quiet answers to the call.\n\nUnderfoot they crack and sigh,\npainted letters from the sky;\nall the summer, "
     "every day,\nfolded up and blown away."),
    (TYPO, "medical/knowledge QA", "how many hours of sleep does a teenagr need evry night",
     "Teenagers aged 13 to 18 need about 8 to 10 hours of sleep a night, according to the American Academy of "
     "Sleep Medicine. Many get far less, partly because their body clock naturally shifts later during "
     "adolescence. Keeping a regular schedule and putting screens away an hour before bed helps."),
    (TYPO, "code/explanation", "what does HTTP 404 eror mean",
     "404 Not Found means the server was reached, but it has nothing at the URL you requested. Common causes: a "
     "typo in the address, a page that was moved or deleted, or a broken link. It's a client-side error (4xx), "
     "so retrying the same URL won't help; check the address or go to the site's home page."),
    (TYPO, "education/tutoring", "can you explian the diference between affect and effect",
     "Most of the time:\n- **Affect** is a verb meaning \"to influence\": *The weather affects my mood.*\n"
     "- **Effect** is a noun meaning \"a result\": *The weather has an effect on my mood.*\n\nMemory trick: "
     "**A**ffect is the **A**ction, **E**ffect is the **E**nd result.\n\nRarer uses: *effect* as a verb means "
     "\"to bring about\" (*to effect change*), and *affect* as a noun is a psychology term for displayed emotion."),
    # ---- Chinese homophone / near-form characters ----
    (TYPO, "e-commerce/customer service", "我以经付款了，为什么订单还显示待支付？",
     "很抱歉给您带来困扰。这通常是支付结果同步有延迟，请您先下拉刷新订单页面。如果您的银行卡或支付账户已经扣款，"
     "但订单仍显示待支付，系统一般会在30分钟内自动同步状态；如果最终未能匹配到订单，款项会在1-3个工作日内原路退回。"
     "请不要重复付款。超过30分钟仍未更新的话，您可以把支付凭证截图发给我，我帮您人工核实。"),
    (TYPO, "reasoning/math", "小明跑的很快，他100米跑了13秒，他的平均速度是多少？",
     "平均速度=路程÷时间。\n100÷13≈7.69（米/秒）。\n答：小明的平均速度约为每秒7.69米。"),
    (TYPO, "medical/knowledge QA", "请问高血压病人平时因该注意什么？",
     "高血压患者日常要注意：\n1. **按时服药**：遵医嘱长期规律服药，不要自行停药或换药；\n"
     "2. **限盐**：每天食盐不超过5克，少吃咸菜、腊肉等腌制食品；\n3. **控制体重、适量运动**：每周至少150分钟中等强度运动，如快走；\n"
     "4. **戒烟限酒**；\n5. **规律监测血压**：最好每天固定时间测量并记录，复诊时带给医生看；\n6. **保证睡眠，保持情绪平稳**。\n\n"
     "如果出现剧烈头痛、胸痛、肢体无力或说话不清，要立即就医。"),
    (TYPO, "finance/knowledge QA", "我门公司想给员工买商业保险，有什么建义？",
     "企业给员工配置商业保险，常见的是团体保险，可以考虑：\n1. **团体意外险**：保费低，保障意外身故、伤残和意外医疗，适合所有岗位；\n"
     "2. **团体补充医疗险**：报销社保之外的门诊、住院自付部分，员工感知最强；\n3. **团体重疾险/定期寿险**：适合核心员工；\n\n"
     "建议：先明确预算和覆盖人群，优先配置补充医疗和意外险；让几家保险公司或经纪公司出方案，对比保障范围、免赔额、报销比例和理赔效率；"
     "另外，企业为员工支付的补充医疗保险费，在工资总额5%以内的部分可以在企业所得税前扣除。"),
    (TYPO, "multi-turn chat/open chat", "周末想带孩子出去完，北京有什么适合亲子的地方？",
     "北京适合亲子的地方挺多的：\n- **中国科学技术馆**：互动展品多，儿童科学乐园适合小一点的孩子（需提前预约）；\n"
     "- **北京自然博物馆**：恐龙化石展厅很受孩子欢迎；\n- **北京动物园**：可以看大熊猫，顺便逛海洋馆；\n"
     "- **奥林匹克森林公园**：面积大、人少，适合骑车、放风筝；\n- **颐和园**：春秋季节划船很舒服。\n\n"
     "周末人多，热门场馆记得提前在官方渠道预约。"),
    (TYPO, "e-commerce/customer service", "这件衣服洗了一次就掉色了，在这样我就要投述了",
     "非常抱歉给您带来不好的体验！衣服洗一次就明显掉色属于质量问题，您可以在订单页申请售后，选择“质量问题”，"
     "上传掉色部位的照片，我们核实后可以为您办理退货退款或换货，来回运费由我们承担。"
     "另外，深色衣物第一次洗建议用冷水单独洗，加一点盐或白醋有助于固色。"),
    (TYPO, "code/generation", "python里怎么给列表排须？",
     "有两种方式：\n\n```python\nnums = [3, 1, 4, 1, 5]\n\n# 1. sorted() 返回一个新列表，原列表不变\nprint(sorted(nums))  "
     "# [1, 1, 3, 4, 5]\n\n# 2. list.sort() 原地排序，返回 None\nnums.sort(reverse=True)\nprint(nums)  # [5, 4, 3, 1, 1]\n```"
     "\n\n按自定义规则排序可以用 `key` 参数，比如按字符串长度：`sorted(words, key=len)`。"),
    (TYPO, "education/tutoring", "鲁迅的《故乡》主要讲了什么内容？我门老师让我们写读后感",
     "《故乡》写的是“我”冒着严寒回到阔别二十多年的故乡，准备搬家离开时的所见所闻：\n"
     "- 记忆中的故乡是美丽的，少年闰土是“项带银圈、手捏钢叉”、勇敢机灵的小英雄；\n"
     "- 现实中的闰土却变成了一个麻木、拘谨、被生活压垮的农民，一声“老爷”让“我”感到和他之间隔了一层“可悲的厚障壁”；\n"
     "- 杨二嫂则从“豆腐西施”变成了尖刻、爱占小便宜的人。\n\n"
     "小说通过故乡和人物的变化，反映了辛亥革命后农村的凋敝和人与人之间的隔膜，也寄托了“我”对新生活的希望。"
     "结尾那句“其实地上本没有路，走的人多了，也便成了路”很适合作为读后感的切入点。"),
    (TYPO, "multi-turn chat/open chat", "他说话的语气很冲，我不只道该怎么回复",
     "遇到对方语气很冲的时候，可以试试：\n1. **先别急着回**，等情绪平复几分钟，避免针锋相对；\n"
     "2. **回应事情，不回应语气**：比如“我理解你着急的是××，我们看看怎么解决”；\n"
     "3. **必要时温和地表达感受**：“你刚才的语气让我有点不舒服，我们能心平气和地说吗？”\n"
     "4. 如果是在工作群里，可以转为私聊或当面沟通。\n\n如果方便，你可以把他说的话发给我，我帮你拟一个回复。"),
    (TYPO, "medical/knowledge QA", "晚上老是失眠，有什么办法能快点如睡？",
     "可以从这些方面调整：\n1. 每天固定时间起床，白天不要补觉超过30分钟；\n2. 下午以后不喝咖啡、浓茶，晚上不饮酒；\n"
     "3. 睡前1小时不看手机，卧室保持黑暗、安静、凉爽；\n4. 只在困了的时候上床，躺下20分钟还睡不着就起来做点放松的事；\n"
     "5. 试试腹式呼吸或渐进式肌肉放松。\n\n如果失眠每周超过3次、持续3个月以上，或者白天明显疲惫、情绪低落，"
     "建议去睡眠专科就诊，认知行为疗法（CBT-I）对慢性失眠效果很好。"),
    # ---- Cut-off / incomplete prompts ----
    (INCOMPLETE, "code/generation", "帮我写一个Python函数，用来计算列表里所有偶数的和，并且",
     "先给出计算偶数和的函数：\n\n```python\ndef sum_even(nums: list[int]) -> int:\n    return sum(n for n in nums if "
     "n % 2 == 0)\n\n\nprint(sum_even([1, 2, 3, 4, 5, 6]))  # 12\n```\n\n你的问题后半句“并且……”好像没有写完。"
     "如果还需要别的功能，比如同时返回偶数的个数，或者忽略非整数元素，告诉我具体要求，我再帮你补充。"),
    (INCOMPLETE, "code/explanation", "What is the difference between TCP and",
     "It looks like your question was cut off. I'll assume you meant UDP, the most common comparison:\n\n"
     "- **TCP** is connection-oriented and reliable: it sets up a connection, numbers the data, retransmits lost "
     "packets and delivers everything in order. Used for web pages, email and file transfer.\n- **UDP** is "
     "connectionless and best-effort: no handshake, no retransmission and no ordering, so it has less overhead "
     "and latency. Used for video calls, online games, DNS and streaming, where speed matters more than perfect "
     "delivery.\n\nIf you meant something else (e.g. TCP vs. HTTP, or TCP vs. IP), let me know."),
    (INCOMPLETE, "e-commerce/customer service", "我想问一下退货的话运费是谁出因为",
     "您好！退货运费要看退货原因：\n- 商品质量问题、发错货、与描述不符：运费由商家承担；\n"
     "- 七天无理由退货（不喜欢、尺码不合适等）：运费由您承担，如果下单时有运费险，可以按规则获得理赔。\n\n"
     "您的问题好像还没说完，方便的话告诉我具体是什么原因退货，我帮您确认运费由谁承担。"),
    (INCOMPLETE, "education/tutoring", "Can you explain how photosynthesis works and",
     "Sure. Photosynthesis is how plants, algae and some bacteria turn light into chemical energy:\n\n"
     "6 CO₂ + 6 H₂O + light energy → C₆H₁₂O₆ (glucose) + 6 O₂\n\n1. **Light-dependent reactions** (in the "
     "thylakoid membranes of chloroplasts): chlorophyll absorbs light, water is split, oxygen is released, and "
     "the energy is stored in ATP and NADPH.\n2. **Calvin cycle** (in the stroma): ATP and NADPH are used to fix "
     "carbon dioxide into sugars.\n\nYour question seems to end after \"and\". Did you also want to know why it "
     "matters, or how it relates to cellular respiration? Happy to continue."),
    (INCOMPLETE, "translation/zh→en", "把这句话翻译成英文：我们公司成立于2010年，主要从事",
     "Our company was founded in 2010 and is mainly engaged in ...\n\n(The original sentence stops after "
     "“主要从事”. If you send the rest, e.g. the business area, I'll translate the full sentence.)"),
    (INCOMPLETE, "medical/knowledge QA", "请问感冒了吃什么药比较好，还有就是",
     "普通感冒大多是病毒引起的，一般7-10天能自愈，吃药主要是缓解症状：\n- 发烧、头痛、全身酸痛：对乙酰氨基酚或布洛芬；\n"
     "- 鼻塞流涕：可以用含伪麻黄碱或氯苯那敏的复方感冒药，但要注意很多复方感冒药也含对乙酰氨基酚，不要和退烧药重复吃；\n"
     "- 咳嗽有痰：氨溴索等祛痰药。\n\n感冒不需要吃抗生素。多休息、多喝水。如果高烧超过3天、呼吸困难或症状越来越重，请及时就医。\n\n"
     "您后面说“还有就是……”，好像还有别的问题没说完，可以继续告诉我。"),
    (INCOMPLETE, "code/generation", "Write a SQL query that returns the top 5 customers by",
     "Your request got cut off after \"by\". Assuming you mean by total amount spent, and tables "
     "`customer(customer_id, full_name)` and `purchase(customer_id, price, quantity)`:\n\n```sql\nSELECT "
     "cu.customer_id, cu.full_name, SUM(p.price * p.quantity) AS spent\nFROM customer cu\nJOIN purchase p USING "
     "(customer_id)\nGROUP BY cu.customer_id, cu.full_name\nORDER BY spent DESC\nLIMIT 5;\n```\n\nIf you meant "
     "by number of orders instead, replace the `SUM(...)` with `COUNT(*)`."),
    (INCOMPLETE, "multi-turn chat/open chat", "孩子最近总是不想上学，我跟他沟通了但是",
     "孩子突然不想上学，背后通常有具体原因，比如学业跟不上、和同学或老师相处有矛盾、被欺负，或者身体、情绪上的问题。可以试试：\n"
     "1. **换个方式聊**：不要一上来就问“为什么不想上学”，可以在散步、做饭时随意聊学校里的事，多听少评判；\n"
     "2. **联系老师**：了解孩子在学校的表现和人际情况；\n3. **留意信号**：睡眠、食欲、情绪有没有明显变化，有没有不明原因的伤痕或物品丢失；\n"
     "4. 如果持续时间长、情绪低落明显，可以寻求学校心理老师或专业心理咨询的帮助。\n\n"
     "您说“沟通了但是……”，后面好像没写完，孩子是怎么回应的？告诉我更多情况，我可以给更具体的建议。"),
    (INCOMPLETE, "finance/knowledge QA", "How do I calculate the monthly payment on a loan of $200,000 at",
     "The interest rate got cut off, so here's the formula plus an example.\n\nM = P × r(1 + r)^n / ((1 + r)^n "
     "- 1)\n\n- P = loan amount\n- r = monthly interest rate (annual rate ÷ 12)\n- n = number of monthly "
     "payments\n\nExample: $200,000 at 6% a year for 30 years → r = 0.005, n = 360.\n(1.005)^360 ≈ 6.0226, so "
     "M ≈ 200,000 × 0.005 × 6.0226 / 5.0226 ≈ $1,199.10 per month.\n\nTell me your rate and term and I'll "
     "compute your exact payment."),
    (INCOMPLETE, "education/tutoring", "请帮我解释一下“守株待兔”这个成语的意思和",
     "“守株待兔”出自《韩非子·五蠹》：宋国有个农夫，看见一只兔子撞在田里的树桩上死了，他白捡了一只兔子，"
     "从此就放下农具，天天守在树桩旁等兔子再撞上来，结果再也没等到，田地也荒废了。\n\n"
     "意思：比喻死守狭隘的经验，不知变通；也比喻不主动努力，存着侥幸心理，希望得到意外的收获。\n\n"
     "用法示例：“找工作要主动投简历，光在家里守株待兔可不行。”\n\n您的问题后面好像还没写完，"
     "如果还想了解它的近义词、反义词或造句，可以告诉我。"),
    (INCOMPLETE, "medical/knowledge QA", "Is it safe to take ibuprofen if I",
     "Your question was cut off, so here are the most common situations where ibuprofen needs caution. Check "
     "with a doctor or pharmacist before taking it if you:\n- have had stomach ulcers or bleeding, or take "
     "blood thinners\n- have kidney disease, heart failure or high blood pressure\n- are pregnant, especially in "
     "the third trimester\n- have asthma that gets worse with aspirin or NSAIDs\n- already take another NSAID "
     "(aspirin, naproxen) or drink alcohol heavily\n\nFor most healthy adults, short-term use at the label dose "
     "with food is safe. Tell me what you were going to ask and I can be more specific."),
    (INCOMPLETE, "multi-turn chat/open chat", "推荐几本适合高中生读的书（最好是",
     "先推荐几本适合高中生、口碑很好的书：\n- 《平凡的世界》路遥：关于奋斗和成长；\n- 《活着》余华：篇幅不长，读后很有力量；\n"
     "- 《苏菲的世界》乔斯坦·贾德：以小说形式入门西方哲学；\n- 《人类简史》尤瓦尔·赫拉利：打开看历史的视角；\n"
     "- 《万物简史》比尔·布莱森：有趣的科普。\n\n括号里的要求好像没写完，是希望偏小说、科普还是对写作文有帮助的？告诉我，我再调整推荐。"),
    # ---- Chinese / English code-mix ----
    (CODE_MIX, "code/generation", "这个bug怎么fix，我的list一直是empty的",
     "list一直为空，最常见的几个原因：\n1. **把append的返回值赋给了列表**：`items = items.append(x)`，"
     "`append` 返回 None，应直接写 `items.append(x)`；\n2. **在循环里重新创建了列表**：`for ...: items = []` 会每次清空；\n"
     "3. **循环根本没执行或条件从未满足**：在循环里加 `print` 看看是否进入了 `if` 分支；\n"
     "4. **在函数里修改了局部变量**，外面用的却是另一个同名列表。\n\n方便的话把相关代码贴出来，我帮你具体定位。"),
    (CODE_MIX, "e-commerce/customer service", "帮我check一下这个order的status，订单号是20240518001",
     "您好，已为您查询到订单20240518001：商品已于昨天下午出库，目前状态为“已发货”，由中通快递承运，预计后天送达。"
     "您也可以在“我的订单”中点击“查看物流”查看实时进度。"),
    (CODE_MIX, "multi-turn chat/open chat", "我们team下周有个presentation，怎么做slides比较professional？",
     "几个让slides显得专业的要点：\n1. **一页一个观点**：标题直接写结论，比如“Q2用户增长30%，主要来自新渠道”，而不是“Q2数据”；\n"
     "2. **少字多图**：每页文字尽量不超过30字，数据用图表呈现，并突出你想让大家看到的那个数；\n"
     "3. **统一风格**：全篇最多两种字体、三四种颜色，对齐和留白要一致，优先用公司模板；\n"
     "4. **结构清晰**：开头讲背景和目标，中间讲发现和方案，最后讲下一步和需要的支持；\n"
     "5. **提前彩排**：控制时间，准备好可能被问到的问题。"),
    (CODE_MIX, "multi-turn chat/open chat", "这个meeting能不能reschedule到周五afternoon？帮我写个email给客户",
     "可以参考这封邮件（英文版，方便直接发给客户）：\n\nSubject: Request to reschedule our meeting\n\nDear Mr. "
     "Chen,\n\nI hope you are well. Due to a scheduling conflict on our side, I'd like to ask whether we could "
     "move our meeting to Friday afternoon. Would 2:00 pm or 4:00 pm work for you? If neither suits, please "
     "let me know a time that's convenient and I'll do my best to accommodate it.\n\nApologies for the "
     "inconvenience, and thank you for your flexibility.\n\nBest regards,\n[Your name]\n\n"
     "如果需要中文版，或者要改成具体的时间和称呼，告诉我就行。"),
    (CODE_MIX, "multi-turn chat/open chat", "我的iPhone battery health掉到80%了，要不要换battery？",
     "电池最大容量降到80%，是苹果建议考虑更换电池的参考线。要不要换主要看使用感受：\n"
     "- 如果一天一充还够用、没有突然关机或明显卡顿，可以继续用；\n"
     "- 如果续航明显不够，或者“电池健康”里提示“性能管理已启用”、出现意外关机，就值得换了。\n\n"
     "建议到Apple官方或授权服务商更换原装电池，换完续航基本能恢复到新机水平，比换新手机省钱得多。"),
    (CODE_MIX, "code/generation", "怎么用pandas把两个dataframe按照user_id merge起来？",
     "用 `pd.merge`（或 `df.merge`）：\n\n```python\nimport pandas as pd\n\nmerged = users.merge(orders, on=\"user_id\", "
     "how=\"left\")\n```\n\n`how` 参数决定连接方式：\n- `\"inner\"`（默认）：只保留两边都有的user_id；\n"
     "- `\"left\"`：保留左表所有行，右表没有的填NaN；\n- `\"outer\"`：两边的都保留。\n\n"
     "如果两张表里的列名不同，比如一个叫 `user_id`、一个叫 `uid`，用 `left_on=\"user_id\", right_on=\"uid\"`。"
     "合并后行数变多，通常是右表里同一个user_id有多行，可以加 `validate=\"one_to_many\"` 检查。"),
    (CODE_MIX, "finance/knowledge QA", "这个stock的PE ratio很高，是不是说明overvalued？",
     "不一定。市盈率（PE）高说明市场愿意为每一元利润付更高的价格，可能有几种原因：\n"
     "1. **市场预期高增长**：成长型公司利润增长快，现在的PE高，几年后按增长后的利润算可能并不贵；\n"
     "2. **利润暂时下降**：公司今年利润受一次性因素影响变少，PE被动变高；\n3. **确实被高估**：炒作、情绪推高了股价。\n\n"
     "判断时可以：和同行业公司以及它自己的历史PE比较；看PEG（PE除以利润增长率），PEG在1左右通常被认为比较合理；"
     "同时关注现金流和利润质量。单看PE一个指标不能下结论。"),
    (CODE_MIX, "multi-turn chat/open chat", "明天的deadline赶不上了，怎么跟manager说比较好？",
     "越早说越好，不要等到截止时间才说。沟通时可以这样组织：\n1. **直接说明情况**：“××任务原定明天交付，目前进度大约70%，按现在的情况明天完成不了。”\n"
     "2. **说明原因**（简短、不找借口）：比如需求有变化、依赖的数据晚到了；\n"
     "3. **给出方案**：“我可以明天先交已完成的核心部分，剩下的周四中午前补齐”，或者说明需要哪些支持；\n"
     "4. **确认优先级**：问一下manager哪部分最重要，优先保证。\n\n带着方案去沟通，比只报告问题更能获得理解。"),
    (CODE_MIX, "education/tutoring", "请解释一下machine learning里的overfitting是什么意思",
     "过拟合（overfitting）指模型在训练数据上表现很好，但在没见过的新数据上表现明显变差。"
     "原因是模型把训练数据里的噪声和偶然规律也“背”了下来，而不是学到真正通用的规律。\n\n"
     "打个比方：学生把练习题的答案全背下来，练习题考满分，换一套新题就不会了。\n\n"
     "常见的缓解方法：增加训练数据；使用更简单的模型；正则化（如L1、L2、dropout）；早停（early stopping）；"
     "以及用交叉验证来评估模型在新数据上的表现。"),
    # ---- Chinese with pinyin ----
    (PINYIN, "multi-turn chat/open chat", "我想去beijing kan chang cheng，有什么建议",
     "去北京看长城，推荐这几段：\n- **八达岭**：交通最方便，可以坐市郊铁路S2线或公交直达，设施完善，但节假日人非常多；\n"
     "- **慕田峪**：风景好、人相对少，有缆车和滑道，很适合带老人孩子；\n- **司马台**：可以夜游，和古北水镇连在一起，适合住一晚。\n\n"
     "小贴士：尽量避开周末和节假日，早上出发；穿防滑运动鞋，带水和防晒用品；门票和缆车票可以提前在官方渠道预约。"),
    (PINYIN, "code/generation", "这个wenti怎么jiejue，python报错说IndexError: list index out of range",
     "这个错误的意思是：你访问了列表中不存在的位置。比如列表只有3个元素（下标0、1、2），却访问了 `items[3]`。\n\n"
     "常见原因和解决办法：\n1. **循环范围写错**：`for i in range(len(items) + 1)` 多了1，改成 `range(len(items))`，或者直接 `for item in items`；\n"
     "2. **列表是空的**：访问 `items[0]` 前先判断 `if items:`；\n3. **在遍历时删除了元素**，导致长度变短。\n\n"
     "可以在报错的那一行前面 `print(len(items), i)` 看看具体是哪个下标越界了。"),
    (PINYIN, "e-commerce/customer service", "wo de dingdan hai mei fahuo，已经三天了",
     "很抱歉让您久等了！一般情况下订单会在付款后48小时内发货，预售或定制商品以页面标注的发货时间为准。"
     "我这边已经为您催促商家尽快发货，如果24小时内仍未发货，您可以申请“未发货仅退款”，或者联系我为您申请延迟发货补偿。"
     "方便的话请提供一下订单号，我帮您具体查询。"),
    (PINYIN, "medical/knowledge QA", "请问gaoxueya病人能吃xian cai吗",
     "高血压患者最好少吃或不吃咸菜。咸菜、腌菜含盐量很高，几口就可能吃掉一天的限盐量，"
     "而高盐饮食会升高血压、增加降压药的负担。建议每天食盐总量控制在5克以内，想吃的时候只尝一点点，"
     "并相应减少其他菜里的盐；也可以用新鲜蔬菜凉拌，加醋、蒜、葱、姜来提味。"),
    (PINYIN, "translation/zh→en", "帮我fanyi一下：今天天气很好，我们去公园散步吧",
     "The weather is lovely today. Let's go for a walk in the park!"),
    (PINYIN, "multi-turn chat/open chat", "我想学zuofan，先从什么cai开始比较好",
     "建议从这几道简单、不容易失败的家常菜开始：\n1. **西红柿炒鸡蛋**：练习掌握火候和调味；\n2. **蒜蓉炒青菜**：学会大火快炒；\n"
     "3. **可乐鸡翅**：步骤少，成功率高，很有成就感；\n4. **土豆丝**：练刀工；\n5. **紫菜蛋花汤**：最简单的汤。\n\n"
     "每道菜做两三次，熟练了再学红烧肉、鱼这类需要更多技巧的菜。"),
    (PINYIN, "finance/knowledge QA", "怎么计算fangdai的yuegong",
     "房贷月供取决于还款方式：\n\n**等额本息**（每月还款额相同）：\n月供 = 贷款本金 × 月利率 × (1+月利率)^还款月数 ÷ [(1+月利率)^还款月数 - 1]\n\n"
     "**等额本金**（每月本金相同，月供逐月减少）：\n月供 = 贷款本金 ÷ 还款月数 + 剩余本金 × 月利率\n\n"
     "其中月利率 = 年利率 ÷ 12。比如贷款100万元、30年、年利率4.2%，等额本息每月约还4890元。"
     "手机上的房贷计算器或银行APP都能直接算，告诉我你的贷款金额、年限和利率，我也可以帮你算。"),
    (PINYIN, "education/tutoring", "jintian shangke laoshi讲的sanjiao hanshu我没听懂",
     "别着急，我们从最基础的开始。在一个直角三角形里，取一个锐角θ：\n"
     "- **正弦** sin θ = 对边 ÷ 斜边\n- **余弦** cos θ = 邻边 ÷ 斜边\n- **正切** tan θ = 对边 ÷ 邻边\n\n"
     "例子：三条边分别是3、4、5的直角三角形，对着3那条边的角θ，sin θ = 3/5，cos θ = 4/5，tan θ = 3/4。\n\n"
     "记忆小技巧：“正弦对斜、余弦邻斜、正切对邻”。你是哪一部分没听懂？是定义、特殊角的值，还是图像？告诉我我再详细讲。"),
    (PINYIN, "e-commerce/customer service", "zhe jian yifu you mei you da yi hao de",
     "您好，这款目前还有大一号的尺码。您现在看的是M码的话，L码有货；如果需要XL码，黑色和白色也有少量库存。"
     "您可以在商品页重新选择尺码下单，或者告诉我您的身高体重，我帮您推荐更合适的尺码。"),
]

# (plant, task_type, prompt, answer): answers with a defect that the review pre-flag checks must catch.
FLAWS = [
    ("flaw:en_punct_in_zh", "e-commerce/customer service", "请问你们客服几点下班？",
     "您好,我们的在线客服服务时间是每天9:00-22:00,其他时间可以留言,我们上班后会第一时间回复您。"),
    ("flaw:en_punct_in_zh", "medical/knowledge QA", "平时怎么预防便秘？",
     "多吃富含膳食纤维的蔬菜、水果和粗粮,每天喝够水,适当运动,养成定时排便的习惯,不要长时间憋便。"),
    ("flaw:unpaired_quote", "education/tutoring", "“画蛇添足”是什么意思？",
     "“画蛇添足出自《战国策》，讲的是几个人比赛画蛇，先画完的人又给蛇添上脚，结果输了。比喻做了多余的事，反而不恰当。"),
    ("flaw:unpaired_bracket", "finance/knowledge QA", "GDP是什么？",
     "GDP（国内生产总值，指一个国家或地区在一定时期内生产的全部最终产品和服务的市场价值，是衡量经济规模最常用的指标。"),
    ("flaw:refusal", "multi-turn chat/open chat", "What's your opinion on pineapple on pizza?",
     "As an AI language model, I cannot have personal opinions or preferences."),
    ("flaw:refusal", "creative writing/story", "帮我写一首关于秋天的小诗。", "抱歉，我无法完成这个请求。"),
    ("flaw:template_leftover", "role-play/customer service", "你好，请问你是谁？",
     "您好，我是{{name}}，由{{author}}开发的智能助手，很高兴为您服务。"),
    ("flaw:template_leftover", "e-commerce/customer service", "Did my order go through?",
     "Dear {{customer_name}}, thank you for your order! Your order {{order_id}} has been confirmed and will ship "
     "within 2 business days."),
    ("flaw:truncated", "finance/knowledge QA", "What are the main causes of inflation?",
     "Inflation usually comes from a few sources. Demand-pull inflation happens when total demand in the economy "
     "grows faster than the economy can produce goods and services. Cost-push inflation happens when production "
     "costs rise, for example"),
    ("flaw:truncated", "medical/knowledge QA", "糖尿病患者饮食上要注意什么？",
     "糖尿病患者饮食的总原则是控制总热量、均衡营养。具体来说：1. 主食定量，粗细搭配，多选择燕麦、糙米等低升糖指数的食物；2. 多吃"),
    ("flaw:answer_equals_prompt", "multi-turn chat/open chat", "把这句话改写得更正式一些：明天三点开会，别迟到。",
     "把这句话改写得更正式一些：明天三点开会，别迟到。"),
    ("flaw:synthetic_artifact", "education/tutoring", "Explain what a black hole is.",
     "#Rewritten Prompt#: Explain in detail what a black hole is and how it forms.\n\nA black hole is a region of "
     "space where gravity is so strong that nothing, not even light, can escape once it crosses the boundary "
     "called the event horizon. Most form when a massive star runs out of fuel and its core collapses."),
    ("flaw:zh_punct_in_en", "code/explanation", "What does git stash do?",
     "git stash saves your uncommitted changes and reverts the working directory to the last commit，so you can "
     "switch branches with a clean tree。Use git stash pop to bring the changes back。"),
    ("flaw:punct_only", "summarization/news", "用一句话总结：本市今天起地铁票价不变，但新增了夜间线路。", "……"),
]


def build(rng: random.Random) -> list[Draft]:
    """Robustness prompts and flawed answers, each carrying its plant label."""
    drafts = [qa(tt, p, a, key=f"robust-{i + 1}", plants=[plant])
              for i, (plant, tt, p, a) in enumerate(ROBUSTNESS)]
    drafts += [qa(tt, p, a, key=f"flaw-{i + 1}", plants=[plant]) for i, (plant, tt, p, a) in enumerate(FLAWS)]
    return drafts
