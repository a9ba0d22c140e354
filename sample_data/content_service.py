"""e-commerce/customer service and role-play/customer service.

The planted same-answer group lives here: 33 customer complaints that all get the identical canned reply
SAME_ANSWER, the pattern the answer-monotony view and assistant-key dedup must surface.
"""

from __future__ import annotations

import random

from content_common import Draft, convo, qa

SHOP = "e-commerce/customer service"
ROLEPLAY = "role-play/customer service"
SAME_ANSWER = "感谢您的耐心等待，我们已将您的问题反馈给相关部门，会尽快给您答复。"
SHOP_SYSTEM = "你是「优选商城」的在线客服，语气礼貌、简洁，优先给出可执行的办法。"
SHOP_SYSTEM_EN = "You are a friendly support agent for ShopNow, an online store. Be concise and practical."

CANNED_COMPLAINTS = [
    "我的快递已经五天没更新物流了，到底什么时候能到？",
    "你们的售后一直不回复我，我要投诉！",
    "申请退款三天了，为什么还没处理？",
    "收到的洗衣机侧面有一道很深的划痕，想换货，怎么弄？",
    "订单显示已签收，但我根本没收到包裹。",
    "发票什么时候能开好？公司报销急着要。",
    "我买的空调约了今天安装，师傅到现在都没联系我。",
    "优惠券明明没过期，下单的时候却用不了。",
    "为什么我的账户积分突然少了两千？",
    "商品页面写了送赠品，收货的时候没有看到。",
    "同一件衣服我买完第二天就降价了100块，能补差价吗？",
    "我的会员续费扣了两次钱。",
    "你们的快递员态度很差，还把包裹直接扔在门口。",
    "预售的手机说好15号发货，现在都20号了还没动静。",
    "退货已经寄回去一周了，商家还没确认收货。",
    "客服说今天给我回电话，等了一天也没人打。",
    "买的奶粉罐子是瘪的，担心质量有问题。",
    "我想修改收货地址，但是订单页面显示无法修改。",
    "我的账号好像被盗了，有人用我的账号下了好几单！",
    "价格保护申请提交了，多久能有结果？",
    "买的车厘子收到的时候已经烂了一半，怎么赔？",
    "我投诉的问题已经过去一周了，还没有处理结果。",
    "为什么我的订单被取消了？我自己没有操作过。",
    "买的电视开机就黑屏，售后电话一直打不通。",
    "能不能帮我催一下商家发货？已经下单四天了。",
    "申请的价格保护被驳回了，理由我不认可。",
    "衣柜送到了，但是少了一块隔板。",
    "之前提交的维修单一直显示“处理中”，都半个月了。",
    "退款金额比我实际付的少了20元，是怎么回事？",
    "积分兑换的礼品一个月了还没收到。",
    "你们APP一直提示网络异常，下不了单。",
    "上次买的床垫有很大的异味，通风一周了还没散。",
    "我在直播间下的单，主播说的满减没有生效。",
]


def _canned() -> list[Draft]:
    drafts = []
    for i, complaint in enumerate(CANNED_COMPLAINTS):
        system = SHOP_SYSTEM if i % 3 == 0 else None
        drafts.append(qa(SHOP, complaint, SAME_ANSWER, system=system, key=f"canned-{i + 1}",
                         plants=["same_answer"]))
    return drafts


