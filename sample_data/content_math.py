"""reasoning/math: the dominant task_type of the demo set (deliberately ~25%, as in many generated SFT sets).

Arithmetic in worked answers is computed here, never typed by hand: ``calc`` evaluates each expression and writes
it in GSM8K's calculator-annotation style, so every step and every "#### N" line is correct by construction.
The word problems are written for this project (not taken from GSM8K).
"""

from __future__ import annotations

import math
import random
import re
from fractions import Fraction

from content_common import Draft, convo, qa

MATH = "reasoning/math"
GSM_SYSTEM = "Solve the word problem step by step. Put the final numeric answer on the last line after ####."


def num(value: float) -> str:
    """Format a result the way GSM8K does: integers without a decimal point, otherwise at most 2 decimals."""
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _evaluate(expr: str) -> float:
    # Only ever called on the literal expressions written in this file (digits, + - * / and brackets).
    if not re.fullmatch(r"[\d.+\-*/() ]+", expr):
        raise ValueError(f"unexpected characters in expression {expr!r}")
    return eval(expr, {"__builtins__": {}})  # noqa: S307 - input is a vetted arithmetic literal


def calc(expr: str, unit: str = "", shown: str | None = None) -> str:
    """'7*3' -> '7 x 3 = <<7*3=21>>21'; ``unit`` ('$') prefixes the numbers, ``shown`` overrides the left side."""
    value = num(_evaluate(expr))
    if shown is None:
        shown = re.sub(r"\d+(?:\.\d+)?", lambda m: unit + m.group(0), expr)
        shown = shown.replace("*", " x ").replace("/", " / ").replace("+", " + ").replace("-", " - ")
    return f"{shown} = {unit}<<{expr}={value}>>{value}"


def gsm(question: str, lines: list[str], final: str | int | None = None, system: str | None = None) -> Draft:
    """A GSM8K-style sample: worked lines, then '#### N' (N = the last calculated value unless given)."""
    if final is None:
        results = re.findall(r">>(-?\d+(?:\.\d+)?)", lines[-1])
        if not results:
            raise ValueError(f"no calculated result in the last line of {question[:40]!r}")
        final = results[-1]
    answer = "\n".join(lines) + f"\n#### {final}"
    return qa(MATH, question, answer, system=system, plants=["gsm8k"])


