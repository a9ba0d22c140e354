"""information extraction/structured output and classification/sentiment."""

from __future__ import annotations

import json
import random

from content_common import Draft, qa

EXTRACT = "information extraction/structured output"
SENTIMENT = "classification/sentiment"
JSON_ONLY = "You are an information extraction engine. Reply with valid JSON only, no explanations."
JSON_ONLY_ZH = "你是一个信息抽取助手。只输出合法的JSON，不要输出任何解释。"


def _js(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)


def _extraction() -> list[Draft]:
    items = [
        ("从下面的文字中提取联系人姓名、手机号和地址，以JSON格式输出。\n\n"
         "您好，我是陈晓燕，上周在贵店订的书架还没到。我的电话是13812345678，地址是杭州市西湖区文三路259号3单元502室，麻烦帮忙查一下。",
         _js({"name": "陈晓燕", "phone": "13812345678", "address": "杭州市西湖区文三路259号3单元502室"}), None),
        ("Extract all people, organizations, locations and dates from the sentence below. Return JSON with those "
         "four keys.\n\nOn March 3, 2024, Dr. Amina Okoye of the World Health Organization met health officials "
         "in Nairobi to discuss a regional vaccination campaign planned for June.",
         _js({"people": ["Amina Okoye"], "organizations": ["World Health Organization"], "locations": ["Nairobi"],
              "dates": ["March 3, 2024", "June"]}), JSON_ONLY),
        ("把这段简历信息整理成JSON，字段包括：姓名、性别、出生年份、学历、毕业院校、专业、工作年限、技能。\n\n"
         "李明，男，1995年出生。2017年本科毕业于华中科技大学计算机科学与技术专业，之后在一家互联网公司做后端开发，至今约7年。"
         "熟悉Java、Go和MySQL，了解Kubernetes。",
         _js({"姓名": "李明", "性别": "男", "出生年份": 1995, "学历": "本科", "毕业院校": "华中科技大学",
              "专业": "计算机科学与技术", "工作年限": 7, "技能": ["Java", "Go", "MySQL", "Kubernetes"]}), JSON_ONLY_ZH),
        ("Turn this invoice text into JSON with fields invoice_number, date, vendor, line_items (description, "
         "quantity, unit_price) and total.\n\nINVOICE #INV-20931\nDate: 2024-05-14\nFrom: Bright Office Supplies "
         "Ltd.\n- A4 copy paper, 10 reams @ $4.50\n- Blue ballpoint pens (box of 50), 2 @ $12.00\n- Stapler, 1 @ "
         "$8.99\nTotal: $77.99",
         _js({"invoice_number": "INV-20931", "date": "2024-05-14", "vendor": "Bright Office Supplies Ltd.",
              "line_items": [{"description": "A4 copy paper (ream)", "quantity": 10, "unit_price": 4.50},
                             {"description": "Blue ballpoint pens (box of 50)", "quantity": 2, "unit_price": 12.00},
                             {"description": "Stapler", "quantity": 1, "unit_price": 8.99}],
              "total": 77.99}), None),
        ("List the action items from these meeting notes as a JSON array of objects with owner, task and due.\n\n"
         "Weekly sync, Tue. Priya will update the onboarding doc by Friday. Marco to fix the flaky login test "
         "before the release branch is cut on the 20th. We agreed Jun will contact the vendor about the license "
         "renewal; no date set. Next sync moved to Wednesday.",
         _js([{"owner": "Priya", "task": "Update the onboarding doc", "due": "Friday"},
              {"owner": "Marco", "task": "Fix the flaky login test", "due": "the 20th (before the release branch cut)"},
              {"owner": "Jun", "task": "Contact the vendor about the license renewal", "due": None}]), None),
        ("分析这条商品评价，按“方面-情感”抽取，输出JSON数组。\n\n"
         "手机拍照很清楚，夜景也不错，就是电池不太耐用，一天要充两次电。物流很快，第二天就到了。",
         _js([{"方面": "拍照", "情感": "正面"}, {"方面": "夜景", "情感": "正面"}, {"方面": "电池续航", "情感": "负面"},
              {"方面": "物流", "情感": "正面"}]), JSON_ONLY_ZH),
        ("What event is this email about? Give the event name, date, time, location and RSVP deadline as JSON.\n\n"
         "Hi all, you're invited to our annual Summer Picnic on Saturday, July 13, from 12:00 to 4:00 pm at "
         "Lakeside Park, Pavilion B. Families welcome! Please RSVP to Karen by July 5 so we can order food.",
         _js({"event": "Summer Picnic", "date": "Saturday, July 13", "time": "12:00-16:00",
              "location": "Lakeside Park, Pavilion B", "rsvp_deadline": "July 5", "rsvp_to": "Karen"}), JSON_ONLY),
        ("从菜谱中提取食材清单（名称和用量），输出JSON。\n\n"
         "西红柿炒鸡蛋：西红柿2个切块，鸡蛋3个打散加少许盐。锅中放油两勺，先炒鸡蛋盛出，再炒西红柿至出汁，"
         "加一小勺糖、半勺盐，倒回鸡蛋翻炒均匀，撒葱花出锅。",
         _js([{"名称": "西红柿", "用量": "2个"}, {"名称": "鸡蛋", "用量": "3个"}, {"名称": "食用油", "用量": "两勺"},
              {"名称": "糖", "用量": "一小勺"}, {"名称": "盐", "用量": "半勺（另加打蛋用的少许）"},
              {"名称": "葱花", "用量": "适量"}]), None),
        ("Parse this job posting into JSON: title, company, location, employment_type, salary_range, "
         "requirements (list).\n\nNorthwind Analytics is hiring a Senior Data Engineer (full-time, hybrid, "
         "Austin TX). Salary: $140k-$165k. You have 5+ years building data pipelines, strong SQL and Python, "
         "experience with Airflow or Dagster, and you've worked with a cloud warehouse such as Snowflake or "
         "BigQuery.",
         _js({"title": "Senior Data Engineer", "company": "Northwind Analytics", "location": "Austin, TX (hybrid)",
              "employment_type": "full-time", "salary_range": "$140,000-$165,000",
              "requirements": ["5+ years building data pipelines", "Strong SQL", "Strong Python",
                               "Experience with Airflow or Dagster",
                               "Experience with a cloud data warehouse (e.g. Snowflake, BigQuery)"]}), JSON_ONLY),
        ("解析这段快递单文字，输出JSON，字段：寄件人、寄件电话、收件人、收件电话、收件地址、物品、重量。\n\n"
         "寄件人：王磊 15900001111 上海市浦东新区；收件人：赵敏 18622223333 天津市南开区卫津路94号；"
         "物品：书籍；重量：2.3kg",
         _js({"寄件人": "王磊", "寄件电话": "15900001111", "收件人": "赵敏", "收件电话": "18622223333",
              "收件地址": "天津市南开区卫津路94号", "物品": "书籍", "重量": "2.3kg"}), JSON_ONLY_ZH),
        ("Extract the medications from this discharge note as JSON (name, dose, frequency, duration).\n\n"
         "Continue amoxicillin 500 mg three times daily for 7 more days. Start ibuprofen 400 mg every 8 hours "
         "as needed for pain, max 5 days. Resume home lisinopril 10 mg once daily.",
         _js([{"name": "amoxicillin", "dose": "500 mg", "frequency": "three times daily", "duration": "7 days"},
              {"name": "ibuprofen", "dose": "400 mg", "frequency": "every 8 hours as needed for pain",
               "duration": "up to 5 days"},
              {"name": "lisinopril", "dose": "10 mg", "frequency": "once daily", "duration": "ongoing"}]), None),
        ("Pull the flight details out of this confirmation into JSON.\n\nYour booking is confirmed. Booking "
         "reference: QX7P2L. Flight CA 934, Beijing Capital (PEK) to Paris Charles de Gaulle (CDG), departing "
         "14 Oct 2024 at 01:40, arriving 06:25 local time. Passenger: ZHANG/WEI MR. Seat 32K, economy.",
         _js({"booking_reference": "QX7P2L", "flight_number": "CA934", "from": "PEK", "to": "CDG",
              "departure": "2024-10-14T01:40", "arrival_local": "06:25", "passenger": "Zhang Wei",
              "seat": "32K", "cabin": "economy"}), JSON_ONLY),
        ("从合同条款中提取：甲方、乙方、合同金额、付款方式、交付日期。\n\n"
         "甲方：北京晨光文化传播有限公司；乙方：苏州宏远印务有限公司。乙方为甲方印制宣传册5000册，合同总价人民币"
         "叁万贰仟元整（¥32,000.00）。甲方于合同签订后3日内支付30%预付款，验收合格后10日内支付余款。乙方应于"
         "2024年9月30日前交付全部印品。",
         _js({"甲方": "北京晨光文化传播有限公司", "乙方": "苏州宏远印务有限公司", "合同金额": 32000,
              "付款方式": "签订后3日内预付30%，验收合格后10日内支付余款70%", "交付日期": "2024-09-30"}), None),
        ("Convert this table into CSV.\n\n| City | Country | Population (millions) |\n|---|---|---|\n"
         "| Tokyo | Japan | 14.0 |\n| Delhi | India | 16.8 |\n| Shanghai | China | 24.9 |",
         "City,Country,Population (millions)\nTokyo,Japan,14.0\nDelhi,India,16.8\nShanghai,China,24.9", None),
        ("Find every hashtag and @mention in this post and return them as JSON lists.\n\n"
         "Huge thanks to @cityrunners and @maria_trains for pacing me today! First sub-2 half marathon "
         "#running #halfmarathon #PB",
         _js({"mentions": ["@cityrunners", "@maria_trains"], "hashtags": ["#running", "#halfmarathon", "#PB"]}),
         JSON_ONLY),
        ("把下面的地址拆分成省、市、区、详细地址，用JSON表示。\n\n广东省深圳市南山区粤海街道科技南十二路18号",
         _js({"省": "广东省", "市": "深圳市", "区": "南山区", "详细地址": "粤海街道科技南十二路18号"}), JSON_ONLY_ZH),
        ("Parse this web server log line into JSON (ip, timestamp, method, path, status, bytes, user_agent).\n\n"
         '203.0.113.42 - - [10/Jun/2024:13:55:36 +0000] "GET /api/v1/orders?page=2 HTTP/1.1" 200 5123 "-" '
         '"Mozilla/5.0 (X11; Linux x86_64)"',
         _js({"ip": "203.0.113.42", "timestamp": "2024-06-10T13:55:36+00:00", "method": "GET",
              "path": "/api/v1/orders?page=2", "status": 200, "bytes": 5123,
              "user_agent": "Mozilla/5.0 (X11; Linux x86_64)"}), None),
        ("找出下文中所有的日期，并统一转换成 YYYY-MM-DD 格式，输出JSON数组。\n\n"
         "项目于2023年3月5日立项，原定同年十月底验收，后推迟到2024年1月15日。二期工程计划2024/6/1开工。",
         _js(["2023-03-05", "2023-10-31", "2024-01-15", "2024-06-01"]), JSON_ONLY_ZH),
        ("识别用户意图并抽取槽位，输出JSON。\n\n用户：帮我订一张明天下午从上海到杭州的高铁票，二等座，一个人。",
         _js({"intent": "book_train_ticket",
              "slots": {"departure_city": "上海", "arrival_city": "杭州", "date": "明天", "time_range": "下午",
                        "seat_class": "二等座", "passenger_count": 1}}), JSON_ONLY_ZH),
        ("Extract brand, model, storage, color and condition from this product title as JSON.\n\n"
         "Apple iPhone 13 Pro 256GB Sierra Blue - Unlocked (Renewed)",
         _js({"brand": "Apple", "model": "iPhone 13 Pro", "storage": "256GB", "color": "Sierra Blue",
              "condition": "Renewed (refurbished)", "carrier": "Unlocked"}), JSON_ONLY),
    ]
    return [qa(EXTRACT, p, a, system=s, key=f"extract-{i + 1}") for i, (p, a, s) in enumerate(items)]