def _shop_zh() -> list[Draft]:
    items = [
        ("请问你们支持七天无理由退货吗？",
         "支持的。签收后7天内，商品完好、不影响二次销售（吊牌、包装、配件齐全）就可以申请七天无理由退货。"
         "路径：我的订单 → 找到该订单 → 申请售后 → 选择“退货退款”。\n\n需要注意：定制类商品、鲜活易腐商品、"
         "已拆封的数字类商品（如激活码）等不适用七天无理由退货，商品页面会有标注。"),
        ("退货的运费谁出？",
         "分两种情况：\n1. 商品有质量问题、发错货或与描述不符：运费由商家承担，您寄回时先垫付，审核通过后会补偿给您；\n"
         "2. 七天无理由退货（比如不喜欢、尺码不合适）：运费一般由您承担。如果下单时购买了运费险，"
         "退货成功后保险会按规则赔付运费，通常自动打到您的支付账户。"),
        ("退款多久能到账？",
         "退款审核通过后会按原支付方式退回：\n- 余额/零钱：一般即时到账；\n- 支付宝、微信绑定的银行卡：1-3个工作日；\n"
         "- 信用卡、储蓄卡快捷支付：3-7个工作日，具体以银行处理时间为准。\n\n您可以在订单详情的“退款进度”里查看每一步的处理时间。"),
        ("下单的时候忘了开发票，现在还能补开吗？",
         "可以补开。订单确认收货后，在“我的订单”里找到该订单，点击“申请开票”，填写抬头和税号即可。"
         "电子发票一般1-3个工作日内开具，开好后可在订单详情下载，也会发送到您填写的邮箱。"
         "如果需要增值税专用发票，请在申请时选择“专票”并上传企业资质信息。"),
        ("刚下单就发现地址填错了，能改吗？",
         "如果订单还没有发货，可以在订单详情页点击“修改地址”直接修改；"
         "如果页面显示无法修改，说明仓库已经在打包出库，请尽快联系我们，我们帮您拦截；"
         "已经发货的订单，可以联系快递公司申请改派，可能会产生额外费用。"),
        ("我身高165，体重55公斤，这条牛仔裤穿什么码？",
         "按这款牛仔裤的尺码表，身高165cm、体重55kg一般建议选M码（腰围约70cm）。"
         "如果您平时喜欢宽松一点的穿法，或者臀围偏大，可以选L码。这款面料弹力较小，拿不准时建议量一下自己常穿的裤子腰围，对照尺码表选择。"),
        ("优惠券和满减可以一起用吗？",
         "大部分情况下可以叠加：系统会先计算店铺满减，再使用优惠券。不过以下情况不能叠加：\n"
         "1. 优惠券上注明“不与其他优惠同享”；\n2. 参加了秒杀、特价等活动的商品；\n"
         "3. 同一类型的券（比如两张店铺券）一个订单只能用一张。\n\n结算页会自动帮您选出最优组合，您可以在那里看到实际优惠金额。"),
        ("预售商品的定金能退吗？",
         "一般情况下，因个人原因未支付尾款或申请退款，定金不退，这在预售页面有提示。"
         "但如果是商家原因（比如无法按时发货、商品缺货），定金会全额退还。支付尾款后，订单就和普通订单一样，可以正常申请售后。"),
        ("我买的冰箱什么时候送货？需要另外约安装吗？",
         "大家电通常采用送装一体服务：商品出库后，配送站会提前一天电话联系您确认送货时间。"
         "冰箱本身不需要安装，送到后师傅会帮您拆箱、检查外观并摆放到位。"
         "建议冰箱到家后静置2-6小时再通电，让压缩机里的润滑油回流，有利于延长使用寿命。"),
        ("手机保修多久？坏了怎么保修？",
         "手机按国家“三包”规定：签收后7天内出现性能故障，可以选择退货、换货或修理；15天内可以选择换货或修理；"
         "主机整机保修期一般为1年，电池、充电器等配件的保修期以说明书为准。"
         "需要保修时，在订单页申请售后，选择“维修”，或者带上发票到品牌官方授权服务网点检测维修。人为损坏（摔、进水）不在免费保修范围内。"),
        ("收到的包裹少了一件东西，怎么办？",
         "很抱歉给您带来不便。请您先确认一下是否分开发货（订单详情里会显示多个包裹）。"
         "如果确认漏发，请在签收后48小时内申请售后，选择“少件/漏发”，并上传外包装和快递面单的照片，"
         "我们核实后会尽快为您补发或退款。"),
        ("打开快递发现杯子碎了。",
         "非常抱歉！请您先别丢弃包装，拍几张照片：外包装、破损的杯子、快递面单。"
         "然后在订单页申请售后，选择“商品破损”并上传照片，审核通过后可以为您免费补发或全额退款，不需要您寄回碎片。"),
        ("会员积分怎么用？会过期吗？",
         "积分可以在下单时抵扣现金（100积分抵1元，单笔最多抵扣订单金额的50%），也可以在“积分商城”兑换优惠券和礼品。"
         "积分有效期为获得后的次年12月31日，到期未使用会自动清零，过期前会给您发消息提醒。"),
        ("以旧换新怎么操作？旧手机怎么估价？",
         "在商品页选择“以旧换新”，填写旧手机的型号、内存、成色和功能情况，系统会给出预估价。"
         "下单后快递员上门取旧机（或送新机时同时回收），质检确认后，差价会以补贴或退款的形式返还给您。"
         "寄出前请务必备份数据，退出云账号，并恢复出厂设置。"),
        ("海外直邮的商品要交关税吗？",
         "跨境电商零售进口商品在单次交易限值5000元、个人年度交易限值26000元以内，关税税率暂为0%，"
         "进口环节增值税和消费税按法定应纳税额的70%征收，税费会在结算时显示并由平台代扣代缴，您收货时不需要另外缴纳。"
         "超出限值的订单需要按一般贸易方式全额征税。"),
        ("我买的生鲜可以退吗？",
         "生鲜属于鲜活易腐商品，不支持七天无理由退货。但如果收到时出现腐烂、变质、破损或重量不足，"
         "请在签收后48小时内拍照（最好能看到重量和面单）申请售后，我们核实后会按比例退款或补发。"),
        ("怎么查物流？",
         "打开APP → 我的 → 我的订单，点击对应订单的“查看物流”，就能看到快递单号和实时轨迹。"
         "如果物流超过48小时没有更新，可以点击“催物流”，我们会联系快递公司核实。"),
        ("为什么同一个商品在APP和小程序上价格不一样？",
         "不同渠道有时会有专属活动，比如APP新人价、小程序限时券，所以到手价可能不同。"
         "商品的基础售价是一致的，差异来自您账号可用的优惠。结算页显示的就是您最终需要支付的金额。"),
        ("买错了颜色还没发货，可以换吗？",
         "未发货的订单不能直接修改商品规格，建议您先申请“未发货仅退款”，退款会立即处理，然后重新下单正确的颜色。"
         "如果您用了优惠券，取消订单后券会退回账户（在有效期内可以继续使用）。"),
        ("怎么注销账号？",
         "路径：我的 → 设置 → 账号与安全 → 注销账号。注销前需要满足：没有未完成的订单和售后、账户余额已提现、"
         "没有未结清的分期。注销后账号信息、积分、优惠券都会被清除且无法恢复，请谨慎操作。"),
    ]
    drafts = []
    for i, (q, a) in enumerate(items):
        system = SHOP_SYSTEM if i % 3 == 1 else None
        drafts.append(qa(SHOP, q, a, system=system, key=f"shopzh-{i + 1}"))
    return drafts