def _gsm8k_style() -> list[Draft]:
    c = calc
    problems = [
        ("Maya buys 7 notebooks that cost $3 each and pays with a $50 bill. How much change does she get back?",
         [f"The notebooks cost {c('7*3', '$', shown='7 x $3')}.", f"Her change is {c('50-21', '$')}."]),
        ("A bakery bakes 12 trays of muffins with 18 muffins on each tray. By noon it has sold 150 muffins. "
         "How many muffins are left?",
         [f"The bakery baked {c('12*18')} muffins.", f"After selling 150 it has {c('216-150')} muffins left."]),
        ("Carlos runs 3 miles every weekday and 5 miles on Saturday. He rests on Sunday. How many miles does he "
         "run in 4 weeks?",
         [f"On weekdays he runs {c('3*5')} miles a week.", f"With Saturday he runs {c('15+5')} miles a week.",
          f"In 4 weeks he runs {c('20*4')} miles."]),
        ("A school orders 9 boxes of pencils with 24 pencils in each box. The pencils are shared equally among "
         "6 classrooms. How many pencils does each classroom get?",
         [f"The school gets {c('9*24')} pencils.", f"Each classroom gets {c('216/6')} pencils."]),
        ("Priya earns $15 an hour working at the library. Last week she worked 4 hours on Monday, 6 hours on "
         "Wednesday and 5 hours on Friday. How much did she earn last week?",
         [f"She worked {c('4+6+5')} hours.", f"She earned {c('15*15', '$', shown='15 x $15')}."]),
        ("A farmer has three orchards. The first has 120 apple trees, the second has twice as many as the first, "
         "and the third has 45 fewer trees than the second. How many apple trees does the farmer have in total?",
         [f"The second orchard has {c('120*2')} trees.", f"The third orchard has {c('240-45')} trees.",
          f"Altogether there are {c('120+240+195')} trees."]),
        ("Liam reads 25 pages of a 400-page novel every day. After 9 days, how many pages does he still have "
         "to read?",
         [f"In 9 days he reads {c('25*9')} pages.", f"He still has {c('400-225')} pages to read."]),
        ("A jacket costs $80. It is on sale for 25% off, and then a 10% sales tax is added to the sale price. "
         "What is the final price of the jacket?",
         [f"The discount is {c('80*0.25', '$', shown='$80 x 0.25')}.", f"The sale price is {c('80-20', '$')}.",
          f"The tax is {c('60*0.10', '$', shown='$60 x 0.10')}.", f"The final price is {c('60+6', '$')}."]),
        ("Ava has 12 stickers. Noah has 3 times as many stickers as Ava, and Emma has 5 more stickers than Noah. "
         "How many stickers do the three children have together?",
         [f"Noah has {c('12*3')} stickers.", f"Emma has {c('36+5')} stickers.",
          f"Together they have {c('12+36+41')} stickers."]),
        ("A train travels at 60 miles per hour for 2.5 hours and then at 45 miles per hour for 2 hours. How far "
         "does it travel in total?",
         [f"In the first part it covers {c('60*2.5')} miles.", f"In the second part it covers {c('45*2')} miles.",
          f"The total distance is {c('150+90')} miles."]),
        ("The Parkers order 3 large pizzas, each cut into 8 slices. Jake and his 4 friends each eat 3 slices. "
         "How many slices are left?",
         [f"There are {c('3*8')} slices.", f"Jake and his friends are {c('1+4')} people.",
          f"They eat {c('5*3')} slices.", f"There are {c('24-15')} slices left."]),
        ("Sofia wants a bike that costs $210. She already has $54 and saves $12 every week. How many weeks will "
         "it take her to have enough money?",
         [f"She still needs {c('210-54', '$')}.", f"Saving $12 a week takes {c('156/12')} weeks."]),
        ("A rain barrel holds 500 liters and is 40% full. How many more liters of water are needed to fill it?",
         [f"It holds {c('500*0.4')} liters now.", f"It needs {c('500-200')} more liters."]),
        ("A movie theater has 18 rows with 22 seats in each row. On Friday night, 319 seats were filled. How "
         "many seats were empty?",
         [f"The theater has {c('18*22')} seats.", f"The number of empty seats was {c('396-319')}."]),
        ("Ben buys 4 packs of baseball cards with 11 cards in each pack. He gives 8 cards to his brother and then "
         "trades away a third of the cards he has left. How many cards does Ben have now?",
         [f"Ben buys {c('4*11')} cards.", f"After giving 8 away he has {c('44-8')} cards.",
          f"He trades away {c('36/3')} cards.", f"He has {c('36-12')} cards now."]),
        ("Olivia planted tomatoes in 6 rows of 7 plants. Each plant produced 9 tomatoes. She gave 100 tomatoes "
         "to her neighbors. How many tomatoes did she keep?",
         [f"She has {c('6*7')} plants.", f"They produced {c('42*9')} tomatoes.",
          f"She kept {c('378-100')} tomatoes."]),
        ("Mr. Okafor's car can drive 28 miles on one gallon of gas, and gas costs $3.60 per gallon. How much "
         "will gas cost for a 420-mile trip?",
         [f"The trip needs {c('420/28')} gallons.", f"The gas costs {c('15*3.60', '$', shown='15 x $3.60')}."]),
        ("Hannah is 3 times as old as her son. In 12 years, she will be twice as old as her son. How old is her "
         "son now?",
         ["Let s be the son's age now, so Hannah is 3s years old.",
          "In 12 years: 3s + 12 = 2(s + 12) = 2s + 24.",
          f"So s = {c('24-12')}, and her son is 12 years old."], 12),
        ("A store sells pens in packs of 6 for $4 a pack. Ms. Lee needs 90 pens for her students. How much will "
         "she spend?",
         [f"She needs {c('90/6')} packs.", f"She spends {c('15*4', '$', shown='15 x $4')}."]),
        ("Tom walks his dog for 30 minutes twice a day. How many hours does he spend walking the dog in one "
         "week?",
         [f"He walks the dog {c('30*2')} minutes a day.", f"In a week that is {c('60*7')} minutes.",
          f"That is {c('420/60')} hours."]),
        ("A cookie recipe uses 1.5 cups of sugar for a batch of 12 cookies. Grace wants to bake 72 cookies for "
         "the school fair. How many cups of sugar does she need?",
         [f"She needs {c('72/12')} batches.", f"She needs {c('6*1.5')} cups of sugar."]),
        ("A bus with 48 seats starts its route empty. At the first stop 19 people get on. At the second stop 7 "
         "people get off and 15 people get on. How many empty seats are there now?",
         [f"After the second stop there are {c('19-7+15')} passengers.",
          f"There are {c('48-27')} empty seats."]),
        ("Nina's phone plan costs $35 a month plus $0.10 for every text over 200. In May she sent 340 texts. "
         "How much was her bill for May?",
         [f"She sent {c('340-200')} texts over the limit.",
          f"Those texts cost {c('140*0.10', '$', shown='140 x $0.10')}.", f"Her bill was {c('35+14', '$')}."]),
        ("A rectangular garden is 14 meters long and 9 meters wide. Fencing costs $12 per meter. How much does "
         "it cost to fence the whole garden?",
         [f"The perimeter is {c('2*(14+9)', shown='2 x (14 + 9)')} meters.",
          f"The fence costs {c('46*12', '$', shown='46 x $12')}."]),
        ("A town library had 1,200 books. It donated 15% of them to a school and then bought 230 new books. "
         "How many books does the library have now?",
         [f"It donated {c('1200*0.15', shown='1200 x 0.15')} books.", f"It had {c('1200-180')} books left.",
          f"After buying new books it has {c('1020+230')} books."]),
        ("Aisha baked 4 dozen cupcakes. She frosted 3/4 of them with chocolate and the rest with vanilla. How "
         "many cupcakes have vanilla frosting?",
         [f"She baked {c('4*12')} cupcakes.", f"{c('48*3/4', shown='48 x 3/4')} have chocolate frosting.",
          f"So {c('48-36')} have vanilla frosting."]),
        ("A factory makes 850 toys a day, and 2% of them are defective. How many good toys does it make in a "
         "5-day work week?",
         [f"Each day {c('850*0.02', shown='850 x 0.02')} toys are defective.",
          f"Each day {c('850-17')} toys are good.", f"In 5 days it makes {c('833*5')} good toys."]),
        ("Mr. Garcia drives 18 miles each way to work, 5 days a week. His car gets 30 miles per gallon. How many "
         "gallons of gas does he use commuting each week?",
         [f"He drives {c('18*2')} miles a day.", f"He drives {c('36*5')} miles a week.",
          f"He uses {c('180/30')} gallons."]),
        ("Kevin's piggy bank has 40 quarters, 30 dimes and 40 nickels. How much money does he have in dollars?",
         [f"The quarters are worth {c('40*0.25', '$', shown='40 x $0.25')}.",
          f"The dimes are worth {c('30*0.10', '$', shown='30 x $0.10')}.",
          f"The nickels are worth {c('40*0.05', '$', shown='40 x $0.05')}.",
          f"He has {c('10+3+2', '$')}."]),
        ("In a class of 32 students, 3/8 walk to school, 1/4 take the bus and the rest are driven by their "
         "parents. How many students are driven?",
         [f"{c('32*3/8', shown='32 x 3/8')} students walk.", f"{c('32/4')} students take the bus.",
          f"{c('32-12-8')} students are driven."]),
        ("Two friends have dinner. The bill is $80 and they add a 15% tip. They split the total evenly. How much "
         "does each friend pay?",
         [f"The tip is {c('80*0.15', '$', shown='$80 x 0.15')}.", f"The total is {c('80+12', '$')}.",
          f"Each friend pays {c('92/2', '$', shown='$92 / 2')}."]),
        ("A grocery store sells apples at 3 for $2. Ethan buys 27 apples and pays with a $20 bill. How much "
         "change does he receive?",
         [f"27 apples are {c('27/3')} groups of 3.", f"They cost {c('9*2', '$', shown='9 x $2')}.",
          f"His change is {c('20-18', '$')}."]),
        ("At 6 a.m. the temperature was -4°C. It rose by 3 degrees every hour until noon. What was the "
         "temperature at noon?",
         [f"From 6 a.m. to noon is {c('12-6')} hours.", f"The temperature rose {c('6*3')} degrees.",
          "At noon it was -4 + 18 = <<-4+18=14>>14°C."]),
        ("A printer prints 18 pages per minute. How many minutes does it take to print 15 copies of a 42-page "
         "report?",
         [f"15 copies have {c('15*42')} pages.", f"Printing takes {c('630/18')} minutes."]),
        ("Lucas has $120. He spends 1/3 of it on a video game and then 1/4 of what is left on snacks. How much "
         "money does he have left?",
         [f"The game costs {c('120/3', '$', shown='$120 / 3')}.", f"He has {c('120-40', '$')} left.",
          f"Snacks cost {c('80/4', '$', shown='$80 / 4')}.", f"He has {c('80-20', '$')} left."]),
        ("A hotel has 9 floors with 24 rooms on each floor. Tonight 75% of the rooms are booked. How many rooms "
         "are empty?",
         [f"The hotel has {c('9*24')} rooms.", f"{c('216*0.75', shown='216 x 0.75')} rooms are booked.",
          f"{c('216-162')} rooms are empty."]),
        ("Zoe's soccer team scored 3, 2, 5, 0, 4 and 4 goals in its first six games. What is the average number "
         "of goals per game?",
         [f"The team scored {c('3+2+5+0+4+4')} goals.", f"The average is {c('18/6')} goals per game."]),
        ("One liter of paint covers 10 square meters. Rachel wants to give all 4 walls of a room two coats of "
         "paint. Each wall is 6 meters wide and 3 meters high. Paint is sold in 1-liter cans. How many cans "
         "does she need to buy?",
         [f"Each wall is {c('6*3')} square meters.", f"Four walls are {c('18*4')} square meters.",
          f"Two coats cover {c('72*2')} square meters.", f"She needs {c('144/10')} liters of paint.",
          "Paint only comes in whole 1-liter cans, so she must buy 15 cans."], 15),
        ("Mia's dog eats 2.5 cups of food a day. A bag of dog food holds 90 cups. How many days does one bag "
         "last?",
         [f"One bag lasts {c('90/2.5')} days."]),
        ("Concert tickets cost $45 for adults and $28 for children, plus a $6 booking fee per order. The Wang "
         "family buys 2 adult tickets and 3 child tickets in one order. How much do they pay?",
         [f"Adult tickets cost {c('2*45', '$', shown='2 x $45')}.",
          f"Child tickets cost {c('3*28', '$', shown='3 x $28')}.",
          f"With the booking fee they pay {c('90+84+6', '$')}."]),
        ("Sam plants 5 rows of tulip bulbs with 12 bulbs in each row. One out of every 6 bulbs does not bloom. "
         "How many tulips bloom?",
         [f"He plants {c('5*12')} bulbs.", f"{c('60/6')} bulbs do not bloom.", f"{c('60-10')} tulips bloom."]),
        ("An elevator can carry at most 1,000 kg. Eleven people with an average weight of 72 kg get in. How "
         "many more kilograms can the elevator carry?",
         [f"The people weigh {c('11*72')} kg.", f"It can carry {c('1000-792')} more kg."]),
        ("A cyclist rides at 16 km per hour. How many minutes does it take her to ride 12 km?",
         [f"It takes {c('12/16')} hours.", f"That is {c('0.75*60')} minutes."]),
        ("A baker uses 250 grams of flour for each loaf of bread. How many loaves can she make from a "
         "5-kilogram bag of flour?",
         [f"5 kilograms is {c('5*1000')} grams.", f"She can make {c('5000/250')} loaves."]),
        ("Mason has 25 books. Ethan has 7 fewer books than Mason, and Isabella has twice as many books as Ethan. "
         "How many books does Isabella have?",
         [f"Ethan has {c('25-7')} books.", f"Isabella has {c('18*2')} books."]),
        ("A phone cost $600. Its price was cut by 10%, and a month later the new price was cut by another 10%. "
         "What is the price now?",
         [f"The first cut is {c('600*0.1', '$', shown='$600 x 0.1')}.", f"The price became {c('600-60', '$')}.",
          f"The second cut is {c('540*0.1', '$', shown='$540 x 0.1')}.", f"The price now is {c('540-54', '$')}."]),
        ("Daniel earns $18 an hour. This month he worked 22 regular 8-hour shifts plus 6 hours of overtime, "
         "which pays 1.5 times his normal rate. How much did he earn this month?",
         [f"His regular hours were {c('22*8')}.", f"His regular pay was {c('176*18', '$', shown='176 x $18')}.",
          f"His overtime rate is {c('18*1.5', '$', shown='$18 x 1.5')} an hour.",
          f"His overtime pay was {c('6*27', '$', shown='6 x $27')}.",
          f"In total he earned {c('3168+162', '$')}."]),
        ("156 students and 12 teachers are going on a school trip. Each bus holds 45 people. How many buses are "
         "needed?",
         [f"There are {c('156+12')} people.", f"3 buses hold only {c('3*45')} people, which is not enough.",
          f"4 buses hold {c('4*45')} people, so they need 4 buses."], 4),
        ("A hose fills a 60-gallon tub at 4 gallons per minute, but the drain leaks 1 gallon per minute. How "
         "many minutes does it take to fill the tub?",
         [f"The tub gains {c('4-1')} gallons per minute.", f"It fills in {c('60/3')} minutes."]),
        ("Rosa sells lemonade for $1.50 a cup. Her supplies cost $12. If she sells 38 cups, how much profit "
         "does she make?",
         [f"She takes in {c('38*1.50', '$', shown='38 x $1.50')}.", f"Her profit is {c('57-12', '$')}."]),
    ]
    drafts = []
    for i, problem in enumerate(problems):
        question, lines = problem[0], problem[1]
        final = problem[2] if len(problem) > 2 else None
        # Every fifth problem carries the instruction as a system prompt, as SFT sets built from GSM8K often do.
        drafts.append(gsm(question, lines, final, system=GSM_SYSTEM if i % 5 == 2 else None))
    for i, draft in enumerate(drafts):
        draft.key = f"gsm-{i + 1}"
    return drafts


