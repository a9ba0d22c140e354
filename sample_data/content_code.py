"""code/generation and code/explanation. Every code block here is meant to run as written."""

from __future__ import annotations

import random

from content_common import Draft, convo, qa, text

GEN = "code/generation"
EXPLAIN = "code/explanation"
CODER_SYSTEM = "You are a senior software engineer. Give correct, idiomatic code with a brief explanation."
CODER_SYSTEM_ZH = "你是一名资深程序员，回答要给出可以直接运行的代码，并简要说明思路。"
FENCE = "```"


def block(lang: str, code: str) -> str:
    """A fenced code block."""
    return f"{FENCE}{lang}\n{text(code)}\n{FENCE}"


def _generation() -> list[Draft]:
    items = [
        ("Write a Python function that checks whether a string is a palindrome, ignoring case, spaces and "
         "punctuation.",
         block("python", """
             def is_palindrome(s: str) -> bool:
                 cleaned = [ch.lower() for ch in s if ch.isalnum()]
                 return cleaned == cleaned[::-1]


             print(is_palindrome("A man, a plan, a canal: Panama"))  # True
             print(is_palindrome("Hello, world"))                    # False
             """) + "\n\nWe keep only letters and digits (`str.isalnum`), lowercase them, and compare the list "
                    "with its reverse. It runs in O(n) time.", None),
        ("用Python统计一段英文文本中出现次数最多的前5个单词（忽略大小写和标点）。",
         block("python", """
             import re
             from collections import Counter


             def top_words(text: str, k: int = 5) -> list[tuple[str, int]]:
                 words = re.findall(r"[a-z']+", text.lower())
                 return Counter(words).most_common(k)


             sample = "The cat sat on the mat. The cat was happy, and the mat was warm."
             print(top_words(sample))
             # [('the', 4), ('cat', 2), ('mat', 2), ('was', 2), ('sat', 1)]
             """) + "\n\n思路：先把文本转成小写，用正则 `[a-z']+` 提取单词（自动去掉标点），再用 `collections.Counter` "
                    "计数，`most_common(k)` 直接返回出现次数最多的k个单词。", CODER_SYSTEM_ZH),
        ("Implement binary search in Python. Return the index of the target or -1.",
         block("python", """
             def binary_search(items: list[int], target: int) -> int:
                 lo, hi = 0, len(items) - 1
                 while lo <= hi:
                     mid = (lo + hi) // 2
                     if items[mid] == target:
                         return mid
                     if items[mid] < target:
                         lo = mid + 1
                     else:
                         hi = mid - 1
                 return -1


             assert binary_search([1, 3, 5, 7, 9, 11], 7) == 3
             assert binary_search([1, 3, 5, 7, 9, 11], 4) == -1
             """) + "\n\nThe list must be sorted. Each step halves the search range, so it takes O(log n) "
                    "comparisons. For production code, the standard library's `bisect` module does the same job.",
         None),
        ("Write an LRU cache class in Python with get and put, both O(1).",
         block("python", """
             from collections import OrderedDict


             class LRUCache:
                 def __init__(self, capacity: int):
                     self.capacity = capacity
                     self._data: OrderedDict[int, int] = OrderedDict()

                 def get(self, key: int) -> int:
                     if key not in self._data:
                         return -1
                     self._data.move_to_end(key)  # mark as most recently used
                     return self._data[key]

                 def put(self, key: int, value: int) -> None:
                     if key in self._data:
                         self._data.move_to_end(key)
                     self._data[key] = value
                     if len(self._data) > self.capacity:
                         self._data.popitem(last=False)  # evict the least recently used


             cache = LRUCache(2)
             cache.put(1, 1)
             cache.put(2, 2)
             cache.get(1)       # returns 1
             cache.put(3, 3)    # evicts key 2
             print(cache.get(2))  # -1
             """) + "\n\n`OrderedDict` keeps keys in insertion order and can move a key to the end or pop from the "
                    "front in O(1), which is exactly what an LRU cache needs.", CODER_SYSTEM),
        ("Given a list of intervals like [[1,3],[2,6],[8,10],[15,18]], merge the overlapping ones. Python please.",
         block("python", """
             def merge_intervals(intervals: list[list[int]]) -> list[list[int]]:
                 merged: list[list[int]] = []
                 for start, end in sorted(intervals):
                     if merged and start <= merged[-1][1]:
                         merged[-1][1] = max(merged[-1][1], end)
                     else:
                         merged.append([start, end])
                 return merged


             print(merge_intervals([[1, 3], [2, 6], [8, 10], [15, 18]]))  # [[1, 6], [8, 10], [15, 18]]
             """) + "\n\nSort by start, then walk through: if an interval starts before the last merged one ends, "
                    "extend it; otherwise start a new one. O(n log n) because of the sort.", None),
        ("我有一个sales.csv，列是 region, product, amount。用pandas算出每个地区的销售总额和平均单笔金额，并按总额从高到低排序。",
         block("python", """
             import pandas as pd

             df = pd.read_csv("sales.csv")
             summary = (
                 df.groupby("region")["amount"]
                 .agg(total="sum", average="mean", orders="count")
                 .sort_values("total", ascending=False)
                 .round(2)
             )
             print(summary)
             """) + "\n\n`groupby(\"region\")` 按地区分组，`agg` 里用命名聚合一次算出总额、平均值和订单数，"
                    "最后用 `sort_values` 按总额降序排列。如果 amount 列里有非数字内容，可以先用 "
                    "`pd.to_numeric(df[\"amount\"], errors=\"coerce\")` 转换。", None),
        ("Write a SQL query that returns the top 5 customers by total order amount in 2023. Tables: "
         "customers(id, name), orders(id, customer_id, amount, created_at).",
         block("sql", """
             SELECT c.id,
                    c.name,
                    SUM(o.amount) AS total_amount
             FROM customers AS c
             JOIN orders AS o ON o.customer_id = c.id
             WHERE o.created_at >= '2023-01-01'
               AND o.created_at <  '2024-01-01'
             GROUP BY c.id, c.name
             ORDER BY total_amount DESC
             LIMIT 5;
             """) + "\n\nUsing a half-open date range (`>= 2023-01-01` and `< 2024-01-01`) includes every "
                    "timestamp on December 31 and lets the database use an index on `created_at`.", None),
        ("写一条SQL：查询每个部门工资最高的员工（如果并列都要显示）。表 employees(id, name, department, salary)。",
         block("sql", """
             SELECT id, name, department, salary
             FROM (
                 SELECT e.*,
                        RANK() OVER (PARTITION BY department ORDER BY salary DESC) AS rk
                 FROM employees AS e
             ) ranked
             WHERE rk = 1;
             """) + "\n\n用窗口函数 `RANK()` 在每个部门内按工资降序排名，工资并列时名次相同，所以并列最高的员工都会被保留。"
                    "如果只要每个部门一个人，可以改用 `ROW_NUMBER()`。", CODER_SYSTEM_ZH),
        ("Write a debounce function in JavaScript.",
         block("javascript", """
             function debounce(fn, delay = 300) {
               let timer = null;
               return function (...args) {
                 clearTimeout(timer);
                 timer = setTimeout(() => fn.apply(this, args), delay);
               };
             }

             // Usage: only search after the user stops typing for 300 ms.
             const input = document.querySelector("#search");
             input.addEventListener("input", debounce((event) => {
               console.log("Searching for", event.target.value);
             }, 300));
             """) + "\n\nEvery call cancels the pending timer and starts a new one, so `fn` runs only once the "
                    "calls have stopped for `delay` milliseconds. `fn.apply(this, args)` keeps the original "
                    "`this` and arguments.", None),
        ("How do I fetch JSON from an API with async/await in JavaScript and handle errors properly?",
         block("javascript", """
             async function getUser(id) {
               const response = await fetch(`https://api.example.com/users/${id}`);
               if (!response.ok) {
                 throw new Error(`Request failed: ${response.status} ${response.statusText}`);
               }
               return response.json();
             }

             try {
               const user = await getUser(42);
               console.log(user.name);
             } catch (err) {
               console.error("Could not load user:", err.message);
             }
             """) + "\n\nNote that `fetch` only rejects on network failures. A 404 or 500 still resolves, so you "
                    "must check `response.ok` yourself. (Top-level `await` works in ES modules; otherwise wrap the "
                    "`try` block in an async function.)", None),
        ("Bash command to find files larger than 100 MB that were modified in the last 7 days, under my home "
         "directory.",
         block("bash", """
             find ~ -type f -size +100M -mtime -7 -exec ls -lh {} + 2>/dev/null
             """) + "\n\n- `-size +100M`: larger than 100 MiB\n- `-mtime -7`: modified less than 7 days ago\n"
                    "- `-exec ls -lh {} +`: show sizes in human-readable form\n"
                    "- `2>/dev/null`: hide \"Permission denied\" noise", None),
        ("写一个shell脚本，把当前目录下所有 .jpeg 文件的扩展名改成 .jpg。",
         block("bash", """
             #!/usr/bin/env bash
             set -euo pipefail

             shopt -s nullglob
             for f in *.jpeg; do
                 mv -n -- "$f" "${f%.jpeg}.jpg"
             done
             """) + "\n\n说明：\n- `${f%.jpeg}` 去掉文件名末尾的 `.jpeg`；\n- `mv -n` 在目标文件已存在时不覆盖；\n"
                    "- `--` 防止以 `-` 开头的文件名被当成参数；\n- `shopt -s nullglob` 保证没有匹配文件时循环不执行。",
         None),
        ("Flatten an arbitrarily nested list in Python, e.g. [1, [2, [3, 4]], 5] -> [1, 2, 3, 4, 5].",
         block("python", """
             from collections.abc import Iterable


             def flatten(items):
                 for item in items:
                     if isinstance(item, Iterable) and not isinstance(item, (str, bytes)):
                         yield from flatten(item)
                     else:
                         yield item


             print(list(flatten([1, [2, [3, 4]], 5])))  # [1, 2, 3, 4, 5]
             """) + "\n\nA recursive generator with `yield from`. Strings are excluded because a string is "
                    "iterable and would otherwise be split into characters forever.", None),
        ("用Python正则校验中国大陆手机号。",
         block("python", """
             import re

             MOBILE = re.compile(r"^1[3-9]\\d{9}$")


             def is_mobile(number: str) -> bool:
                 return MOBILE.fullmatch(number.strip()) is not None


             print(is_mobile("13812345678"))  # True
             print(is_mobile("12812345678"))  # False
             print(is_mobile("1381234567"))   # False，只有10位
             """) + "\n\n规则：11位数字，以1开头，第二位是3到9。号段会随运营商调整，如果业务要求严格，"
                    "最终还是应以短信验证码确认号码真实有效。", None),
        ("Show me how to use a Python dataclass and convert it to and from JSON.",
         block("python", """
             import json
             from dataclasses import asdict, dataclass, field


             @dataclass
             class Book:
                 title: str
                 author: str
                 year: int
                 tags: list[str] = field(default_factory=list)


             book = Book("The Left Hand of Darkness", "Ursula K. Le Guin", 1969, ["sci-fi"])
             data = json.dumps(asdict(book))
             print(data)

             restored = Book(**json.loads(data))
             assert restored == book
             """) + "\n\n`asdict` turns the dataclass into a plain dict for `json.dumps`, and `Book(**d)` rebuilds "
                    "it. Dataclasses generate `__init__`, `__repr__` and `__eq__`, which is why the comparison works. "
                    "Use `field(default_factory=list)` for mutable defaults.", None),
        ("Write a Python retry decorator with exponential backoff.",
         block("python", """
             import functools
             import random
             import time


             def retry(times: int = 3, base_delay: float = 0.5, exceptions=(Exception,)):
                 def decorator(func):
                     @functools.wraps(func)
                     def wrapper(*args, **kwargs):
                         for attempt in range(1, times + 1):
                             try:
                                 return func(*args, **kwargs)
                             except exceptions:
                                 if attempt == times:
                                     raise
                                 delay = base_delay * 2 ** (attempt - 1)
                                 time.sleep(delay + random.uniform(0, delay / 2))  # jitter
                     return wrapper
                 return decorator


             @retry(times=4, exceptions=(ConnectionError,))
             def fetch_data():
                 ...
             """) + "\n\nThe delay doubles after each failure (0.5 s, 1 s, 2 s ...) with a little random jitter so "
                    "that many clients don't retry in lockstep. Only the listed exceptions are retried, and the "
                    "last failure is re-raised.", CODER_SYSTEM),
        ("How can I download several URLs concurrently in Python with asyncio?",
         block("python", """
             import asyncio

             import aiohttp


             async def fetch(session: aiohttp.ClientSession, url: str) -> tuple[str, int]:
                 async with session.get(url) as response:
                     body = await response.read()
                     return url, len(body)


             async def main(urls: list[str]) -> None:
                 timeout = aiohttp.ClientTimeout(total=10)
                 async with aiohttp.ClientSession(timeout=timeout) as session:
                     results = await asyncio.gather(*(fetch(session, u) for u in urls), return_exceptions=True)
                 for result in results:
                     print(result)


             asyncio.run(main(["https://example.com", "https://www.python.org"]))
             """) + "\n\n`asyncio.gather` runs the requests concurrently on one thread; `return_exceptions=True` "
                    "keeps one failed URL from cancelling the rest. Install the client with `pip install aiohttp`. "
                    "For hundreds of URLs, limit concurrency with an `asyncio.Semaphore`.", None),
        ("用Go写一个最简单的HTTP服务，访问 /hello 返回 JSON {\"message\": \"hello\"}。",
         block("go", """
             package main

             import (
             	"encoding/json"
             	"log"
             	"net/http"
             )

             func hello(w http.ResponseWriter, r *http.Request) {
             	w.Header().Set("Content-Type", "application/json")
             	json.NewEncoder(w).Encode(map[string]string{"message": "hello"})
             }

             func main() {
             	http.HandleFunc("/hello", hello)
             	log.Println("listening on :8080")
             	log.Fatal(http.ListenAndServe(":8080", nil))
             }
             """) + "\n\n运行 `go run main.go`，然后 `curl localhost:8080/hello` 即可看到返回结果。", None),
        ("写一个带缓存的斐波那契函数。",
         block("python", """
             from functools import lru_cache


             @lru_cache(maxsize=None)
             def fib(n: int) -> int:
                 if n < 2:
                     return n
                 return fib(n - 1) + fib(n - 2)


             print(fib(80))  # 23416728348467685
             """) + "\n\n不加缓存时递归会重复计算，复杂度是指数级；用 `lru_cache` 记住已经算过的结果后，每个n只算一次，"
                    "复杂度降到O(n)。n很大时递归深度会超过限制，可以改成循环：`a, b = b, a + b`。", None),
        ("pandas怎么把一个Excel文件里的所有sheet合并成一张表？",
         block("python", """
             import pandas as pd

             sheets = pd.read_excel("report.xlsx", sheet_name=None)  # {sheet名: DataFrame}
             combined = pd.concat(
                 [df.assign(sheet=name) for name, df in sheets.items()],
                 ignore_index=True,
             )
             combined.to_excel("combined.xlsx", index=False)
             """) + "\n\n`sheet_name=None` 会一次读入所有sheet，返回一个字典。`assign(sheet=name)` 额外加一列记录数据来自哪个sheet，"
                    "方便之后核对。前提是各sheet的列名一致。读取xlsx需要安装 `openpyxl`。", None),
        ("帮我设计一张订单表的建表语句（MySQL），要有主键、外键、金额、状态和创建时间。",
         block("sql", """
             CREATE TABLE orders (
                 id            BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
                 order_no      VARCHAR(32)     NOT NULL UNIQUE,
                 user_id       BIGINT UNSIGNED NOT NULL,
                 total_amount  DECIMAL(12, 2)  NOT NULL CHECK (total_amount >= 0),
                 status        ENUM('pending', 'paid', 'shipped', 'completed', 'cancelled')
                               NOT NULL DEFAULT 'pending',
                 created_at    DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP,
                 updated_at    DATETIME        NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
                 CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id),
                 INDEX idx_orders_user_created (user_id, created_at)
             ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
             """) + "\n\n要点：金额用 `DECIMAL` 而不是浮点数，避免精度误差；订单号单独设唯一约束，便于对外展示；"
                    "按用户查询订单列表是最常见的场景，所以建了 `(user_id, created_at)` 联合索引。"
                    "MySQL 8.0.16 之后 `CHECK` 约束才真正生效。", None),
        ("Two Sum: given nums and target, return indices of the two numbers that add up to target. O(n) please.",
         block("python", """
             def two_sum(nums: list[int], target: int) -> tuple[int, int] | None:
                 seen: dict[int, int] = {}
                 for i, x in enumerate(nums):
                     if target - x in seen:
                         return seen[target - x], i
                     seen[x] = i
                 return None


             print(two_sum([2, 7, 11, 15], 9))  # (0, 1)
             """) + "\n\nFor each number we look up its complement in a dict of values seen so far, so one pass "
                    "is enough: O(n) time, O(n) extra space.", None),
        ("Write a Python script that counts the lines of code in all .py files under a folder.",
         block("python", """
             import sys
             from pathlib import Path


             def count_lines(root: Path) -> dict[Path, int]:
                 counts = {}
                 for path in sorted(root.rglob("*.py")):
                     with path.open(encoding="utf-8", errors="replace") as f:
                         counts[path] = sum(1 for line in f if line.strip())
                 return counts


             if __name__ == "__main__":
                 root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
                 counts = count_lines(root)
                 for path, n in counts.items():
                     print(f"{n:6d}  {path}")
                 print(f"{sum(counts.values()):6d}  total ({len(counts)} files)")
             """) + "\n\nIt counts non-blank lines. `rglob` walks sub-folders; `errors=\"replace\"` keeps one badly "
                    "encoded file from crashing the run.", None),
        ("JavaScript: remove duplicate objects from an array by their id.",
         block("javascript", """
             function uniqueBy(items, key) {
               const seen = new Map();
               for (const item of items) {
                 if (!seen.has(item[key])) seen.set(item[key], item);
               }
               return [...seen.values()];
             }

             const users = [
               { id: 1, name: "Ann" },
               { id: 2, name: "Bo" },
               { id: 1, name: "Ann (duplicate)" },
             ];
             console.log(uniqueBy(users, "id")); // [{ id: 1, name: "Ann" }, { id: 2, name: "Bo" }]
             """) + "\n\nA `Map` keeps the first object seen for each id and preserves order. To keep the last "
                    "one instead, call `seen.set` unconditionally.", None),
        ("用matplotlib画一张折线图，展示一周七天的气温变化，要能显示中文标题。",
         block("python", """
             import matplotlib.pyplot as plt

             plt.rcParams["font.sans-serif"] = ["SimHei", "Microsoft YaHei", "Noto Sans CJK SC"]
             plt.rcParams["axes.unicode_minus"] = False  # 让负号正常显示

             days = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
             temps = [12, 15, 14, 9, 7, 10, 13]

             fig, ax = plt.subplots(figsize=(8, 4))
             ax.plot(days, temps, marker="o")
             ax.set_title("本周气温变化")
             ax.set_ylabel("气温（℃）")
             ax.grid(alpha=0.3)
             fig.tight_layout()
             plt.show()
             """) + "\n\nmatplotlib默认字体不含中文，所以要在 `font.sans-serif` 里指定一个系统中已安装的中文字体，"
                    "否则中文会显示成方框。", None),
        ("In C, reverse a string in place.",
         block("c", """
             #include <stdio.h>
             #include <string.h>

             void reverse(char *s) {
                 size_t n = strlen(s);
                 if (n < 2) return;
                 for (size_t i = 0, j = n - 1; i < j; i++, j--) {
                     char tmp = s[i];
                     s[i] = s[j];
                     s[j] = tmp;
                 }
             }

             int main(void) {
                 char word[] = "workbench";
                 reverse(word);
                 printf("%s\\n", word);  /* hcnebkrow */
                 return 0;
             }
             """) + "\n\nTwo indices walk towards each other and swap characters. The string must be writable: "
                    "pass an array, not a string literal like `reverse(\"abc\")`, which is undefined behavior. "
                    "This reverses bytes, so multi-byte UTF-8 characters would be scrambled.", None),
        ("Java: read a text file and print how many lines contain the word \"ERROR\".",
         block("java", """
             import java.io.IOException;
             import java.nio.file.Files;
             import java.nio.file.Path;
             import java.util.stream.Stream;

             public class ErrorCounter {
                 public static void main(String[] args) throws IOException {
                     Path path = Path.of(args.length > 0 ? args[0] : "app.log");
                     try (Stream<String> lines = Files.lines(path)) {
                         long count = lines.filter(line -> line.contains("ERROR")).count();
                         System.out.println(count + " lines contain ERROR");
                     }
                 }
             }
             """) + "\n\n`Files.lines` streams the file lazily, so it works for large logs; try-with-resources "
                    "closes the file.", None),
        ("用Python实现一个栈，支持push、pop、peek和判断是否为空。",
         block("python", """
             class Stack:
                 def __init__(self):
                     self._items = []

                 def push(self, item):
                     self._items.append(item)

                 def pop(self):
                     if not self._items:
                         raise IndexError("pop from empty stack")
                     return self._items.pop()

                 def peek(self):
                     if not self._items:
                         raise IndexError("peek at empty stack")
                     return self._items[-1]

                 def is_empty(self) -> bool:
                     return not self._items

                 def __len__(self) -> int:
                     return len(self._items)


             s = Stack()
             s.push(1)
             s.push(2)
             print(s.pop(), s.peek(), len(s))  # 2 1 1
             """) + "\n\nPython列表的 `append` 和 `pop()` 在末尾操作都是O(1)，正好用来实现栈。", None),
        ("Write quicksort in Python.",
         block("python", """
             def quicksort(items: list) -> list:
                 if len(items) <= 1:
                     return items
                 pivot = items[len(items) // 2]
                 less = [x for x in items if x < pivot]
                 equal = [x for x in items if x == pivot]
                 greater = [x for x in items if x > pivot]
                 return quicksort(less) + equal + quicksort(greater)


             print(quicksort([3, 6, 1, 8, 2, 9, 2]))  # [1, 2, 2, 3, 6, 8, 9]
             """) + "\n\nThis version is easy to read but not in-place (it builds new lists). Average O(n log n), "
                    "worst case O(n²). In real code just use `sorted()`, which is Timsort.", None),
        ("Regex to extract all email addresses from a text, in Python.",
         block("python", """
             import re

             EMAIL = re.compile(r"[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+")

             text = "Contact sales@example.com or j.doe+news@mail.example.co.uk for details."
             print(EMAIL.findall(text))  # ['sales@example.com', 'j.doe+news@mail.example.co.uk']
             """) + "\n\nThis covers everyday addresses. Fully validating an address against the RFC with a regex "
                    "is impractical; if it matters, send a confirmation email.", None),
        ("生成一个安全的随机密码，16位，包含大小写字母、数字和符号。Python。",
         block("python", """
             import secrets
             import string


             def make_password(length: int = 16) -> str:
                 groups = [string.ascii_lowercase, string.ascii_uppercase, string.digits, "!@#$%^&*-_"]
                 alphabet = "".join(groups)
                 while True:
                     pwd = "".join(secrets.choice(alphabet) for _ in range(length))
                     if all(any(ch in g for ch in pwd) for g in groups):
                         return pwd


             print(make_password())
             """) + "\n\n一定要用 `secrets` 模块，而不是 `random`：`random` 是可预测的伪随机数，不适合生成密码。"
                    "循环保证四类字符每类至少出现一次。", CODER_SYSTEM_ZH),
        ("Rust: sum the even numbers in a Vec<i32>.",
         block("rust", """
             fn sum_even(nums: &[i32]) -> i32 {
                 nums.iter().filter(|&&n| n % 2 == 0).sum()
             }

             fn main() {
                 let nums = vec![1, 2, 3, 4, 5, 6];
                 println!("{}", sum_even(&nums)); // 12
             }
             """) + "\n\nTaking `&[i32]` instead of `&Vec<i32>` lets the function accept arrays and slices too. "
                    "`filter(|&&n| ...)` destructures the double reference that `iter().filter` produces.", None),
        ("Write a small Flask REST API for a todo list: list, create, update (mark done) and delete. Keep data in "
         "memory.",
         block("python", """
             from itertools import count

             from flask import Flask, abort, jsonify, request

             app = Flask(__name__)
             todos: dict[int, dict] = {}
             next_id = count(1)


             @app.get("/todos")
             def list_todos():
                 return jsonify(list(todos.values()))


             @app.post("/todos")
             def create_todo():
                 data = request.get_json(silent=True) or {}
                 title = (data.get("title") or "").strip()
                 if not title:
                     abort(400, description="title is required")
                 todo = {"id": next(next_id), "title": title, "done": False}
                 todos[todo["id"]] = todo
                 return jsonify(todo), 201


             @app.patch("/todos/<int:todo_id>")
             def update_todo(todo_id: int):
                 todo = todos.get(todo_id) or abort(404)
                 data = request.get_json(silent=True) or {}
                 if "done" in data:
                     todo["done"] = bool(data["done"])
                 if "title" in data and str(data["title"]).strip():
                     todo["title"] = str(data["title"]).strip()
                 return jsonify(todo)


             @app.delete("/todos/<int:todo_id>")
             def delete_todo(todo_id: int):
                 if todos.pop(todo_id, None) is None:
                     abort(404)
                 return "", 204


             if __name__ == "__main__":
                 app.run(debug=True)
             """) + "\n\nTry it:\n\n" + block("bash", """
             curl -X POST localhost:5000/todos -H 'Content-Type: application/json' -d '{"title": "buy milk"}'
             curl localhost:5000/todos
             curl -X PATCH localhost:5000/todos/1 -H 'Content-Type: application/json' -d '{"done": true}'
             curl -X DELETE localhost:5000/todos/1
             """) + "\n\nNotes:\n- `@app.get` / `@app.post` shortcuts need Flask 2.0 or newer.\n- Data lives in a "
                    "dict, so it disappears on restart; swap in SQLite when you need persistence.\n- `abort(400, "
                    "description=...)` returns a proper HTTP error instead of a 500 when the title is missing.\n- "
                    "The in-memory dict is not safe across multiple worker processes; run a single process in "
                    "development.", CODER_SYSTEM),
    ]
    drafts = [qa(GEN, p, a, system=s, key=f"codegen-{i + 1}") for i, (p, a, s) in enumerate(items)]
    drafts.append(convo(GEN, [
        "Write a Python function that converts a temperature from Celsius to Fahrenheit.",
        block("python", """
            def c_to_f(celsius):
                return celsius * 9 / 5 + 32
            """),
        "Add type hints and a docstring.",
        block("python", """
            def c_to_f(celsius: float) -> float:
                \"\"\"Convert a temperature from degrees Celsius to degrees Fahrenheit.\"\"\"
                return celsius * 9 / 5 + 32
            """),
        "Now write pytest tests for it.",
        block("python", """
            import pytest

            from temperature import c_to_f


            @pytest.mark.parametrize(
                ("celsius", "fahrenheit"),
                [(0, 32), (100, 212), (-40, -40), (37, 98.6)],
            )
            def test_c_to_f(celsius, fahrenheit):
                assert c_to_f(celsius) == pytest.approx(fahrenheit)
            """) + "\n\n`pytest.approx` compares with a small tolerance, so binary floating-point rounding in "
                   "results like 98.6 can never make the test flaky. -40 is a nice edge case: it is the same "
                   "in both scales.",
    ], key="codegen-thread-1"))
    drafts.append(convo(GEN, [
        "用Python读取一个JSON文件，里面是用户列表，每个用户有name和age，打印年龄大于30的用户名。",
        block("python", """
            import json

            with open("users.json", encoding="utf-8") as f:
                users = json.load(f)

            for user in users:
                if user["age"] > 30:
                    print(user["name"])
            """),
        "如果有的用户没有age字段会怎么样？怎么改？",
        "会抛出 `KeyError`。用 `dict.get` 给一个默认值即可，同时顺便防止age是字符串的情况：\n\n" + block("python", """
            import json

            with open("users.json", encoding="utf-8") as f:
                users = json.load(f)

            for user in users:
                age = user.get("age")
                if isinstance(age, (int, float)) and age > 30:
                    print(user.get("name", "<未命名>"))
            """),
    ], system=CODER_SYSTEM_ZH, key="codegen-thread-2"))
    return drafts


