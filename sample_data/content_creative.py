"""creative writing/story: a thin task_type (12 samples) with the longest answers in the set."""

from __future__ import annotations

import random

from content_common import Draft, convo, prose, qa

STORY = "creative writing/story"

CLOCKMAKER = prose("""
    Every clock in Ilse Marden's shop was set to a different time, and every one of them was right.

    That was what she told the customers who stopped in the doorway and frowned at the wall: forty clocks,
    forty answers. The cuckoo clock by the window kept the time in Lisbon, where her brother lived. The brass
    carriage clock on the counter kept the time in the hospital in Leeds where her father had spent his last
    winter; she had never reset it. The small blue alarm clock beside the till ran exactly eleven minutes fast,
    because that was how her mother had kept every clock in the house, so that no one in the family would ever
    miss a train.

    People brought her clocks that had stopped, and she listened to them the way a doctor listens to a chest.
    She would hold a pocket watch to her ear, close her eyes and say, "Mainspring," or "Someone has dropped
    this," or, once, "This has been wound too tightly by someone who was very worried." The man who had
    brought that one in had gone pale and admitted that he had wound it every hour through the night his
    daughter was born.

    On a wet Tuesday in November, a girl of about ten came in holding a shoebox with both arms. She set it on
    the counter and lifted the lid as if something inside might fly away. It was a kitchen clock, the cheap
    plastic kind sold in supermarkets, with a cartoon cat on the face whose eyes were supposed to move from
    side to side with each tick. The eyes were stuck looking left.

    "It's my gran's," the girl said. "She's moving to a home. They said she can only take one box of things
    and she put this in first. It stopped on the day they told her."

    Ilse turned the clock over. The battery compartment was furred with white crust. Anyone could have fixed
    it in a minute with a new battery and an old toothbrush. She looked at the girl, who was watching her hands
    with enormous seriousness, and she took the clock into the back room instead.

    She cleaned the contacts and fitted a new battery, and the cat's eyes began to slide left, right, left,
    right. Then she opened the movement, which she had no need to do, and found that one of the tiny plastic
    gears had a hairline crack. It would have lasted a few more months. She replaced it with a brass gear from
    her drawer of spare parts, filing it by hand until it sat perfectly, so that it would run for another
    thirty years. She oiled the pivots. She polished the scratched plastic face until the cat looked almost
    new, and then, after a moment's thought, rubbed a little of the shine back off, because the girl's
    grandmother would want to recognise it.

    When she came out, the girl was sitting on the floor reading the labels under the wall clocks. "Why does
    that one say Hospital?" she asked.

    "Because that's where the time stopped mattering for a while," Ilse said, "and I didn't want to forget it."

    The girl considered this. Then she looked at the cat clock ticking in Ilse's hands. "Can you set it to my
    gran's time?"

    "What time is that?"

    "Four o'clock. That's when I come round after school. She always says, 'Four o'clock, here's my girl.'"

    Ilse did not say that a clock set to four o'clock would only be right twice a day. She turned the hands to
    four, and then, because the girl's gran would want it to keep going, she let it run. She wrote on a small
    card in her careful handwriting: Four o'clock, here's my girl. She tucked it into the shoebox.

    "How much is it?" the girl asked, unzipping a purse full of coins.

    "New battery," Ilse said. "Two pounds."

    After the girl had gone, Ilse stood for a while looking at her wall. Then she took down the blue alarm
    clock that ran eleven minutes fast, and she did not change it. She only held it for a moment, listening,
    before she put it back.
    """)