def _chinese_word_problems() -> list[Draft]:
    """小学/初中应用题, answers checked by hand and by the verification step in build_sample_data.py."""
    items = [
        ("鸡兔同笼，共有35个头，94只脚。问鸡和兔各有多少只？",
         "假设35只全是鸡，应有脚 35×2=70（只）。\n实际多出 94-70=24（只）脚，每把一只鸡换成兔多2只脚，"
         "所以兔有 24÷2=12（只）。\n鸡有 35-12=23（只）。\n答：鸡有23只，兔有12只。"),
        ("小明家离学校1.2千米，他每分钟走60米。如果他早上7:30从家出发，几点能到学校？",
         "1.2千米=1200米。\n所需时间：1200÷60=20（分钟）。\n7:30再过20分钟是7:50。\n答：小明7:50到学校。"),
        ("一件衣服原价320元，先打八折，再使用一张“满200减30”的优惠券，实际要付多少钱？",
         "打八折后：320×0.8=256（元）。\n256元满200元，可以再减30元：256-30=226（元）。\n答：实际要付226元。"),
        ("一项工程，甲队单独做要12天完成，乙队单独做要18天完成。两队合作，几天可以完成？",
         "把工程总量看作1。\n甲队每天完成1/12，乙队每天完成1/18。\n合作每天完成：1/12+1/18=3/36+2/36=5/36。\n"
         "所需天数：1÷5/36=36/5=7.2（天）。\n答：两队合作7.2天可以完成。"),
        ("学校操场是一个长80米、宽50米的长方形。小华绕操场跑了3圈，一共跑了多少米？",
         "操场一圈的长度就是长方形的周长：(80+50)×2=260（米）。\n跑3圈：260×3=780（米）。\n答：小华一共跑了780米。"),
        ("在一条长100米的小路一侧植树，每隔5米种一棵，两端都要种。一共要种多少棵树？",
         "100米被分成 100÷5=20 个间隔。\n两端都种时，棵数=间隔数+1=20+1=21（棵）。\n答：一共要种21棵树。"),
        ("今年爸爸38岁，儿子10岁。几年后爸爸的年龄正好是儿子的3倍？",
         "父子年龄差永远是 38-10=28（岁）。\n当爸爸是儿子的3倍时，年龄差是儿子年龄的 3-1=2 倍，"
         "所以那时儿子 28÷2=14（岁）。\n14-10=4（年）。\n答：4年后爸爸的年龄是儿子的3倍。"),
        ("李阿姨把5000元存入银行，定期两年，年利率是2.25%。到期时可以得到利息多少元？",
         "利息=本金×年利率×存期。\n5000×2.25%×2=5000×0.0225×2=225（元）。\n答：到期可得利息225元。"),
        ("甲、乙两地相距360千米。一辆客车和一辆货车同时从两地出发相向而行，客车每小时行65千米，货车每小时行55千米。"
         "经过几小时两车相遇？",
         "两车每小时共行驶 65+55=120（千米）。\n相遇时间：360÷120=3（小时）。\n答：经过3小时两车相遇。"),
        ("小红期末考试语文92分，数学98分，英语89分，科学93分。她这四门课的平均分是多少？",
         "总分：92+98+89+93=372（分）。\n平均分：372÷4=93（分）。\n答：平均分是93分。"),
        ("把20克盐溶解在180克水中，得到的盐水浓度是多少？",
         "盐水的质量：20+180=200（克）。\n浓度：20÷200×100%=10%。\n答：盐水的浓度是10%。"),
        ("一本书240页，第一天看了全书的1/4，第二天看了剩下的1/3。还剩多少页没有看？",
         "第一天看了：240×1/4=60（页），剩下 240-60=180（页）。\n第二天看了：180×1/3=60（页）。\n"
         "还剩：180-60=120（页）。\n答：还剩120页没有看。"),
        ("一个圆形花坛的直径是6米，在它周围铺一条宽1米的小路。小路的面积是多少平方米？（π取3.14）",
         "花坛半径：6÷2=3（米）；加上小路后的大圆半径：3+1=4（米）。\n小路是一个圆环，"
         "面积=π×(4²-3²)=3.14×(16-9)=3.14×7=21.98（平方米）。\n答：小路的面积是21.98平方米。"),
        ("在比例尺是1:5000000的地图上，量得两城市之间的距离是4.5厘米。两城市的实际距离是多少千米？",
         "实际距离：4.5×5000000=22500000（厘米）。\n22500000厘米=225千米。\n答：两城市的实际距离是225千米。"),
        ("学校买了15个篮球和20个足球，篮球每个85元，足球每个68元。一共花了多少钱？",
         "篮球：15×85=1275（元）。\n足球：20×68=1360（元）。\n合计：1275+1360=2635（元）。\n答：一共花了2635元。"),
        ("某市居民用水实行阶梯水价：每户每月用水不超过15吨的部分每吨3元，超过15吨的部分每吨4.5元。"
         "小王家这个月用水22吨，应交水费多少元？",
         "前15吨：15×3=45（元）。\n超出部分：22-15=7（吨），7×4.5=31.5（元）。\n合计：45+31.5=76.5（元）。\n"
         "答：小王家应交水费76.5元。"),
        ("一场电影晚上19:45开始，片长2小时18分钟。电影几点结束？",
         "19:45加2小时是21:45。\n再加18分钟：21:45+0:18=22:03。\n答：电影22:03结束。"),
        ("某班有学生50人，其中近视的有18人。这个班的近视率是多少？",
         "近视率=近视人数÷总人数×100%。\n18÷50×100%=36%。\n答：这个班的近视率是36%。"),
        ("一个长方体鱼缸，长60厘米，宽40厘米，高50厘米。往里面注水，水深是鱼缸高度的4/5。鱼缸里有多少升水？",
         "水深：50×4/5=40（厘米）。\n水的体积：60×40×40=96000（立方厘米）。\n96000立方厘米=96升。\n答：鱼缸里有96升水。"),
        ("老师分苹果，如果每人分5个，还多12个；如果每人分7个，还差8个。有多少个学生？多少个苹果？",
         "两种分法相差：12+8=20（个）。\n每人相差：7-5=2（个）。\n学生人数：20÷2=10（人）。\n"
         "苹果个数：10×5+12=62（个）。\n答：有10个学生，62个苹果。"),
        ("一列高铁以每小时300千米的速度行驶了2.5小时，一共行驶了多少千米？",
         "路程=速度×时间。\n300×2.5=750（千米）。\n答：一共行驶了750千米。"),
        ("同一款书包单价40元。甲商店“买三送一”，乙商店一律打八折。要买8个书包，去哪家商店更省钱？省多少钱？",
         "甲商店：每买3个送1个，买6个送2个正好得到8个，付款 6×40=240（元）。\n"
         "乙商店：8×40×0.8=256（元）。\n256-240=16（元）。\n答：去甲商店更省钱，省16元。"),
        ("某商品进价80元，商店按进价提高50%标价，后来又打九折出售。卖出一件能赚多少钱？",
         "标价：80×(1+50%)=120（元）。\n售价：120×0.9=108（元）。\n利润：108-80=28（元）。\n答：卖出一件赚28元。"),
        ("小张月工资8000元，个人所得税的基本减除费用是每月5000元，应纳税所得额不超过3000元的部分税率为3%。"
         "不考虑社保等其他扣除，他每月应缴个人所得税多少元？",
         "应纳税所得额：8000-5000=3000（元），不超过3000元，适用3%税率。\n应纳税额：3000×3%=90（元）。\n"
         "答：每月应缴个人所得税90元。"),
        ("钟面上3点30分时，时针和分针所成的较小夹角是多少度？",
         "钟面一周360°，每个大格30°。\n分针指向6，与12的夹角是 6×30°=180°。\n"
         "时针从3再走了半格，与12的夹角是 3.5×30°=105°。\n夹角：180°-105°=75°。\n答：夹角是75度。"),
        ("找规律：1，4，9，16，25，……第10个数是多少？",
         "这一列数依次是 1²，2²，3²，4²，5²，……第n个数是n²。\n第10个数是 10²=100。\n答：第10个数是100。"),
        ("妈妈买了3千克鸡蛋，每千克12.6元，付给售货员50元，应找回多少元？",
         "鸡蛋总价：12.6×3=37.8（元）。\n找回：50-37.8=12.2（元）。\n答：应找回12.2元。"),
        ("一间教室长8米、宽6米、高3米。要粉刷四面墙壁和天花板，扣除门窗面积12平方米，粉刷的面积是多少平方米？",
         "四面墙：(8+6)×2×3=84（平方米）。\n天花板：8×6=48（平方米）。\n粉刷面积：84+48-12=120（平方米）。\n"
         "答：粉刷的面积是120平方米。"),
        ("弟弟每分钟走60米，先出发5分钟后，哥哥以每分钟80米的速度从同一地点出发去追。哥哥几分钟能追上弟弟？",
         "哥哥出发时，弟弟已经走了 60×5=300（米）。\n每分钟哥哥比弟弟多走 80-60=20（米）。\n"
         "追上所需时间：300÷20=15（分钟）。\n答：哥哥15分钟能追上弟弟。"),
        ("8个人参加聚会，每两个人都握一次手，一共握手多少次？",
         "每个人要和另外7个人握手，8×7=56，但每次握手被两个人各算了一次，"
         "所以要除以2：56÷2=28（次）。\n答：一共握手28次。"),
        ("一个盒子里有3个红球和5个白球，这些球除颜色外完全相同。随机摸出一个球，摸到红球的可能性是多少？",
         "球的总数：3+5=8（个）。\n摸到红球的可能性：3÷8=3/8。\n答：摸到红球的可能性是3/8。"),
        ("一艘船在静水中每小时行18千米，水流速度是每小时2千米。这艘船顺水航行160千米需要几小时？",
         "顺水速度=船速+水速=18+2=20（千米/小时）。\n时间：160÷20=8（小时）。\n答：需要8小时。"),
        ("假设1美元可以兑换7.2元人民币。一件标价35美元的商品，折合人民币多少元？",
         "35×7.2=252（元）。\n答：折合人民币252元。"),
        ("一个梯形的上底是6厘米，下底是10厘米，高是5厘米。它的面积是多少平方厘米？",
         "梯形面积=(上底+下底)×高÷2。\n(6+10)×5÷2=40（平方厘米）。\n答：面积是40平方厘米。"),
        ("三个班按人数比4:5:6分配180本图书，每个班各分到多少本？",
         "总份数：4+5+6=15（份），每份：180÷15=12（本）。\n一班：12×4=48（本）；二班：12×5=60（本）；"
         "三班：12×6=72（本）。\n答：三个班分别分到48本、60本和72本。"),
        ("一个圆柱形水桶，底面半径2分米，高5分米。它的容积是多少升？（π取3.14）",
         "容积=底面积×高=3.14×2²×5=3.14×4×5=62.8（立方分米）。\n62.8立方分米=62.8升。\n答：容积是62.8升。"),
        ("买5支钢笔和3本笔记本共花了62元，一支钢笔比一本笔记本贵6元。钢笔和笔记本的单价各是多少？",
         "设笔记本单价为x元，则钢笔单价为(x+6)元。\n5(x+6)+3x=62\n5x+30+3x=62\n8x=32\nx=4\n"
         "钢笔单价：4+6=10（元）。\n答：钢笔每支10元，笔记本每本4元。"),
        ("某地早晨气温是-5℃，中午比早晨升高了12℃，晚上又比中午下降了9℃。晚上的气温是多少？",
         "中午：-5+12=7（℃）。\n晚上：7-9=-2（℃）。\n答：晚上的气温是-2℃。"),
        ("甲每6天去一次图书馆，乙每8天去一次图书馆。今天两人同时去了图书馆，至少再过多少天他们又会同一天去？",
         "要求的是6和8的最小公倍数。\n6=2×3，8=2×2×2，最小公倍数=2×2×2×3=24。\n答：至少再过24天。"),
        ("一根绳子对折后再对折，量得长度是3米。这根绳子原来长多少米？",
         "对折一次长度变为原来的1/2，再对折变为原来的1/4。\n原长：3×4=12（米）。\n答：绳子原来长12米。"),
        ("一个果园里苹果树有120棵，梨树比苹果树少1/4。梨树有多少棵？两种树一共多少棵？",
         "梨树比苹果树少：120×1/4=30（棵）。\n梨树：120-30=90（棵）。\n一共：120+90=210（棵）。\n"
         "答：梨树有90棵，两种树一共210棵。"),
        ("小刚从一楼走到四楼用了36秒。照这样的速度，他从一楼走到八楼要用多少秒？",
         "从一楼到四楼要走 4-1=3 层楼梯，每层用 36÷3=12（秒）。\n从一楼到八楼要走 8-1=7 层，用时 12×7=84（秒）。\n"
         "答：要用84秒。（注意不是36÷4×8=72秒，楼层之间的段数比楼层数少1。）"),
        ("某超市运来大米和面粉共450千克，大米的重量是面粉的2倍。大米和面粉各运来多少千克？",
         "把面粉看作1份，大米就是2份，一共 1+2=3（份）。\n每份：450÷3=150（千克），所以面粉150千克。\n"
         "大米：150×2=300（千克）。\n答：大米300千克，面粉150千克。"),
        ("一件商品先提价20%，再降价20%，现价是96元。这件商品原价是多少元？",
         "设原价为x元。提价后是1.2x元，再降价20%后是 1.2x×0.8=0.96x 元。\n0.96x=96，x=100。\n"
         "答：原价是100元。（提价和降价的百分比相同，但基数不同，所以现价比原价低。）"),
        ("用一根长24厘米的铁丝围成一个长方形，长和宽的比是5:3。这个长方形的面积是多少平方厘米？",
         "长与宽的和：24÷2=12（厘米）。\n长：12×5/8=7.5（厘米）；宽：12×3/8=4.5（厘米）。\n"
         "面积：7.5×4.5=33.75（平方厘米）。\n答：面积是33.75平方厘米。"),
        ("一个班有男生24人，女生20人。男生人数比女生多百分之几？女生人数比男生少百分之几？（百分号前保留一位小数）",
         "男生比女生多：(24-20)÷20=4÷20=20%。\n女生比男生少：(24-20)÷24=4÷24≈16.7%。\n"
         "答：男生比女生多20%，女生比男生少约16.7%。两个百分数不同，是因为比较的标准（单位“1”）不同。"),
    ]
    drafts = [qa(MATH, q, a) for q, a in items]
    for i, draft in enumerate(drafts):
        draft.key = f"zhmath-{i + 1}"
    return drafts