def _sentiment() -> list[Draft]:
    label_only = "判断下面这条评论的情感倾向（正面/负面/中性），只回答标签。\n\n"
    items = [
        (label_only + "这家店的菜太咸了，服务员态度也很差，不会再来了。", "负面"),
        (label_only + "快递很快，包装完好，宝贝和描述的一样，好评！", "正面"),
        (label_only + "东西收到了，还没用，用了再来评价。", "中性"),
        (label_only + "价格比实体店便宜不少，就是发货稍微慢了点，总体满意。", "正面"),
        ("情感分类：“电影前半段节奏拖沓，后半段反转很精彩，整体还算值回票价。”",
         "正面（偏正面的混合评价：批评了前半段节奏，但结论是“值回票价”）。"),
        ("这条微博是什么情绪？“排了两个小时队，轮到我的时候说卖完了，真是谢谢你们啊。”",
         "负面。虽然用了“谢谢”，但这是反语，表达的是排队两小时却买不到的不满和讽刺。"),
        ("判断情感：酒店位置很方便，离地铁站就五分钟，房间干净，早餐种类也多。", "正面"),
        ("判断情感：客服电话打了五次都没人接，退款到现在还没到账。", "负面"),
        ("请给这条评价打分（1-5星）并说明理由：\n“耳机音质还可以，降噪一般，戴久了耳朵有点疼，这个价位中规中矩吧。”",
         "3星。理由：音质被评价为“还可以”，降噪“一般”，佩戴舒适度有负面反馈，整体结论是“中规中矩”，属于中等评价。"),
        (label_only + "孩子很喜欢这套绘本，图画精美，故事也有教育意义。", "正面"),
        (label_only + "今天下午三点开会，地点在三楼会议室。", "中性"),
        ("以下评论分别是什么情感？按顺序输出。\n1. 太好吃了，下次还点！\n2. 一般般吧，没有想象中好。\n3. 包装破了，汤洒了一袋子。",
         "1. 正面\n2. 负面（略偏负面）\n3. 负面"),
        (label_only + "这款洗面奶用完脸不干，味道也淡淡的，已经回购第三次了。", "正面"),
        ("Classify the sentiment of this review as positive, negative or neutral.\n\n"
         "\"The battery lasts all day and the screen is gorgeous. Best laptop I've owned.\"", "positive"),
        ("Sentiment? \"Arrived two weeks late and the box was crushed.\"", "negative"),
        ("Classify: \"The package contains one charger and a USB-C cable.\"", "neutral"),
        ("Is this tweet positive or negative? \"Oh great, my flight is delayed again. Just what I needed today.\"",
         "Negative. The words \"great\" and \"just what I needed\" are sarcastic; the writer is annoyed about "
         "another flight delay."),
        ("Rate the sentiment from 1 (very negative) to 5 (very positive): \"The food was decent but way "
         "overpriced for the portion size.\"",
         "2 - mildly negative. The food quality is acceptable (\"decent\"), but the main point is a complaint "
         "about value for money."),
        ("Label each review as POS, NEG or NEU.\n\n1. Friendly staff and spotless rooms.\n2. The app crashes every "
         "time I open the camera.\n3. I ordered the blue one.\n4. Not bad at all, actually better than I "
         "expected!",
         "1. POS\n2. NEG\n3. NEU\n4. POS"),
        ("Classify the sentiment: \"I wanted to love this book, but the second half completely lost me.\"",
         "negative"),
        ("What's the overall sentiment of this customer email?\n\n\"Hi, I've been a customer for six years and "
         "have always been happy, but the new pricing makes it hard to justify staying. I'd appreciate it if "
         "someone could walk me through my options before my renewal date.\"",
         "Negative, though polite and not hostile. The customer is dissatisfied with the new pricing and is "
         "considering leaving, while still open to a conversation - a churn risk worth a personal follow-up."),
        ("Sentiment (positive/negative/neutral) of: \"Meh.\"", "negative"),
        ("Classify as positive or negative: \"Five stars. Would get food poisoning here again.\"",
         "Negative. The five stars and \"would ... again\" are sarcastic; the review reports food poisoning."),
        ("Sentiment: \"Setup took five minutes and it just works.\"", "positive"),
        ("Classify the sentiment of this product review and list the reasons.\n\n\"The vacuum is powerful and "
         "quiet, but the dust bin is tiny and the battery dies after 15 minutes.\"",
         "Mixed, leaning negative.\n- Positive: strong suction, quiet operation.\n- Negative: small dust bin, "
         "short battery life (about 15 minutes).\nThe drawbacks affect everyday use, so the overall tone is "
         "mildly negative."),
    ]
    return [qa(SENTIMENT, p, a, key=f"senti-{i + 1}") for i, (p, a) in enumerate(items)]


def build(rng: random.Random) -> list[Draft]:
    """All extraction and sentiment drafts."""
    return _extraction() + _sentiment()
