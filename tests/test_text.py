"""Text helpers: language detection, prompt/answer extraction, literal HTML in markdown."""
import pytest

from curation.text import answer_text, detect_language, markdown_with_literal_html, prompt_text


@pytest.mark.parametrize("text, lang", [
    ("请解释一下牛顿第二定律。", "zh"),
    ("Explain Newton's second law of motion in simple terms.", "en"),
    ("我想学习 machine learning 和 deep learning 的 basics, where should I start?", "mixed"),
    ("12345 + 678 = ?", "other"),
    ("用Python写一个快速排序的函数，并解释它的时间复杂度和空间复杂度。", "zh"),
])
def test_detect_language(text, lang):
    assert detect_language(text) == lang


def test_prompt_and_answer_text():
    msgs = [{"role": "system", "content": "s"}, {"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"},
            {"role": "user", "content": "q2"}, {"role": "assistant", "content": "a2"}]
    assert prompt_text(msgs) == "q1\nq2" and answer_text(msgs) == "a1\na2"


def test_literal_html_outside_code_and_math():
    src = "a <b>x</b> `<i>` $a<b$\n```html\n<div>\n```\n<script>"
    out = markdown_with_literal_html(src)
    assert out == "a \\<b>x\\</b> `<i>` $a<b$\n```html\n<div>\n```\n\\<script>"


def test_images_in_sample_content_become_visible_links():
    from curation.text import markdown_with_literal_html
    out = markdown_with_literal_html("look ![tracker](http://evil.example/p.png) and ![][ref] `![a](b)`")
    assert "![" not in out.replace("`![a](b)`", "")  # no image syntax left outside code
    assert "🖼 [image: tracker](http://evil.example/p.png)" in out and "`![a](b)`" in out


def test_markdown_literal_shows_metadata_as_text():
    from curation.text import markdown_literal, plotly_label
    out = markdown_literal("![x](http://evil.example/i.png) **b** <i>")
    assert "![" not in out and "](" not in out and "**" not in out and "\\<i" in out
    assert out.replace("\\", "") == "![x](http://evil.example/i.png) **b** <i>"  # nothing lost
    assert plotly_label('<a href="x">t</a>') == '&lt;a href="x"&gt;t&lt;/a&gt;'