def _shop_en() -> list[Draft]:
    items = [
        ("Where is my order? It's been 6 days.",
         "Sorry for the wait! You can track it under Account > Orders > Track package, which shows the carrier "
         "and tracking number. Standard shipping takes 5-8 business days, so a 6-day-old order may still be on "
         "its way, especially over a weekend. If tracking hasn't updated for more than 3 business days, reply "
         "with your order number and we'll open a trace with the carrier."),
        ("How do I return a pair of shoes that don't fit?",
         "You can return unworn shoes within 30 days of delivery:\n1. Go to Orders, select the item and choose "
         "\"Return or exchange\".\n2. Pick the reason \"Doesn't fit\" and print the prepaid label.\n3. Pack the "
         "shoes in the original box and drop them at any listed carrier location.\n\nRefunds go back to your "
         "original payment method within 5-7 business days after we receive the return. If you'd rather have "
         "a different size, choose \"Exchange\" and we'll ship it as soon as the return is scanned."),
        ("Can I change my shipping address after ordering?",
         "Yes, as long as the order hasn't shipped. Open the order and click \"Edit address\". If that button "
         "is greyed out, the order is already being packed; contact us right away and we'll try to update it. "
         "Once it has shipped, you can request a redirect through the carrier's tracking page."),
        ("My promo code says invalid.",
         "A few common reasons: the code has expired, it only applies to certain items or categories, your cart "
         "is below the minimum spend, or it's a first-order code and you've ordered before. Codes are also case-"
         "sensitive on our site, so try typing it exactly as it appears. If it still fails, send me the code "
         "and I'll check it for you."),
        ("Do you ship to Canada?",
         "Yes, we ship to Canada. Standard international shipping takes 7-12 business days. Duties and taxes are "
         "calculated at checkout, so there are no surprise charges on delivery."),
        ("I was charged twice for the same order.",
         "I'm sorry about that. Often the second charge is a temporary authorization hold that your bank "
         "releases automatically within 3-5 business days. If both charges are still showing as completed after "
         "that, send us the order number and the last four digits of the card, and we'll refund the duplicate "
         "immediately."),
        ("What's your price match policy?",
         "If you find the identical item (same brand, model and color) cheaper on our site within 14 days of "
         "purchase, we'll refund the difference. Just contact us with your order number. We don't match other "
         "retailers, marketplace sellers, or flash and clearance sales."),
        ("The item arrived damaged. What should I do?",
         "Sorry it arrived damaged! Please take a photo of the item and the packaging, then go to Orders > "
         "Report a problem > \"Arrived damaged\". We'll send a free replacement or a full refund, your choice, "
         "and you usually won't need to send the damaged item back."),
        ("How long does the warranty on the blender last?",
         "The blender comes with a 2-year manufacturer's warranty covering defects in materials and "
         "workmanship, and the motor base has an extended 5-year warranty. Keep your order confirmation as proof "
         "of purchase. Damage from misuse, like blending hot liquids with the lid sealed, isn't covered."),
        ("Can I cancel my order?",
         "If the order hasn't shipped yet, you can cancel it from the order page with \"Cancel order\" and "
         "you'll be refunded in full. If it has already shipped, the cancel button disappears, but you can "
         "refuse the delivery or return it for free within 30 days."),
        ("Is there a student discount?",
         "Yes! Verified students get 10% off full-price items. Verify once with your school email on the "
         "Student page and the discount applies automatically at checkout for 12 months. It can't be combined "
         "with other promo codes."),
        ("I never received my refund.",
         "I'm sorry for the trouble. Refunds are issued within 2 business days of the return being scanned at "
         "our warehouse, then take 5-7 business days to appear, depending on your bank. If it's been longer "
         "than that, please share your order number and I'll send you the refund reference number so your "
         "bank can trace it."),
        ("Do you offer gift wrapping?",
         "Yes, gift wrapping is $4.99 per item. Tick \"Add gift wrap\" at checkout, and you can add a free "
         "personalized message. Prices are left off the packing slip for gift orders."),
    ]
    drafts = []
    for i, (q, a) in enumerate(items):
        system = SHOP_SYSTEM_EN if i % 4 == 0 else None
        drafts.append(qa(SHOP, q, a, system=system, key=f"shopen-{i + 1}"))
    return drafts


