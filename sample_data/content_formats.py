"""Small example files in the other import formats: Alpaca, ShareGPT (LLaMA-Factory style) and question/answer
tables for the CSV / Parquet column mapping. Their content does not overlap with demo.jsonl."""

from __future__ import annotations

import json

ALPACA = [
    {"instruction": "把下面的句子改写成被动句。", "input": "猫抓住了老鼠。", "output": "老鼠被猫抓住了。"},
    {"instruction": "Classify the animal as a mammal, bird, reptile, amphibian or fish.", "input": "Salamander",
     "output": "Amphibian"},
    {"instruction": "给出三个描写春天的成语。", "input": "", "output": "春暖花开、鸟语花香、万物复苏。"},
    {"instruction": "Convert the temperature to Celsius.", "input": "98.6°F",
     "output": "37°C, because (98.6 - 32) × 5/9 = 37."},
    {"instruction": "Write a haiku about morning coffee.", "input": "",
     "output": "Steam curls from the cup\nthe kitchen still half asleep\nfirst sip, then the day"},
    {"instruction": "将下列水果按拼音首字母排序。", "input": "香蕉、苹果、橙子、草莓",
     "output": "草莓（cǎoméi）、橙子（chéngzi）、苹果（píngguǒ）、香蕉（xiāngjiāo）"},
    {"system": "You are a concise assistant. Answer in as few words as possible.",
     "instruction": "What is the chemical symbol for gold?", "input": "", "output": "Au"},
    {"instruction": "那这个国家的首都是哪里？", "input": "", "output": "澳大利亚的首都是堪培拉，不是悉尼。",
     "history": [["悉尼歌剧院在哪个国家？", "悉尼歌剧院在澳大利亚的悉尼。"]]},
    {"instruction": "Summarize the text in one sentence.",
     "input": "Honeybees communicate the location of food through a 'waggle dance'. The angle of the dance "
              "relative to vertical shows the direction of the food relative to the sun, and the length of the "
              "waggle run indicates the distance.",
     "output": "Honeybees use a waggle dance whose angle shows the direction of food relative to the sun and whose "
               "length shows its distance."},
    {"instruction": "找出下面句子中的错别字并改正。", "input": "我们要发杨艰苦奋斗的精神。",
     "output": "“发杨”应为“发扬”。改正后：我们要发扬艰苦奋斗的精神。"},
    {"instruction": "Translate to French.", "input": "Good morning, how are you?",
     "output": "Bonjour, comment allez-vous ?"},
    {"instruction": "计算下列表达式的值。", "input": "(15 + 9) × 4 ÷ 6", "output": "(15+9)×4÷6 = 24×4÷6 = 96÷6 = 16"},
    {"instruction": "Give an antonym for the word.", "input": "generous", "output": "stingy"},
    {"system": "你是一个旅行助手，回答简洁实用。", "instruction": "那第二天呢？", "input": "",
     "output": "第二天可以去临潼看兵马俑和华清宫，建议早上8点前出发，兵马俑至少预留3小时；傍晚回城后去回民街吃晚饭。",
     "history": [["帮我规划一下在西安的第一天行程。",
                  "第一天可以逛城内：上午登西安城墙骑行一圈，下午参观陕西历史博物馆（需提前预约），晚上去大雁塔看音乐喷泉、逛大唐不夜城。"]]},
    {"instruction": "Write a SQL query that counts the rows in the table users.", "input": "",
     "output": "SELECT COUNT(*) FROM users;"},
    {"instruction": "判断下面的说法是否正确，并说明理由。", "input": "月球本身会发光。",
     "output": "不正确。月球本身不发光，我们看到的月光是月球表面反射的太阳光。"},
    {"instruction": "Extract the year from the sentence.",
     "input": "The Eiffel Tower was completed in 1889 for the World's Fair.", "output": "1889"},
    {"instruction": "And how long does it take to get there by train?", "input": "",
     "output": "The Eurostar from London St Pancras to Paris Gare du Nord takes about 2 hours 20 minutes.",
     "history": [["What's a good weekend trip from London?",
                  "Paris is a classic: it's close by train, and a weekend is enough for the Louvre, a walk along "
                  "the Seine and a few good meals."],
                 ["Is it easy to get there?",
                  "Very easy. The Eurostar runs direct from central London to central Paris."]]},
    {"instruction": "用一句话解释什么是区块链。", "input": "",
     "output": "区块链是一种由多方共同维护、按时间顺序把数据打包成区块并用密码学方法链接起来的分布式账本，写入后很难被篡改。"},
    {"instruction": "Rewrite the sentence in the passive voice.", "input": "The chef cooked a delicious meal.",
     "output": "A delicious meal was cooked by the chef."},
]

