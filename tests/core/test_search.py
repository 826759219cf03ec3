from core import search


def test_words_segments_chinese_and_drops_punctuation():
    terms = search.words("关于加快电子商务发展的若干意见。")
    assert "电子商务" in terms
    assert "电子" in terms  # search mode also emits the shorter words inside long ones
    assert "。" not in terms


def test_segment_lowercases_latin_words():
    assert "iot" in search.segment("IoT 物联网").split()


def test_highlight_marks_hits_and_escapes_html():
    text = "<b>本市</b>扶持电子商务企业发展，对电子商务园区给予补助。"
    out = str(search.highlight(text, "电子商务"))
    assert "<mark>电子商务</mark>" in out
    assert "&lt;b&gt;" in out
    assert "<b>" not in out


def test_query_with_no_words_matches_nothing():
    assert search.search_query("，。 ") is None