def _shop_threads() -> list[Draft]:
    threads = [
        (["你好，我上周买的羽绒服想退货。",
          "您好！请问羽绒服是否还保留吊牌、没有穿着和洗涤过？签收是在7天以内吗？",
          "吊牌还在，没穿过，是5天前签收的。",
          "符合七天无理由退货条件。请在“我的订单”中找到这件羽绒服，点击“申请售后”→“退货退款”，原因选择“不想要了”，"
          "提交后系统会给出退货地址。寄回时请把吊牌、包装袋一起放好。商家收到并验货后，退款会原路退回。",
          "运费要我自己出吗？",
          "七天无理由退货的运费需要您承担。不过我看到您下单时购买了运费险，退货成功后运费险会自动理赔，"
          "一般赔付金额可以覆盖首重运费，会打到您的支付账户。"], SHOP_SYSTEM),
        (["Hi, I ordered a laptop but now I see a newer model came out. Can I swap?",
          "Hi! Has your laptop order shipped yet?",
          "It shipped yesterday.",
          "Since it's already on its way, the easiest path is: accept the delivery (don't open the sealed box if "
          "you're sure you want the newer model), then start a return from your Orders page within 30 days. "
          "Returns of unopened laptops have no restocking fee. You can order the new model now so you don't "
          "wait, and the refund for the first laptop will be issued once we receive it.",
          "Will I be charged for return shipping?",
          "No, laptop returns use a free prepaid label, which you can print from the return page."], SHOP_SYSTEM_EN),
        (["我想买个电饭煲，三口之家选多大的？",
          "三口之家一般选3L到4L的比较合适：3L大约能煮1-2杯米到4-6人份，平时够用；如果经常来客人或者喜欢一次煮够两顿，可以选4L。",
          "IH加热和普通底盘加热差别大吗？",
          "差别主要在加热方式：普通电饭煲只在底部加热，IH（电磁加热）是让整个内胆发热，受热更均匀，煮出来的米饭口感更好，"
          "也更适合煮粥和煲汤，价格一般贵一两百元。如果您对米饭口感比较讲究，推荐IH款；只是日常煮饭，普通款也完全够用。"], None),
        (["My package says delivered but it's not here.",
          "Sorry about that! A few quick checks: look around your porch, mailroom or with neighbors, and check "
          "the tracking page for a delivery photo. Sometimes carriers mark packages delivered up to a day early. "
          "Could you wait until the end of tomorrow?",
          "I checked everywhere, and there's no photo.",
          "Thanks for checking. I've filed a missing-package claim with the carrier. If they can't locate it "
          "within 48 hours, we'll ship a replacement for free or issue a full refund, whichever you prefer. "
          "You'll get an email update either way.",
          "Replacement please.",
          "Done. I've noted that you want a replacement, so it will ship automatically if the carrier can't "
          "find the package by Thursday. You'll receive the new tracking number by email."], SHOP_SYSTEM_EN),
        (["这款扫地机器人能扫地毯吗？",
          "可以的，这款有地毯识别功能，遇到地毯会自动增大吸力。不过长毛地毯（毛长超过2厘米）容易缠绕滚刷，不建议使用；短毛地毯没有问题。",
          "那它能拖地吗？我家有地毯，怕把地毯弄湿。",
          "它带拖地功能，而且支持在APP里给地毯区域设置“禁拖区”，拖地模式下会自动绕开地毯。"
          "另外识别到地毯时，拖布会自动抬升，也能避免把地毯弄湿。"], None),
        (["Is this jacket waterproof or just water-resistant?",
          "It's fully waterproof: the fabric is rated 10,000 mm with taped seams, so it handles steady rain. It's "
          "also breathable, which helps on hikes.",
          "What size should I get? I'm usually a medium but I want room for a sweater.",
          "This jacket runs true to size with a regular fit. If you want to layer a thick sweater or fleece "
          "underneath, go one size up to a large. The sleeves have adjustable cuffs, so the extra length won't "
          "be a problem."], None),
    ]
    return [convo(SHOP, turns, system=system, key=f"shopthread-{i + 1}") for i, (turns, system) in enumerate(threads)]


