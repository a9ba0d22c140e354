"""Vertical-domain knowledge: medical, finance, legal and education (each a thin task_type of 10-15 samples)."""

from __future__ import annotations

import random

from content_common import Draft, convo, qa

MEDICAL = "medical/knowledge QA"
FINANCE = "finance/knowledge QA"
LEGAL = "legal/consultation"
EDU = "education/tutoring"
MEDICAL_SYSTEM = "你是一名医学科普助手。提供一般性健康知识，不做诊断；出现危险信号时提醒用户及时就医。"
LEGAL_SYSTEM = "你是一名法律咨询助手，依据中国现行法律提供一般性信息，并提醒用户具体情况以专业律师意见为准。"
TUTOR_SYSTEM = "You are a Socratic tutor. Guide the student with questions instead of giving the answer away."


def _medical() -> list[Draft]:
    items = [
        ("血压多少算高血压？",
         "按照《中国高血压防治指南》，在未使用降压药的情况下，非同日3次测量诊室血压，收缩压≥140 mmHg和/或舒张压≥90 mmHg，"
         "即可诊断为高血压。\n\n几点补充：\n- 收缩压120-139 mmHg和/或舒张压80-89 mmHg属于正常高值，需要注意生活方式；\n"
         "- 家庭自测血压的诊断标准更低一些，平均值≥135/85 mmHg即提示高血压；\n"
         "- 美国2017年指南把标准定为130/80 mmHg，所以不同资料的数字可能不一样。\n\n如果多次测量偏高，建议到医院心内科进一步评估。",
         MEDICAL_SYSTEM),
        ("What are the warning signs of a stroke?",
         "Use the acronym BE FAST:\n- **B**alance: sudden loss of balance or coordination\n- **E**yes: sudden "
         "blurred, double or lost vision\n- **F**ace: one side of the face droops when the person smiles\n"
         "- **A**rms: one arm drifts down when both are raised\n- **S**peech: slurred or strange speech, or "
         "trouble understanding\n- **T**ime: call emergency services immediately and note when symptoms started\n\n"
         "Clot-busting treatment works best within the first few hours, so don't wait to see if symptoms pass, "
         "and don't drive the person to hospital yourself if an ambulance can come.", None),
        ("孩子发烧38.5℃，要马上吃退烧药吗？",
         "退烧药的主要目的是让孩子舒服一些，而不是把体温降到正常。一般来说：\n"
         "- 体温≥38.2℃，或者孩子明显不舒服、哭闹、睡不好时，可以使用退烧药；\n"
         "- 常用的是对乙酰氨基酚（3个月以上）或布洛芬（6个月以上），按体重计算剂量，两次用药间隔至少4-6小时，"
         "不建议两种药交替使用；\n- 多喝水，穿着宽松透气，不要捂汗，也不建议酒精擦浴。\n\n"
         "出现以下情况要及时就医：3个月以下的婴儿发烧；发烧超过3天；精神很差、嗜睡、难以唤醒；抽搐；"
         "呼吸急促；皮疹压之不褪色；持续呕吐、不能喝水或尿量明显减少。", MEDICAL_SYSTEM),
        ("Do antibiotics help with the flu?",
         "No. The flu is caused by influenza viruses, and antibiotics only work against bacteria. Taking them for "
         "a viral infection won't speed recovery and adds side effects and antibiotic resistance.\n\nWhat can "
         "help: antiviral drugs such as oseltamivir (Tamiflu), which work best when started within 48 hours of "
         "symptoms and are especially recommended for high-risk people (older adults, pregnant women, young "
         "children, people with chronic conditions). Otherwise: rest, fluids, and fever reducers. A doctor may "
         "prescribe antibiotics if a bacterial complication such as pneumonia develops.", None),
        ("How do you do CPR on an adult?",
         "1. Make sure the scene is safe, tap the person and shout. If they don't respond and aren't breathing "
         "normally, call emergency services (put the phone on speaker) and send someone for an AED.\n"
         "2. Kneel beside them, put the heel of one hand in the center of the chest (lower half of the "
         "breastbone) and the other hand on top.\n3. Push hard and fast: at least 5 cm (2 inches) deep, at 100-120 "
         "compressions per minute, letting the chest fully recoil between pushes.\n4. If trained, give 2 rescue "
         "breaths after every 30 compressions. If not, do hands-only CPR: continuous compressions.\n5. As soon as "
         "the AED arrives, turn it on and follow its voice prompts.\n6. Keep going until the person starts "
         "breathing, help takes over, or you're too exhausted to continue.", None),
        ("空腹血糖多少算糖尿病？",
         "按照我国目前采用的诊断标准，有典型糖尿病症状（多饮、多尿、多食、体重下降）并满足以下任一条，即可诊断糖尿病：\n"
         "- 空腹血糖≥7.0 mmol/L；\n- 口服葡萄糖耐量试验（OGTT）2小时血糖≥11.1 mmol/L；\n"
         "- 随机血糖≥11.1 mmol/L；\n- 糖化血红蛋白（HbA1c）≥6.5%。\n\n没有典型症状的，需要改天复查确认。"
         "空腹血糖在6.1-7.0 mmol/L之间属于“空腹血糖受损”，是糖尿病前期，应该积极调整饮食和运动。", MEDICAL_SYSTEM),
        ("How many hours of sleep does an adult need?",
         "Most adults aged 18-64 need 7 to 9 hours a night; adults over 65 typically need 7 to 8. Regularly "
         "sleeping less than 7 hours is linked to weight gain, high blood pressure, weaker immunity and poorer "
         "concentration. Quality matters too: if you sleep enough but still wake up exhausted or snore loudly "
         "with pauses in breathing, talk to a doctor about possible sleep apnea.", None),
        ("布洛芬和对乙酰氨基酚有什么区别？",
         "两者都能退烧、止痛，但作用机制和注意事项不同：\n\n"
         "| | 布洛芬 | 对乙酰氨基酚 |\n|---|---|---|\n| 类别 | 非甾体抗炎药 | 解热镇痛药 |\n"
         "| 抗炎作用 | 有，适合关节痛、牙痛、痛经等炎症性疼痛 | 几乎没有 |\n"
         "| 主要风险 | 刺激胃肠道，可能引起胃痛、出血；肾功能不全者慎用 | 过量会损伤肝脏 |\n"
         "| 适用人群 | 6个月以上 | 3个月以上，孕期相对更常用 |\n\n"
         "注意：很多感冒药里已经含有对乙酰氨基酚，同时吃容易不知不觉过量。成人每日总量一般不超过4克（肝病或长期饮酒者应更低），"
         "布洛芬最好饭后服用。", MEDICAL_SYSTEM),
        ("What should I do if someone with diabetes has low blood sugar?",
         "If they are awake and can swallow, use the 15-15 rule:\n1. Give 15 grams of fast-acting sugar: 4 "
         "glucose tablets, half a cup (120 ml) of juice or regular soda, or a tablespoon of sugar or honey.\n"
         "2. Wait 15 minutes and recheck blood sugar if possible.\n3. If it's still below 70 mg/dL (3.9 mmol/L) or "
         "symptoms continue, repeat.\n4. Once it's back up, have a snack with protein or starch if the next meal "
         "is more than an hour away.\n\nIf the person is unconscious, having a seizure or can't swallow safely, "
         "don't put anything in their mouth. Call emergency services, and use a glucagon kit if one is available "
         "and you know how.", None),
        ("幽门螺杆菌是怎么传染的？查出来阳性一定要治吗？",
         "幽门螺杆菌主要通过“口-口”和“粪-口”途径传播，比如共用餐具、互相夹菜、大人把食物嚼碎喂给孩子等，"
         "所以常在家庭成员之间聚集。\n\n检查常用碳13或碳14呼气试验，无创、准确。\n\n"
         "是否治疗：目前国内共识倾向于对感染者进行根除治疗，尤其是有消化性溃疡、胃黏膜相关淋巴组织淋巴瘤、"
         "萎缩性胃炎、胃癌家族史等情况的人。标准方案是含铋剂的四联疗法，疗程10-14天，停药至少4周后复查。"
         "具体是否治疗、用什么方案，请到消化科就诊决定。平时提倡分餐、使用公筷。", MEDICAL_SYSTEM),
        ("Is it safe to take expired medicine?",
         "Many solid medicines (tablets, capsules) keep most of their potency for some time after the expiry "
         "date, but the manufacturer no longer guarantees safety or strength, so it's best not to rely on them. "
         "Some should never be used after expiry: insulin, epinephrine auto-injectors, nitroglycerin, liquid "
         "antibiotics, eye drops and vaccines, because losing strength or getting contaminated can be dangerous. "
         "Dispose of expired medicines through a pharmacy take-back program rather than the trash or toilet.", None),
        ("孩子近视了，每天户外活动多久合适？",
         "国家卫生健康委员会等部门建议，儿童青少年每天户外活动时间应达到2小时以上（可以分次累计）。"
         "户外的自然光能促进视网膜分泌多巴胺，有助于延缓眼轴增长，对预防近视和减缓近视加深都有帮助。\n\n"
         "此外：近距离用眼时坚持“20-20-20”原则（每20分钟看20英尺即约6米外的地方20秒）；"
         "每半年到一年做一次视力和眼轴检查；已经近视的孩子要到正规医院验光配镜，遵医嘱考虑低浓度阿托品、"
         "角膜塑形镜等近视防控措施。", MEDICAL_SYSTEM),
        ("What's a normal resting heart rate?",
         "For adults, 60 to 100 beats per minute is considered normal at rest. Fit people and endurance athletes "
         "often sit between 40 and 60, which is healthy for them. Measure it in the morning before getting up. "
         "See a doctor if your resting rate is regularly above 100, or below 60 and you feel dizzy, faint or "
         "short of breath.", None),
        ("被狗咬伤了应该怎么处理？",
         "1. 立即冲洗：用肥皂水（或其他弱碱性清洗剂）和流动的清水交替彻底冲洗伤口，至少15分钟；\n"
         "2. 消毒：冲洗后用碘伏或其他皮肤黏膜消毒剂涂擦伤口；\n"
         "3. 尽快就医：到狂犬病暴露处置门诊，医生会根据暴露分级决定处理方式。皮肤被咬破出血属于Ⅲ级暴露，"
         "除了接种狂犬病疫苗，还需要在伤口周围注射狂犬病被动免疫制剂；\n"
         "4. 按程序按时完成全部疫苗接种，不要中断。\n\n狂犬病一旦发病，病死率几乎是100%，所以一定不要抱侥幸心理，"
         "即使是家养的狗咬伤也要处理。", MEDICAL_SYSTEM),
        ("How often should adults get a flu shot?",
         "Every year. Flu viruses change constantly and protection from the vaccine fades over months, so the "
         "vaccine is updated each season. Health authorities such as the CDC recommend yearly vaccination for "
         "everyone 6 months and older, ideally by the end of October in the Northern Hemisphere. It's "
         "especially important for people over 65, pregnant women, young children and people with chronic "
         "conditions.", None),
    ]
    return [qa(MEDICAL, q, a, system=s, key=f"medical-{i + 1}") for i, (q, a, s) in enumerate(items)]


