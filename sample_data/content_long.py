"""Long-context samples: prompts or answers well over 2,000 characters, the far end of the length spread."""

from __future__ import annotations

import random

from content_common import Draft, prose, qa, text

FENCE = "```"

BOOKSHOP = prose("""
    HARLOW BRIDGE - For most of the past year, the hand-painted sign above Pemberton's Books read "Closing Down -
    Everything Must Go." On Saturday, a new sign went up in its place: "Pemberton's: Owned by Harlow Bridge."

    The 68-year-old shop, the last independent bookstore in this market town of about 11,000 people, has been
    bought by its own customers. More than 900 residents each paid at least 50 pounds for a share in a community
    cooperative, raising 214,000 pounds in five months, enough to buy the building's lease, the stock and the
    business from its retiring owner, Margaret Pemberton.

    "I'd made my peace with closing," said Ms. Pemberton, 74, whose father opened the shop in 1956. "I couldn't
    find a buyer, and I didn't want to sell it to someone who would turn it into flats. Then people started
    knocking on the door with cheques before there was even a bank account to put them in."

    The idea came from a meeting in the church hall last spring, called after the closure was announced. About
    60 people were expected; more than 300 came. A retired accountant, a solicitor and a teacher volunteered to
    draft the cooperative's rules with help from a national organisation that supports community-owned shops.
    Each member gets one vote regardless of how many shares they hold, and profits, if there are any, must be
    reinvested in the shop or given to local literacy projects.

    Community ownership of shops and pubs has grown steadily in Britain over the past decade, often in villages
    where the last shop or pub was about to close. Supporters argue that such businesses survive at higher rates
    than conventional start-ups, because their customers are also their owners and have a reason to keep
    spending there. Critics warn that enthusiasm can fade once the fundraising excitement is over, and that
    volunteers cannot replace professional management for long.

    The cooperative says it has planned for that. It has hired two paid staff, including the shop's longtime
    assistant, Priya Shah, as manager, and it will rely on volunteers only for events and deliveries. A
    business plan shared with members projects a small loss in the first year and a modest profit from the
    third, helped by a new online ordering service, a children's reading club and a cafe corner in what used to
    be the stock room.

    Not everyone is convinced. Tom Adeyemi, who runs the stationery shop across the street, bought a share but
    said he worried the cooperative was underestimating the competition from online retailers. "The first year
    everyone will make a point of buying here. The question is year three, when it's raining and the website
    delivers tomorrow," he said.

    Ms. Shah said the shop's future depends on being more than a place to buy books. The cooperative plans
    author talks, a monthly book swap and school visits, and local groups have already booked the upstairs room
    for knitting circles and language classes. "People didn't save this shop because they wanted cheaper books,"
    she said. "They saved it because they wanted somewhere in town to bump into each other."

    On Saturday, the queue to get in stretched past the bakery two doors down. Inside, Ms. Pemberton was given
    share number one, framed, and a bouquet from the children's reading club. She said she planned to spend her
    retirement reading, and volunteering on Thursday afternoons.
    """)

REMOTE_POLICY = prose("""
    [1] Scope. This Remote and Hybrid Work Policy applies to all full-time and part-time employees of Northwind
    Analytics after completing their first 60 days of employment. Contractors and interns follow the terms of
    their individual agreements. The policy does not change any employee's job duties, compensation or
    eligibility for benefits.

    [2] Work arrangements. Employees may work under one of three arrangements: on-site (five days a week in the
    office), hybrid (at least two days a week in the office, with Tuesday as a required in-office day for all
    hybrid staff), or fully remote. Fully remote arrangements require written approval from the employee's
    director and from People Operations, and are reviewed every twelve months. Managers may require attendance
    in person for team planning days, which are announced at least two weeks in advance and held no more than
    once per quarter.

    [3] Location. Remote work must be performed from the employee's registered home address or another location
    within the same country. Working from another country for more than 14 calendar days in any 12-month period
    requires prior approval from People Operations and the Legal team, because it can create tax and employment
    law obligations for the company. Employees must update their registered address in the HR system within 10
    days of moving.

    [4] Equipment and expenses. The company provides a laptop, a monitor, a headset and a keyboard and mouse for
    home use. Hybrid and remote employees receive a one-time home-office allowance of 400 USD for furniture
    such as a desk or chair, claimable within the first six months of their arrangement, and a monthly internet
    stipend of 40 USD paid through payroll. Co-working space memberships are reimbursed up to 150 USD per month
    for fully remote employees only, with a receipt.

    [5] Working hours and availability. Employees are expected to be reachable during core hours, 10:00 to 15:00
    in their local time zone, and to keep their calendar and chat status up to date. Non-exempt employees must
    record all hours worked, including any work done outside their scheduled hours, and must not work overtime
    without their manager's approval.

    [6] Security. Company data may only be accessed on company-issued devices. Employees must use the VPN when
    connecting from public networks, lock their screen when away from the device, and must not let family
    members or other people use company equipment. Printing confidential documents at home is not permitted.
    Lost or stolen equipment must be reported to IT Security within 24 hours.

    [7] Changes and ending an arrangement. Either the employee or the company may end a hybrid or remote
    arrangement with 30 days' written notice, unless a shorter period is agreed. Where the company ends a fully
    remote arrangement and the employee lives more than 80 km from the nearest office, People Operations will
    discuss relocation support on a case-by-case basis.
    """)