def _drills(rng: random.Random) -> list[Draft]:
    """Short arithmetic drills: the few-character prompts and answers at the short end of the length spread."""
    drafts: list[Draft] = []
    used: set[tuple] = set()

    def fresh(*numbers) -> bool:
        if numbers in used:
            return False
        used.add(numbers)
        return True

    def pairs(lo: int, hi: int):
        while True:
            a, b = rng.randint(lo, hi), rng.randint(lo, hi)
            if fresh(a, b):
                return a, b

    for _ in range(4):
        a, b = pairs(12, 99)
        drafts.append(qa(MATH, f"{a}×{b}=?", f"{a}×{b}={a * b}"))
    for _ in range(3):
        a, b = pairs(100, 999)
        drafts.append(qa(MATH, f"计算：{a}+{b}", f"{a}+{b}={a + b}"))
    for _ in range(3):
        b, q = pairs(3, 40)
        drafts.append(qa(MATH, f"{b * q}除以{b}等于多少？", f"{b * q}÷{b}={q}。"))
    for _ in range(4):
        a, b = pairs(13, 97)
        drafts.append(qa(MATH, f"What is {a} times {b}?", f"{a} × {b} = {a * b}."))
    for _ in range(3):
        a, b = pairs(200, 999)
        a, b = max(a, b), min(a, b)
        drafts.append(qa(MATH, f"{a} - {b} = ?", f"{a - b}"))
    for _ in range(3):
        p, n = rng.choice([5, 10, 15, 20, 25, 30, 40, 60, 75]), rng.choice([40, 80, 120, 160, 240, 360, 480])
        if not fresh("pct", p, n):
            continue
        drafts.append(qa(MATH, f"What is {p}% of {n}?", f"{p}% of {n} = {num(p / 100)} × {n} = {num(p * n / 100)}."))
    for _ in range(3):
        p, n = rng.choice([10, 20, 25, 35, 45, 80]), rng.choice([60, 140, 220, 300, 500, 900])
        if not fresh("zhpct", p, n):
            continue
        drafts.append(qa(MATH, f"{n}的{p}%是多少？", f"{n}×{p}%={n}×{num(p / 100)}={num(p * n / 100)}。"))
    for n in rng.sample([51, 57, 87, 89, 91, 97, 111, 113, 119, 127, 133, 143], 4):
        factors = [p for p in range(2, int(math.isqrt(n)) + 1) if n % p == 0]
        if factors:
            answer = f"No. {n} = {factors[0]} × {n // factors[0]}, so it is not a prime number."
        else:
            checked = ", ".join(str(p) for p in range(2, int(math.isqrt(n)) + 1) if all(p % d for d in range(2, p)))
            answer = (f"Yes, {n} is prime. It is not divisible by any prime up to √{n} ≈ {math.sqrt(n):.1f} "
                      f"(namely {checked}), so it has no divisors other than 1 and itself.")
        drafts.append(qa(MATH, f"Is {n} a prime number?", answer))
    for a, b in rng.sample([(2, 3), (3, 4), (2, 5), (3, 5), (4, 5), (3, 7), (5, 6), (4, 7)], 3):
        g = rng.choice([6, 8, 9, 12, 14, 15, 18])
        x, y = g * a, g * b  # a and b are coprime, so the answer is g
        drafts.append(qa(MATH, f"{x}和{y}的最大公因数是多少？",
                         f"用辗转相除法：{_euclid(x, y)}\n所以{x}和{y}的最大公因数是{math.gcd(x, y)}。"))
    for (a, b), (c, d) in rng.sample([((1, 3), (1, 4)), ((2, 5), (1, 3)), ((3, 4), (1, 6)), ((5, 6), (3, 8)),
                                      ((2, 3), (4, 9)), ((1, 2), (5, 7))], 4):
        total = Fraction(a, b) + Fraction(c, d)
        common = b * d // math.gcd(b, d)
        drafts.append(qa(MATH, f"{a}/{b} + {c}/{d} = ?",
                         f"通分：{a}/{b} + {c}/{d} = {a * common // b}/{common} + {c * common // d}/{common} = "
                         f"{a * common // b + c * common // d}/{common}"
                         + ("" if total.denominator == common else f" = {total.numerator}/{total.denominator}")
                         + "。"))
    conversions = [("3.5小时是多少分钟？", "3.5×60=210（分钟）。"), ("2.4千克是多少克？", "2.4×1000=2400（克）。"),
                   ("How many centimeters are in 1.75 meters?", "1.75 × 100 = 175 cm."),
                   ("Convert 45 minutes to hours.", "45 / 60 = 0.75 hours."),
                   ("5平方米等于多少平方分米？", "1平方米=100平方分米，5×100=500（平方分米）。"),
                   ("How many milliliters are in 2.5 liters?", "2.5 × 1000 = 2,500 ml.")]
    drafts += [qa(MATH, q, a) for q, a in rng.sample(conversions, 4)]
    for x, y in rng.sample([(0.25, 0.4), (1.2, 0.5), (3.6, 0.25), (0.8, 1.5), (2.5, 0.12)], 3):
        drafts.append(qa(MATH, f"{num(x)} × {num(y)} = ?", f"{num(x * y)}"))
    for n in rng.sample([144, 169, 196, 225, 289, 324, 361], 3):
        drafts.append(qa(MATH, f"√{n} 等于多少？", f"√{n} = {math.isqrt(n)}，因为 {math.isqrt(n)}² = {n}。"))
    for i, draft in enumerate(drafts):
        draft.key = f"drill-{i + 1}"
    return drafts