def _roleplay() -> list[Draft]:
    threads = [
        ("你是“畅联通信”的客服代表小林，负责话费、套餐和宽带业务。回答要有礼貌，不能透露其他用户的信息，办理业务前需要核实身份。",
         ["你好，我这个月话费怎么多扣了30块？",
          "您好，我是畅联通信客服小林，很抱歉给您带来困扰。为了帮您查询账单，请先提供机主姓名和身份证号后四位进行身份核实。",
          "张伟，后四位是0312。",
          "谢谢，身份已核实。我查到您本月账单中多出的30元是“视频会员流量包”的费用，订购时间是本月3日，通过短信验证码开通。"
          "如果您确认不是本人订购，我可以帮您退订并提交退费申请，退费会在3个工作日内返还到话费账户。需要帮您办理吗？",
          "不是我订的，退掉吧。",
          "好的，已为您退订该流量包，并提交了30元的退费申请，受理单号是TF20240612018。"
          "建议您不要把短信验证码告诉他人。还有其他可以帮您的吗？"]),
        ("You are Maya, a customer support agent at Skyline Airlines. Be warm and efficient. You can rebook "
         "flights, explain baggage rules and issue meal vouchers for delays over 3 hours.",
         ["My flight SK208 to Denver got cancelled. I need to be there tonight for a wedding tomorrow morning!",
          "I'm so sorry, that's stressful timing. Let me look at options to Denver tonight. There's SK214 "
          "departing at 6:45 pm with seats available, arriving 9:30 pm local time. Would you like me to move "
          "you onto it?",
          "Yes please. Will my checked bag go with me?",
          "Done, you're confirmed on SK214, seat 18C. Your bag has been re-tagged and will transfer "
          "automatically to the new flight, so you don't need to collect it. Your updated boarding pass is in "
          "the app. Congratulations to the couple, and have a great time at the wedding!"]),
        ("你是“悦居酒店”前台接待员，热情周到。酒店信息：入住时间14:00，退房时间12:00，早餐6:30-10:00在二楼，延迟退房到14:00免费（视房态），超过按半天房费收取。",
         ["你好，我明天的航班是下午四点的，能不能晚点退房？",
          "您好，欢迎入住悦居酒店！我们可以为您免费延迟退房到下午14:00，我先帮您登记。如果需要更晚，超过14:00将按半天房费收取。"
          "另外您也可以正常退房后把行李寄存在前台，我们免费保管。",
          "那我延到两点就行。早餐几点开始？",
          "好的，已为您登记延迟退房至明天14:00。早餐在二楼餐厅，时间是6:30到10:00。祝您入住愉快！"]),
        ("You are a technical support agent for CloudNote, a note-taking app. Troubleshoot step by step and "
         "ask one question at a time.",
         ["My notes aren't syncing between my phone and laptop.",
          "Sorry about that! Let's find the cause. First: are both devices signed in to the same CloudNote "
          "account? You can check under Settings > Account on each device.",
          "Yes, same email on both.",
          "Thanks. Next, on the laptop, what does the sync icon in the top-right corner show: a green check, a "
          "spinning arrow, or a red exclamation mark?",
          "Red exclamation mark. It says storage full.",
          "That's the cause: your account has reached its 2 GB storage limit, so new changes can't upload. You "
          "can free space by emptying the Trash (deleted notes still count until it's emptied) or removing large "
          "attachments, which you can find under Settings > Storage > Largest notes. Once you're under the "
          "limit, sync resumes automatically within a minute."]),
        ("你是“安心保险”理赔专员，负责车险报案和理赔进度咨询。要安抚客户情绪，清楚说明所需材料和流程。",
         ["我刚才在停车场被别人的车蹭了，对方跑了，怎么办？",
          "先别着急，人没事就好。请您按以下步骤处理：\n1. 拍照留存：车辆受损部位、周围环境、停车位编号；\n"
          "2. 立即报警，并向停车场管理方申请调取监控；\n3. 拨打我们的报案电话或在APP上报案。\n"
          "对方逃逸的情况下，如果您投保了车损险，可以由我们先行赔付。",
          "我买了车损险。那会影响我明年的保费吗？",
          "如果最终找不到对方，按“无法找到第三方”的情形理赔，会计入一次出险记录，可能影响明年的续保优惠系数。"
          "如果警方找到了肇事方，由对方承担责任的话，我们可以向对方追偿，这种情况一般不影响您的保费。"
          "建议您先配合警方调查，我们这边同步为您报案登记。"]),
        ("You are Sam, a friendly member-services agent at FitLife Gym. Membership rules: monthly plan can be "
         "cancelled with 30 days' notice; freezes allowed up to 2 months per year for $10/month.",
         ["I'm going abroad for 6 weeks. Do I have to cancel my membership?",
          "No need to cancel! You can freeze your membership instead. A freeze costs $10 a month instead of your "
          "regular fee, and you can freeze for up to 2 months per year, so 6 weeks fits. Would you like to set "
          "it up?",
          "Yes, from June 3 to July 15.",
          "All set: your membership is frozen from June 3 to July 15, and billing switches to $10 for June and "
          "July. It reactivates automatically on July 16, and your regular billing resumes then. Safe travels!"]),
        ("你是外卖平台“饭点到”的客服，处理订单问题。平台规则：超时30分钟以上可获得5元无门槛红包；餐品错送可全额退款。",
         ["我点的外卖超时40分钟了，还没送到！",
          "非常抱歉让您久等了！我这边看到骑手目前距离您约800米，预计5分钟内送达。因为超时超过30分钟，"
          "系统会给您发放一张5元无门槛红包作为补偿。",
          "到了，但是送错了，不是我点的。",
          "真的很抱歉！餐品送错的情况可以全额退款，我已经为您提交，退款会在1-3个工作日内原路退回。"
          "送错的餐品您不用退回，可以自行处理。需要我帮您联系商家重新制作一份吗？"]),
        ("You are a support agent at Northbank. Never ask for full card numbers, PINs or passwords. Verify "
         "identity with the last 4 digits of the card and date of birth.",
         ["I think someone used my credit card online. There's a $480 charge I don't recognize.",
          "I'm sorry, let's secure your account right away. Please confirm the last 4 digits of the card and "
          "your date of birth.",
          "Last four 7714, born 12 March 1988.",
          "Thank you, you're verified. I've blocked the card ending 7714 so no new charges can go through, and "
          "opened a fraud dispute for the $480 charge. You'll see a provisional credit within 2 business days "
          "while we investigate. A replacement card with a new number will arrive in 5-7 business days. Please "
          "update any subscriptions that used the old card once it arrives."]),
        ("你是“云租车”的客服，帮助用户处理租车订单。取消规则：取车前24小时以上免费取消；24小时内取消收取首日租金的30%。",
         ["我订了后天上午的车，现在想取消，要扣钱吗？",
          "您好！我查到您的订单取车时间是后天上午10:00，现在距离取车超过24小时，可以免费取消，押金和预付款会全额退回。需要现在帮您取消吗？",
          "先不取消了，能不能改成后天下午？",
          "可以的，已为您把取车时间改为后天下午14:00，车型和价格不变。温馨提示：如果之后还要取消，请在后天14:00前24小时以上操作，"
          "才能免费取消。"]),
        ("You are Leo, a support agent for StreamBox, a video streaming service. Plans: Basic $7.99 (1 screen, "
         "HD), Standard $12.99 (2 screens, Full HD), Premium $17.99 (4 screens, 4K).",
         ["My kids keep getting a 'too many screens' error when I'm watching.",
          "That message appears when more devices are streaming at once than your plan allows. You're on Basic, "
          "which supports 1 screen at a time. With you and your kids watching together, you'd need Standard (2 "
          "screens, $12.99/month) or Premium (4 screens in 4K, $17.99/month).",
          "We're usually 3 at the same time.",
          "Then Premium is the one that fits: 4 simultaneous screens. If you upgrade now, you pay only the "
          "prorated difference for the rest of this billing month, and the new limit applies immediately."]),
    ]
    return [convo(ROLEPLAY, turns, system=system, key=f"roleplay-{i + 1}") for i, (system, turns) in enumerate(threads)]


def build(rng: random.Random) -> list[Draft]:
    """All customer-service drafts."""
    return _canned() + _shop_zh() + _shop_en() + _shop_threads() + _roleplay()