def _finance() -> list[Draft]:
    items = [
        ("什么是复利？有没有简单的估算方法？",
         "复利就是“利滚利”：每一期产生的利息加入本金，下一期一起计算利息。公式是 终值 = 本金 × (1 + 利率)^期数。\n\n"
         "估算方法是“72法则”：用72除以年收益率（百分数），大约就是本金翻倍所需的年数。比如年化收益6%，72÷6=12，"
         "大约12年翻一倍；年化3%则需要约24年。这个法则在利率2%-10%之间比较准确。"),
        ("What's the difference between an ETF and a mutual fund?",
         "Both pool investors' money into a basket of securities, but they differ in how you trade them and what "
         "they typically cost:\n\n- **Trading**: ETFs trade on an exchange throughout the day at market prices, "
         "like stocks. Mutual funds are bought and sold once a day at the net asset value (NAV) calculated after "
         "the market closes.\n- **Costs**: ETFs are mostly index-tracking and tend to have lower expense ratios. "
         "Many mutual funds are actively managed and charge more, sometimes with sales loads.\n- **Minimums**: "
         "ETFs can be bought one share (or fraction) at a time; mutual funds often have minimum investments.\n"
         "- **Taxes** (in the US): ETFs are usually more tax-efficient because of how shares are created and "
         "redeemed.\n\nFor a long-term, low-cost index strategy either can work; what matters most is the fees "
         "and what the fund holds."),
        ("市盈率是什么意思？越低越好吗？",
         "市盈率（P/E）= 股价 ÷ 每股收益，也可以理解为“按现在的盈利水平，多少年能回本”。比如股价20元、每股收益1元，市盈率就是20倍。\n\n"
         "市盈率低不一定就好：\n- 周期性行业在景气高点时利润很高，市盈率反而显得很低，之后利润可能大幅下滑；\n"
         "- 市场可能已经预期到公司未来增长乏力或有风险；\n- 成长型公司的市盈率通常较高，是因为市场预期其利润会快速增长。\n\n"
         "所以市盈率要和同行业公司、公司自身历史水平以及未来增长率结合起来看。"),
        ("基金定投适合什么样的人？",
         "基金定投就是每隔固定时间（比如每月）投入固定金额买同一只基金。它适合：\n"
         "1. 有稳定收入、能长期坚持（3-5年以上）的人；\n2. 没有时间或能力择时、担心一次性买在高点的人；\n"
         "3. 想强制储蓄、积少成多的人。\n\n定投的原理是在价格低时自动买到更多份额，从而摊薄成本，"
         "所以更适合波动较大的指数基金（如宽基指数）。需要注意：定投不能保证盈利，市场长期下跌时依然会亏损；"
         "不要用短期要用的钱定投；下跌时坚持投入才能发挥效果。"),
        ("How does inflation affect my savings?",
         "Inflation is the general rise in prices over time, which means each dollar buys less. If your savings "
         "account pays 1% a year while inflation is 3%, your balance grows but its purchasing power shrinks by "
         "about 2% a year: $10,000 today would buy only about $8,200 worth of today's goods after 10 years.\n\n"
         "To protect savings: keep only your emergency fund in cash, look for high-yield savings or "
         "inflation-protected bonds (such as TIPS or I bonds in the US), and invest long-term money in diversified "
         "assets like stock index funds, which have historically outpaced inflation over long periods."),
        ("房贷选等额本息还是等额本金？",
         "两者的区别：\n- **等额本息**：每月还款额固定，前期还的主要是利息，本金还得慢，总利息更多；\n"
         "- **等额本金**：每月还的本金固定，利息随本金减少而减少，所以月供逐月递减，首月月供最高，总利息更少。\n\n"
         "怎么选：\n- 收入稳定但目前不算高、希望月供压力小而且固定的，选等额本息；\n"
         "- 目前收入较高、能承受前期较高月供、想少付利息的，选等额本金；\n"
         "- 计划几年内提前还款的，等额本金前期还的本金多，更划算一些。"),
        ("信用卡只还最低还款额会怎么样？",
         "按时还了最低还款额（一般是账单金额的10%），不算逾期，不会影响征信。但代价是：\n"
         "1. 不再享受免息期，全部账单金额从每笔消费的记账日起开始计息，而不是只对未还部分计息（具体以各银行规则为准，"
         "部分银行已改为只对未还部分计息）；\n2. 日利率通常在万分之五左右，折合年化约18%，远高于一般贷款；\n"
         "3. 利息按月计复利。\n\n所以最低还款只适合短期周转，能全额还款时尽量全额还。"),
        ("Why do bond prices fall when interest rates rise?",
         "A bond pays a fixed coupon. Suppose you own a bond paying 3% a year and new bonds start paying 5%. "
         "Nobody will pay full price for your 3% bond when they can buy a 5% one, so its market price has to "
         "drop until its effective yield for a new buyer is roughly competitive with 5%.\n\nThe longer the "
         "bond's remaining maturity, the bigger the price drop for a given rate rise, because you're locked into "
         "the lower coupon for longer. This sensitivity is measured by duration. If you hold the bond to maturity "
         "and the issuer doesn't default, you still get the full face value back."),
        ("How big should an emergency fund be?",
         "A common rule is 3 to 6 months of essential expenses: rent or mortgage, food, utilities, insurance, "
         "transport and minimum debt payments, not your full income. Lean toward 6 months or more if your income "
         "is irregular, you're self-employed, you're the only earner, or you work in an industry with frequent "
         "layoffs. Keep it somewhere safe and easy to reach, like a high-yield savings account, not in stocks."),
        ("个人养老金是什么？值得开吗？",
         "个人养老金是2022年推出的一项制度，参加基本养老保险的劳动者可以开立个人养老金账户，每年最多缴纳12000元，"
         "用来购买符合规定的储蓄存款、理财产品、商业养老保险和公募基金等。\n\n"
         "税收上：缴费时可以在个人所得税前扣除；投资期间的收益暂不征税；领取时单独按3%的税率缴纳个人所得税。\n\n"
         "是否值得：如果您适用的个税边际税率在10%及以上，节税效果比较明显；如果收入没达到纳税标准，税收优惠就没有意义。"
         "另外资金原则上要到退休（或符合丧失劳动能力、出国定居等条件）才能领取，流动性差，要用长期不用的钱。"),
        ("Roth IRA vs. traditional IRA: which should I choose?",
         "The difference is when you pay tax:\n- **Traditional IRA**: contributions may be tax-deductible now; "
         "withdrawals in retirement are taxed as ordinary income.\n- **Roth IRA**: contributions are made with "
         "after-tax money; qualified withdrawals in retirement (after age 59½ and 5 years) are tax-free.\n\n"
         "Rule of thumb: if you expect your tax rate in retirement to be higher than today (e.g. you're early in "
         "your career), a Roth is usually better. If your rate is high now and likely lower in retirement, a "
         "traditional IRA's deduction is worth more. Roth IRAs also have income limits for direct contributions "
         "and no required minimum distributions during the owner's lifetime. Many people split contributions "
         "between both to hedge."),
        ("What does diversification mean in investing?",
         "Diversification means spreading your money across many investments so that one bad outcome can't sink "
         "your whole portfolio: many companies instead of one stock, several sectors and countries, and a mix of "
         "asset classes such as stocks and bonds. Because different investments don't all fall at the same time, "
         "the portfolio's ups and downs are smoother for the same expected return. A low-cost broad index fund "
         "is the simplest way to get it. It reduces the risk of any single company failing, but it can't remove "
         "the risk of the whole market falling."),
        ("国债和银行定期存款哪个好？",
         "以储蓄国债（凭证式、电子式）和定期存款比较：\n- **安全性**：国债以国家信用担保；银行存款受存款保险保护，"
         "同一银行本息合计50万元以内全额赔付。两者对普通人来说都非常安全；\n"
         "- **收益**：同期限的储蓄国债利率通常略高于大型银行的定期存款利率，而且国债利息免征个人所得税；\n"
         "- **流动性**：两者都可以提前支取/兑付，但会损失部分利息，储蓄国债提前兑取还要收取少量手续费；\n"
         "- **购买难度**：储蓄国债发行时额度有限，常常需要抢购；定期存款随时可存。\n\n"
         "如果能买到，储蓄国债一般更划算；买不到时，可以选择利率较高的中小银行定期存款（注意50万元的保障上限）。"),
        ("What is a credit score and how can I improve mine?",
         "In the US, a credit score (usually FICO, 300-850) estimates how likely you are to repay debt. The main "
         "factors are payment history (about 35%), amounts owed / credit utilization (30%), length of credit "
         "history (15%), new credit (10%) and credit mix (10%).\n\nTo improve it:\n1. Pay every bill on time; "
         "set up autopay for at least the minimum.\n2. Keep credit card balances low, ideally under 30% of your "
         "limits (under 10% is better).\n3. Don't close old cards without a reason, since they lengthen your "
         "history.\n4. Apply for new credit only when you need it.\n5. Check your credit reports for free and "
         "dispute any errors."),
        ("股票分红以后，股价为什么会下跌？",
         "这叫“除息”。公司分红是把账上的一部分现金发给股东，分完之后公司的净资产减少了，每股对应的价值也相应减少。"
         "所以在除息日，交易所会把股价按每股分红金额下调，比如股价10元、每股分红0.5元，除息后参考价就是9.5元。\n\n"
         "对股东来说，分红前持有10元的股票，分红后是9.5元的股票加0.5元现金（A股还可能按持股时间扣税），"
         "总价值基本不变。分红本身不会让人赚钱，之后股价能否涨回分红前的价格（“填息”）取决于公司的经营和市场情况。"),
    ]
    return [qa(FINANCE, q, a, key=f"finance-{i + 1}") for i, (q, a) in enumerate(items)]


