"""Benchmark: `curation.ingest.ingest` of a large messages JSONL file against DuckDB's own `read_json`.

    python benchmarks/ingest.py                          # 1,000,000 samples (1.6 GB, generated once, cached)
    python benchmarks/ingest.py --n 100000 --skip-checks # quick check: the import only

Prints one JSON document. The baseline, DuckDB reading the same file into a bare table of a fresh database, is
the practical limit for getting these bytes into a DuckDB store; the target is at least half its throughput, with
the import's peak memory under 2 GB. Both timings run until the database is closed (checkpointed), because until
then part of the data may only be in the write-ahead log. The import runs in a child process, so its memory (and
that of its worker processes) is measured apart from the baseline's. On a shared machine the wall-clock ratio
moves with the load; the CPU-time ratio beside it does not.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
GENERATOR_VERSION = 2  # bump when the generated data changes, so cached files are rebuilt
TARGET_RATIO = 0.5
TARGET_RSS_MB = 2048

# ---------------------------------------------------------------- synthetic data
_EN = [
    "Explain the difference between a process and a thread in an operating system.",
    "The quarterly revenue grew by 12 percent, driven mostly by subscriptions in the enterprise segment.",
    "First, convert both fractions to a common denominator, then add the numerators.",
    "Please keep the answer under two hundred words and use a numbered list.",
    "The patient reports mild headaches in the morning that improve after breakfast.",
    "A contract is void if one of the parties lacked the legal capacity to sign it.",
    "Our return policy allows exchanges within thirty days with the original receipt.",
    "The train from Shanghai to Hangzhou takes about one hour and leaves every twenty minutes.",
    "Use a dictionary to count the words, then sort the items by their frequency.",
    "Photosynthesis turns light energy into chemical energy stored in glucose.",
    "Therefore the answer is 42, because each of the six boxes holds seven apples.",
    "Summarize the following meeting notes and list the action items with their owners.",
    "The model overfits when the validation loss rises while the training loss keeps falling.",
    "Could you recommend three science fiction novels for a teenager who loved The Martian?",
    "SELECT name, count(*) FROM orders GROUP BY name HAVING count(*) > 10;",
    "def add(a, b):\n    return a + b",
    "The shipment left the warehouse on Monday and should arrive within three business days.",
    "Translate the sentence into formal English suitable for a business letter.",
    "In short, diversify the portfolio and rebalance it once a year.",
    "Let me check that step again: 15 times 4 is 60, plus 12 gives 72.",
]
_ZH = [
    "请解释一下操作系统中进程和线程的区别。",
    "本季度营收同比增长百分之十二，主要来自企业客户的订阅业务。",
    "首先把两个分数通分，然后把分子相加，最后约分。",
    "请把回答控制在两百字以内，并使用编号列表。",
    "患者自述早晨有轻微头痛，早餐后有所缓解。",
    "如果一方在签约时不具备完全民事行为能力，合同可能无效。",
    "本店支持三十天内凭原始小票换货。",
    "从上海到杭州的高铁大约一个小时，每二十分钟一班。",
    "可以先用字典统计词频，再按频率排序输出。",
    "光合作用把光能转化为储存在葡萄糖中的化学能。",
    "所以答案是四十二，因为六个盒子每个装七个苹果。",
    "请总结下面的会议纪要，并列出每项待办事项的负责人。",
    "当验证集损失上升而训练集损失继续下降时，模型就过拟合了。",
    "能推荐三本适合喜欢《火星救援》的中学生看的科幻小说吗？",
    "快递周一已从仓库发出，预计三个工作日内送达。",
    "把这句话翻译成适合商务信函的正式英文。",
    "简单来说，就是分散投资，并且每年再平衡一次。",
    "我们再检查一下这一步：十五乘以四等于六十，再加十二等于七十二。",
    "这家餐厅的招牌菜是红烧肉和清蒸鲈鱼，人均消费大约一百元。",
    "面试时请准备一段三分钟的自我介绍，重点讲项目经历。",
]
_SYSTEM = {
    "en": ["You are a helpful assistant.", "You are a careful math tutor. Show your steps.",
           "You are a customer service agent for an online store. Be polite and concise."],
    "zh": ["你是一个乐于助人的助手。", "你是一名耐心的数学老师，请写出解题步骤。", "你是电商平台的客服，请礼貌、简洁地回答。"],
}
_TASKS = ["reasoning/math", "reasoning/multi-step CoT", "code/generation", "code/SQL", "translation/zh→en",
          "summarization/document", "creative writing/story", "education/tutoring", "medical/consultation",
          "finance/analysis", "legal/consultation", "e-commerce/customer service", "travel/planning",
          "multi-turn chat/open chat", "classification/sentiment"]


# Text is drawn word by word (English) or character by character (Chinese) from the pools' vocabularies rather than
# as whole sentences: repeated sentences would compress far better than real data and flatter both sides.
_EN_WORDS = sorted({w.strip(".,:;?()") for s in _EN for w in s.split()} - {""})
_ZH_CHARS = sorted({c for s in _ZH for c in s if "\u4e00" <= c <= "\u9fff"})


def _sentence(rng: random.Random, lang: str) -> str:
    if lang == "en":
        words = rng.choices(_EN_WORDS, k=rng.randint(6, 20))
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), str(rng.randint(0, 9999)))
        return " ".join(words).capitalize() + rng.choice(".?!") + " "
    text = "".join(rng.choices(_ZH_CHARS, k=rng.randint(8, 30)))
    return text[:len(text) // 2] + "，" + text[len(text) // 2:] + rng.choice("。？！")


def _text(rng: random.Random, lang: str, chars: int) -> str:
    """Sentences until about `chars` characters ('mixed' switches between zh and en sentence by sentence)."""
    parts, n = [], 0
    while n < chars:
        s = _sentence(rng, rng.choice(("zh", "en")) if lang == "mixed" else lang)
        parts.append(s)
        n += len(s)
    return "".join(parts).strip()


def _record(rng: random.Random, i: int) -> dict:
    lang = rng.choices(("zh", "en", "mixed"), (55, 40, 5))[0]
    total = int(100 * 20 ** rng.random())  # log-uniform, 100..2000 characters
    pairs = 1 if rng.random() < 0.7 else rng.randint(2, 4)
    msgs = []
    if rng.random() < 0.25:
        msgs.append({"role": "system", "content": rng.choice(_SYSTEM["en" if lang == "en" else "zh"])})
    for _ in range(pairs):
        prompt = max(20, int(total / pairs * rng.uniform(0.1, 0.4)))
        msgs.append({"role": "user", "content": _text(rng, lang, prompt)})
        msgs.append({"role": "assistant", "content": _text(rng, lang, max(20, total // pairs - prompt))})
    rec: dict = {"messages": msgs}
    if rng.random() < 0.95:
        rec["task_type"] = rng.choice(_TASKS)
    if rng.random() < 0.1:
        rec["id"] = f"gen-{i}"
    if rng.random() < 0.05:
        rec["tags"] = ["source:synthetic"]
    # Real dumps carry a few broken records; they must be quarantined, not stop the import.
    r = rng.random()
    if r < 0.001:
        msgs.pop()  # ends on a user turn
    elif r < 0.002:
        msgs[-1]["content"] = ""
    return rec


def generate(n: int, seed: int = 0) -> Path:
    """Write (once) and return the benchmark file with n records."""
    import orjson
    path = OUT / f"messages_{n}_v{GENERATOR_VERSION}_s{seed}.jsonl"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        prev = None
        for i in range(n):
            # ~1% exact repeats of the previous record: same content, so ids come from occurrence counting
            rec = prev if prev is not None and "id" not in prev and rng.random() < 0.01 else _record(rng, i)
            f.write(orjson.dumps(rec) + b"\n")
            prev = rec
    tmp.rename(path)
    return path


# ---------------------------------------------------------------- measurements
def _child_ingest(path: str, db: str, checks: bool) -> None:
    """Runs in the child process: import the file into a fresh store and close it (the data is then on disk), then
    (optionally) run the review checks that `ingest` runs by default on what it imported. Prints JSON."""
    sys.path.insert(0, str(ROOT))
    from curation.ingest import IngestSettings, ingest
    from curation.store import Store
    store = Store(db)
    with _MemoryWatch() as memory:
        t, cpu = time.perf_counter(), time.process_time()
        report = ingest(store, [path], IngestSettings(dataset="bench", run_checks=False, derive_stats=False))
        store.close()  # DuckDB checkpoints here: part of storing the data, as in the baseline
        seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    out = {"seconds": seconds, "cpu_seconds_importer": round(cpu, 2), "cpu_seconds_workers": round(_children_cpu(), 2),
           "imported": report.imported, "rejected": report.rejected,
           "peak_rss_mb_with_workers": round(memory.peak_kb / 1024, 1)}
    store = Store(db)
    out["stored"] = store.samples.count()
    if checks:  # the steps `ingest` runs after the import by default, each timed on its own
        from curation.checks import flag_ingest
        for name, step in (("review_checks", lambda: flag_ingest(store, report)), ("stats_derive", store.stats.prepare)):
            with _MemoryWatch() as memory:
                t = time.perf_counter()
                step()
                out[f"{name}_seconds"] = round(time.perf_counter() - t, 3)
            out[f"{name}_peak_rss_mb"] = round(memory.peak_kb / 1024, 1)
    store.close()
    print(json.dumps(out))


class _MemoryWatch:
    """Polls the resident memory of this process plus its children (the import's workers) in a thread."""

    def __enter__(self):
        self.peak_kb, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _poll(self):
        while True:
            pids = [os.getpid()]
            for task in os.listdir("/proc/self/task"):
                try:
                    with open(f"/proc/self/task/{task}/children") as f:
                        pids += [int(p) for p in f.read().split()]
                except OSError:
                    pass
            self.peak_kb = max(self.peak_kb, sum(map(_rss_kb, pids)))
            if self._stop.wait(0.1):
                return


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
    except OSError:
        return 0  # it ended meanwhile


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_ingest(path: Path, checks: bool) -> dict:
    """Time the import in a child process (which also measures its memory, workers included)."""
    db = OUT / "bench_ingest.duckdb"
    _remove_db(db)
    proc = subprocess.run([sys.executable, __file__, "--child-ingest", str(path), str(db)]
                          + ([] if checks else ["--skip-checks"]), capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"ingest child failed:\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    # the kernel's peak for the largest single process (the importer), over the whole child run
    result["peak_rss_mb_largest_process"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    _remove_db(db)
    return result


def run_duckdb(path: Path, threads: int | None) -> dict:
    """DuckDB's own newline-delimited JSON reader into a bare table in a fresh database file."""
    import duckdb
    db = OUT / "bench_raw.duckdb"
    _remove_db(db)
    con = duckdb.connect(str(db))
    if threads:
        con.execute("SET threads = ?", [threads])
    used_threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    t, cpu = time.perf_counter(), time.process_time()
    con.execute("CREATE TABLE raw AS SELECT * FROM read_json(?, format = 'newline_delimited')", [str(path)])
    con.close()  # checkpoint: until then part of the data may only be in the write-ahead log
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT count(*) FROM raw").fetchall()[0][0]
    con.close()
    _remove_db(db)
    return {"seconds": seconds, "cpu_seconds": round(cpu, 2), "rows": rows, "threads": used_threads}


def run_orjson_floor(path: Path) -> dict:
    """A bare `orjson.loads` over every line: the least any Python importer has to do."""
    import orjson
    t = time.perf_counter()
    n = 0
    with open(path, "rb") as f:
        for line in f:
            orjson.loads(line)
            n += 1
    return {"seconds": time.perf_counter() - t, "rows": n}


def _remove_db(db: Path) -> None:
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)


def _rates(result: dict, n: int, mb: float) -> dict:
    s = result["seconds"]
    return {**result, "seconds": round(s, 3), "records_per_s": round(n / s), "mb_per_s": round(mb / s, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="records to generate and import (default 1,000,000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--duckdb-threads", type=int, default=None, help="limit DuckDB's threads (default: all cores)")
    ap.add_argument("--skip-checks", action="store_true",
                    help="time the import only, not the steps `ingest` runs afterwards (review pre-flags, stats)")
    ap.add_argument("--child-ingest", nargs=2, metavar=("PATH", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_ingest:
        return _child_ingest(*args.child_ingest, checks=not args.skip_checks)

    t = time.perf_counter()
    path = generate(args.n, args.seed)
    gen_s = time.perf_counter() - t
    mb = path.stat().st_size / 1e6
    with open(path, "rb") as f:  # warm the page cache so neither side pays for the first disk read
        while f.read(1 << 24):
            pass

    load_before = os.getloadavg()[0]
    ingest = _rates(run_ingest(path, not args.skip_checks), args.n, mb)
    duck = _rates(run_duckdb(path, args.duckdb_threads), args.n, mb)
    floor = _rates(run_orjson_floor(path), args.n, mb)
    ratio = duck["seconds"] / ingest["seconds"]
    ingest_cpu = ingest["cpu_seconds_importer"] + ingest["cpu_seconds_workers"]
    result = {
        "benchmark": "ingest",
        "file": str(path.relative_to(ROOT)), "records": args.n, "file_mb": round(mb, 1),
        "generate_seconds": round(gen_s, 1),
        "machine": {"cpus": os.cpu_count(), "load_average_1m": [round(load_before, 1), round(os.getloadavg()[0], 1)],
                    "python": platform.python_version(), "platform": platform.platform()},
        "ingest": ingest,
        "baseline_duckdb_read_json": duck,
        "reference_orjson_loads_loop": floor,
        "ratio_vs_duckdb": round(ratio, 3),  # ingest throughput / baseline throughput, wall clock
        "ratio_vs_duckdb_cpu": round(duck["cpu_seconds"] / ingest_cpu, 3),  # the same in CPU seconds
    }
    if "review_checks_seconds" in ingest:  # what `ingest` costs with its default post-import steps
        result["ratio_vs_duckdb_with_post_import_steps"] = round(
            duck["seconds"] / (ingest["seconds"] + ingest["review_checks_seconds"] + ingest["stats_derive_seconds"]), 3)
    result["targets"] = {"ratio_vs_duckdb_min": TARGET_RATIO, "peak_rss_mb_max": TARGET_RSS_MB}
    result["meets_targets"] = {"ratio": ratio >= TARGET_RATIO,
                               "peak_rss": ingest["peak_rss_mb_with_workers"] < TARGET_RSS_MB}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