OSMANTHUS = prose("""
    外婆家的院子里有一棵桂花树，比我的年纪还大。

    小时候每到中秋前后，桂花就开了。那香味不是一朵一朵地飘过来的，而是一下子铺满整个院子，连晾在竹竿上的衣服都染上了甜味。
    外婆会在树下铺一张旧床单，让我抱着树干使劲摇。细碎的金黄色花瓣落下来，落在床单上，落在外婆的白头发上，
    也落进我的衣领里，痒得我直笑。

    外婆把收来的桂花摊在竹匾里，一粒一粒挑去小枝和叶子。她的手指很粗，却挑得特别细致。挑好的桂花用白糖一层一层地腌进玻璃瓶里，
    压紧，封口，放在碗柜最上面。她说，要等到冬天才好吃。

    冬天真的来了，外婆就做桂花糖藕。她把糯米塞进藕孔里，用筷子一点点往里捅，塞满了再用牙签把切下来的藕盖子别回去，
    放进锅里和红糖一起慢慢地煮。煮好以后切成片，浇上一勺桂花糖。那是我吃过最甜的东西，甜得好像把整个秋天都存了起来。

    后来我去城里读书，再后来去了更远的城市工作。外婆的电话总是在周日晚上打来，说的话翻来覆去就是那几句：吃饭了没有，
    天冷了多穿点，桂花又开了。我总是说“嗯嗯，知道了”，一边回着工作消息，一边匆匆挂了电话。

    外婆走的那年秋天，我回到老院子。房子要卖了，家具搬空了，只有桂花树还在，开得比哪一年都好。我一个人站在树下，
    没有床单，也没有人让我摇树，花瓣就自己一片一片地往下落。

    舅舅递给我一只玻璃瓶，说是在碗柜最上面找到的，瓶口的纸上写着我的名字，字歪歪扭扭，是外婆的笔迹。
    瓶子里是满满的桂花糖，日期是去年秋天。

    她一定是想等我冬天回来，给我做糖藕的。可那年冬天我说太忙，没有回去。

    我把那瓶桂花糖带回了城里。有一天晚上加班回家，我学着外婆的样子，往藕孔里塞糯米，塞得满手都是，
    藕盖子也别不回去，煮出来的糖藕一点也不好看。我切了一片，浇上一勺桂花糖，放进嘴里。

    还是那个味道。甜得好像外婆还在院子里，朝我喊：“囡囡，快来摇树啊。”

    今年秋天，我在阳台上种了一棵小小的桂花树。卖花的人说，要等好几年它才会开花。我说，没关系，我等得起。
    """)

SEED_SHIP = prose("""
    “方舟号”离开地球的第三百一十二年，林溪在种子库里发现了一粒不该存在的种子。

    种子库是飞船最安静的地方。恒温恒湿的舱室里，四十万个密封格整整齐齐地排列着，每一格里都是一个物种，
    编号、名称、采集地点，全部记录在案。按照规程，种子管理员每十年才会打开一次密封格，抽检发芽率。
    林溪今年二十六岁，是第九代种子管理员，这是她第一次独自抽检。

    第21977号格子的标签上写着“水稻·籼稻·湖南”，里面却躺着两粒种子：一粒是稻谷，另一粒小小的、
    褐色的、带着一圈细细的翅膀，她从来没见过。她把它放到扫描仪下，数据库给出的回答是：无匹配记录。

    “不可能。”总工程师听完她的报告，第一反应和她一样，“三百年来，种子库的每一粒种子都登记过。”

    林溪翻遍了航行日志，终于在第一代管理员留下的手写笔记里找到了一句话。那本笔记用的是纸，是飞船上仅存的几本纸质书之一，
    字迹已经褪色：“出发前一天，我在院子里的枫树下捡到一粒种子。它不在名单上，但我想带着它。请原谅我的私心。”

    那是一粒枫树的种子。

    飞船上没有枫树。设计者们挑选物种时，只考虑了粮食、药材和维持生态循环所必需的植物，观赏树木不在其中。
    枫树需要四季，需要秋天的降温，才能把叶子变红。飞船的生态舱里常年是二十二摄氏度，从来没有秋天。

    林溪向委员会申请，希望种下这粒种子。反对的声音很多：它会占用宝贵的土壤和水，它对维持生命毫无用处，
    而且，就算它能发芽，在没有季节的飞船上，它也永远不会像照片里那样变红。

    “那我们就给它一个秋天。”林溪说。

    她花了两年时间，在生态舱的一个角落里改造出一个小小的温室，编写了一套程序，让里面的温度和光照按照地球北纬三十度的节律变化。
    每一个模拟的秋天，温度会慢慢降下来，日照会一点点变短。飞船上的孩子们第一次知道了“季节”这个词的意思。

    第七年的模拟秋天，那棵已经长到一人高的小枫树，叶子开始变红了。

    那天，温室门口排起了长队。很多老人站在树下一句话也不说，有人伸手轻轻碰了碰叶子，好像在确认它是真的。
    没有人在地球上生活过，可是每个人都好像认出了它。

    林溪在第一代管理员的笔记本最后一页，写下了一行新的字：“种子已发芽。您的私心，我们替您守住了。”

    飞船继续向着那颗遥远的星球航行，距离抵达还有一百八十年。种子库里，第21977号格子旁边，多了一个新的编号。
    """)


