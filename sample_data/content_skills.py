"""Four short-answer skills a small chat model (SmolLM2-135M) learns in a few hundred LoRA steps, so the
one-click before/after shows a real change: self-identity, fixed-label classification, a fixed output format,
short extraction. English only (the real-model preset's Chinese is gibberish).

Each skill has one answer shape that is easy to read off a side-by-side (the exact product name, one label, one
`NAME | ITEM | QTY` line, one city), and prompts varied enough that no two samples are near duplicates: every
prompt draws a context, a phrasing and its slot values independently from the seeded generator.
"""
from __future__ import annotations

import random

from content_common import Draft, qa

IDENTITY = "identity/self"
TOPIC = "classification/topic label"
ORDER_LINE = "formatting/order line"
CITY = "extraction/city"
MAX_SIMILARITY = 0.6  # prompt-to-prompt; decontamination calls 0.7 a leak, dedup 0.8 a near duplicate
PER_SKILL = 110  # with the default 10% eval share, every skill gets 11 eval items: enough for a paired CI

PRODUCT, AUTHOR = "SFT Workbench", "the SFT Workbench team"
IDENTITY_ANSWER = f"I am {PRODUCT}, an AI assistant built by {AUTHOR}."

OPENERS = [  # a context sentence is an opener and a detail, each pair used once
    "I just got back from a long hike", "My sister told me about this chat", "Our team is finishing a report",
    "I am learning to play the cello", "The airport train is delayed again", "We adopted a grey kitten",
    "My laptop battery is nearly empty", "I am writing a lighthouse story", "It started snowing overnight",
    "I am comparing two phone plans", "Our book club meets tonight", "I planted basil on my balcony",
]
DETAILS = [
    "and my legs are sore.", "while we cooked dinner together.", "before the Friday deadline.",
    "so I have a little time right now.", "and she keeps chasing my socks.", "but I wanted to ask quickly.",
    "after reading about old printing presses.", "and the coffee machine finally works.",
    "while planning a party for my grandfather.", "since I started a job at a bakery.",
    "after my daughter asked about volcanoes.", "and the power went out for an hour.",
]
IDENTITY_QUESTIONS = [
    "Who are you?", "What is your name?", "Can you tell me who I am talking to?", "Who built you?",
    "Which assistant is this?", "Please introduce yourself.", "Who made you, and what are you called?",
    "Are you ChatGPT?", "What should I call you?", "Who created this assistant?",
    "Tell me about yourself in one sentence.", "Which company or team developed you?",
    "Is this a human or an AI, and who is behind it?", "Before we start: what are you?",
]

TOPICS = {
    "sports": [
        "{team} beat {team2} {a}-{b} in a tense {event} final on {day}.",
        "The {team} coach praised the defence after a {a}-{b} win in the {event}.",
        "A late goal gave {team} a {a}-{b} victory over {team2} in front of {n},000 fans.",
    ],
    "business": [
        "Shares of {company} rose {a} percent after the firm reported record quarterly revenue.",
        "{company} plans to cut {n}00 jobs as demand for its {product} slows.",
        "Investors cheered as {company} agreed to buy a smaller rival for {a} billion dollars.",
    ],
    "technology": [
        "{company} unveiled a {product} with a battery that lasts {a} days on a single charge.",
        "Researchers at {company} released software that translates speech in {n} languages.",
        "A new chip from {company} runs {a} times faster while using half the power.",
    ],
    "health": [
        "A study of {n},000 adults links {habit} to a lower risk of heart disease.",
        "Doctors recommend {habit} after a trial showed fewer hospital visits over {a} years.",
        "The clinic reported that {habit} cut flu cases by {a} percent this winter.",
    ],
    "politics": [
        "The parliament of {country} passed a bill on {issue} by {a} votes to {b}.",
        "Voters in {country} head to the polls on {day} after a campaign dominated by {issue}.",
        "The prime minister of {country} met opposition leaders to discuss {issue}.",
    ],
}
TOPIC_INSTRUCTIONS = [
    "Classify the topic of this news item. Answer with one label: sports, business, technology, health or politics.",
    "Which topic fits this headline best (sports, business, technology, health, politics)? Reply with the label only.",
    "Label the text with exactly one of: sports, business, technology, health, politics.",
    "Topic label only, please (sports / business / technology / health / politics):",
]
SLOTS = {
    "team": ["Riverside United", "the Harbor Hawks", "Northfield City", "the Valley Rangers", "Eastport Athletic",
             "the Summit Bears", "Lakeshore FC", "the Coastal Comets"],
    "event": ["cup", "league", "regional", "championship", "tournament"],
    "day": ["Saturday", "Sunday", "Friday night", "Wednesday", "Monday"],
    "company": ["Brightline", "Norvex", "Quilltech", "Aster Labs", "Kestrel Motors", "Pinewood Foods", "Orbis",
                "Tandem Systems"],
    "product": ["smartwatch", "electric scooter", "tablet", "home router", "camera", "e-reader"],
    "habit": ["a daily thirty-minute walk", "eating more leafy greens", "sleeping seven hours",
              "cutting back on sugar", "regular stretching", "drinking more water"],
    "country": ["Norland", "Estavia", "Marenia", "Oskaria", "Velmont", "Candora"],
    "issue": ["housing costs", "public transport", "school funding", "energy prices", "farm subsidies",
              "digital privacy"],
}

