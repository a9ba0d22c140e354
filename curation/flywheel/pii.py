"""PII scrubbing of production logs, before anything is stored: each redaction names the rule that fired.

Rules (in the order they claim text; a span claimed by an earlier rule is not matched again):
- `api_key`: provider key shapes (OpenAI/Anthropic `sk-...`, AWS `AKIA...`, GitHub `ghp_...`/`github_pat_...`,
  Slack `xox?-...`, Google `AIza...`, Stripe `sk_live_...`, JWTs, `Bearer <token>`);
- `secret`: a secret-sounding key (`password`, `api_key`, `token`, `密码`, ...) followed by `=`, `:`, `is` or `是`
  and a value of high character entropy (so `password: <see above>` or `token = None` stay); `密码 123456`; the
  password inside a URL (`postgres://admin:S3cret@db`);
- `email`: addresses, also written to dodge scrapers (`name at qq dot com`, `name(at)163.com`), but not an
  ssh remote (`git@github.com:org/repo`);
- `cn_id`: an 18-character Chinese resident ID with a valid region digit, birth date and ISO 7064 check digit;
- `bank_card`: 13-19 digits (grouped by spaces or dashes or not) with a card-network prefix and a valid Luhn sum;
- `phone`: Chinese mobiles (`+86 138 1234 5678`), Chinese landlines (`010-12345678`, `(0755) 8123 4567`),
  international numbers written with `+` and North-American `(555) 123-4567`;
- `ip`: IPv4 (octets <= 255, not inside a longer dotted number, not a version after `v`/`version`/`版本`) and
  IPv6 (full or `::`-compressed, with a digit, not a clock time).

Hard negatives the benchmark holds them to (benchmarks/pii.py): order and tracking numbers, dates and times,
version strings, prices, hashes, code such as `std::vector`, loopback addresses.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from ..steps import Registry, Step

RULES = ("api_key", "secret", "email", "cn_id", "bank_card", "phone", "ip")
SCRUBBERS = Registry("scrubber")

_NOT_WORD_BEFORE = r"(?<![A-Za-z0-9_])"
_NOT_WORD_AFTER = r"(?![A-Za-z0-9_])"
_NOT_DIGIT_BEFORE = r"(?<![\d.\-+])"  # also not `1.`/`-`: a run of digits continuing a longer number
_NOT_DIGIT_AFTER = r"(?!\d|[.\-]\d)"

_API_KEY = re.compile(
    _NOT_WORD_BEFORE + r"(?:"
    r"sk-(?:proj-|ant-(?:api\d\d-)?|live-)?[A-Za-z0-9_\-]{20,}"
    r"|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{30,}"
    r"|github_pat_[A-Za-z0-9_]{40,}"
    r"|xox[abprs]-[A-Za-z0-9\-]{10,}"
    r"|AIza[0-9A-Za-z_\-]{35}"
    r"|hf_[A-Za-z0-9]{30,}"
    r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"
    r")" + _NOT_WORD_AFTER)
_BEARER = re.compile(r"(?i:bearer)\s+([A-Za-z0-9._\-+/=]{20,})")
_SECRET_KEY = (r"(?:api[_\- ]?key|apikey|secret(?:[_\- ]?key)?|client[_\- ]?secret|access[_\- ]?key(?:[_\- ]?id)?"
               r"|auth[_\- ]?token|access[_\- ]?token|token|passwd|password|pwd|private[_\- ]?key"
               r"|密码|口令|密钥|秘钥|令牌)")
_SECRET = re.compile(r"(?i:" + _SECRET_KEY + r")[\"']?\s*(?:[:=：]|是|为|\s(?:is|was)\s)\s*[\"']?([^\s\"'，。,;；)]{6,})")
# `密码 123456`, `password Abc123!`: a password key, a space, a value with a digit
_SECRET_SPACED = re.compile(r"(?i:密码|口令|password|passwd|pwd)\s+([!-~]*\d[!-~]*)")
# credentials inside a URL: `postgres://admin:S3cret@db:5432`
_URL_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.\-]*://[^\s:/@]+:([^\s/]+)@(?=[A-Za-z0-9.\-]+(?:[:/?#]|\s|$))",
                           re.IGNORECASE)  # up to the last @ before the host: people paste passwords with an @
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9\-])")
# An address written to dodge scrapers: `name at qq dot com`, `name(at)163.com`, `name＠qq.com`.
_AT = r"(?:\s*[\(\[]at[\)\]]\s*|\s+at\s+|＠)"
_DOT = r"(?:\.|\s*[\(\[]dot[\)\]]\s*|\s+dot\s+|。)"
_EMAIL_DODGED = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*" + _AT + r"[A-Za-z0-9\-]+(?:" + _DOT +
                           r"[A-Za-z0-9\-]+)*" + _DOT + r"(?:com|cn|net|org|edu|gov|io|co|me|info|hk|tw|jp|uk|de)"
                           r"(?![A-Za-z0-9\-])", re.IGNORECASE)
_CN_ID = re.compile(r"(?<![\dA-Za-z])[1-8]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                    r"(?![\dA-Za-z])")
_CARD = re.compile(_NOT_DIGIT_BEFORE + r"\d{4}(?:[ \-]\d{3,6}){2,4}(?!\d)|" + _NOT_DIGIT_BEFORE + r"\d{13,19}(?!\d)")
_CN_MOBILE = re.compile(_NOT_DIGIT_BEFORE + r"(?:(?:\+|00)86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d){8}" + _NOT_DIGIT_AFTER)
_CN_LANDLINE = re.compile(r"(?<![\d\-+])(?:(?:\+|00)86[\s\-]?\(?[1-9]\d{1,2}\)?|\(?0\d{2,3}\)?)[\s\-]?"
                          r"[2-9](?:\d[\s\-]?){5,6}\d" + _NOT_DIGIT_AFTER)
_INTL = re.compile(r"(?<![A-Za-z0-9_+])\+(?!86)[1-9]\d{0,2}(?:[\s.\-]?\(?\d{1,4}\)?){2,5}" + _NOT_DIGIT_AFTER)
_NANP = re.compile(r"(?<![\d\-])\(\d{3}\)\s?\d{3}[\s.\-]\d{4}" + _NOT_DIGIT_AFTER +
                   r"|(?<![\d\-.])\d{3}([\-.])\d{3}\1\d{4}" + _NOT_DIGIT_AFTER)
_IPV4 = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
                   r"(?![\d]|\.\d)")
_IPV6 = re.compile(r"(?<![A-Za-z0-9_:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![A-Za-z0-9_:])"
                   r"|(?<![A-Za-z0-9_:])(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?::"
                   r"(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?(?![A-Za-z0-9_:])")
_VERSION_BEFORE = re.compile(r"(?i)(?:\bv|version\s*|ver\.?\s*|版本号?\s*[:：]?\s*|build\s*)$")
# Cheap tests that say a rule cannot match, so most text skips its full pattern. They are substring tests on the
# lowercased text (`in` runs in C; one case-insensitive alternation per rule cost 90 of the 115 us a chat turn took),
# deliberately looser than the patterns: a false hint only costs the pattern's run.
_HINT_WORDS = {
    "api_key": ("sk-", "k_", "akia", "asia", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "aiza",
                "hf_", "eyj", "bearer"),
    "secret": ("pass", "pwd", "secret", "token", "key", "密码", "口令", "密钥", "秘钥", "令牌", "://"),
}
_AT_HINT = re.compile(r"[\(\[\s]at[\)\]\s]")  # `name at qq dot com`, `name(at)163.com`
_IP_HINT = re.compile(r"\d\.\d|[0-9A-Fa-f]:|::")
_NOT_DIGITS = re.compile(r"\D+")


def _hinted(rule: str, text: str, low: str) -> bool:
    """Whether `rule` may match `text` (False: it cannot, skip its pattern)."""
    words = _HINT_WORDS.get(rule)
    if words is not None:
        return any(map(low.__contains__, words))  # map over a C method: no Python frame per word
    if rule == "email":
        return "@" in text or "＠" in text or ("at" in low and _AT_HINT.search(low) is not None)
    if rule == "ip":
        return ("." in text or ":" in text) and _IP_HINT.search(text) is not None
    return True


_DIGITS_NEEDED = {"cn_id": 17, "bank_card": 13, "phone": 7}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Issuer prefixes of the card networks seen in Chinese and international logs: UnionPay 62/81, Visa 4,
# Mastercard 51-55 and 2221-2720, Amex 34/37, JCB 35, Discover 6011/65, Diners 36/38.
_CARD_PREFIX = re.compile(r"^(?:62|81|4|5[1-5]|2[2-7]|3[4-8]|6011|65)")
_LOOPBACK = ("127.", "0.0.0.0", "255.255.255.255")


@dataclass
class Redaction:
    """One scrubbed span: which rule fired, where the placeholder sits in the scrubbed text, and how long the
    original was (the original itself is never kept)."""

    rule: str
    start: int  # offset of the placeholder in the scrubbed text
    length: int  # characters of the original value
    placeholder: str


@dataclass
class PiiSettings:
    """Which kinds of personal data and secrets to replace by a placeholder before a log line is stored."""

    # comma-separated rules to apply; every rule by default (api_key, secret, email, cn_id, bank_card, phone, ip)
    rules: str = "api_key,secret,email,cn_id,bank_card,phone,ip"
    placeholder: str = "[{RULE}]"  # what replaces a value; {RULE} becomes the rule's name in capitals
    # minimum Shannon entropy (bits per character) of a `password=...` value: below it the value reads as a word
    # or a placeholder (`password: changeme`), not a secret
    min_secret_entropy: float = 2.5
    keep_loopback: bool = True  # 127.x, 0.0.0.0 and 255.255.255.255 say nothing about a person or a network


def entropy(text: str) -> float:
    """Shannon entropy of the characters of `text`, in bits per character."""
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values()) if n else 0.0


def valid_cn_id(text: str) -> bool:
    """Whether an 18-character resident ID has the right ISO 7064 MOD 11-2 check character."""
    if len(text) != 18 or not text[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == text[17].upper()


def luhn(digits: str) -> bool:
    """The Luhn checksum of a card number (digits only)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