VACCINE_EXPLAINER = prose("""
    Vaccines work by giving your immune system a safe preview of a germ, so that it can prepare a defense before
    the real thing ever shows up. To see why that matters, it helps to know how the immune system normally
    learns.

    **1. The first encounter is slow.** When a new virus or bacterium gets into your body, your innate immune
    system reacts within hours: inflammation, fever, and cells such as macrophages that swallow invaders. That
    first line of defense is fast but generic. The adaptive immune system, the part that recognizes one specific
    germ, needs time to get going. Specialized cells called dendritic cells pick up pieces of the germ, known as
    antigens, and carry them to the lymph nodes. There they are shown to T cells and B cells. Out of millions
    of different T and B cells, only a few happen to have receptors that fit this particular antigen, and
    these few must now multiply. The whole process takes about one to two weeks, and during that time the germ
    can make you seriously ill.

    **2. Antibodies and killer cells.** Once activated, B cells turn into plasma cells that pump out
    antibodies, Y-shaped proteins that latch onto the germ, block it from entering cells and flag it for
    destruction. Helper T cells coordinate the response, and cytotoxic (killer) T cells destroy your own cells
    that have already been infected.

    **3. Memory is the real prize.** After the infection is cleared, most of these cells die off, but some
    remain as memory B and T cells, sometimes for decades. If the same germ returns, these memory cells
    recognize it immediately and mount a response within days instead of weeks, often so fast that you never
    notice you were infected. This is why you usually get measles or chickenpox only once.

    **4. What a vaccine does.** A vaccine triggers that learning process without the danger of the disease.
    Different types present the antigen in different ways: inactivated vaccines contain killed germs; live
    attenuated vaccines contain weakened germs that can't cause serious illness in healthy people; subunit and
    toxoid vaccines contain only a purified piece of the germ or a neutralized toxin; and mRNA or viral-vector
    vaccines give your own cells temporary instructions to make one harmless protein from the germ, such as
    the coronavirus spike protein. In every case, your immune system sees the antigen, goes through the same
    slow first response, and builds memory cells, but without the germ ever being able to make you sick.

    **5. Why some vaccines need boosters.** Memory fades faster for some antigens than for others, and some
    germs change over time. A booster dose reminds the immune system and often produces stronger, longer-lasting
    antibodies. Flu vaccines are updated every year because influenza viruses mutate quickly.

    **6. Side effects.** A sore arm, tiredness or a mild fever for a day or two are signs of the immune system
    responding, not of infection. Serious side effects are rare, and vaccines are monitored continuously
    after approval to catch them.

    **7. Protection for everyone.** When enough people are immune, a germ can't find enough new hosts to keep
    spreading. This herd immunity protects people who can't be vaccinated, such as newborns or people with
    weakened immune systems. The share of people who need to be immune depends on how contagious the disease
    is: for measles, one of the most contagious diseases known, it is around 95%.

    In short: a vaccine is a rehearsal. The immune system practices on a harmless stand-in, keeps the notes,
    and is ready when the real performance begins.
    """)

REVIEW_CODE = text('''
    import csv
    import time
    from collections import defaultdict


    class RateLimiter:
        """Allow at most `rate` calls per `per` seconds for each key."""

        def __init__(self, rate, per):
            self.rate = rate
            self.per = per
            self.allowance = defaultdict(lambda: rate)
            self.last_check = defaultdict(time.monotonic)

        def allow(self, key):
            now = time.monotonic()
            elapsed = now - self.last_check[key]
            self.last_check[key] = now
            self.allowance[key] += elapsed * (self.rate / self.per)
            if self.allowance[key] > self.rate:
                self.allowance[key] = self.rate
            if self.allowance[key] < 1:
                return False
            self.allowance[key] -= 1
            return True


    def load_events(path):
        events = []
        with open(path) as f:
            for row in csv.DictReader(f):
                row["amount"] = float(row["amount"])
                events.append(row)
        return events


    def summarize(events, limiter):
        totals = {}
        rejected = 0
        for event in events:
            user = event["user_id"]
            if not limiter.allow(user):
                rejected += 1
                continue
            totals[user] = totals.get(user, 0) + event["amount"]
        return totals, rejected


    if __name__ == "__main__":
        limiter = RateLimiter(rate=5, per=60)
        events = load_events("events.csv")
        totals, rejected = summarize(events, limiter)
        for user, total in sorted(totals.items(), key=lambda kv: kv[1], reverse=True):
            print(f"{user}\\t{total:.2f}")
        print(f"rejected: {rejected}")
    ''')


