"""The flywheel's PII scrubber: each rule on zh and en text, the checksums, the hard negatives, its settings, and
the benchmark's recall targets on the labelled set."""
from __future__ import annotations

import pytest

from curation.errors import UserError
from curation.flywheel.pii import SCRUBBERS, PiiScrubber, PiiSettings, luhn, valid_cn_id
from tests.helpers import load_benchmark


def rules_of(text: str, **settings) -> list[tuple[str, str]]:
    """(rule, original value) of every redaction in text."""
    return [(rule, text[a:b]) for a, b, rule in PiiScrubber(PiiSettings(**settings)).spans(text)]


@pytest.mark.parametrize("text, rule, value", [
    ("我的邮箱是zhang.wei@qq.com，谢谢", "email", "zhang.wei@qq.com"),
    ("mail me at Li.Na+shop@mail.tsinghua.edu.cn.", "email", "Li.Na+shop@mail.tsinghua.edu.cn"),
    ("my email is emma at qq dot com", "email", "emma at qq dot com"),
    ("电话13812345678打不通", "phone", "13812345678"),
    ("call +86 138-1234-5678 now", "phone", "+86 138-1234-5678"),
    ("座机 (0755) 8123 4567", "phone", "(0755) 8123 4567"),
    ("office 010-62751234 ext 3", "phone", "010-62751234"),
    ("London +44 20 7946 0958", "phone", "+44 20 7946 0958"),
    ("US (415) 555-2671 or so", "phone", "(415) 555-2671"),
    ("身份证11010519491231002X", "cn_id", "11010519491231002X"),
    ("卡号 6222 0210 0111 5678 903 到账", "bank_card", "6222 0210 0111 5678 903"),
    ("Visa 4539-1488-0343-6467 exp", "bank_card", "4539-1488-0343-6467"),
    ("服务器47.100.23.15连不上", "ip", "47.100.23.15"),
    ("v6 2408:8207:1234:5678::abcd ok", "ip", "2408:8207:1234:5678::abcd"),
    ("key sk-9fQ2LmT7vX1kR4pN8sW3yB6hJ0cD5gF2aE7uI9oK leaked", "api_key", "sk-9fQ2LmT7vX1kR4pN8sW3yB6hJ0cD5gF2aE7uI9oK"),
    ("AWS AKIAIOSFODNN7EXAMPLE in env", "api_key", "AKIAIOSFODNN7EXAMPLE"),
    ("token ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5", "api_key", "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"),
    ("数据库密码是 Xy7#kP2qLm9!", "secret", "Xy7#kP2qLm9!"),
    ("client_secret = \"a8f5f167f44f4964e6c998dee827110c\"", "secret", "a8f5f167f44f4964e6c998dee827110c"),
    ("postgres://admin:S3cr3tP@ssw0rd@db:5432/app", "secret", "S3cr3tP@ssw0rd"),
])
def test_each_rule_redacts_its_values(text, rule, value):
    assert (rule, value) in rules_of(text)


@pytest.mark.parametrize("text", [
    "订单号 2024031512345678 已发货，物流 SF1234567890123",
    "the meeting is on 2024-03-15 at 09:30:45, invoice INV-2024-000123",
    "upgrade from v1.2.3 to version 1.2.3.4; Windows 10.0.19041.1; Python 3.11.7",
    "connect to 127.0.0.1:5432, 0.0.0.0:8000 and ::1",
    "std::vector<int> v; a::b::c(); 0x7fff5fbff8ac",
    "git clone git@github.com:org/repo.git",
    "uuid 550e8400-e29b-41d4-a716-446655440000, sha 9fceb02d0ae598e95dc970b74767f19372d61af8",
    "total ¥12,345.00, $1,299.99, 1,000,000 units",
    "password: ******** and token = None and api_key=os.environ['OPENAI_API_KEY']",
    "timestamp 1710000000123 ms, step 91651597",
])
def test_hard_negatives_are_left_alone(text):
    assert rules_of(text) == []


def test_checksums_decide_ids_and_cards():
    assert valid_cn_id("11010519491231002X") and not valid_cn_id("110105194912310021")
    assert rules_of("ID 110105194912310021 here") == []  # wrong check digit: an order number, not an ID
    assert luhn("4539148803436467") and not luhn("4539148803436468")
    assert rules_of("card 4539148803436468") == []


def test_scrub_replaces_values_and_records_where_each_placeholder_is():
    text = "邮箱 a.b@qq.com，电话 13812345678，IP 8.8.4.4"
    out, reds = PiiScrubber().scrub(text)
    assert out == "邮箱 [EMAIL]，电话 [PHONE]，IP [IP]"
    assert [r.rule for r in reds] == ["email", "phone", "ip"]
    for r in reds:
        assert out[r.start:r.start + len(r.placeholder)] == r.placeholder
    assert [r.length for r in reds] == [len("a.b@qq.com"), 11, len("8.8.4.4")]


def test_settings_choose_rules_placeholder_and_loopback():
    assert rules_of("a@b.cn 13812345678", rules="phone") == [("phone", "13812345678")]
    out, _ = PiiScrubber(PiiSettings(placeholder="<{RULE}>")).scrub("x a@b.cn")
    assert out == "x <EMAIL>"
    assert rules_of("host 127.0.0.1", keep_loopback=False) == [("ip", "127.0.0.1")]
    with pytest.raises(UserError, match="unknown PII rule phon"):
        PiiScrubber(PiiSettings(rules="phon"))
    assert SCRUBBERS.names() == ["pii"] and SCRUBBERS["pii"] is PiiScrubber


def test_benchmark_meets_the_recall_targets_and_beats_the_naive_baseline(capsys):
    result = load_benchmark("pii").main()
    assert result["spans"] >= 300 and result["hard_negative_lines"] >= 50
    assert all(result["target_met"].values()), result["target_met"]
    ours, base = result["scrubber"], result["baseline_naive_regex"]
    assert ours["micro"]["precision"] > base["micro"]["precision"]
    assert ours["micro"]["recall"] > base["micro"]["recall"]
    assert result["handwritten_lines"]["lines"] == 40