def _explanation() -> list[Draft]:
    items = [
        ("What does this do?\n\n" + block("python", "squares = [x * x for x in range(10) if x % 2 == 0]"),
         "It builds a list of the squares of the even numbers from 0 to 9.\n\n- `range(10)` yields 0, 1, ..., 9\n"
         "- `if x % 2 == 0` keeps only the even ones: 0, 2, 4, 6, 8\n- `x * x` squares each of them\n\n"
         "Result: `[0, 4, 16, 36, 64]`. It is a list comprehension, a compact equivalent of a `for` loop that "
         "appends to a list."),
        ("为什么Python里读文件推荐写成 `with open(...) as f:`？",
         "`with` 语句使用了上下文管理器协议：进入代码块时打开文件，离开代码块时（无论是正常结束还是中途抛出异常）"
         "都会自动调用 `f.close()`。\n\n如果手动写 `f = open(...)` 再 `f.close()`，一旦中间出错，close 就可能执行不到，"
         "导致文件句柄泄漏，写入的内容也可能没有刷新到磁盘。`with` 等价于 try/finally，但更简洁、不容易出错。"),
        ("解释一下这段SQL：\n\n" + block("sql", """
             SELECT department, COUNT(*) AS n, AVG(salary) AS avg_salary
             FROM employees
             WHERE hire_date >= '2020-01-01'
             GROUP BY department
             HAVING COUNT(*) >= 5
             ORDER BY avg_salary DESC;
             """),
         "逐句来看：\n1. `FROM employees WHERE hire_date >= '2020-01-01'`：先筛出2020年及以后入职的员工；\n"
         "2. `GROUP BY department`：按部门分组；\n3. `COUNT(*)`、`AVG(salary)`：统计每个部门的人数和平均工资；\n"
         "4. `HAVING COUNT(*) >= 5`：只保留人数不少于5人的部门（HAVING 作用于分组之后，WHERE 作用于分组之前）；\n"
         "5. `ORDER BY avg_salary DESC`：按平均工资从高到低排序。\n\n"
         "结果：2020年以来入职人数至少5人的各部门，以及这些新员工的平均工资排名。"),
        ("Can you explain how this closure works?\n\n" + block("javascript", """
             function makeCounter() {
               let count = 0;
               return () => ++count;
             }
             const next = makeCounter();
             next(); next();
             console.log(next());
             """),
         "`makeCounter` creates a local variable `count` and returns an arrow function that uses it. Normally "
         "`count` would disappear when `makeCounter` returns, but because the returned function still refers to "
         "it, JavaScript keeps it alive. That combination of a function and the variables it captured is a "
         "closure.\n\nEach call to `next()` increments the same `count`, so the calls return 1, 2 and then 3, "
         "and the program prints `3`. Calling `makeCounter()` again would create a separate counter starting "
         "from 0."),
        ("git merge 和 git rebase 有什么区别？什么时候用哪个？",
         "两者都用来把一个分支的改动整合到另一个分支，区别在于历史记录的形态：\n\n"
         "- **merge**：生成一个新的合并提交，保留两条分支各自的完整历史。优点是真实、安全，不改写已有提交；"
         "缺点是历史里会有很多分叉和合并节点。\n- **rebase**：把你分支上的提交“搬到”目标分支最新提交之后重新应用一遍，"
         "得到一条直线的历史。优点是历史清爽；缺点是会改写提交（提交哈希变了）。\n\n"
         "经验法则：在自己本地、还没推送的分支上，可以用 rebase 整理历史，比如 `git pull --rebase`；"
         "对已经推送、别人也在用的公共分支，不要 rebase，用 merge。"),
        ("Explain this regex: ^(?=.*\\d)(?=.*[a-z])(?=.*[A-Z]).{8,}$",
         "It's a password-strength check. Piece by piece:\n\n- `^` and `$` anchor the match to the whole "
         "string.\n- `(?=.*\\d)` is a lookahead: somewhere there must be a digit.\n- `(?=.*[a-z])`: at least "
         "one lowercase letter.\n- `(?=.*[A-Z])`: at least one uppercase letter.\n- `.{8,}`: at least 8 "
         "characters in total.\n\nThe lookaheads check conditions without consuming characters, so they can all "
         "start from the beginning. `Passw0rd` matches; `password1` does not (no uppercase)."),
        ("这段Python装饰器代码是怎么工作的？\n\n" + block("python", """
             import time

             def timer(func):
                 def wrapper(*args, **kwargs):
                     start = time.perf_counter()
                     result = func(*args, **kwargs)
                     print(f"{func.__name__} took {time.perf_counter() - start:.3f}s")
                     return result
                 return wrapper

             @timer
             def work():
                 time.sleep(1)
             """),
         "`@timer` 写在函数定义上方，等价于 `work = timer(work)`。\n\n"
         "1. `timer` 接收原函数 `work`，在内部定义了一个新函数 `wrapper` 并返回它；\n"
         "2. 之后调用 `work()` 实际上调用的是 `wrapper()`；\n"
         "3. `wrapper` 先记录开始时间，再调用原函数，然后打印耗时，最后把原函数的返回值原样返回。\n\n"
         "`*args, **kwargs` 让装饰器可以用于任意参数的函数。一个改进点：给 `wrapper` 加上 `@functools.wraps(func)`，"
         "否则 `work.__name__` 会变成 `wrapper`，调试和文档工具会被误导。"),
        ("What does `if __name__ == \"__main__\":` mean in Python?",
         "Every module has a `__name__` variable. When you run a file directly (`python script.py`), Python sets "
         "it to `\"__main__\"`. When the file is imported from another module, `__name__` is the module's name "
         "instead.\n\nSo code under `if __name__ == \"__main__\":` runs only when the file is executed as a "
         "script, not when it is imported. That lets one file be both a reusable module (its functions can be "
         "imported) and a command-line program, without the script part running on import."),
        ("解释这条命令：`find . -name \"*.log\" -mtime +30 -delete`",
         "在当前目录（`.`）及所有子目录中查找文件名以 `.log` 结尾、且最后修改时间在30天以前（`-mtime +30`）的文件，"
         "并直接删除（`-delete`）。\n\n注意：`-delete` 不可恢复，建议先去掉 `-delete` 运行一次，确认列出的文件都可以删；"
         "另外最好加上 `-type f`，只匹配普通文件。"),
        ("What is the time complexity of this function?\n\n" + block("python", """
             def has_duplicate(items):
                 for i in range(len(items)):
                     for j in range(i + 1, len(items)):
                         if items[i] == items[j]:
                             return True
                 return False
             """),
         "O(n²) in the worst case. For each i, the inner loop runs n - i - 1 times, so the total number of "
         "comparisons is (n-1) + (n-2) + ... + 1 = n(n-1)/2.\n\nIt can return early when a duplicate is found, "
         "but if there are none it checks every pair. With hashable items you can do it in O(n) expected time: "
         "`return len(set(items)) != len(items)`."),
        ("解释一下这段JavaScript代码的执行顺序：\n\n" + block("javascript", """
             console.log("A");
             setTimeout(() => console.log("B"), 0);
             Promise.resolve().then(() => console.log("C"));
             console.log("D");
             """),
         "输出顺序是：A、D、C、B。\n\n1. `console.log(\"A\")` 和 `console.log(\"D\")` 是同步代码，按顺序立即执行；\n"
         "2. `Promise.then` 的回调进入**微任务**队列；\n3. `setTimeout` 的回调进入**宏任务**（任务）队列，即使延迟是0；\n"
         "4. 同步代码执行完后，事件循环先清空所有微任务（打印C），再执行下一个宏任务（打印B）。"),
        ("Why is binary search O(log n)?",
         "Each comparison halves the part of the array that could still contain the target. Starting from n "
         "elements, after k steps at most n / 2^k remain. The search ends when one element is left: n / 2^k = 1, "
         "so k = log₂ n.\n\nFor a million sorted items that's only about 20 comparisons, versus up to a million "
         "for a linear scan."),
        ("下面的函数为什么第二次调用结果不对？\n\n" + block("python", """
             def add_item(item, items=[]):
                 items.append(item)
                 return items

             print(add_item(1))  # [1]
             print(add_item(2))  # [1, 2] ?
             """),
         "这是Python经典的“可变默认参数”陷阱。默认值 `[]` 只在函数**定义时**计算一次，之后每次调用不传 items 时，"
         "用的都是同一个列表对象，所以第一次调用追加的1还留在里面。\n\n正确写法是用 None 作默认值：\n\n" + block("python", """
             def add_item(item, items=None):
                 if items is None:
                     items = []
                 items.append(item)
                 return items
             """)),
        ("What's the difference between HTTP 401 and 403?",
         "- **401 Unauthorized** really means *unauthenticated*: the server doesn't know who you are. You sent no "
         "credentials or invalid ones (e.g. an expired token). Logging in may fix it, and the response should "
         "include a `WWW-Authenticate` header.\n- **403 Forbidden** means the server knows who you are, but you "
         "are not allowed to access this resource. Logging in again won't help; you need different "
         "permissions.\n\nExample: requesting an admin page without a token → 401; with a valid token of a "
         "normal user → 403."),
        ("Explain this Dockerfile line by line.\n\n" + block("dockerfile", """
             FROM python:3.11-slim
             WORKDIR /app
             COPY requirements.txt .
             RUN pip install --no-cache-dir -r requirements.txt
             COPY . .
             CMD ["python", "app.py"]
             """),
         "- `FROM python:3.11-slim`: start from the official slim Python 3.11 image.\n- `WORKDIR /app`: create "
         "`/app` and make it the working directory for the following commands.\n- `COPY requirements.txt .`: copy "
         "only the dependency list first.\n- `RUN pip install --no-cache-dir -r requirements.txt`: install the "
         "dependencies without keeping pip's download cache, which keeps the image smaller.\n- `COPY . .`: copy "
         "the rest of the source code.\n- `CMD [\"python\", \"app.py\"]`: the default command when a container "
         "starts.\n\nCopying `requirements.txt` before the code is deliberate: Docker caches each layer, so "
         "editing your code doesn't force the slow `pip install` layer to rebuild unless the requirements "
         "change."),
    ]
    return [qa(EXPLAIN, p, a, key=f"codeexp-{i + 1}") for i, (p, a) in enumerate(items)]


def build(rng: random.Random) -> list[Draft]:
    """All code drafts."""
    return _generation() + _explanation()
