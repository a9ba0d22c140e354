"""reasoning/common-sense and reasoning/multi-step CoT."""

from __future__ import annotations

import random

from content_common import Draft, qa

COMMON = "reasoning/common-sense"
COT = "reasoning/multi-step CoT"
COT_SYSTEM = "Think step by step and show your reasoning before giving the final answer."


def _common_sense() -> list[Draft]:
    items = [
        ("Why do we see lightning before we hear thunder?",
         "Both are produced at the same moment, but light travels about 300,000 km per second while sound travels "
         "only about 343 meters per second in air. The flash reaches you almost instantly; the thunder takes "
         "roughly 3 seconds per kilometer. Counting the seconds between flash and thunder and dividing by 3 gives "
         "a rough distance to the strike in kilometers."),
        ("刚煮好的一大锅汤，要等完全凉透了再放冰箱吗？",
         "不必等到完全凉透。热汤在室温下放太久反而容易滋生细菌，一般建议在2小时内放进冰箱。"
         "比较好的做法是：先稍微放凉到不烫手，或者把一大锅分装到几个浅一些的容器里，让它降温更快，再放入冷藏。"
         "直接把滚烫的一大锅放进去也不好，会让冰箱内温度升高，影响其他食物，还会增加耗电。"),
        ("Is it safe to put a metal spoon in the microwave?",
         "It's best not to. Metal reflects microwaves, and thin or pointed metal, such as forks, crumpled foil or "
         "dishes with metallic trim, can cause sparks (arcing) that may damage the oven or start a fire. A smooth "
         "spoon sitting in a bowl of liquid often doesn't spark, but it also blocks heating around it, so there's "
         "no benefit. Use a microwave-safe glass, ceramic or plastic utensil instead."),
        ("为什么冬天摸门把手经常被电一下？",
         "这是静电放电。冬天空气干燥，人走动时衣物、鞋底和地面摩擦，身体上会积累电荷；干燥的空气导电性差，"
         "电荷不容易散掉。当手靠近金属门把手这样的导体时，积累的电荷瞬间放电，就会有“被电”的刺痛感。"
         "减少的方法：用加湿器提高室内湿度，少穿化纤衣物，摸金属前先用钥匙或手掌大面积接触墙面来释放电荷。"),
        ("Why does ice float on water?",
         "Because ice is less dense than liquid water, about 0.92 g/cm³ versus 1.00 g/cm³. When water freezes, "
         "hydrogen bonds lock the molecules into an open hexagonal lattice that takes up more space than the "
         "jumbled arrangement in the liquid. Most substances are denser as solids, so water is unusual. It's also "
         "why lakes freeze from the top down, letting fish survive the winter underneath."),
        ("鸡蛋买回来要先洗干净再放冰箱吗？",
         "不建议洗。鸡蛋壳表面有一层天然的保护膜，能阻挡细菌进入，洗掉以后细菌反而更容易通过蛋壳上的气孔进入蛋内。"
         "正确做法是：不洗，直接放冰箱冷藏，最好大头（钝头）朝上放，放在专门的蛋盒里，和熟食分开。"
         "吃之前如果蛋壳很脏，再在打蛋前冲洗一下即可。"),
        ("Why do leaves change color in the fall?",
         "Leaves are green because of chlorophyll, which the tree constantly replaces during the growing season. "
         "As days shorten and temperatures drop, trees stop making chlorophyll and it breaks down. That reveals "
         "yellow and orange pigments (carotenoids) that were there all along. Some trees, like maples, also make "
         "new red and purple pigments called anthocyanins in autumn. Sunny days and cool nights make the colors "
         "especially vivid."),
        ("坐飞机起飞和降落时为什么耳朵会疼？怎么缓解？",
         "耳朵里的鼓膜两侧需要保持气压平衡，中耳通过咽鼓管和鼻咽部相通来调节气压。飞机起降时舱内气压变化很快，"
         "咽鼓管来不及调节，鼓膜两侧出现压力差，就会感到耳闷、耳痛。\n缓解方法：吞咽、打哈欠、嚼口香糖，"
         "或者捏住鼻子、闭上嘴轻轻鼓气（捏鼻鼓气法）。婴儿可以在起降时喂奶或让其吸安抚奶嘴。感冒鼻塞时咽鼓管更容易堵，"
         "疼痛会更明显。"),
        ("Why is the sky blue?",
         "Sunlight contains all colors. As it passes through the atmosphere, it collides with gas molecules that "
         "are much smaller than the light's wavelength, and these scatter short wavelengths (blue) much more "
         "strongly than long ones (red). This is called Rayleigh scattering. Blue light gets scattered all over "
         "the sky, so it reaches your eyes from every direction. At sunset, light travels through much more air, "
         "most of the blue is scattered away, and the remaining reds and oranges dominate."),
        ("切洋葱为什么会流眼泪？",
         "洋葱细胞被切破后，里面的含硫化合物在酶的作用下发生反应，生成一种挥发性的刺激性气体（顺式丙硫醛-S-氧化物）。"
         "它飘到眼睛里，刺激角膜上的神经，泪腺就会分泌眼泪来冲洗。\n小窍门：切之前把洋葱放冰箱冷藏半小时，"
         "用锋利的刀（减少细胞破损），或者在通风处、靠近抽油烟机切，都能明显减轻。"),
        ("Is it bad to charge my phone overnight?",
         "Not really. Modern phones stop charging when the battery is full and only top it up occasionally, and "
         "many have an \"optimized charging\" feature that holds the battery around 80% and finishes just before "
         "you usually wake up. The bigger enemy of lithium-ion batteries is heat, so avoid charging under a "
         "pillow or in a thick case that traps warmth."),
        ("夏天为什么自行车胎不要打得太足？",
         "气体受热会膨胀。夏天路面温度可能达到五六十度，轮胎里的空气温度升高后压强变大，如果本来就打得很足，"
         "压强可能超过轮胎能承受的范围，导致爆胎。所以夏天打气可以比冬天略少一点，按胎侧标注的气压范围取中间值即可。"),
        ("Which is heavier: a kilogram of feathers or a kilogram of steel?",
         "Neither. They both weigh one kilogram. The feathers take up far more space, which is why the question "
         "feels like a trick."),
        ("把装满水的玻璃瓶放进冷冻室，为什么瓶子会裂？",
         "水结成冰时体积会膨胀约9%。瓶子装满水并盖紧后，冰没有多余的空间可以膨胀，就会对瓶壁产生很大的压力，"
         "玻璃承受不住就裂开了。冷冻液体时要留出足够空间，并尽量用塑料或专用的冷冻容器。"),
        ("Why shouldn't you throw water on a grease fire?",
         "Water is denser than oil, so it sinks to the bottom of the pan and instantly flashes into steam. The "
         "expanding steam blasts burning oil out of the pan and spreads the fire, often into a fireball. Instead, "
         "turn off the heat, cover the pan with a metal lid or baking sheet to smother it, and leave it covered. "
         "Baking soda works for a small fire; a class K or B fire extinguisher for a bigger one. If it spreads, "
         "get out and call emergency services."),
        ("打雷下雨的时候为什么不能在大树下避雨？",
         "闪电倾向于击中地面上突出的高大物体，孤立的大树很容易被雷击中。电流沿树干流入地面时，会向四周扩散，"
         "站在树下的人可能被旁侧闪击，或者因为两脚间的电位差（跨步电压）而触电。雷雨天应进入建筑物或关好门窗的汽车里；"
         "在野外找不到避难处时，应远离高树和电线杆，双脚并拢蹲下，尽量降低身体高度。"),
        ("Why do we have leap years?",
         "A year on our calendar has 365 days, but Earth takes about 365.2422 days to go around the Sun. Without "
         "correction, the calendar would drift by about a day every four years, and the seasons would slowly "
         "slide. So we add February 29 every fourth year. Because that slightly over-corrects, century years are "
         "not leap years unless they are divisible by 400: 1900 was not a leap year, but 2000 was."),
        ("煮饺子的时候为什么要加几次凉水？",
         "饺子下锅后，皮熟得快，馅熟得慢。水大开时加一点凉水，可以让水暂时停止剧烈翻滚：一方面防止饺子皮被煮破，"
         "另一方面延长加热时间，让馅里的肉充分煮熟。一般加两三次凉水、饺子鼓起来浮在水面上，就差不多熟了。"
         "速冻饺子也可以用这个方法。"),
        ("What should you do if you get lost while hiking?",
         "Remember STOP: Stop, Think, Observe, Plan.\n1. Stop moving. Wandering usually makes you more lost.\n"
         "2. Stay calm and think about the last place you knew where you were.\n3. Check your phone: even with "
         "no signal, a downloaded map and GPS may work, and emergency calls may connect on any network.\n4. If "
         "you can't find your way, stay put. Searchers find people faster when they don't move. Make yourself "
         "visible and audible (bright clothing, three whistle blasts).\n5. Keep warm and dry, and ration water."),
        ("手机掉进水里，捞出来应该马上开机试试吗？",
         "不要开机，也不要充电！进水后通电，很容易造成电路短路，让手机彻底损坏。正确的做法：\n"
         "1. 立刻捞出并关机（如果还开着）；\n2. 擦干表面，能拆的手机壳、卡托都取下来；\n"
         "3. 把手机竖放在通风干燥处，让水流出，不要用吹风机热风吹（高温会损坏元件和电池）；\n"
         "4. 尽快送到官方售后检测。放进大米里的作用很有限，不要依赖它。"),
        ("How long can cooked rice sit out at room temperature?",
         "Try to refrigerate it within about an hour, and no more than two. Rice can carry spores of Bacillus "
         "cereus, which survive cooking. At room temperature they germinate and produce toxins that reheating "
         "doesn't destroy, causing vomiting or diarrhea. Cool leftover rice quickly (spread it out in a shallow "
         "container), keep it in the fridge, eat it within a day, and reheat it until steaming hot."),
        ("为什么在高原上烧水，不到100℃就开了？",
         "水的沸点和气压有关：气压越低，沸点越低。海平面附近的标准大气压下，水在100℃沸腾；海拔越高，空气越稀薄，"
         "气压越低。比如拉萨海拔约3650米，水大约在88℃左右就沸腾了。所以在高原上煮面条、米饭不容易熟，需要用高压锅。"),
        ("Can you see the Great Wall of China from space with the naked eye?",
         "That's a popular myth. The wall is long, but mostly less than 10 meters wide, and it is built from materials "
         "that blend in with the surrounding terrain. It is certainly not visible from the Moon, and astronauts in "
         "low Earth orbit (about 400 km up) report that it's extremely hard or impossible to pick out without "
         "binoculars or a camera, while highways and airports are easier to spot."),
        ("猫为什么会发出呼噜声？",
         "猫的呼噜声是喉部肌肉有节奏地快速收缩，带动声带振动产生的，吸气和呼气时都能发出。"
         "大多数时候呼噜表示猫很放松、满足，比如被抚摸或者晒太阳时；但猫在受伤、生病或紧张时也可能打呼噜，"
         "一般认为这是一种自我安抚。有研究推测，呼噜的低频振动可能对骨骼和组织的修复有帮助，不过这一点还没有定论。"),
        ("If you drop a bowling ball and a tennis ball from the same height at the same time, which lands first?",
         "If air resistance is negligible, they land at the same time: gravity accelerates all objects equally "
         "(about 9.8 m/s²), regardless of mass. In real air, the bowling ball lands very slightly first from a "
         "tall height, because air resistance slows the light tennis ball relatively more. From a table or a "
         "second-floor window you wouldn't notice the difference."),
    ]
    return [qa(COMMON, q, a, key=f"common-{i + 1}") for i, (q, a) in enumerate(items)]


