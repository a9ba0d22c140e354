"""General zh+en text the project generates for pre-training the offline `tiny` model.

Everything here is produced from small word lists and templates with a seeded RNG, so the corpus is the same
on every machine and can never contain an eval sample. It mixes four kinds of documents:
- short English and Chinese paragraphs from a simple grammar (word order, common words, punctuation);
- arithmetic word problems solved step by step, ending "#### N" / "The answer is N" / "答案是 N";
- chat dialogues (plain answers, multi-turn, system prompts, tool calls) for the chat template;
- word-frequency text: English words drawn by their frequency in pyspellchecker's English list and Chinese
  words from pypinyin's phrase list (both project dependencies), so the model's vocabulary statistics
  resemble real text and its loss on real samples starts from a calibrated place, not from overconfidence
  in the templates;
- for the tokenizer only, the 3,755 common Chinese characters (GB2312 level 1) so any Chinese text gets
  one token per character instead of three byte tokens.
"""
from __future__ import annotations

import itertools
import json
import random
from functools import lru_cache

NAMES_EN = ["Tom", "Anna", "Sam", "Lucy", "Maria", "John", "Mei", "Ahmed", "Olga", "Ravi", "Emma", "Leo"]
THINGS = [("apple", "苹果", "个"), ("book", "书", "本"), ("pencil", "铅笔", "支"), ("cup", "杯子", "个"),
          ("flower", "花", "朵"), ("chair", "椅子", "把"), ("computer", "电脑", "台"), ("cake", "蛋糕", "块"),
          ("shirt", "衬衫", "件"), ("bicycle", "自行车", "辆"), ("letter", "信", "封"), ("box", "盒子", "个"),
          ("orange", "橙子", "个"), ("ticket", "票", "张"), ("bottle", "瓶子", "个"), ("map", "地图", "张"),
          ("egg", "鸡蛋", "个"), ("kite", "风筝", "个"), ("stamp", "邮票", "张"), ("candle", "蜡烛", "支")]
PLACES = [("library", "图书馆"), ("park", "公园"), ("school", "学校"), ("kitchen", "厨房"), ("market", "市场"),
          ("station", "车站"), ("office", "办公室"), ("garden", "花园"), ("museum", "博物馆"), ("shop", "商店")]
TIMES = [("In the morning", "早上"), ("At noon", "中午"), ("In the evening", "晚上"), ("On Monday", "星期一"),
         ("Every day", "每天"), ("Yesterday", "昨天"), ("After school", "放学后"), ("On the weekend", "周末")]
VERBS = [("reads", "read", "看"), ("buys", "buy", "买"), ("cleans", "clean", "洗"), ("carries", "carry", "拿"),
         ("draws", "draw", "画"), ("finds", "find", "找到"), ("opens", "open", "打开"), ("sells", "sell", "卖"),
         ("paints", "paint", "画"), ("keeps", "keep", "保存"), ("moves", "move", "搬"), ("shows", "show", "展示")]
ADJS = [("small", "小"), ("red", "红色"), ("old", "旧"), ("new", "新"), ("quiet", "安静"), ("bright", "明亮"),
        ("heavy", "重"), ("beautiful", "漂亮"), ("cheap", "便宜"), ("clean", "干净"), ("large", "大"),
        ("useful", "有用")]
NAMES_ZH = ["小明", "小红", "李华", "王芳", "张伟", "刘洋", "陈静", "老师", "妈妈", "爸爸", "同学们", "奶奶"]
CAPITALS = [("France", "Paris", "法国", "巴黎"), ("Japan", "Tokyo", "日本", "东京"), ("China", "Beijing", "中国", "北京"),
            ("Italy", "Rome", "意大利", "罗马"), ("Germany", "Berlin", "德国", "柏林"), ("Egypt", "Cairo", "埃及", "开罗"),
            ("Canada", "Ottawa", "加拿大", "渥太华"), ("Spain", "Madrid", "西班牙", "马德里"),
            ("Russia", "Moscow", "俄罗斯", "莫斯科"), ("Kenya", "Nairobi", "肯尼亚", "内罗毕")]
SYSTEMS = ["You are a helpful assistant.", "You are a concise assistant. Answer briefly.",
           "你是一个乐于助人的助手。", "请用简洁的语言回答。"]
TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "Current weather for a city",
                                      "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                     "required": ["city"]}}},
    {"type": "function", "function": {"name": "add", "description": "Add two numbers",
                                      "parameters": {"type": "object", "properties": {
                                          "a": {"type": "number"}, "b": {"type": "number"}}}}},
]


def common_hanzi() -> str:
    """The 3,755 level-1 characters of GB2312 (the most common simplified Chinese characters)."""
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # the few unassigned code points at the end of level 1
    return "".join(chars)