def _legal() -> list[Draft]:
    items = [
        ("公司和我签了两年的劳动合同，试用期定了6个月，合法吗？",
         "不合法。根据《劳动合同法》第十九条：\n- 劳动合同期限3个月以上不满1年的，试用期不得超过1个月；\n"
         "- 劳动合同期限1年以上不满3年的，试用期不得超过2个月；\n"
         "- 3年以上固定期限和无固定期限的劳动合同，试用期不得超过6个月。\n\n"
         "您签的是两年合同，试用期最长只能约定2个月。同一用人单位与同一劳动者只能约定一次试用期。\n\n"
         "根据第八十三条，违法约定的试用期已经履行的，由用人单位以您转正后的月工资为标准，"
         "按已经履行的超过法定试用期的期间向您支付赔偿金。您可以先与公司协商，协商不成可以向劳动监察部门投诉或申请劳动仲裁。"),
        ("公司要辞退我，应该给多少补偿？",
         "要看辞退的原因：\n\n"
         "1. **合法解除且需支付经济补偿**（如协商一致解除、因客观情况变化或经济性裁员解除等）：根据《劳动合同法》第四十七条，"
         "按工作年限每满一年支付一个月工资；六个月以上不满一年的按一年计算；不满六个月的支付半个月工资。"
         "这里的月工资是解除前12个月的平均工资。即通常说的“N”；如果公司没有提前30天书面通知，还要额外支付一个月工资（“N+1”）。\n"
         "2. **违法解除**：根据第八十七条，应按经济补偿标准的二倍支付赔偿金，即“2N”。\n"
         "3. **因劳动者严重违纪等过错被解除**：公司不需要支付补偿。\n\n"
         "建议保留劳动合同、工资流水、解除通知等证据。具体金额与您的工资水平和解除理由有关，复杂情况请咨询专业律师。"),
        ("网上买到了假货，能要求“退一赔三”吗？",
         "可以。《消费者权益保护法》第五十五条规定，经营者提供商品有欺诈行为的，应当按照消费者的要求增加赔偿，"
         "增加赔偿的金额为消费者购买商品价款的三倍；增加赔偿的金额不足五百元的，为五百元。\n\n"
         "维权步骤：\n1. 保存订单、商品页面截图、聊天记录、付款凭证，以及商品本身；\n"
         "2. 取得证明商品为假货的依据，比如品牌方出具的鉴定意见；\n3. 先与商家协商，同时向电商平台投诉；\n"
         "4. 协商不成，可以拨打12315投诉，或者向法院起诉。\n\n如果买的是食品，还可以依据《食品安全法》第一百四十八条主张价款十倍的赔偿。",),
        ("协议离婚的“冷静期”是怎么回事？",
         "这是《民法典》第一千零七十七条规定的离婚冷静期：\n"
         "1. 自婚姻登记机关收到离婚登记申请之日起30日内，任何一方不愿意离婚的，可以向登记机关撤回离婚登记申请；\n"
         "2. 30日冷静期届满后的30日内，双方应当亲自到婚姻登记机关申请发给离婚证；未申请的，视为撤回离婚登记申请。\n\n"
         "需要注意：冷静期只适用于到民政局协议离婚，不适用于到法院起诉离婚。存在家庭暴力等情形的，可以直接向法院起诉。"),
        ("朋友借了我两万块钱，没打借条，现在不还了，还能要回来吗？",
         "没有借条也有机会要回来，关键是证据。可以用来证明借贷关系的包括：\n"
         "- 银行转账、微信或支付宝转账记录（最好备注了“借款”）；\n- 聊天记录、短信、通话录音中对方承认借钱或承诺还钱的内容；\n"
         "- 知情的证人。\n\n建议先通过微信等方式催要，让对方在回复中确认借款金额，这本身就能成为证据。\n\n"
         "诉讼时效方面：根据《民法典》第一百八十八条，诉讼时效一般为3年。约定了还款期限的，从期限届满之日起算；"
         "没有约定期限的，您可以随时要求对方还款，给对方合理的准备时间。每次催要都能使诉讼时效中断、重新计算。"
         "协商不成，可以向对方住所地法院起诉，金额不大的案件可以适用小额诉讼程序，比较快捷。"),
        ("租房合同到期了，房东找理由不退押金，怎么办？",
         "1. 先看合同：押金退还条件、扣除情形是怎么约定的。房东只能在您确实造成房屋损坏、拖欠租金或水电费等情况下，"
         "按实际损失扣除，不能随意扣。\n2. 保留证据：交押金的收据或转账记录、退房时的房屋照片视频、交接清单、与房东的沟通记录。\n"
         "3. 协商：书面要求房东在合理期限内退还押金，并说明依据。\n"
         "4. 协商不成：可以向房屋所在地的街道调解组织或住房管理部门投诉，也可以向法院起诉要求返还押金。"
         "押金不多的，可以适用小额诉讼程序。\n\n以后租房时，建议入住和退房都和房东一起拍照确认房屋状况，能避免很多争议。"),
        ("My landlord keeps entering my apartment without telling me. Is that allowed?",
         "In most places, no. In the US, the rules come from state law and your lease, but most states require "
         "the landlord to give reasonable advance notice, commonly 24 hours (some states specify 12 or 48), and "
         "to enter only for legitimate reasons such as repairs, inspections or showing the unit, usually at "
         "reasonable times. Emergencies like a burst pipe or fire are the main exception.\n\nWhat you can do: "
         "keep a written log of each entry (date, time, reason given), send the landlord a polite written request "
         "to give notice as required, and check your state's tenant rights guide. If it continues, contact a "
         "local tenant union or legal aid office. Repeated unlawful entry can amount to harassment or a breach of "
         "your right to quiet enjoyment. This is general information, not legal advice for your specific "
         "situation."),
        ("周末加班、法定节假日加班，加班费怎么算？",
         "根据《劳动法》第四十四条，实行标准工时制的：\n"
         "- 工作日延长工作时间的，支付不低于工资150%的工资报酬；\n"
         "- 休息日（如周末）安排工作又不能安排补休的，支付不低于工资200%的工资报酬；\n"
         "- 法定休假日（如国庆节、春节的法定假日）安排工作的，支付不低于工资300%的工资报酬，而且不能用补休代替。\n\n"
         "计算基数一般是按劳动合同约定的工资折算的日工资或小时工资：日工资=月工资÷21.75，小时工资=日工资÷8。"
         "实行综合计算工时或不定时工作制的岗位，规则不同。"),
        ("What is the difference between a will and a trust?",
         "- **Will**: a document that says who gets your property and who looks after minor children after you "
         "die. It takes effect only at death and usually goes through probate, a public court process that can "
         "take months.\n- **Revocable living trust**: you transfer assets into the trust while alive and usually "
         "act as trustee yourself. At death, a successor trustee distributes the assets privately without "
         "probate. It can also manage your assets if you become incapacitated.\n\nTrusts cost more to set up and "
         "only control assets actually moved into them, so people with trusts usually also have a simple "
         "\"pour-over\" will. Rules vary by jurisdiction, so it's worth consulting an estate lawyer."),
        ("交通事故对方全责，但一直拖着不赔偿，怎么办？",
         "1. 先找对方的保险公司：对方车辆都有交强险，很多还有商业三者险。凭交警出具的《道路交通事故认定书》、"
         "医疗票据、车辆维修发票等材料，可以直接向对方的保险公司申请理赔。\n"
         "2. 如果您自己买了车损险，也可以先找自己的保险公司理赔，由保险公司向对方追偿（代位求偿）。\n"
         "3. 如果损失超出保险范围、对方仍拒不赔偿，可以向法院提起诉讼，把对方和其保险公司列为被告。"
         "一般诉讼时效为3年。\n\n注意保存好事故认定书、病历、发票、误工证明等证据。涉及人身伤害的，"
         "建议在伤情稳定后做伤残鉴定，再确定索赔金额。",),
    ]
    drafts = []
    for i, item in enumerate(items):
        q, a = item[0], item[1]
        system = LEGAL_SYSTEM if i % 2 == 0 else None
        drafts.append(qa(LEGAL, q, a, system=system, key=f"legal-{i + 1}"))
    return drafts


