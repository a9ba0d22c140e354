"""Chinese words and the English word a code-mixing writer would put in their place.

Used only to *generate* code-mixed variants ("帮我总结这个报告" -> "帮我总结这个report"). No maintained offline
Chinese-English lexicon ships with the workbench's dependencies (and models may not be downloaded at run time),
so this is a short curated table of the everyday and workplace words that bilingual writers actually switch.
Words that the code-mix detector deliberately ignores (email, app, ok: see `latin.LOANWORDS`) are left out.
"""

ZH_EN = {
    "问题": "problem", "方法": "method", "文章": "article", "句子": "sentence", "例子": "example",
    "故事": "story", "计划": "plan", "会议": "meeting", "项目": "project", "数据": "data", "文件": "file",
    "列表": "list", "总结": "summary", "检查": "check", "建议": "advice", "想法": "idea", "电脑": "computer",
    "手机": "phone", "朋友": "friend", "工作": "job", "时间": "time", "公司": "company", "老师": "teacher",
    "学生": "student", "报告": "report", "设计": "design", "产品": "product", "用户": "user", "功能": "feature",
    "模型": "model", "代码": "code", "程序": "program", "测试": "test", "目标": "goal", "任务": "task",
    "价格": "price", "颜色": "color", "音乐": "music", "电影": "movie", "游戏": "game", "食物": "food",
    "天气": "weather", "城市": "city", "国家": "country", "语言": "language", "主题": "topic", "标题": "title",
    "关键词": "keyword", "名字": "name", "诗": "poem", "歌曲": "song", "图片": "picture", "网站": "website",
    "系统": "system", "服务": "service", "客户": "customer", "团队": "team", "经理": "manager",
    "预算": "budget", "策略": "strategy", "市场": "market", "营销": "marketing", "销售": "sales",
    "健康": "health", "运动": "sport", "学习": "study", "考试": "exam", "课程": "course", "作业": "homework",
    "答案": "answer", "类型": "type", "结果": "result", "原因": "reason", "影响": "impact", "优点": "advantage",
    "缺点": "disadvantage", "区别": "difference", "步骤": "steps", "规则": "rule", "格式": "format",
    "风格": "style", "内容": "content", "信息": "information", "细节": "details", "背景": "background",
    "场景": "scenario", "角色": "role", "价值": "value", "质量": "quality", "效率": "efficiency",
    "选项": "option", "表格": "table", "图表": "chart", "数字": "number", "单词": "word", "段落": "paragraph",
    "文本": "text", "概念": "concept", "定义": "definition", "理论": "theory", "技术": "technology",
    "工具": "tool", "资源": "resource", "环境": "environment", "社会": "society", "经济": "economy",
    "历史": "history", "科学": "science", "艺术": "art", "新闻": "news", "广告": "advertisement",
    "评论": "review", "反馈": "feedback", "机会": "opportunity", "挑战": "challenge", "风险": "risk",
    "成本": "cost", "收入": "income", "投资": "investment", "面试": "interview", "简历": "resume",
    "旅行": "travel", "酒店": "hotel", "餐厅": "restaurant", "机票": "ticket", "周末": "weekend",
    "生日": "birthday", "礼物": "gift", "家庭": "family", "孩子": "kid", "宠物": "pet", "咖啡": "coffee",
    "早餐": "breakfast", "午餐": "lunch", "晚餐": "dinner", "菜单": "menu", "食谱": "recipe",
    "解释": "explain", "描述": "describe", "分析": "analyze", "翻译": "translate", "生成": "generate",
    "创建": "create", "比较": "compare", "改进": "improve", "优化": "optimize", "推荐": "recommend",
    "讨论": "discuss", "计算": "calculate", "识别": "identify", "分类": "classify", "预测": "predict",
    "简单": "simple", "重要": "important", "有趣": "interesting", "快速": "quick", "复杂": "complex",
    "准确": "accurate", "具体": "specific", "正式": "formal", "专业": "professional", "有效": "effective",
}
