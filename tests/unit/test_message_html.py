"""The emulator's chat page draws Telegram's HTML formatting and shows anything else as the characters it is."""

from __future__ import annotations

from bot.message_html import page_html


def test_telegrams_tags_are_drawn_and_the_text_around_them_escaped() -> None:
    assert page_html("<b>5 × TEA</b> & <i>今天</i>\n<pre>a  b</pre>", "HTML") == (
        "<b>5 × TEA</b> &amp; <i>今天</i>\n<pre>a  b</pre>")
    assert page_html('<code>x</code> <a href="https://fahuo.example/t/1">track</a>', "HTML") == (
        '<code>x</code> <a href="https://fahuo.example/t/1" target="_blank" rel="noopener noreferrer">track</a>')


def test_anything_else_is_shown_as_its_characters_never_run() -> None:
    assert page_html("<script>alert(1)</script>", "HTML") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert page_html('<img src=x onerror="alert(1)">', "HTML") == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert page_html('<a href="javascript:alert(1)">x</a>', "HTML") == "<a>x</a>"
    assert page_html("1 &lt; 2", "HTML") == "1 &lt; 2"
    assert page_html("<b>left open", "HTML") == "<b>left open</b>"


def test_text_sent_without_a_parse_mode_is_all_characters() -> None:
    assert page_html("<pre>table</pre> 🛒", None) == "&lt;pre&gt;table&lt;/pre&gt; 🛒"