def _education() -> list[Draft]:
    drafts = [
        qa(EDU, "Explain photosynthesis to a 10-year-old.",
           "Plants are like little food factories! They make their own food using three ingredients:\n\n"
           "1. **Sunlight**, which their leaves catch like solar panels\n2. **Water**, which their roots drink up "
           "from the soil\n3. **Carbon dioxide**, a gas in the air that we breathe out\n\nInside the leaves is a "
           "green substance called chlorophyll (that's why leaves are green). It uses the sunlight's energy to "
           "turn water and carbon dioxide into sugar, which is the plant's food. As a bonus, the plant releases "
           "oxygen into the air, which is the gas we need to breathe. So every time you're near a tree, it's "
           "busy cooking lunch and making fresh air for you!"),
        qa(EDU, "“学而时习之，不亦说乎”是什么意思？",
           "这句话出自《论语·学而》，是《论语》的第一句。\n\n"
           "- “学”：学习；“时”：按时、时常；“习”：温习、实践（也有人理解为演习、练习）；\n"
           "- “说”：同“悦”，是高兴、愉快的意思。\n\n"
           "全句意思是：学了知识，又能按时去温习和实践它，不也是很愉快的事吗？\n\n"
           "孔子强调学习不是一次性的，要通过反复温习和运用来真正掌握，而这个过程本身就能带来快乐。"
           "后面两句是“有朋自远方来，不亦乐乎？人不知而不愠，不亦君子乎？”"),
        qa(EDU, "When do I use the present perfect instead of the simple past in English?",
           "Use the **simple past** for finished actions at a specific time in the past:\n- I *visited* Rome in "
           "2019.\n- She *called* me yesterday.\n\nUse the **present perfect** (have/has + past participle) when "
           "the time is not specified or the past connects to now:\n- I *have visited* Rome. (at some point in my "
           "life)\n- She *has lived* here for ten years. (and still lives here)\n- I *have lost* my keys. (I still "
           "can't find them)\n\nA quick test: if you mention a finished time (yesterday, last week, in 2019, two "
           "hours ago), use the simple past. Words like *ever, never, already, yet, since* and *for* (with "
           "ongoing situations) usually go with the present perfect."),
        qa(EDU, "牛顿第二定律F=ma怎么理解？能举个生活中的例子吗？",
           "F=ma的意思是：物体受到的合外力F，等于它的质量m乘以加速度a。换个角度看，a=F/m：\n"
           "- 同样的力，质量越大的物体，加速度越小，越“推不动”；\n- 同一个物体，受到的力越大，加速度越大。\n\n"
           "生活中的例子：推空的购物车很轻松，一推就加速；推装满东西的购物车，用同样的力，它加速得慢很多，因为质量大了。\n\n"
           "注意F是合外力，比如推车时还要减去地面摩擦力。单位上，1牛顿就是让1千克的物体产生1米/秒²加速度的力。"),
        qa(EDU, "How do I balance the equation H2 + O2 → H2O?",
           "Count the atoms on each side:\n- Left: 2 H, 2 O\n- Right: 2 H, 1 O\n\nOxygen is unbalanced, so put a "
           "2 in front of H2O: H2 + O2 → 2H2O. Now the right has 4 H and 2 O.\n\nHydrogen is now unbalanced, so "
           "put a 2 in front of H2: 2H2 + O2 → 2H2O.\n\nCheck: 4 H and 2 O on both sides. Balanced!\n\nTip: "
           "balance the elements that appear in only one compound on each side first, and leave elements that "
           "appear alone (like O2 or H2) for last."),
        convo(EDU, [
            "Why do we have seasons? Is it because Earth is closer to the Sun in summer?",
            "Good question to test! Here's a clue: when it's summer in the United States, it's winter in "
            "Australia. If distance caused the seasons, what would you expect instead?",
            "Oh, both hemispheres would have summer at the same time. So it's not distance.",
            "Exactly. So something must be different between the two hemispheres at the same moment. Picture "
            "Earth's axis: is it straight up and down relative to its orbit, or tilted?",
            "It's tilted, like 23 degrees or something.",
            "About 23.5°, yes. Now, during June, which hemisphere is tilted toward the Sun? And what do you think "
            "that does to how directly the sunlight hits the ground there, and to how long the days are?",
            "The northern one is tilted toward the Sun, so the light hits more directly and days are longer. "
            "That's why it's summer up north!",
            "You've got it. More direct sunlight concentrates energy on a smaller area, and longer days give more "
            "hours of heating. Six months later the Southern Hemisphere is tilted toward the Sun and gets its "
            "summer. Fun fact to lock it in: Earth is actually closest to the Sun in early January, during the "
            "northern winter.",
        ], system=TUTOR_SYSTEM),
        qa(EDU, "议论文的开头怎么写才能吸引人？",
           "几种常用又有效的开头方法：\n\n"
           "1. **开门见山**：第一段直接亮出中心论点，干净利落，考场作文最稳妥。\n"
           "2. **引用名言**：用与论点相关的名言警句开头，再引出自己的观点。注意名言要准确，引用后要有自己的阐释。\n"
           "3. **事例引入**：用一个简短、典型的事例或新闻开头，再从中提炼论点。事例要短，不能喧宾夺主。\n"
           "4. **设问或反问**：提出一个引人思考的问题，再给出回答，自然引出论点。\n"
           "5. **对比开头**：把两种现象或观点放在一起对比，突出自己的立场。\n\n"
           "无论用哪种方法，开头都要简洁（一般不超过全文的十分之一），并且在第一段结束前让读者明确你的论点。"),
        qa(EDU, "What caused World War I?",
           "Historians often summarize the long-term causes with the acronym MAIN:\n- **Militarism**: an arms "
           "race, especially the naval rivalry between Britain and Germany, and war plans ready to go.\n"
           "- **Alliances**: Europe was split into the Triple Entente (France, Russia, Britain) and the Triple "
           "Alliance (Germany, Austria-Hungary, Italy), so a local conflict could drag in everyone.\n"
           "- **Imperialism**: competition for colonies and influence increased tension.\n- **Nationalism**: "
           "especially Slavic nationalism in the Balkans, which threatened Austria-Hungary.\n\nThe immediate "
           "trigger was the assassination of Archduke Franz Ferdinand, heir to the Austro-Hungarian throne, by "
           "the Bosnian Serb Gavrilo Princip in Sarajevo on June 28, 1914. Austria-Hungary declared war on Serbia "
           "a month later; Russia mobilized to support Serbia, Germany declared war on Russia and France, and "
           "Britain entered after Germany invaded Belgium in early August 1914."),
        qa(EDU, "背英语单词总是记了就忘，有什么科学的方法吗？",
           "推荐几个有研究支持的方法：\n\n"
           "1. **间隔重复**：根据遗忘曲线，在快要忘记的时候复习效果最好。比如学完后第1天、第2天、第4天、第7天、第15天各复习一次。"
           "Anki这类记忆卡片软件可以自动安排复习时间。\n"
           "2. **主动回忆**：复习时先看中文、自己说出英文（或反过来），而不是只看一遍单词表，主动提取记忆比被动重读有效得多。\n"
           "3. **在语境中记**：把单词放在例句、文章里记，了解它的常见搭配，比孤立背词义记得牢，也更会用。\n"
           "4. **多感官和输出**：大声读出来，写句子，用新词跟人对话或写日记。\n\n"
           "另外，每天少量多次（比如每天20分钟）比周末突击几个小时效果好。"),
        qa(EDU, "给小学生讲讲“刻舟求剑”这个成语。",
           "这个故事出自《吕氏春秋》。\n\n从前，有个楚国人坐船过江。船到江中间时，他腰上的宝剑一不小心掉进了水里。"
           "他不慌不忙，拿出小刀在船边刻了一个记号，说：“我的剑是从这里掉下去的。”\n\n"
           "船靠岸以后，他就从刻记号的地方跳进水里找剑，结果怎么找也找不到。\n\n"
           "为什么找不到呢？因为船一直在往前走，可是掉进水里的剑不会跟着船走呀！\n\n"
           "这个成语告诉我们：事情是在不断变化的，我们看问题、做事情要根据情况的变化来调整，不能死守老办法。"),
        qa(EDU, "How do I find the main idea of a paragraph?",
           "Try these steps:\n1. **Ask \"What is this mostly about?\"** Name the topic in a word or two (e.g. "
           "\"bees\").\n2. **Ask \"What is the author saying about it?\"** That's the main idea, a full sentence "
           "(e.g. \"Bees are essential for growing many of our crops\").\n3. **Check the first and last sentences.** "
           "The main idea is often stated there as a topic sentence.\n4. **Test it against the details.** Every "
           "example or fact in the paragraph should support your main idea. If a detail doesn't fit, your main "
           "idea may be too narrow.\n5. **Watch for signal words** like \"most importantly\", \"in short\" or "
           "\"overall\".\n\nIf the main idea isn't stated anywhere, it's implied: combine what the details have in "
           "common into one sentence of your own."),
        convo(EDU, [
            "分数除法为什么要乘以倒数？老师只说记住就行。",
            "我们用一个具体的例子来理解。6÷2是问“6里面有几个2”；同样，3÷1/2是问“3里面有几个1/2”。"
            "你想一想，3个苹果，每半个一份，能分成几份？",
            "6份。",
            "对！3÷1/2=6，而3×2也等于6。除以1/2，就相当于乘以2，也就是乘以1/2的倒数。\n\n"
            "再从算式上验证一下：a÷b/c，我们可以把被除数和除数同时乘以c/b（商不变的性质），"
            "除数就变成了b/c×c/b=1，而被除数变成了a×c/b。任何数除以1都等于它本身，所以 a÷b/c=a×c/b。"
            "这就是“除以一个数，等于乘以这个数的倒数”的道理。",
            "那3÷2/3呢？",
            "3里面有几个2/3？按照规则：3÷2/3=3×3/2=9/2=4又1/2。\n"
            "检验一下：4个2/3是8/3，再加半个2/3（也就是1/3），一共是9/3=3，完全正确。",
        ]),
    ]
    for i, draft in enumerate(drafts):
        draft.key = f"edu-{i + 1}"
    return drafts


def build(rng: random.Random) -> list[Draft]:
    """All vertical-domain drafts."""
    return _medical() + _finance() + _legal() + _education()
