"""agent/function call: OpenAI tool_calls format (assistant tool_calls → tool turns → final assistant answer)."""

from __future__ import annotations

import random

from content_common import Draft, assistant_msg, call, calls_turn, system_msg, tool_spec, tool_turn, user_msg

AGENT = "agent/function call"
AGENT_SYSTEM = ("You are a helpful assistant with access to tools. Call a tool when you need live data; "
                "otherwise answer directly.")
AGENT_SYSTEM_ZH = "你是一个可以调用工具的智能助手。需要实时信息时调用工具，拿到结果后用简洁的中文回答用户。"

WEATHER = tool_spec("get_weather", "Get the current weather or a forecast for a city.", {
    "city": {"type": "string", "description": "City name, e.g. Beijing"},
    "date": {"type": "string", "description": "ISO date; omit for current weather"},
    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit"},
}, ["city"])
FLIGHTS = tool_spec("search_flights", "Search one-way flights between two airports on a date.", {
    "origin": {"type": "string", "description": "IATA code of the departure airport"},
    "destination": {"type": "string", "description": "IATA code of the arrival airport"},
    "date": {"type": "string", "description": "Departure date, YYYY-MM-DD"},
    "max_stops": {"type": "integer", "description": "Maximum number of stops"},
}, ["origin", "destination", "date"])
CURRENCY = tool_spec("convert_currency", "Convert an amount between currencies at today's rate.", {
    "amount": {"type": "number"}, "from_currency": {"type": "string", "description": "ISO 4217 code"},
    "to_currency": {"type": "string", "description": "ISO 4217 code"},
}, ["amount", "from_currency", "to_currency"])
CALENDAR = tool_spec("create_calendar_event", "Create an event in the user's calendar.", {
    "title": {"type": "string"}, "start": {"type": "string", "description": "ISO 8601 datetime"},
    "duration_minutes": {"type": "integer"}, "attendees": {"type": "array", "items": {"type": "string"}},
}, ["title", "start"])
ORDER = tool_spec("query_order_status", "查询电商订单的状态和物流信息。", {
    "order_id": {"type": "string", "description": "订单号"},
}, ["order_id"])
EMAIL = tool_spec("send_email", "Send an email on behalf of the user.", {
    "to": {"type": "string"}, "subject": {"type": "string"}, "body": {"type": "string"},
}, ["to", "subject", "body"])
STOCK = tool_spec("get_stock_price", "Get the latest price of a stock by ticker symbol.", {
    "symbol": {"type": "string", "description": "Ticker, e.g. AAPL"},
}, ["symbol"])
RESTAURANTS = tool_spec("search_restaurants", "按城市、菜系和人均价格搜索餐厅。", {
    "city": {"type": "string"}, "cuisine": {"type": "string", "description": "菜系，如川菜、粤菜"},
    "max_price_per_person": {"type": "integer", "description": "人均价格上限（元）"},
}, ["city"])
CALCULATOR = tool_spec("calculator", "Evaluate an arithmetic expression exactly.", {
    "expression": {"type": "string", "description": "e.g. (1 + 2) * 3"},
}, ["expression"])
PRODUCTS = tool_spec("search_products", "在商城中搜索商品。", {
    "keyword": {"type": "string"}, "max_price": {"type": "number"},
    "sort": {"type": "string", "enum": ["price", "sales", "rating"]},
}, ["keyword"])
CART = tool_spec("add_to_cart", "把商品加入购物车。", {
    "product_id": {"type": "string"}, "quantity": {"type": "integer"},
}, ["product_id", "quantity"])
TRACK = tool_spec("track_package", "Track a parcel by carrier tracking number.", {
    "tracking_number": {"type": "string"},
}, ["tracking_number"])
REMINDER = tool_spec("set_reminder", "为用户设置提醒。", {
    "content": {"type": "string", "description": "提醒内容"}, "time": {"type": "string", "description": "ISO 8601 时间"},
}, ["content", "time"])
TRANSLATE = tool_spec("translate_text", "Translate text between languages.", {
    "text": {"type": "string"}, "target_language": {"type": "string", "description": "e.g. ja, fr, en"},
}, ["text", "target_language"])


def _agent(messages: list[dict], tools: list[dict], key: str) -> Draft:
    return Draft(AGENT, messages, tools=tools, key=key)