def build(rng: random.Random) -> list[Draft]:
    """All long-context drafts."""
    return [
        qa("summarization/news", f"Summarize this article in about 100 words, then list two open questions it "
                                 f"raises.\n\n{BOOKSHOP}",
           "Summary: Pemberton's Books, the last independent bookstore in the market town of Harlow Bridge, has "
           "been saved from closure by its customers. More than 900 residents bought shares of at least 50 "
           "pounds in a community cooperative, raising 214,000 pounds in five months to buy the business from "
           "its retiring owner, Margaret Pemberton. The one-member-one-vote cooperative has hired two paid "
           "staff, expects a small first-year loss and a modest profit from year three, and plans online "
           "ordering, a cafe corner, a children's reading club and community events.\n\nOpen questions:\n"
           "1. Will customer loyalty last beyond the first year, once the excitement fades and online retailers "
           "remain cheaper and faster?\n2. Can the cooperative's business plan hold up if the new services (cafe, "
           "online orders, events) bring in less revenue than projected?", key="long-bookshop"),
        qa("RAG/grounded QA", f"Documents:\n{REMOTE_POLICY}\n\nQuestion: I'm on a hybrid arrangement. I want to "
                              "spend three weeks working from my parents' place in Portugal this summer, and I "
                              "need a new desk chair. What do I need to do, and what can I claim?",
           "Two separate things here:\n\n1. **Working from Portugal.** Remote work normally has to be done from "
           "your registered address or elsewhere in the same country [3]. Three weeks (21 days) abroad is more "
           "than the 14-calendar-day limit in any 12-month period, so you need prior approval from People "
           "Operations and the Legal team before you go [3]. Keep in mind you'd still be expected to be reachable "
           "during core hours, 10:00-15:00 in your local time zone [5], and to use the VPN on public networks "
           "and only company devices [6]. As a hybrid employee you'd also be missing your required in-office "
           "days, including Tuesdays, so agree the arrangement with your manager as well [2].\n\n2. **The desk "
           "chair.** Hybrid employees get a one-time home-office allowance of 400 USD for furniture such as a desk "
           "or chair [4]. It must be claimed within the first six months of your hybrid arrangement [4]; if "
           "you've been hybrid for longer than that, the documents don't provide another way to claim it. You "
           "also receive a 40 USD monthly internet stipend through payroll [4]. Co-working reimbursement is only "
           "for fully remote employees [4], so it doesn't apply to you.",
           system="Answer only from the provided documents and cite them like [1]. If the documents do not "
                  "contain the answer, say so.", key="long-remote-policy"),
        qa("education/tutoring", "Explain in detail how vaccines train the immune system. I'm a high-school "
                                 "student and I want to really understand it, not just the one-line version.",
           VACCINE_EXPLAINER, key="long-vaccines"),
        qa("code/explanation", f"Can you review this script? Explain what it does and point out any bugs or "
                               f"risky parts.\n\n{FENCE}python\n{REVIEW_CODE}\n{FENCE}",
           "**What it does.** It reads events (with `user_id` and `amount` columns) from `events.csv`, passes "
           "each event through a per-user rate limiter that allows 5 events per 60 seconds (a token bucket), adds "
           "up the amounts of the events that are allowed, prints each user's total from largest to smallest, "
           "and prints how many events were rejected.\n\n**Bugs and risks:**\n1. **The rate limiter measures "
           "processing time, not event time.** `allow()` uses `time.monotonic()`, the time at which the script "
           "processes each row. Since the whole file is processed in milliseconds, almost no time elapses "
           "between rows, so each user gets only about 5 events in total and everything after that is rejected, "
           "whatever the events' real timestamps are. If the CSV has a timestamp column, pass it into `allow()` "
           "and compute `elapsed` from it.\n2. **`defaultdict(time.monotonic)` for `last_check`** works only by "
           "accident: the default is created when the key is first read, so the first `elapsed` is close to zero. "
           "It's clearer to handle a new key explicitly.\n3. **`load_events` reads everything into memory** "
           "and opens the file without `encoding=` or `newline=''`. Use `open(path, newline='', "
           "encoding='utf-8')` as the csv docs recommend, and iterate lazily for large files.\n4. **No "
           "validation**: a missing or non-numeric `amount` raises `ValueError`/`KeyError` and aborts the whole "
           "run. Decide whether to skip and count bad rows instead.\n5. **Floating-point money**: summing "
           "amounts as `float` can introduce rounding errors; `decimal.Decimal` is safer for currency.\n6. "
           "**Silent rejection**: rejected events vanish from the totals, and only a count is printed. If these "
           "totals are used for billing or reporting, that is probably not what you want; log which events "
           "were dropped.\n\nMinor: the `__main__` block hard-codes the file name; an `argparse` argument would "
           "make it reusable.", key="long-code-review"),
        qa("code/generation", "Write a complete Python command-line expense tracker. It should store expenses in a "
                              "CSV file and support three commands: add (amount, category, optional note), list "
                              "(optionally filtered by month), and summary (totals per category for a month). "
                              "Standard library only.",
           f"{FENCE}python\n" + text('''
               #!/usr/bin/env python3
               """Tiny expense tracker: expenses.py add|list|summary."""
               import argparse
               import csv
               import sys
               from collections import defaultdict
               from datetime import date
               from decimal import Decimal, InvalidOperation
               from pathlib import Path

               FIELDS = ["date", "amount", "category", "note"]
               DEFAULT_FILE = Path.home() / ".expenses.csv"


               def read_rows(path: Path) -> list[dict]:
                   if not path.exists():
                       return []
                   with path.open(newline="", encoding="utf-8") as f:
                       return list(csv.DictReader(f))


               def add(args) -> None:
                   try:
                       amount = Decimal(args.amount)
                   except InvalidOperation:
                       sys.exit(f"error: amount must be a number, got {args.amount!r}")
                   if amount <= 0:
                       sys.exit("error: amount must be positive")
                   new_file = not args.file.exists()
                   with args.file.open("a", newline="", encoding="utf-8") as f:
                       writer = csv.DictWriter(f, fieldnames=FIELDS)
                       if new_file:
                           writer.writeheader()
                       writer.writerow({"date": args.date, "amount": f"{amount:.2f}",
                                        "category": args.category.lower(), "note": args.note})
                   print(f"added {amount:.2f} to {args.category.lower()}")


               def in_month(row: dict, month: str | None) -> bool:
                   return month is None or row["date"].startswith(month)


               def list_expenses(args) -> None:
                   rows = [r for r in read_rows(args.file) if in_month(r, args.month)]
                   for r in sorted(rows, key=lambda r: r["date"]):
                       print(f"{r['date']}  {r['amount']:>10}  {r['category']:<12}  {r['note']}")
                   print(f"{len(rows)} expense(s)")


               def summary(args) -> None:
                   totals: dict[str, Decimal] = defaultdict(Decimal)
                   for r in read_rows(args.file):
                       if in_month(r, args.month):
                           totals[r["category"]] += Decimal(r["amount"])
                   for category, total in sorted(totals.items(), key=lambda kv: kv[1], reverse=True):
                       print(f"{category:<12} {total:>10.2f}")
                   print(f"{'total':<12} {sum(totals.values(), Decimal(0)):>10.2f}")


               def main() -> None:
                   parser = argparse.ArgumentParser(description="Track expenses in a CSV file.")
                   parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="CSV file to use")
                   sub = parser.add_subparsers(dest="command", required=True)

                   p_add = sub.add_parser("add", help="record an expense")
                   p_add.add_argument("amount")
                   p_add.add_argument("category")
                   p_add.add_argument("note", nargs="?", default="")
                   p_add.add_argument("--date", default=date.today().isoformat(), help="YYYY-MM-DD")
                   p_add.set_defaults(func=add)

                   this_month = date.today().strftime("%Y-%m")
                   p_list = sub.add_parser("list", help="list expenses")
                   p_list.add_argument("--month", help="YYYY-MM (default: all)")
                   p_list.set_defaults(func=list_expenses)

                   p_sum = sub.add_parser("summary", help="totals per category")
                   p_sum.add_argument("--month", default=this_month, help="YYYY-MM (default: this month)")
                   p_sum.set_defaults(func=summary)

                   args = parser.parse_args()
                   args.func(args)


               if __name__ == "__main__":
                   main()
               ''') + f"\n{FENCE}\n\nUsage:\n\n{FENCE}bash\npython expenses.py add 12.50 food \"lunch with Sam\"\n"
           "python expenses.py add 60 transport --date 2024-06-03\npython expenses.py list --month 2024-06\n"
           f"python expenses.py summary\n{FENCE}\n\nDesign notes:\n- Amounts are `Decimal`, not `float`, so "
           "totals don't pick up rounding errors.\n- Dates are stored as ISO strings (`YYYY-MM-DD`), so filtering "
           "by month is a simple prefix check and sorting by date works as plain string sorting.\n- The header is "
           "written only when the file is created, and the file is opened with `newline=\"\"` as the csv module "
           "requires.\n- Bad input (a non-numeric or negative amount) exits with a clear message instead of a "
           "traceback.", key="long-expense-cli"),
    ]