def english_paragraph(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randint(2, 5)):
        name, (time, _), (place, _) = rng.choice(NAMES_EN), rng.choice(TIMES), rng.choice(PLACES)
        (verb_s, verb, _), (adj, _), (thing, _, _) = rng.choice(VERBS), rng.choice(ADJS), rng.choice(THINGS)
        adj2 = rng.choice(ADJS)[0]
        out.append(rng.choice([
            f"{time}, {name} {verb_s} a {adj} {thing} in the {place}.",
            f"The {thing} in the {place} is {adj}.",
            f"{name} likes to {verb} {adj} {thing}s because they are {adj2}.",
            f"If it rains, {name} stays in the {place} and {verb_s} the {thing}.",
            f"There are {rng.randint(2, 30)} {thing}s in the {place}, and most of them are {adj}.",
            f"{name} asked where the {adj} {thing} was, and someone said it was in the {place}.",
        ]))
    return " ".join(out)


def chinese_paragraph(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randint(2, 5)):
        name, (_, time), (_, place) = rng.choice(NAMES_ZH), rng.choice(TIMES), rng.choice(PLACES)
        (_, _, verb), (_, adj), (_, thing, mw) = rng.choice(VERBS), rng.choice(ADJS), rng.choice(THINGS)
        out.append(rng.choice([
            f"{time}，{name}在{place}{verb}了一{mw}{adj}的{thing}。",
            f"{place}里的{thing}很{adj}。",
            f"{name}喜欢{verb}{thing}，因为它很{adj}。",
            f"如果下雨，{name}就在{place}里{verb}{thing}。",
            f"{place}里有{rng.randint(2, 30)}{mw}{thing}，大多数都很{adj}。",
            f"{name}问{adj}的{thing}在哪里，有人说在{place}。",
        ]))
    return "".join(out)


def word_problem(rng: random.Random, zh: bool) -> tuple[str, str]:
    """A one-step arithmetic problem and its worked solution."""
    a, b = rng.randint(2, 60), rng.randint(2, 40)
    op = rng.choice("+-*")
    if op == "-" and b > a:
        a, b = b, a
    result = {"+": a + b, "-": a - b, "*": a * b}[op]
    sym = {"+": "+", "-": "-", "*": "×"}[op]
    if zh:
        name, (_, thing, mw) = rng.choice(NAMES_ZH), rng.choice(THINGS)
        question = {"+": f"{name}有{a}{mw}{thing}，又买了{b}{mw}。现在一共有多少{mw}？",
                    "-": f"{name}有{a}{mw}{thing}，送给朋友{b}{mw}。还剩多少{mw}？",
                    "*": f"每个盒子里有{a}{mw}{thing}，{name}有{b}个盒子。一共有多少{mw}{thing}？"}[op]
        answer = f"{a} {sym} {b} = {result}。" + rng.choice([f"答案是 {result}。", f"\n#### {result}"])
    else:
        name, (thing, _, _) = rng.choice(NAMES_EN), rng.choice(THINGS)
        question = {"+": f"{name} has {a} {thing}s and buys {b} more. How many {thing}s does {name} have now?",
                    "-": f"{name} has {a} {thing}s and gives away {b}. How many {thing}s are left?",
                    "*": f"Each box holds {a} {thing}s and {name} has {b} boxes. How many {thing}s are there?"}[op]
        answer = f"{a} {sym} {b} = {result}. " + rng.choice([f"The answer is {result}.", f"\n#### {result}"])
    return question, answer


def dialogue(rng: random.Random) -> tuple[list[dict], list | None]:
    """A chat conversation (messages, tools) of a random everyday kind."""
    kind = rng.choice(["math", "math", "repeat", "translate", "sentence", "capital", "count", "sort", "tool",
                       "multi"])
    if kind == "tool":
        return _tool_dialogue(rng), TOOLS
    messages = [{"role": "system", "content": rng.choice(SYSTEMS)}] if rng.random() < 0.3 else []
    for _ in range(rng.randint(2, 3) if kind == "multi" else 1):
        user, assistant = _exchange(rng, rng.choice(["math", "repeat", "translate", "capital", "count"])
                                    if kind == "multi" else kind)
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return messages, None


def _exchange(rng: random.Random, kind: str) -> tuple[str, str]:
    zh = rng.random() < 0.5
    if kind == "math":
        return word_problem(rng, zh)
    if kind == "repeat":
        text = chinese_paragraph(rng) if zh else english_paragraph(rng)
        return (f"请重复这句话：{text}", text) if zh else (f"Repeat after me: {text}", text)
    if kind == "translate":
        en, zh_word, _ = rng.choice(THINGS)
        return (f"“{zh_word}”用英语怎么说？", f"“{zh_word}”的英语是 {en}。") if zh else (
            f"How do you say '{en}' in Chinese?", f"'{en}' in Chinese is {zh_word}.")
    if kind == "sentence":
        return (("写一句话。", chinese_paragraph(rng)) if zh else ("Write a few sentences.", english_paragraph(rng)))
    if kind == "capital":
        country, city, country_zh, city_zh = rng.choice(CAPITALS)
        return (f"{country_zh}的首都是哪里？", f"{country_zh}的首都是{city_zh}。") if zh else (
            f"What is the capital of {country}?", f"The capital of {country} is {city}.")
    if kind == "count":
        word = rng.choice(THINGS)[0]
        return f"How many letters are in the word '{word}'?", f"The word '{word}' has {len(word)} letters."
    numbers = [rng.randint(1, 99) for _ in range(rng.randint(3, 7))]
    listed = ", ".join(map(str, numbers))
    return f"Sort these numbers from small to large: {listed}", ", ".join(map(str, sorted(numbers)))