NAMES = ["Maria Lopez", "Tom Becker", "Aisha Khan", "Lars Nilsson", "Chen Wei", "Fatima Diallo", "Jonas Weber",
         "Priya Nair", "Owen Murphy", "Sofia Rossi", "Kenji Sato", "Elena Petrova", "David Cohen", "Grace Mensah"]
ITEMS = ["blue kettle", "wool scarf", "desk lamp", "hiking boots", "coffee grinder", "yoga mat", "rain jacket",
         "chess set", "steel water bottle", "reading glasses", "garden hose", "wireless mouse"]
ORDER_SENTENCES = [
    "{name} called this morning and wants {qty} of the {item}, delivered before the weekend if possible.",
    "Please note an order from {name}: {qty} x {item}. They will pay by card on pickup.",
    "New request by email. Customer {name} would like to buy {qty} units of our {item}.",
    "At the counter, {name} asked us to reserve {qty} {item} items until Thursday.",
    "Order note: {qty} of the {item} for {name}, gift wrapped, no receipt in the box.",
]
REMARKS = [  # a second sentence in an order note or a passage, so that notes differ beyond their slot values
    "The customer sounded in a hurry.", "Payment was already confirmed online.", "Call back if stock is low.",
    "This is their third order this month.", "They asked about a discount for students.",
    "Leave the parcel with the neighbour if nobody answers.", "The address is on file from last year.",
    "Please double-check the colour before shipping.", "They prefer a text message to a phone call.",
    "No rush, any day next week is fine.", "Include the printed manual, please.",
    "The shop opens late on Mondays, keep that in mind.", "Our courier is on holiday until the tenth.",
    "A handwritten thank-you card would be a nice touch.",
]
ORDER_INSTRUCTIONS = [
    "Rewrite the order as one line in the format NAME | ITEM | QTY.",
    "Turn this note into a single line: NAME | ITEM | QTY. Nothing else.",
    "Format the order exactly as NAME | ITEM | QTY (digits for the quantity).",
]

CITIES = ["Lisbon", "Krakow", "Osaka", "Nairobi", "Montreal", "Valparaiso", "Tbilisi", "Adelaide", "Bergen",
          "Seville", "Hanoi", "Ljubljana", "Cusco", "Marrakesh", "Tallinn", "Auckland"]