class _Spans:
    """The spans claimed so far in one text (earlier rules win over later ones)."""

    def __init__(self):
        self.taken: list[tuple[int, int, str]] = []

    def free(self, start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b, _ in self.taken)

    def claim(self, start: int, end: int, rule: str) -> None:
        if start < end and self.free(start, end):
            self.taken.append((start, end, rule))


@SCRUBBERS.register
class PiiScrubber(Step):
    """Replaces e-mails, phone numbers, Chinese resident IDs, bank cards, IP addresses, API keys and secrets by a
    placeholder and reports each redaction with its rule."""

    name = "pii"
    Settings = PiiSettings

    def __init__(self, settings=None):
        super().__init__(settings)
        rules = [r.strip() for r in self.settings.rules.split(",") if r.strip()]
        unknown = [r for r in rules if r not in RULES]
        if unknown:
            from ..errors import UserError
            raise UserError(f"unknown PII rule {', '.join(unknown)}; choose from {', '.join(RULES)}")
        self.rules = [r for r in RULES if r in rules]
        self._digit_rules = any(r in _DIGITS_NEEDED for r in self.rules)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, rule) of every value to redact in `text`, in text order."""
        found = _Spans()
        low = text.lower()
        digits = len(_NOT_DIGITS.sub("", text)) if self._digit_rules else 0
        for rule in self.rules:
            if digits < _DIGITS_NEEDED.get(rule, 0) or not _hinted(rule, text, low):
                continue
            for start, end in getattr(self, f"_{rule}")(text):
                found.claim(start, end, rule)
        return sorted(found.taken)

    def scrub(self, text: str) -> tuple[str, list[Redaction]]:
        """The text with every value replaced by its placeholder, and the redactions."""
        if not text:
            return text, []
        out, redactions, pos, shift = [], [], 0, 0
        for start, end, rule in self.spans(text):
            placeholder = self.settings.placeholder.replace("{RULE}", rule.upper())
            out.append(text[pos:start])
            redactions.append(Redaction(rule, start + shift, end - start, placeholder))
            out.append(placeholder)
            shift += len(placeholder) - (end - start)
            pos = end
        out.append(text[pos:])
        return "".join(out), redactions

    def find(self, sample: dict, context: dict) -> list[Redaction]:
        """The redactions the turns of a conversation would get (nothing is changed)."""
        return [r for m in sample.get("messages") or [] for r in self.scrub(m.get("content") or "")[1]]

    # ---- rules: each yields (start, end) of the values it recognises ----
    def _api_key(self, text: str):
        for m in _API_KEY.finditer(text):
            yield m.span()
        for m in _BEARER.finditer(text):
            yield m.span(1)

    def _secret(self, text: str):
        for m in (*_SECRET.finditer(text), *_SECRET_SPACED.finditer(text)):
            value = m.group(1)
            if len(value) < 6 or (len(value) < 8 and not any(c.isdigit() for c in value)):
                continue  # `token: string` in API docs; a short secret has a digit (`123456`)
            if entropy(value) >= self.settings.min_secret_entropy and not value.lower().startswith(
                    ("none", "null", "true", "false", "<", "{", "${", "os.", "getenv", "env[", "process.env", "xxx",
                     "***", "...")):
                yield m.span(1)
        for m in _URL_PASSWORD.finditer(text):
            yield m.span(1)

    def _email(self, text: str):
        for m in _EMAIL.finditer(text):
            if re.match(r":[\w~/]", text[m.end():m.end() + 2]):
                continue  # `git@github.com:org/repo.git`: an ssh remote, not a mailbox
            yield m.span()
        for m in _EMAIL_DODGED.finditer(text):
            yield m.span()

    def _cn_id(self, text: str):
        for m in _CN_ID.finditer(text):
            if valid_cn_id(m.group()):
                yield m.span()

    def _bank_card(self, text: str):
        for m in _CARD.finditer(text):
            digits = _digits(m.group())
            if 13 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) and luhn(digits):
                yield m.span()

    def _phone(self, text: str):
        for pattern in (_CN_MOBILE, _CN_LANDLINE, _INTL, _NANP):
            for m in pattern.finditer(text):
                n = len(_digits(m.group()))
                if 7 <= n <= 15:
                    yield m.span()

    def _ip(self, text: str):
        for m in _IPV4.finditer(text):
            value = m.group()
            if _VERSION_BEFORE.search(text[max(0, m.start() - 12):m.start()]):
                continue
            if self.settings.keep_loopback and value.startswith(_LOOPBACK):
                continue
            yield m.span()
        for m in _IPV6.finditer(text):
            value = m.group()
            groups = [g for g in value.split(":") if g]
            if value == "::" or not any(c.isdigit() for c in value) or len(groups) < 2:
                continue  # `std::vector`, `a::b`, a bare `::`
            if self.settings.keep_loopback and value in ("::1", "::"):
                continue
            yield m.span()


@dataclass
class ScrubTally:
    """Redaction counts per rule over many texts (what the import report and the page show)."""

    counts: dict = field(default_factory=lambda: {r: 0 for r in RULES})

    def add(self, redactions: list[Redaction]) -> None:
        for r in redactions:
            self.counts[r.rule] = self.counts.get(r.rule, 0) + 1

    def total(self) -> int:
        return sum(self.counts.values())