def _tool_dialogue(rng: random.Random) -> list[dict]:
    if rng.random() < 0.5:
        (_, city, _, city_zh), temp = rng.choice(CAPITALS), rng.randint(-10, 35)
        zh = rng.random() < 0.5
        user = f"{city_zh}现在天气怎么样？" if zh else f"What is the weather in {city} now?"
        call = {"name": "get_weather", "arguments": json.dumps({"city": city}, ensure_ascii=False)}
        result = json.dumps({"city": city, "temperature_c": temp})
        final = f"{city_zh}现在气温是 {temp} 摄氏度。" if zh else f"It is {temp} degrees Celsius in {city} now."
    else:
        a, b = rng.randint(100, 9999), rng.randint(100, 9999)
        user = f"Please add {a} and {b} with the calculator."
        call = {"name": "add", "arguments": json.dumps({"a": a, "b": b})}
        result = json.dumps({"result": a + b})
        final = f"{a} + {b} = {a + b}."
    return [{"role": "user", "content": user},
            {"role": "assistant", "content": "", "tool_calls": [{"id": "call_0", "type": "function",
                                                                   "function": call}]},
            {"role": "tool", "tool_call_id": "call_0", "content": result},
            {"role": "assistant", "content": final}]


ZH_FUNCTION_WORDS = ["的", "了", "是", "在", "和", "我们", "他们", "这个", "一个", "不", "也", "就", "都", "很", "有",
                     "可以", "没有", "因为", "所以", "但是", "如果", "已经", "还", "会", "要", "把", "被", "对", "从"]


@lru_cache(maxsize=1)
def word_lists() -> tuple[list[str], list[float], list[str]]:
    """(English words, their cumulative sampling weights, Chinese phrases), sorted for determinism."""
    from pypinyin.phrases_dict import phrases_dict
    from spellchecker import SpellChecker

    freq = SpellChecker().word_frequency.dictionary
    top = sorted(((w, c) for w, c in freq.items() if w.isalpha() or "'" in w), key=lambda wc: (-wc[1], wc[0]))
    words = [w for w, _ in top[:30_000]]
    cum = list(itertools.accumulate(c ** 0.9 for _, c in top[:30_000]))  # close to the real unigram law
    common = set(common_hanzi())
    phrases = sorted(p for p in phrases_dict if 2 <= len(p) <= 4 and all(ch in common for ch in p))
    return words, cum, phrases


def english_word_text(rng: random.Random) -> str:
    """Sentences of English words drawn by real-world frequency (no grammar, real statistics)."""
    words, cum, _ = word_lists()
    out = []
    for _ in range(rng.randint(2, 6)):
        ws = rng.choices(words, cum_weights=cum, k=rng.randint(5, 16))
        ws[0] = ws[0].capitalize()
        out.append(" ".join(ws) + rng.choice([".", ".", ".", "?", "!", ","]))
    return " ".join(out)


def chinese_word_text(rng: random.Random) -> str:
    """Sentences of common Chinese words and function words."""
    _, _, phrases = word_lists()
    out = []
    for _ in range(rng.randint(2, 6)):
        n = rng.randint(4, 12)
        out.append("".join(rng.choice(ZH_FUNCTION_WORDS) if rng.random() < 0.4 else rng.choice(phrases)
                           for _ in range(n)) + rng.choice(["。", "。", "，", "？", "！"]))
    return "".join(out)


def plain_documents(rng: random.Random, n: int) -> list[str]:
    """n general-text documents: grammar paragraphs, worked problems and word-frequency text, zh and en."""
    docs = []
    for _ in range(n):
        r = rng.random()
        if r < 0.2:
            docs.append(english_paragraph(rng))
        elif r < 0.4:
            docs.append(chinese_paragraph(rng))
        elif r < 0.55:
            q, a = word_problem(rng, rng.random() < 0.5)
            docs.append(f"{q}\n{a}")
        elif r < 0.78:
            docs.append(english_word_text(rng))
        else:
            docs.append(chinese_word_text(rng))
    return docs


def hanzi_documents(rng: random.Random, repeats: int = 3) -> list[str]:
    """Lines of common characters, each character `repeats` times, for training the tokenizer."""
    chars = list(common_hanzi())
    docs = []
    for _ in range(repeats):
        rng.shuffle(chars)
        docs += ["".join(chars[i:i + 12]) + "。" for i in range(0, len(chars), 12)]
    return docs