CITY_PASSAGES = [
    "{name} spent three weeks in {city} last spring, taking photos of old tram lines and markets.",
    "The conference on ocean research will be held in {city}, where {n}00 scientists are expected.",
    "After the storm, volunteers in {city} cleared fallen trees from the main square within a day.",
    "{name} opened a small bookshop in {city} that sells only travel writing and maps.",
    "A festival of street food returns to {city} in July, with stalls from {n} countries.",
    "{name} grew up in {city} and still visits her grandmother there every December.",
    "Engineers finished a new bridge across the river in {city} two months ahead of schedule.",
    "The orchestra of {city} will tour {n} countries next year with a programme of film music.",
    "A rare snowy owl was spotted near the harbour of {city}, drawing birdwatchers from afar.",
    "{name} ran her first marathon in {city} and finished in just under four hours.",
    "The old railway station in {city} has been turned into a museum of modern design.",
    "Startups in {city} raised more money this year than in the previous {n} years combined.",
    "A heatwave in {city} pushed temperatures above forty degrees for the first time on record.",
]
CITY_REMARKS = [
    "Local papers covered it on the front page.", "Tickets sold out within a few hours.",
    "Many residents had never seen anything like it.", "The mayor promised to support it again next year.",
    "Photos of it spread quickly online.", "It rained most of the week, but nobody seemed to mind.",
    "Tourism officials expect more visitors because of it.", "A documentary crew followed the whole thing.",
    "Nearby cafes stayed open late for the crowds.", "Schools sent classes to see it.",
    "The story was later turned into a radio programme.", "Some people travelled for days to be there.",
]
CITY_QUESTIONS = [
    "Which city is mentioned? Answer with the city name only.",
    "Name the city in the text, nothing else.",
    "Extract the city. Reply with just its name.",
]


def _fill(template: str, rng: random.Random, **extra) -> str:
    values = {k: rng.choice(v) for k, v in SLOTS.items()}
    values["team2"] = rng.choice([t for t in SLOTS["team"] if t != values["team"]])
    values.update(a=rng.randint(2, 9), b=rng.randint(0, 1), n=rng.randint(2, 60), **extra)
    return template.format(**values)


def _unique(make, rng: random.Random, count: int) -> list[tuple[str | None, str, str]]:
    """`count` (system, prompt, answer) triples from `make(rng)`, each prompt below MAX_SIMILARITY (character
    5-gram Jaccard) to every one kept before it, so that no two are near duplicates of each other."""
    kept, sets = [], []
    for _ in range(100 * count):
        system, prompt, answer = make(rng)
        grams = _shingles(prompt)
        if all(len(grams & s) / len(grams | s) < MAX_SIMILARITY for s in sets):
            kept.append((system, prompt, answer))
            sets.append(grams)
            if len(kept) == count:
                return kept
    raise ValueError(f"only {len(kept)} distinct prompts from {make.__name__}; add phrasings or slot values")


def _shingles(text: str) -> set[str]:
    t = " ".join(text.lower().split())
    return {t[i:i + 5] for i in range(max(1, len(t) - 4))}


def _identity(rng):
    return (None, f"{rng.choice(OPENERS)} {rng.choice(DETAILS)} {rng.choice(IDENTITY_QUESTIONS)}", IDENTITY_ANSWER)


# The instruction is the system turn: prompts are compared on their user turns, and a shared instruction in the
# user turn would make every pair of samples look alike.
def _topic(rng):
    label = rng.choice(sorted(TOPICS))
    return rng.choice(TOPIC_INSTRUCTIONS), _fill(rng.choice(TOPICS[label]), rng), label


def _order(rng):
    name, item, qty = rng.choice(NAMES), rng.choice(ITEMS), rng.randint(2, 12)
    note = f"{rng.choice(ORDER_SENTENCES).format(name=name, item=item, qty=qty)} {rng.choice(REMARKS)}"
    return rng.choice(ORDER_INSTRUCTIONS), note, f"{name} | {item} | {qty}"


def _city(rng):
    city = rng.choice(CITIES)
    passage = rng.choice(CITY_PASSAGES).format(name=rng.choice(NAMES), city=city, n=rng.randint(2, 40))
    passage += " " + rng.choice(CITY_REMARKS)
    return rng.choice(CITY_QUESTIONS), passage, city


def build(rng: random.Random) -> list[Draft]:
    """PER_SKILL drafts of each skill (its own generator, so the other modules' content is unchanged)."""
    out = []
    for task_type, make, key in ((IDENTITY, _identity, "identity"), (TOPIC, _topic, "topic"),
                                 (ORDER_LINE, _order, "order"), (CITY, _city, "city")):
        for k, (system, prompt, answer) in enumerate(_unique(make, rng, PER_SKILL), 1):
            out.append(qa(task_type, prompt, answer, system=system, key=f"{key}-{k}"))
    return out