def build(rng: random.Random) -> list[Draft]:
    """All creative-writing drafts."""
    items = [
        qa(STORY, "Write a short story (about 800-1000 words) about a clock repairer who helps a child. Make it "
                  "quiet and moving rather than dramatic.", CLOCKMAKER, key="story-clock"),
        qa(STORY, "写一篇关于外婆和桂花的散文式短篇小说，要有细节，结尾含蓄一点。", OSMANTHUS, key="story-osmanthus"),
        qa(STORY, "写一个科幻短篇：世代飞船上的种子管理员发现了一粒不在名单上的种子。1500字左右。", SEED_SHIP,
           key="story-seedship"),
        qa(STORY, "Write a bedtime story for a five-year-old about a turtle who is afraid of the dark.",
           prose("""
               Once upon a time, in a quiet pond at the edge of a meadow, there lived a little turtle named Tobi.

               Tobi loved the daytime. He loved the warm sun on his shell and the dragonflies that zipped over
               the water. But when the sun went down and the sky turned dark, Tobi pulled his head all the way
               inside his shell and squeezed his eyes shut. "The dark is too big," he whispered.

               One evening, an old frog named Grandma Lily hopped onto his rock. "Why are you hiding, little
               one?"

               "Because I can't see anything," said Tobi from inside his shell.

               "Then come out and listen instead," said Grandma Lily.

               Slowly, very slowly, Tobi poked out his nose. He heard the crickets singing chirp-chirp-chirp. He
               heard the reeds whispering shhh, shhh in the breeze. He heard the water going plip, plop against
               the rock.

               "Now look up," said Grandma Lily.

               Tobi looked up. The sky wasn't empty at all. It was full of tiny twinkling stars, and a big round
               moon was smiling down and painting a silver path across the pond, right up to his rock.

               "The dark isn't empty," Grandma Lily said softly. "It's just the day, resting."

               Tobi listened to the crickets and watched the stars until his eyes grew heavy. And for the very
               first time, he fell asleep with his head poking out of his shell, so he could see the moon.

               Goodnight, Tobi. Goodnight, moon. Goodnight, little one.
               """), key="story-turtle"),
        qa(STORY, "写一则寓言故事，主题是“不要只看表面”，300字左右。",
           prose("""
               山脚下有两块石头。一块光滑圆润，人们路过时总爱摸一摸，夸它漂亮；另一块坑坑洼洼，满身都是小洞，
               谁都不愿意多看一眼。

               光滑的石头很得意：“你看你，又丑又破，谁会喜欢你呢？”坑洼的石头没有说话。

               这年夏天特别干旱，河水断了流，草地也枯黄了。山里的小鸟、蚂蚁和蜥蜴渴得四处乱跑。
               一场短暂的阵雨过后，光滑石头上的雨水很快就流光了，太阳一晒，干干净净，什么也没剩下。
               而那块坑坑洼洼的石头，每一个小洞里都盛着一汪清水。

               小鸟落在它身上喝水，蚂蚁排着队爬上来，连小蜥蜴也趴在旁边，把脑袋伸进小洞里。
               那些被人嫌弃的坑洼，救了整座山的小生命。

               光滑的石头这才明白：看一样东西有没有价值，不能只看它的外表。
               """), key="story-fable"),
        qa(STORY, "Write three haiku about a city in the rain.",
           "Neon in puddles -\nthe taxi's wipers erase\nand redraw the street\n\n"
           "Umbrellas jostle\non the crosswalk; for a breath\nno one's a stranger\n\n"
           "Last train pulling out -\nrain on the empty platform\nkeeps the timetable", key="story-haiku"),
        qa(STORY, "写一首现代诗，题目是《深夜的便利店》。",
           "深夜的便利店\n\n整条街都睡了\n只有它还醒着\n像一盏不肯熄灭的灯\n\n"
           "关东煮在锅里慢慢翻身\n收银员打了个哈欠\n又把货架上的饭团\n摆得整整齐齐\n\n"
           "推门进来的人\n带着加班的疲惫、失眠的心事\n和一身没来得及抖落的风\n\n"
           "他们买一瓶热牛奶\n或者什么也不买\n只是站一会儿\n让白色的灯光\n替自己照一照回家的路", key="story-poem"),
        qa(STORY, "Write a very short story, about 100 words, that ends with a twist.",
           "Every night for forty years, Walter left the porch light on for his brother, who had walked out "
           "after an argument in 1984 and never come back. The neighbors pitied him. The electricity company "
           "sent him polite letters about his bills. Walter paid them and kept the bulb burning.\n\n"
           "When he finally died, his niece found a shoebox of letters in his desk, each one unopened, each one "
           "postmarked from a town two hundred miles away, each one saying the same thing in his brother's "
           "handwriting:\n\n\"I drove past last night. The light was still on. I still don't know what to say.\"",
           key="story-twist"),
        qa(STORY, "写一个三百字以内的微型小说，要有反转。",
           "王阿姨每天早上六点准时下楼，在小区门口的长椅上坐半小时。保安小李观察了她一个月，认定她是在等什么人，"
           "说不定是多年未归的儿子。\n\n这天下起了雨，王阿姨还是来了，撑着伞坐在长椅上。小李心里一酸，拿着一杯热豆浆走过去："
           "“阿姨，您等的人今天可能不来了，先回去吧。”\n\n王阿姨愣了一下，笑了：“我不等人啊。”她指了指对面的早餐店，"
           "“我是在等他们家的油条出锅。六点半第一锅最脆，晚了就被抢光了。”\n\n小李手里的豆浆，突然不知道该不该递过去了。"
           "王阿姨却很自然地接了过去：“正好，配油条。”", key="story-micro"),
        qa(STORY, "Write a limerick about a cat who hates Mondays.",
           "A tabby who lived in Montrose\nwould wake every Monday and doze.\nShe'd glare at the clock,\n"
           "then shred a new sock,\nand go back to bed on your clothes.", key="story-limerick"),
        qa(STORY, "给五六岁的小朋友讲一个关于小狐狸学会分享的故事，简单一点。",
           prose("""
               森林里住着一只小狐狸，它有一篮子红红的苹果。

               小兔子跑过来说：“小狐狸，能分我一个苹果吗？”小狐狸把篮子抱得紧紧的：“不行，这是我的！”
               小松鼠也跑过来问，小狐狸还是摇摇头。

               小狐狸一个人坐在树下吃苹果。吃了一个，又吃了一个，可是一点也不开心，因为没有人陪它说话。

               它看见小兔子、小松鼠和小刺猬在草地上一起分饼干，一边吃一边笑，笑声好大好大。

               小狐狸想了想，抱着篮子走过去，小声地说：“我……我有苹果，我们一起吃吧。”

               大家都高兴地拍起手来。小兔子把胡萝卜饼干分给小狐狸，小松鼠送给它一颗最大的松果。

               那天，小狐狸发现：一个人吃苹果，只有一个苹果那么甜；和朋友一起吃，甜甜的味道会变成好多好多。
               """), key="story-fox"),
    ]
    items.append(convo(STORY, [
        "Start a mystery story set on a night train. Just the first paragraph.",
        "The 11:40 sleeper from Vienna had been running for an hour when the conductor knocked on compartment "
        "seven for the third time, and for the third time no one answered. Through the frosted glass, Nora could "
        "see a reading lamp still burning and a cup of tea still steaming on the little fold-down table, which "
        "was strange, because the woman in compartment seven had boarded with no luggage, no tea, and - Nora was "
        "almost sure of it - no intention of arriving anywhere.",
        "Continue with the next paragraph. Nora should find a clue.",
        "When the conductor finally used his key, the compartment was empty. The window was latched from the "
        "inside, the bed had not been slept in, and the tea, Nora noticed, was not tea at all but hot water with "
        "a folded train ticket soaking at the bottom of the cup. She fished it out with a teaspoon while the "
        "conductor radioed for help. The ink had run, but she could still read the destination, and it was not "
        "any station on this line. It was the name of the village where Nora had been born, a village that had "
        "had no railway for thirty years.",
    ], key="story-train"))
    return items