_WEATHER_TOOL = {"name": "get_weather", "description": "获取指定城市的实时天气",
                 "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "城市名称"}},
                                "required": ["city"]}}
_CURRENCY_TOOL = {"name": "convert_currency", "description": "Convert an amount from one currency to another",
                  "parameters": {"type": "object", "properties": {
                      "amount": {"type": "number"}, "from": {"type": "string"}, "to": {"type": "string"}},
                      "required": ["amount", "from", "to"]}}
_CALC_TOOL = {"name": "calculate", "description": "Evaluate an arithmetic expression",
              "parameters": {"type": "object", "properties": {"expression": {"type": "string"}},
                             "required": ["expression"]}}
_BOOK_TOOL = {"name": "search_books", "description": "按书名或作者搜索图书馆藏书",
              "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}
_TIME_TOOL = {"name": "get_current_time", "description": "Get the current local time in a time zone",
              "parameters": {"type": "object",
                             "properties": {"timezone": {"type": "string", "description": "IANA name"}},
                             "required": ["timezone"]}}
_UNIT_TOOL = {"name": "convert_units", "description": "Convert a value between units",
              "parameters": {"type": "object", "properties": {
                  "value": {"type": "number"}, "from_unit": {"type": "string"}, "to_unit": {"type": "string"}},
                  "required": ["value", "from_unit", "to_unit"]}}


def _fc(name: str, **arguments) -> str:
    return json.dumps({"name": name, "arguments": arguments}, ensure_ascii=False)


def _obs(payload) -> str:
    return json.dumps(payload, ensure_ascii=False)


def _tools(*tools) -> str:
    return json.dumps(list(tools), ensure_ascii=False)


SHAREGPT = [
    {"conversations": [
        {"from": "human", "value": "广州今天天气怎么样？"},
        {"from": "function_call", "value": _fc("get_weather", city="广州")},
        {"from": "observation", "value": _obs({"city": "广州", "temperature": 31, "condition": "雷阵雨", "humidity": 82})},
        {"from": "gpt", "value": "广州今天有雷阵雨，气温31℃，湿度82%，比较闷热，出门记得带伞。"}],
     "tools": _tools(_WEATHER_TOOL)},
    {"conversations": [
        {"from": "system", "value": "You are a travel assistant that can convert currencies."},
        {"from": "human", "value": "How many euros is 250 US dollars?"},
        {"from": "function_call", "value": _fc("convert_currency", amount=250, **{"from": "USD", "to": "EUR"})},
        {"from": "observation", "value": _obs({"amount": 250, "from": "USD", "to": "EUR", "result": 231.5})},
        {"from": "gpt", "value": "250 US dollars is about 231.50 euros at the current rate."}],
     "tools": _tools(_CURRENCY_TOOL)},
    {"conversations": [
        {"from": "human", "value": "What is 17.5% of 2,480?"},
        {"from": "function_call", "value": _fc("calculate", expression="2480 * 0.175")},
        {"from": "observation", "value": _obs({"result": 434})},
        {"from": "gpt", "value": "17.5% of 2,480 is 434."}],
     "tools": _tools(_CALC_TOOL)},
    {"conversations": [
        {"from": "human", "value": "图书馆有刘慈欣的书吗？"},
        {"from": "function_call", "value": _fc("search_books", query="刘慈欣")},
        {"from": "observation", "value": _obs({"results": [{"title": "三体", "available": 2},
                                                           {"title": "流浪地球", "available": 0},
                                                           {"title": "球状闪电", "available": 1}]})},
        {"from": "gpt", "value": "有的，馆里有三本刘慈欣的书：《三体》可借2本，《球状闪电》可借1本，《流浪地球》目前都已借出。"}],
     "tools": _tools(_BOOK_TOOL, _WEATHER_TOOL)},
    {"conversations": [
        {"from": "human", "value": "What time is it in Tokyo right now?"},
        {"from": "function_call", "value": _fc("get_current_time", timezone="Asia/Tokyo")},
        {"from": "observation", "value": _obs({"timezone": "Asia/Tokyo", "local_time": "2024-07-02T21:14:05+09:00"})},
        {"from": "gpt", "value": "It's 9:14 pm on Tuesday, July 2 in Tokyo."},
        {"from": "human", "value": "And in Berlin?"},
        {"from": "function_call", "value": _fc("get_current_time", timezone="Europe/Berlin")},
        {"from": "observation",
         "value": _obs({"timezone": "Europe/Berlin", "local_time": "2024-07-02T14:14:05+02:00"})},
        {"from": "gpt", "value": "In Berlin it's 2:14 pm, seven hours behind Tokyo."}],
     "tools": _tools(_TIME_TOOL)},
    {"conversations": [
        {"from": "system", "value": "你是一个单位换算助手。"},
        {"from": "human", "value": "5英里是多少公里？"},
        {"from": "function_call", "value": _fc("convert_units", value=5, from_unit="mile", to_unit="km")},
        {"from": "observation", "value": _obs({"value": 8.04672, "unit": "km"})},
        {"from": "gpt", "value": "5英里约等于8.05公里。"}],
     "tools": _tools(_UNIT_TOOL)},
    {"conversations": [
        {"from": "human", "value": "推荐一部适合周末看的纪录片。"},
        {"from": "gpt", "value": "推荐《地球脉动》（Planet Earth）第二季：画面震撼，每集讲一种生态环境，一集不到一小时，周末一次看两三集正好。"}]},
    {"conversations": [
        {"from": "system", "value": "You are a patient English teacher."},
        {"from": "human", "value": "Is it 'fewer people' or 'less people'?"},
        {"from": "gpt", "value": "'Fewer people' is the standard form. Use 'fewer' with things you can count "
                                 "(people, books, cars) and 'less' with uncountable amounts (water, time, money)."},
        {"from": "human", "value": "What about 'less than 10 items' at the supermarket?"},
        {"from": "gpt", "value": "Strictly, 'fewer than 10 items', since items are countable. 'Less than' is "
                                 "accepted with numbers that express amounts, like 'less than 10 miles' or 'less "
                                 "than $20', so you'll see both on checkout signs."}]},
    {"conversations": [
        {"from": "human", "value": "怎么煮出溏心蛋？"},
        {"from": "gpt", "value": "1. 鸡蛋提前从冰箱拿出回温；\n2. 水烧开后转中小火，用勺子轻轻放入鸡蛋；\n"
                                 "3. 煮6分半钟（大号鸡蛋7分钟）；\n4. 立刻捞出放进冰水里泡5分钟，剥壳后就是蛋黄流心的溏心蛋。"}]},
    {"conversations": [
        {"from": "human", "value": "Give me a name for a bakery that sells only sourdough."},
        {"from": "gpt", "value": "How about \"The Patient Loaf\"? Sourdough takes time, and the name tells customers "
                                 "that's the point."},
        {"from": "human", "value": "Something shorter?"},
        {"from": "gpt", "value": "\"Crumb & Crust\", \"Starter\", or simply \"Levain\", the French word for "
                                 "sourdough starter."}]},
    {"conversations": [
        {"from": "system", "value": "你是一名高中化学老师。"},
        {"from": "human", "value": "为什么铁会生锈？"},
        {"from": "gpt", "value": "铁生锈是铁与空气中的氧气和水共同作用发生的电化学腐蚀，生成以氧化铁水合物为主的铁锈。"
                                 "铁锈疏松多孔，不能保护里面的铁，所以锈蚀会不断向内部发展。涂油漆、镀锌、保持干燥都能防锈。"}]},
    {"conversations": [
        {"from": "human", "value": "What's the tallest mountain in Africa?"},
        {"from": "gpt", "value": "Mount Kilimanjaro in Tanzania, at about 5,895 meters (19,341 feet)."}]},
    {"conversations": [
        {"from": "human", "value": "帮我写一句给同事的生日祝福。"},
        {"from": "gpt", "value": "生日快乐！感谢这一年在工作上的互相帮助，祝你新的一岁工作顺利、心想事成，天天都有好心情！"}]},
    {"conversations": [
        {"from": "human", "value": "How do I undo the last git commit but keep my changes?"},
        {"from": "gpt", "value": "Run `git reset --soft HEAD~1`. It removes the last commit and leaves its changes "
                                 "staged. Use `git reset HEAD~1` (the default mixed mode) if you want them "
                                 "unstaged instead. Don't do this on a commit you've already pushed to a shared "
                                 "branch; use `git revert` there."}]},
    {"conversations": [
        {"from": "human", "value": "成语“胸有成竹”是什么意思？"},
        {"from": "gpt", "value": "原指画竹子之前心里已经有了竹子的完整形象，出自宋代文同画竹的故事。比喻做事之前已经有了完整的计划和把握。"}]},
]

# question, answer, category (category uses the task_type taxonomy so it can feed --task-type-field).
QA_ROWS = [
    ("A school library has 420 books. It buys 3 boxes of 36 new books and gives away 58 old ones. How many "
     "books does it have now?",
     "The new books are 3 x 36 = <<3*36=108>>108.\nAfter buying them it has 420 + 108 = <<420+108=528>>528 books.\n"
     "After giving some away it has 528 - 58 = <<528-58=470>>470 books.\n#### 470", "reasoning/math"),
    ("A recipe needs 250 ml of milk for 4 pancakes. How much milk is needed for 10 pancakes?",
     "Each pancake needs 250 / 4 = <<250/4=62.5>>62.5 ml.\n"
     "10 pancakes need 62.5 x 10 = <<62.5*10=625>>625 ml.\n#### 625",
     "reasoning/math"),
    ("小华买了4支铅笔和2块橡皮，铅笔每支1.5元，橡皮每块2元，一共花了多少钱？",
     "铅笔：4×1.5=6（元）\n橡皮：2×2=4（元）\n一共：6+4=10（元）\n#### 10", "reasoning/math"),
    ("一辆汽车3小时行驶了210千米，照这样的速度，5小时能行驶多少千米？",
     "速度：210÷3=70（千米/时）\n5小时：70×5=350（千米）\n#### 350", "reasoning/math"),
    ("What is the largest planet in our solar system?", "Jupiter. It is more than twice as massive as all the "
     "other planets combined.", "reasoning/common-sense"),
    ("为什么用铁锅炒菜不能用太久的钢丝球刷？", "钢丝球会刮掉铁锅表面的油膜和氧化保护层，让锅更容易生锈、粘锅。"
     "清洗铁锅用软布或竹刷即可，洗完擦干后抹一层薄油。", "reasoning/common-sense"),
    ("Translate into English: 书山有路勤为径，学海无涯苦作舟。",
     "Diligence is the path up the mountain of books, and hard work is the boat across the boundless sea of "
     "learning.", "translation/zh→en"),
    ("把这句话翻译成中文：\"Better late than never.\"", "迟做总比不做好。（也可译作“亡羊补牢，犹未为晚”。）",
     "translation/en→zh"),
    ("What does \"HTTP\" stand for?", "HyperText Transfer Protocol.", "code/explanation"),
    ("Python中 `is` 和 `==` 有什么区别？", "`==` 比较两个对象的值是否相等；`is` 比较两个变量是否指向同一个对象（内存中的同一个实例）。"
     "判断是否为 None 时应该用 `is None`。", "code/explanation"),
    ("Which vitamin does the body make from sunlight?", "Vitamin D. The skin produces it when exposed to UVB light; "
     "it helps the body absorb calcium.", "medical/knowledge QA"),
    ("成年人每天喝多少水合适？", "一般建议成年人每天饮水1500-1700毫升左右（约7-8杯），天热、运动出汗多时要适当增加。"
     "少量多次饮用，不要等口渴了才喝。", "medical/knowledge QA"),
    ("What is a stock index?", "A stock index tracks the combined performance of a group of stocks, for example "
     "the S&P 500, which follows 500 large US companies. Index funds let you invest in the whole group at once.",
     "finance/knowledge QA"),
    ("什么是存款保险？", "存款保险是国家通过立法建立的保障制度，银行一旦倒闭，由存款保险基金向存款人偿付。"
     "我国的最高偿付限额为每个存款人在同一家银行的存款本金和利息合计50万元。", "finance/knowledge QA"),
    ("Can I return an opened video game?", "Usually only if it's defective; most stores accept opened games for "
     "an exchange of the same title. Check the store's return policy, and keep the receipt and original case.",
     "e-commerce/customer service"),
    ("快递显示签收了但我没收到，怎么办？", "先问问家人、门卫或快递柜，确认是否被代收；再联系快递员核实投递位置。"
     "如果仍找不到，请在订单页申请售后并提供情况说明，平台会协助向快递公司索赔或为您补发。", "e-commerce/customer service"),
    ("Why did the Titanic sink?", "On 15 April 1912 it struck an iceberg in the North Atlantic, which buckled the "
     "hull and flooded several forward compartments, more than the ship's design could survive. There were "
     "lifeboats for only about half of the people on board, so more than 1,500 died.", "education/tutoring"),
    ("“春眠不觉晓”的下一句是什么？", "“处处闻啼鸟。”出自唐代孟浩然的《春晓》。全诗是：春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。",
     "education/tutoring"),
    ("Is this review positive or negative? \"Loved the view, hated the noise, would still go back.\"",
     "Mixed, leaning positive: the writer complains about the noise but says they would return.",
     "classification/sentiment"),
    ("判断情感：“等了一个小时才上菜，味道也一般。”", "负面", "classification/sentiment"),
]