def build(rng: random.Random) -> list[Draft]:
    """All function-call drafts."""
    drafts = [
        _agent([system_msg(AGENT_SYSTEM_ZH), user_msg("北京现在天气怎么样？"),
                calls_turn(call("call_0", "get_weather", city="北京", unit="celsius")),
                tool_turn("call_0", {"city": "北京", "temperature": 3, "condition": "晴", "humidity": 28,
                                     "wind": "北风3级", "aqi": 45}),
                assistant_msg("北京现在晴，气温3℃，湿度28%，北风3级，空气质量优（AQI 45）。天气干冷，出门注意保暖和补水。")],
               [WEATHER], "agent-weather-bj"),
        _agent([system_msg(AGENT_SYSTEM), user_msg("Compare the weather in London and Paris right now."),
                calls_turn(call("call_0", "get_weather", city="London", unit="celsius"),
                           call("call_1", "get_weather", city="Paris", unit="celsius")),
                tool_turn("call_0", {"city": "London", "temperature": 11, "condition": "light rain", "humidity": 87}),
                tool_turn("call_1", {"city": "Paris", "temperature": 14, "condition": "partly cloudy", "humidity": 66}),
                assistant_msg("Right now Paris is a little warmer and drier: 14°C and partly cloudy (66% humidity). "
                          "London is 11°C with light rain and 87% humidity, so take an umbrella there.")],
               [WEATHER], "agent-weather-2cities"),
        _agent([system_msg(AGENT_SYSTEM), user_msg("Find me a nonstop flight from SFO to JFK on 2024-11-08."),
                calls_turn(call("call_0", "search_flights", origin="SFO", destination="JFK", date="2024-11-08",
                                max_stops=0)),
                tool_turn("call_0", {"flights": [
                    {"flight": "UA 1234", "depart": "07:00", "arrive": "15:35", "price_usd": 289},
                    {"flight": "B6 416", "depart": "13:15", "arrive": "21:52", "price_usd": 214},
                    {"flight": "DL 620", "depart": "22:30", "arrive": "07:05+1", "price_usd": 198}]}),
                assistant_msg("I found 3 nonstop flights from SFO to JFK on November 8, 2024:\n\n"
                          "| Flight | Departs | Arrives | Price |\n|---|---|---|---|\n"
                          "| UA 1234 | 07:00 | 15:35 | $289 |\n| B6 416 | 13:15 | 21:52 | $214 |\n"
                          "| DL 620 | 22:30 | 07:05 (next day) | $198 |\n\nThe red-eye DL 620 is cheapest; B6 416 is a "
                          "good middle ground if you'd rather not fly overnight. Want me to check return flights?")],
               [FLIGHTS, WEATHER], "agent-flights"),
        _agent([system_msg(AGENT_SYSTEM_ZH), user_msg("500美元现在能换多少人民币？"),
                calls_turn(call("call_0", "convert_currency", amount=500, from_currency="USD", to_currency="CNY")),
                tool_turn("call_0", {"amount": 500, "from": "USD", "to": "CNY", "rate": 7.1842, "result": 3592.1}),
                assistant_msg("按当前汇率1美元≈7.1842元人民币计算，500美元约可兑换3592.10元人民币。"
                          "实际在银行换汇时会按银行的现汇或现钞卖出价计算，可能略有差异。")],
               [CURRENCY], "agent-currency"),
        _agent([system_msg(AGENT_SYSTEM),
                user_msg("Set up a 45-minute design review next Tuesday (2024-06-18) at 3pm with anna@acme.io and "
                     "raj@acme.io."),
                calls_turn(call("call_0", "create_calendar_event", title="Design review",
                                start="2024-06-18T15:00:00", duration_minutes=45,
                                attendees=["anna@acme.io", "raj@acme.io"])),
                tool_turn("call_0", {"status": "created", "event_id": "evt_8f21", "invites_sent": 2}),
                assistant_msg("Done. \"Design review\" is on your calendar for Tuesday, June 18, 3:00-3:45 pm, and "
                          "invitations went out to Anna and Raj.")],
               [CALENDAR, EMAIL], "agent-calendar"),
        _agent([system_msg(AGENT_SYSTEM_ZH), user_msg("帮我查一下订单 8843120957 到哪了"),
                calls_turn(call("call_0", "query_order_status", order_id="8843120957")),
                tool_turn("call_0", {"order_id": "8843120957", "status": "运输中", "carrier": "顺丰速运",
                                     "tracking_no": "SF1402837465021", "latest": "【杭州转运中心】已发出，下一站【上海浦东集散中心】",
                                     "eta": "明天18:00前"}),
                assistant_msg("您的订单8843120957正在运输中，由顺丰速运配送（运单号SF1402837465021）。"
                          "最新进度：包裹已从杭州转运中心发出，下一站是上海浦东集散中心，预计明天18:00前送达。")],
               [ORDER], "agent-order"),
        _agent([system_msg(AGENT_SYSTEM),
                user_msg("Email my landlord at j.morris@example.com that the kitchen tap is leaking and ask when a "
                     "plumber can come. Keep it polite."),
                calls_turn(call("call_0", "send_email", to="j.morris@example.com",
                                subject="Leaking kitchen tap",
                                body="Hi Mr. Morris,\n\nI wanted to let you know that the kitchen tap in the flat "
                                     "has started leaking steadily, even when it's fully turned off. Could you let "
                                     "me know when a plumber might be able to come and take a look? I'm happy to "
                                     "work around their schedule.\n\nThank you,\n[Your name]")),
                tool_turn("call_0", {"status": "sent", "message_id": "msg_55c0"}),
                assistant_msg("Sent. I emailed Mr. Morris (j.morris@example.com) with the subject \"Leaking kitchen "
                          "tap\", explaining that the tap leaks even when fully closed and asking when a plumber "
                          "can come. I said you're flexible on timing.")],
               [EMAIL], "agent-email"),
        _agent([system_msg(AGENT_SYSTEM), user_msg("What are AAPL and MSFT trading at?"),
                calls_turn(call("call_0", "get_stock_price", symbol="AAPL"),
                           call("call_1", "get_stock_price", symbol="MSFT")),
                tool_turn("call_0", {"symbol": "AAPL", "price": 189.84, "change_percent": -0.42,
                                     "as_of": "2024-05-17T16:00:00-04:00"}),
                tool_turn("call_1", {"symbol": "MSFT", "price": 420.21, "change_percent": 0.18,
                                     "as_of": "2024-05-17T16:00:00-04:00"}),
                assistant_msg("As of the close on May 17, 2024:\n- AAPL: $189.84 (down 0.42%)\n- MSFT: $420.21 "
                          "(up 0.18%)")],
               [STOCK], "agent-stocks"),
        _agent([system_msg(AGENT_SYSTEM_ZH), user_msg("成都有什么人均100以内的川菜馆推荐？"),
                calls_turn(call("call_0", "search_restaurants", city="成都", cuisine="川菜", max_price_per_person=100)),
                tool_turn("call_0", {"results": [
                    {"name": "蜀味小馆（青华路店）", "price_per_person": 68, "rating": 4.6, "signature": "麻婆豆腐"},
                    {"name": "巷子里·川小馆", "price_per_person": 85, "rating": 4.7, "signature": "红糖锅盔、藤椒鱼"},
                    {"name": "锦江人家冷锅鱼", "price_per_person": 72, "rating": 4.5, "signature": "冷锅鱼"}]}),
                assistant_msg("为您找到3家人均100元以内的成都川菜馆：\n1. 巷子里·川小馆：人均85元，评分4.7，招牌红糖锅盔、藤椒鱼；\n"
                          "2. 蜀味小馆（青华路店）：人均68元，评分4.6，必点麻婆豆腐；\n"
                          "3. 锦江人家冷锅鱼：人均72元，评分4.5，主打冷锅鱼。\n\n如果怕辣，点菜时可以跟店家说“微辣”。")],
               [RESTAURANTS], "agent-restaurants"),
        _agent([system_msg(AGENT_SYSTEM),
                user_msg("If I put $350 a month into savings for 3 years and add a $1,200 bonus each December, how "
                     "much will I have saved, ignoring interest?"),
                calls_turn(call("call_0", "calculator", expression="350 * 36 + 1200 * 3")),
                tool_turn("call_0", {"result": 16200}),
                assistant_msg("You'd have $16,200 saved: $350 × 36 months = $12,600 from monthly deposits, plus "
                          "3 December bonuses of $1,200 = $3,600.")],
               [CALCULATOR], "agent-calculator"),
        _agent([system_msg(AGENT_SYSTEM_ZH), user_msg("帮我找一款200元以内评价最好的蓝牙耳机，加一个到购物车。"),
                calls_turn(call("call_0", "search_products", keyword="蓝牙耳机", max_price=200, sort="rating")),
                tool_turn("call_0", {"items": [
                    {"product_id": "P10293", "title": "声悦 Air2 真无线蓝牙耳机 降噪", "price": 179, "rating": 4.9},
                    {"product_id": "P22871", "title": "律动 S5 运动蓝牙耳机 挂耳式", "price": 139, "rating": 4.8}]}),
                calls_turn(call("call_1", "add_to_cart", product_id="P10293", quantity=1)),
                tool_turn("call_1", {"status": "ok", "cart_count": 3}),
                assistant_msg("已为您把评分最高的“声悦 Air2 真无线蓝牙耳机”（179元，评分4.9，带降噪）加入购物车，"
                          "现在购物车里共有3件商品。如果您更看重运动时佩戴稳固，评分4.8的“律动 S5 挂耳式”（139元）也不错。")],
               [PRODUCTS, CART], "agent-shopping"),
        _agent([system_msg(AGENT_SYSTEM), user_msg("Where's my parcel? Tracking number 1Z999AA10123456784"),
                calls_turn(call("call_0", "track_package", tracking_number="1Z999AA10123456784")),
                tool_turn("call_0", {"error": "NOT_FOUND", "message": "No shipment matches this tracking number yet."}),
                assistant_msg("The carrier has no record of 1Z999AA10123456784 yet. That usually means the label was "
                          "created but the parcel hasn't been scanned at pickup, which can take up to 24 hours. "
                          "Please double-check the number against your shipping confirmation, and try again "
                          "tomorrow. If it still isn't found, contact the sender to confirm it was handed over.")],
               [TRACK], "agent-track-error"),
        _agent([system_msg(AGENT_SYSTEM_ZH), user_msg("提醒我明天早上8点给妈妈打电话，今天是2024年5月11日。"),
                calls_turn(call("call_0", "set_reminder", content="给妈妈打电话", time="2024-05-12T08:00:00+08:00")),
                tool_turn("call_0", {"status": "scheduled", "reminder_id": "rmd_301"}),
                assistant_msg("好的，已设置提醒：2024年5月12日（明天）早上8:00提醒您给妈妈打电话。明天正好是母亲节，记得替我问声好～")],
               [REMINDER], "agent-reminder"),
        _agent([system_msg(AGENT_SYSTEM),
                user_msg("Translate 'Where is the nearest pharmacy?' into Japanese and French."),
                calls_turn(call("call_0", "translate_text", text="Where is the nearest pharmacy?",
                                target_language="ja"),
                           call("call_1", "translate_text", text="Where is the nearest pharmacy?",
                                target_language="fr")),
                tool_turn("call_0", {"translation": "一番近い薬局はどこですか？"}),
                tool_turn("call_1", {"translation": "Où se trouve la pharmacie la plus proche ?"}),
                assistant_msg("- Japanese: 一番近い薬局はどこですか？ (Ichiban chikai yakkyoku wa doko desu ka?)\n"
                          "- French: Où se trouve la pharmacie la plus proche ?")],
               [TRANSLATE], "agent-translate"),
        _agent([system_msg(AGENT_SYSTEM),
                user_msg("Should I bring an umbrella to Shanghai tomorrow? Today is 2024-06-20."),
                calls_turn(call("call_0", "get_weather", city="Shanghai", date="2024-06-21", unit="celsius")),
                tool_turn("call_0", {"city": "Shanghai", "date": "2024-06-21", "high": 29, "low": 24,
                                     "condition": "thunderstorms", "precipitation_probability": 80}),
                assistant_msg("Yes, bring one. Tomorrow (June 21) Shanghai expects thunderstorms with an 80% chance of "
                          "rain, highs around 29°C and lows of 24°C. It's the plum-rain season, so a compact "
                          "umbrella and shoes that can get wet are a good idea.")],
               [WEATHER], "agent-umbrella"),
        _agent([system_msg(AGENT_SYSTEM_ZH), user_msg("上海明天会下雨吗？"),
                calls_turn(call("call_0", "get_weather", city="上海", date="2024-09-03")),
                tool_turn("call_0", {"city": "上海", "date": "2024-09-03", "high": 33, "low": 27, "condition": "多云",
                                     "precipitation_probability": 10}),
                assistant_msg("明天上海多云，降雨概率只有10%，基本不会下雨。最高气温33℃，最低27℃，天气比较闷热，注意防晒。"),
                user_msg("那杭州呢？"),
                calls_turn(call("call_1", "get_weather", city="杭州", date="2024-09-03")),
                tool_turn("call_1", {"city": "杭州", "date": "2024-09-03", "high": 35, "low": 26,
                                     "condition": "午后雷阵雨", "precipitation_probability": 60}),
                assistant_msg("杭州明天午后有雷阵雨，降雨概率60%，最高气温35℃、最低26℃。如果下午要出门，建议带把伞。")],
               [WEATHER], "agent-multiturn"),
        _agent([system_msg(AGENT_SYSTEM), user_msg("Hi! What kinds of things can you help me with?"),
                assistant_msg("Hi! I can look up the weather for any city, search for flights, convert currencies, "
                          "and create calendar events for you. I can also answer general questions directly. "
                          "What would you like to do?")],
               [WEATHER, FLIGHTS, CURRENCY, CALENDAR], "agent-no-call"),
    ]
    return drafts