def _euclid(a: int, b: int) -> str:
    """The steps of Euclid's algorithm, written out ('84÷36=2……12；36÷12=3……0。')."""
    a, b = max(a, b), min(a, b)
    steps = []
    while b:
        steps.append(f"{a}÷{b}={a // b}……{a % b}")
        a, b = b, a % b
    return "；".join(steps) + "。"


def _algebra_and_more() -> list[Draft]:
    items = [
        ("Solve for x: 3x - 7 = 11",
         "Add 7 to both sides: 3x = 18.\nDivide both sides by 3: x = 6.\n\nCheck: 3(6) - 7 = 18 - 7 = 11 ✓"),
        ("Solve the system of equations:\n2x + y = 10\nx - y = 2",
         "Add the two equations to eliminate y:\n(2x + y) + (x - y) = 10 + 2 → 3x = 12 → x = 4.\n"
         "Substitute into x - y = 2: 4 - y = 2 → y = 2.\n\nSolution: x = 4, y = 2."),
        ("Factor x² - 5x + 6.",
         "Look for two numbers whose product is 6 and whose sum is -5: -2 and -3.\n\nx² - 5x + 6 = (x - 2)(x - 3)"),
        ("What is the derivative of f(x) = x³·sin(x)?",
         "Use the product rule (uv)' = u'v + uv' with u = x³ and v = sin x:\n\n"
         "f'(x) = 3x²·sin(x) + x³·cos(x)"),
        ("求函数 f(x)=x²-4x+3 的最小值。",
         "配方：f(x)=x²-4x+4-1=(x-2)²-1。\n因为(x-2)²≥0，当x=2时取等号，所以f(x)的最小值是-1，在x=2处取得。"),
        ("解方程：x²-6x+8=0",
         "因式分解：x²-6x+8=(x-2)(x-4)=0。\n所以 x-2=0 或 x-4=0，\n解得 x₁=2，x₂=4。"),
        ("Evaluate the integral ∫₀¹ x² dx.",
         "An antiderivative of x² is x³/3.\n\n∫₀¹ x² dx = [x³/3]₀¹ = 1/3 - 0 = 1/3."),
        ("A bag contains 4 red marbles and 6 blue marbles. Two marbles are drawn without replacement. What is the "
         "probability that both are red?",
         "P(first red) = 4/10.\nAfter one red is removed, P(second red) = 3/9.\n\n"
         "P(both red) = 4/10 × 3/9 = 12/90 = 2/15 ≈ 0.133."),
        ("同时掷两枚均匀的骰子，点数之和为7的概率是多少？",
         "两枚骰子共有 6×6=36 种等可能的结果。\n和为7的情况有：(1,6)(2,5)(3,4)(4,3)(5,2)(6,1)，共6种。\n"
         "所以概率是 6/36=1/6。"),
        ("Convert 72 km/h to meters per second.",
         "1 km = 1000 m and 1 h = 3600 s, so multiply by 1000/3600 = 5/18.\n\n72 × 5/18 = 20 m/s."),
        ("How many seconds are there in a day?",
         "24 hours × 60 minutes × 60 seconds = 86,400 seconds."),
        ("一个等差数列的首项是3，公差是4。求第20项和前20项的和。",
         "第n项：aₙ=a₁+(n-1)d，所以 a₂₀=3+19×4=79。\n前n项和：Sₙ=n(a₁+aₙ)/2，所以 S₂₀=20×(3+79)÷2=820。\n"
         "答：第20项是79，前20项的和是820。"),
        ("Simplify (2⁵ × 2³) / 2⁶.",
         "Multiplying powers with the same base adds exponents: 2⁵ × 2³ = 2⁸.\n"
         "Dividing subtracts them: 2⁸ / 2⁶ = 2² = 4."),
        ("If you invest $1,000 at 5% annual interest compounded yearly, how much will you have after 3 years?",
         "A = P(1 + r)ⁿ = 1000 × 1.05³ = 1000 × 1.157625 = $1,157.63 (rounded to the cent).\n\n"
         "You earn $157.63 in interest, a little more than the $150 simple interest would give, because each "
         "year's interest also earns interest."),
        ("What is log₂ 64?", "2⁶ = 64, so log₂ 64 = 6."),
        ("84和126的最小公倍数是多少？",
         "先求最大公因数：126÷84=1……42，84÷42=2……0，所以最大公因数是42。\n"
         "最小公倍数=84×126÷42=252。"),
        ("一个圆锥的底面半径是3厘米，高是4厘米。求它的体积和母线长。（结果保留π）",
         "体积：V=1/3×π×r²×h=1/3×π×9×4=12π（立方厘米）≈37.68立方厘米。\n"
         "母线长：l=√(r²+h²)=√(9+16)=√25=5（厘米）。"),
        ("A 13-foot ladder leans against a wall with its foot 5 feet from the wall. How high up the wall does it "
         "reach?",
         "The ladder, wall and ground form a right triangle with hypotenuse 13 and one leg 5.\n\n"
         "h = √(13² - 5²) = √(169 - 25) = √144 = 12 feet."),
        ("You drive to a town at 60 km/h and come back along the same road at 40 km/h. What is your average "
         "speed for the round trip?",
         "It is not 50 km/h, because you spend more time at the slower speed.\n\n"
         "Let the distance each way be d. Time = d/60 + d/40 = (2d + 3d)/120 = 5d/120 = d/24.\n"
         "Average speed = total distance / total time = 2d / (d/24) = 48 km/h."),
        ("What is the sum of the interior angles of a hexagon?",
         "For an n-sided polygon the sum is (n - 2) × 180°.\n\nFor a hexagon: (6 - 2) × 180° = 720°."),
        ("一个数的3倍减去5，等于这个数的2倍加上7。这个数是多少？",
         "设这个数为x，则 3x-5=2x+7。\n移项得 3x-2x=7+5，x=12。\n答：这个数是12。"),
        ("Find the mean, median and mode of: 3, 7, 7, 2, 9, 4, 10",
         "Sorted: 2, 3, 4, 7, 7, 9, 10 (7 values).\n\n- Mean = (2+3+4+7+7+9+10) / 7 = 42 / 7 = 6\n"
         "- Median = the 4th value = 7\n- Mode = 7 (it appears twice)"),
        ("Compute the determinant of the matrix [[2, 3], [1, 4]].",
         "For [[a, b], [c, d]] the determinant is ad - bc.\n\n2 × 4 - 3 × 1 = 8 - 3 = 5."),
        ("1+2+3+…+100等于多少？",
         "首尾配对：1+100=101，2+99=101，……共50对。\n所以和为 101×50=5050。\n"
         "（也可以用公式 n(n+1)/2=100×101÷2=5050。）"),
        ("What is 0.1 + 0.2 in exact arithmetic, and why does Python print 0.30000000000000004?",
         "In exact arithmetic 0.1 + 0.2 = 0.3.\n\nPython floats are binary (IEEE 754 double precision). 0.1 and 0.2 "
         "have no exact binary representation, so each is stored as the nearest representable value. Their sum "
         "lands on a double slightly above 0.3, and Python's repr shows the shortest decimal that round-trips to "
         "that double: 0.30000000000000004.\n\nUse `math.isclose(a, b)` to compare floats, or `decimal.Decimal` "
         "/ `fractions.Fraction` when you need exact decimal results."),
    ]
    drafts = [qa(MATH, q, a) for q, a in items]
    for i, draft in enumerate(drafts):
        draft.key = f"algebra-{i + 1}"
    return drafts