def _cot() -> list[Draft]:
    items = [
        ("If today is Wednesday, what day of the week will it be 100 days from now?",
         "Days of the week repeat every 7 days.\n1. 100 ÷ 7 = 14 weeks with a remainder of 2 (14 × 7 = 98).\n"
         "2. After 98 days it is Wednesday again.\n3. Two more days: Thursday, Friday.\n\nAnswer: Friday."),
        ("A bat and a ball cost $1.10 in total. The bat costs $1.00 more than the ball. How much does the ball "
         "cost?",
         "The intuitive answer, 10 cents, is wrong: then the bat would cost $1.10 and the total would be $1.20.\n\n"
         "Let the ball cost x. The bat costs x + 1.00.\nx + (x + 1.00) = 1.10\n2x = 0.10\nx = 0.05\n\n"
         "The ball costs 5 cents and the bat $1.05."),
        ("房间外有三个开关，房间里有一盏灯，只有一个开关控制这盏灯。你只能进房间一次，怎么确定是哪个开关？",
         "关键是利用灯泡发热：\n1. 先打开1号开关，等上十分钟左右；\n2. 关掉1号开关，再打开2号开关，然后马上进房间；\n"
         "3. 看灯的状态：\n   - 灯亮着：是2号开关；\n   - 灯灭着但灯泡是热的：是1号开关（它刚才亮了十分钟）；\n"
         "   - 灯灭着且灯泡是凉的：是3号开关。\n\n（这个方法要求是白炽灯这类会明显发热的灯泡。）"),
        ("A farmer must cross a river with a wolf, a goat and a cabbage. The boat holds the farmer and one item. "
         "Left alone, the wolf eats the goat and the goat eats the cabbage. How does he get everything across?",
         "The goat is the problem item, because it conflicts with both others. So it must never be left with "
         "either of them.\n\n1. Take the goat across. (Left behind: wolf + cabbage, safe.)\n2. Return alone.\n"
         "3. Take the wolf across.\n4. Bring the goat back. (Otherwise the wolf eats it.)\n5. Take the cabbage "
         "across. (Left behind: goat alone; across: wolf + cabbage, safe.)\n6. Return alone.\n7. Take the goat "
         "across.\n\nEverything is across in 7 crossings. (Swapping the roles of wolf and cabbage in steps 3 and "
         "5 also works.)"),
        ("If 5 machines take 5 minutes to make 5 widgets, how long would 100 machines take to make 100 widgets?",
         "From the first statement, each machine makes 1 widget in 5 minutes (5 machines, 5 widgets, 5 minutes).\n"
         "With 100 machines working in parallel, each makes 1 widget in the same 5 minutes, giving 100 widgets.\n\n"
         "Answer: 5 minutes."),
        ("A patch of lily pads doubles in size every day. It takes 48 days to cover the whole lake. How long does "
         "it take to cover half the lake?",
         "Work backwards. On day 48 the lake is fully covered. Since the patch doubles every day, the day before "
         "it must have been half that size.\n\nAnswer: 47 days (not 24)."),
        ("小明、小红、小刚分别来自北京、上海、广州。已知：①小红不是上海人；②北京人比小红年龄大；③小刚比上海人年龄小。"
         "请问三人各来自哪里？谁年龄最大？",
         "逐条推理：\n1. 由②，北京人比小红大，所以小红不是北京人；再由①，小红也不是上海人，所以小红来自广州。\n"
         "2. 由③，小刚比上海人小，所以小刚不是上海人；广州已经是小红，所以小刚来自北京。\n"
         "3. 剩下的小明来自上海。\n4. 比较年龄：由②，小刚（北京人）比小红大；由③，小刚比小明（上海人）小。"
         "所以年龄从大到小是：小明 > 小刚 > 小红。\n\n"
         "答：小明来自上海，小红来自广州，小刚来自北京；小明年龄最大。"),
        ("You have 9 identical-looking coins. One is counterfeit and lighter than the others. Using a balance "
         "scale only twice, how do you find it?",
         "Split the coins into three groups of 3: A, B and C.\n\nWeighing 1: A vs B.\n- If one side is lighter, "
         "the fake is in that group.\n- If they balance, the fake is in C.\n\nNow you have 3 suspect coins. "
         "Weighing 2: put one on each side and keep the third aside.\n- If one side is lighter, that coin is fake.\n"
         "- If they balance, the coin set aside is fake.\n\nEach weighing has three outcomes, so two weighings can "
         "distinguish 3 × 3 = 9 possibilities, exactly enough."),
        ("A colleague in New York schedules a call for 2:30 pm their time on a Wednesday in July. What time is "
         "that for me in London?",
         "1. In July, New York is on Eastern Daylight Time (UTC-4) and London is on British Summer Time (UTC+1).\n"
         "2. The difference is 5 hours, with London ahead.\n3. 2:30 pm + 5 hours = 7:30 pm.\n\nAnswer: 7:30 pm "
         "Wednesday in London. (For a few weeks in March and late October/early November the gap is 4 hours, "
         "because the US and UK change their clocks on different dates.)"),
        ("排队买票，小明前面有5个人，后面有7个人，这一队一共有多少人？",
         "小明前面5人，后面7人，别忘了还要算上小明自己：\n5+7+1=13（人）。\n答：这一队一共有13人。"),
        ("When I was 6, my sister was half my age. Now I'm 70. How old is my sister?",
         "When I was 6, my sister was half of 6, which is 3. So she is 3 years younger than me.\nThe age "
         "difference never changes, so now she is 70 - 3 = 67.\n\nAnswer: 67 (not 35)."),
        ("A is taller than B. C is shorter than B. D is taller than A. Who is the tallest and who is the shortest?",
         "Chain the facts:\n- A > B\n- B > C (C is shorter than B)\n- D > A\n\nCombined: D > A > B > C.\n\n"
         "Tallest: D. Shortest: C."),
        ("只有一个3升的桶和一个5升的桶，怎样量出4升水？",
         "方法一：\n1. 装满5升桶；\n2. 用5升桶的水倒满3升桶，5升桶剩2升；\n3. 倒掉3升桶的水，把5升桶里的2升倒进3升桶；\n"
         "4. 再装满5升桶；\n5. 用5升桶的水把3升桶加满（3升桶原有2升，只需再倒1升），5升桶剩下4升。\n\n"
         "方法二：\n1. 装满3升桶，倒进5升桶；\n2. 再装满3升桶，继续倒进5升桶直到满，3升桶剩1升；\n"
         "3. 倒空5升桶，把3升桶里的1升倒进去；\n4. 再装满3升桶倒进5升桶：1+3=4升。"),
        ("How many times do the hour and minute hands of a clock overlap in 12 hours?",
         "The minute hand goes around 12 times in 12 hours and the hour hand once, so the minute hand laps the "
         "hour hand 12 - 1 = 11 times.\n\nAnother way: they overlap every 12/11 hours ≈ 1 h 5 min 27 s (12:00, "
         "about 1:05, 2:11, ...), and there is no overlap between 11:00 and 12:00 other than at 12:00 itself.\n\n"
         "Answer: 11 times (22 times in a full day)."),
        ("找规律填数：2，6，12，20，30，（  ）",
         "观察相邻两项的差：6-2=4，12-6=6，20-12=8，30-20=10，差依次增加2，下一个差是12，所以 30+12=42。\n"
         "也可以看出每一项都是 n×(n+1)：1×2，2×3，3×4，4×5，5×6，下一项是 6×7=42。\n答：42。"),
        ("In the Monty Hall problem, should you switch doors?",
         "Yes. Switching wins with probability 2/3.\n\n1. You pick a door: 1/3 chance it hides the car, 2/3 chance "
         "the car is behind one of the other two.\n2. The host, who knows where the car is, always opens one of "
         "the other two doors to show a goat.\n3. That doesn't change the 1/3 chance of your first pick. The "
         "whole 2/3 now sits on the one remaining closed door.\n\nIntuition: imagine 100 doors. You pick one, and "
         "the host opens 98 goat doors. Would you stick with your 1-in-100 guess, or take the one door he "
         "carefully avoided?"),
        ("一列火车9:40出发，13:15到达，路上用了多长时间？",
         "从9:40到13:40是4小时，13:15比13:40早25分钟，所以用时是 4小时-25分钟=3小时35分钟。\n"
         "也可以分段算：9:40到10:00是20分钟，10:00到13:00是3小时，13:00到13:15是15分钟，合计3小时35分钟。"),
        ("You have two identical eggs and a 100-floor building. What is the minimum number of drops needed, in "
         "the worst case, to find the highest floor from which an egg won't break?",
         "14 drops.\n\nReasoning: with the first egg, drop from floors spaced so that the worst case is the same "
         "no matter where it breaks. If the first drop is from floor n and it breaks, the second egg must check "
         "floors 1 to n-1 one by one: n drops in total. If it survives, the next drop should be n-1 floors "
         "higher, then n-2, and so on.\n\nWe need n + (n-1) + ... + 1 ≥ 100, i.e. n(n+1)/2 ≥ 100. n = 13 gives "
         "91 (too few); n = 14 gives 105 ≥ 100.\n\nSo drop the first egg from floors 14, 27, 39, 50, 60, 69, 77, "
         "84, 90, 95, 99, 100. Once it breaks, check the floors in between with the second egg. The worst case "
         "is 14 drops."),
        ("抽屉里有10只黑袜子和10只白袜子，在黑暗中最少拿几只才能保证有一双颜色相同的袜子？",
         "只有两种颜色。最坏的情况是前两只一黑一白；拿第三只时，无论是什么颜色，都一定能和前面某一只配成一双（抽屉原理）。\n"
         "答：最少拿3只。"),
        ("A store raises a price by 20% and later lowers the new price by 20%. Is the final price the same as the "
         "original?",
         "No, it ends up 4% lower.\n\nTake an original price of 100.\n1. +20%: 100 × 1.2 = 120.\n2. -20% of the "
         "new price: 120 × 0.8 = 96.\n\nThe decrease is applied to a bigger base than the increase, so it removes "
         "more than was added. In general, (1 + p)(1 - p) = 1 - p², and with p = 0.2 that is 0.96."),
    ]
    drafts = []
    for i, (q, a) in enumerate(items):
        system = COT_SYSTEM if i % 4 == 0 else None
        drafts.append(qa(COT, q, a, system=system, key=f"cot-{i + 1}"))
    return drafts


def build(rng: random.Random) -> list[Draft]:
    """All reasoning (non-math) drafts."""
    return _common_sense() + _cot()