def _tutoring_threads() -> list[Draft]:
    """Multi-turn math conversations: the learner asks follow-ups about the same problem."""
    threads = [
        (["一个水池有甲、乙两个进水管，单开甲管6小时注满，单开乙管9小时注满。两管同时开，几小时注满？",
          "把水池容量看作1。甲管每小时注入1/6，乙管每小时注入1/9。\n同时开每小时注入：1/6+1/9=3/18+2/18=5/18。\n"
          "注满需要：1÷5/18=18/5=3.6（小时），也就是3小时36分钟。",
          "为什么要把水池容量看作1？",
          "因为题目没有告诉我们水池有多大，而答案其实和水池大小无关。把总量设为1，甲、乙的工作效率就能直接写成1/6和1/9，"
          "计算最简单。你也可以把容量设成6和9的公倍数，比如18吨：甲每小时注入18÷6=3吨，"
          "乙每小时注入18÷9=2吨，合起来每小时5吨，18÷5=3.6小时，结果完全一样。",
          "如果池底还有一个排水管，单开它12小时能把满池水放完，三管同时开呢？",
          "排水管每小时放掉1/12。三管同时开，每小时净注入：1/6+1/9-1/12=6/36+4/36-3/36=7/36。\n"
          "注满需要：1÷7/36=36/7≈5.14（小时），约5小时9分钟。"],
         None),
        (["What's 15% of 80?",
          "15% of 80 = 0.15 × 80 = 12.",
          "How can I do that in my head quickly?",
          "Split it into easy pieces: 10% of 80 is 8 (move the decimal point one place), and 5% is half of that, "
          "4. Then 15% = 10% + 5% = 8 + 4 = 12. The same trick works for tips: 20% is just 10% doubled.",
          "Nice. And 15% of 260?",
          "10% of 260 is 26, 5% is 13, so 15% is 26 + 13 = 39."],
         None),
        (["I don't understand why a negative times a negative is positive.",
          "Here's one way to see it. Multiplying by -1 means \"flip to the other side of zero\". So (-1) × 3 = -3 "
          "flips 3 to -3. Then (-1) × (-3) flips -3 back to 3.\n\nYou can also check it with the distributive "
          "law, which must keep working: (-3) × (2 + (-2)) = (-3) × 0 = 0. Expanding, (-3)×2 + (-3)×(-2) = -6 + "
          "(-3)×(-2). For this to equal 0, (-3)×(-2) has to be +6.",
          "Ok the flipping idea makes sense. So what's -4 × -5 × -2?",
          "Work left to right: -4 × -5 = 20 (two flips cancel), then 20 × -2 = -40. A quick rule: an odd number "
          "of negative factors gives a negative result, an even number gives a positive one. Here there are "
          "three, so the answer is negative: -40."],
         "You are a patient math tutor for middle-school students. Explain ideas intuitively before giving rules."),
        (["帮我算一下：房贷100万，30年，年利率4.2%，等额本息每月还多少？",
          "等额本息月供公式：月供=本金×月利率×(1+月利率)^n÷[(1+月利率)^n-1]。\n"
          "月利率=4.2%÷12=0.35%，还款月数n=360。\n(1.0035)^360≈3.5177。\n"
          "月供≈1000000×0.0035×3.5177÷(3.5177-1)≈12312÷2.5177≈4890（元）。\n所以每月大约还4890元。",
          "那30年总共要还多少利息？",
          "总还款≈4890×360≈176.0万元，减去本金100万，总利息约76.0万元。"],
         None),
        (["Is 1 a prime number?",
          "No. A prime is a whole number greater than 1 whose only divisors are 1 and itself. 1 has only one "
          "divisor, so it is neither prime nor composite.",
          "Why did mathematicians decide that? It seems arbitrary.",
          "It's a convention, but a very useful one. The main reason is the Fundamental Theorem of Arithmetic: "
          "every whole number greater than 1 factors into primes in exactly one way. If 1 counted as prime, "
          "that uniqueness would break, because 6 = 2 × 3 = 1 × 2 × 3 = 1 × 1 × 2 × 3, and so on. Many other "
          "theorems would need the phrase \"primes other than 1\". Excluding 1 keeps the statements clean."],
         None),
        (["三角形的内角和为什么是180度？",
          "过三角形的一个顶点作对边的平行线。这条平行线和两条边形成的两个角，分别与三角形另外两个内角相等（内错角相等）。"
          "这两个角加上顶点处的内角正好组成一个平角，也就是180度，所以三角形三个内角的和是180度。",
          "那四边形呢？",
          "任意四边形都可以用一条对角线分成两个三角形，所以内角和是 2×180°=360°。"
          "更一般地，n边形可以分成(n-2)个三角形，内角和是(n-2)×180°。"],
         None),
        (["What is the probability of getting at least one six in four rolls of a die?",
          "It's easier to compute the complement. The chance of no six in one roll is 5/6, so the chance of no "
          "six in four rolls is (5/6)⁴ = 625/1296 ≈ 0.482.\n\nP(at least one six) = 1 - 625/1296 = 671/1296 ≈ 0.518, "
          "slightly better than even.",
          "And at least one double six in 24 rolls of two dice?",
          "Same method. P(no double six in one roll of two dice) = 35/36. Over 24 rolls: (35/36)²⁴ ≈ 0.509.\n\n"
          "P(at least one double six) ≈ 1 - 0.509 = 0.491, slightly worse than even. This is the famous problem "
          "the Chevalier de Méré brought to Pascal in 1654: the two bets look equivalent, but they aren't."],
         None),
        (["解不等式：2x-3>5",
          "两边同时加3：2x>8。\n两边同时除以2：x>4。\n所以解集是 x>4。",
          "如果是 -2x-3>5 呢？",
          "两边同时加3：-2x>8。\n两边同时除以-2，注意除以负数时不等号要改变方向：x<-4。\n所以解集是 x<-4。"],
         "你是一名初中数学老师，讲解要简洁，并指出学生容易犯错的地方。"),
        (["How do I find the area of a circle with a diameter of 10 cm?",
          "The area formula uses the radius: A = πr². The radius is half the diameter, so r = 5 cm.\n\n"
          "A = π × 5² = 25π ≈ 78.54 cm².",
          "What if I only know the circumference is 31.4 cm?",
          "Circumference C = 2πr, so r = C / (2π) = 31.4 / 6.283 ≈ 5 cm. Then A = π × 5² ≈ 78.5 cm², the same "
          "circle as before. A shortcut that skips the radius: A = C² / (4π) = 31.4² / 12.566 ≈ 78.5 cm²."],
         None),
        (["小数0.999…（无限循环）等于1吗？",
          "等于1。设x=0.999…，则10x=9.999…。两式相减：10x-x=9.999…-0.999…，即9x=9，所以x=1。",
          "可是它看起来总是比1小一点点啊？",
          "这是很常见的直觉。关键在于“无限”：0.9、0.99、0.999……每一个有限位的数确实都比1小，"
          "但0.999…指的是这个数列的极限，而不是其中任何一项。1和0.999…之间如果有差，这个差必须比任何正数都小，"
          "而唯一满足这个条件的非负数是0。另一个角度：1/3=0.333…，两边乘以3，就得到1=0.999…。"],
         None),
        (["A shirt costs $25 after a 20% discount. What was the original price?",
          "After a 20% discount you pay 80% of the original price. So 0.8 × original = $25, and the original "
          "price is $25 / 0.8 = $31.25.",
          "Why can't I just add 20% to $25?",
          "Because the 20% was taken off the original price, not off $25. Adding 20% to $25 gives $30, and 20% "
          "off $30 is only $24. The discount was $6.25 (20% of $31.25), which is 25% of the sale price. "
          "Going backwards, always divide by (1 - discount) instead of multiplying by (1 + discount)."], None),
        (["一个长方形的周长是30厘米，长是9厘米，面积是多少？",
          "长+宽=30÷2=15（厘米），宽=15-9=6（厘米）。\n面积=9×6=54（平方厘米）。",
          "如果周长还是30厘米，怎样围面积最大？",
          "周长固定时，长和宽越接近，面积越大，围成正方形时面积最大。\n边长=30÷4=7.5（厘米），"
          "面积=7.5×7.5=56.25（平方厘米），比54平方厘米大。"], None),
        (["What's the average of 82, 90, 75 and 93?",
          "Sum: 82 + 90 + 75 + 93 = 340. Average: 340 / 4 = 85.",
          "What do I need on a fifth test to bring my average up to 87?",
          "An average of 87 over 5 tests needs a total of 87 × 5 = 435 points. You have 340, so you need "
          "435 - 340 = 95 on the fifth test."], None),
        (["把0.375化成分数。",
          "0.375=375/1000，分子分母同时除以125，得到3/8。",
          "那0.333…（3无限循环）呢？",
          "设x=0.333…，则10x=3.333…。两式相减：9x=3，所以x=3/9=1/3。\n"
          "无限循环小数都可以用这个方法化成分数：循环节有几位，就乘以10的几次方再相减。"], None),
        (["How do I calculate a 15% tip on a $64 bill?",
          "15% of $64 = 0.15 × 64 = $9.60. Quick mental route: 10% is $6.40, half of that (5%) is $3.20, and "
          "6.40 + 3.20 = $9.60.",
          "And if three of us split the total?",
          "The total is $64 + $9.60 = $73.60. Divided by 3 that's $24.533..., so two people pay $24.53 and one "
          "pays $24.54 (or everyone rounds up to $24.55 and leaves a few cents extra)."], None),
        (["解方程组：x+y=10，x-y=4",
          "用加减消元法：两式相加得 2x=14，x=7；代入 x+y=10 得 y=3。\n所以 x=7，y=3。",
          "能用代入法再做一遍吗？",
          "可以。由 x-y=4 得 x=y+4。\n代入 x+y=10：(y+4)+y=10，2y=6，y=3。\n再求x：x=3+4=7。\n"
          "结果相同：x=7，y=3。"], None),
    ]
    drafts = []
    for i, (turns, system) in enumerate(threads):
        drafts.append(convo(MATH, turns, system=system, key=f"mathchat-{i + 1}"))
    return drafts


def build(rng: random.Random) -> list[Draft]:
    """All reasoning/math drafts."""
    return (_gsm8k_style() + _chinese_word_problems() + _drills(rng) + _algebra_and_more()
            + _tutoring_threads())
