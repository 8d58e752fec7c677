"""Charts: each topic its own image, every glyph in the font, fit to print and to read on a phone."""
from __future__ import annotations

import hashlib
import io
import logging
import warnings

import pytest

from bot.charts import Bar, bars, chart_topic, render_chart, source_line, wrap_label
from bot.engine import get_engine

TOPICS = ["支出结构", "三公经费", "基本支出", "项目支出"]


@pytest.fixture(scope="module")
def charts():
    """Every topic rendered once, failing on any "Glyph … missing from font" warning or log line."""
    engine = get_engine().view()
    out = {}
    records: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = Catch()
    logging.getLogger("matplotlib").addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for topic in engine.words["charts"]:
                out[topic] = render_chart(engine, topic)
    finally:
        logging.getLogger("matplotlib").removeHandler(handler)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    missing += [r for r in records if "missing from" in r]
    assert not missing, missing
    return out


def test_every_topic_is_drawn_and_no_two_are_the_same(charts):
    assert set(TOPICS) <= set(charts)
    digests = {topic: hashlib.sha256(c.png).hexdigest() for topic, c in charts.items()}
    assert len(set(digests.values())) == len(digests), digests


def test_images_are_wide_enough_to_print(charts):
    from PIL import Image

    for topic, chart in charts.items():
        width, height = Image.open(io.BytesIO(chart.png)).size
        assert width >= 1600, (topic, width)
        assert chart.png.startswith(b"\x89PNG") and len(chart.caption) <= 1024


def test_captions_name_unit_year_total_and_source(charts):
    for topic, chart in charts.items():
        first = chart.caption.split("\n")[0]
        assert "2023年" in first and "万元" in first, first
        assert "合计" in chart.caption
        assert chart.caption.split("\n")[-1].startswith(f"来源：《{get_engine().view().title}》")
        assert "忻州市人力资源和社会保障局" in chart.caption.split("\n")[-1]


def test_sangong_shows_the_three_items_with_zeros_not_parent_and_child():
    engine = get_engine().view()
    spec = engine.words["charts"]["三公经费"]
    rows = engine.rows(engine.queries[spec["query"]], engine.topic(spec["subject"]))
    got = bars(spec, rows)
    assert [b.label for b in got] == ["因公出国（境）费", "公务接待费", "公务用车购置及运行费"]
    assert [b.value for b in got][:2] == [None, None]
    caption = render_chart(engine, "三公经费").caption
    assert "因公出国（境）费：0万元（未安排）" in caption and "公务接待费：0万元（未安排）" in caption
    assert "公务用车运行维护费" not in caption  # the child of 公务用车购置及运行费 is not a fourth bar
    assert "“三公”经费合计：6.00万元" in caption


def test_long_categories_become_top_n_and_other():
    engine = get_engine().view()
    spec = engine.words["charts"]["基本支出"]
    rows = engine.rows(engine.queries[spec["query"]], engine.topic(spec["subject"]))
    got = bars(spec, rows)
    assert len(got) == int(spec["top"]) and got[-1].other and got[-1].label == f"其他{len(rows) - len(got) + 1}项"
    assert sum(b.value for b in got) * 100 == sum(round(r["total"] * 100) for r in rows)  # nothing lost


def test_topics_pick_the_most_specific_word():
    engine = get_engine().view()
    assert chart_topic(engine, "基本支出") == "基本支出"
    assert chart_topic(engine, "项目支出") == "项目支出"
    assert chart_topic(engine, "支出结构") == "支出结构"
    assert chart_topic(engine, "支出") == "支出结构"
    assert chart_topic(engine, "公用经费") == "基本支出"
    assert chart_topic(engine, "三公") == "三公经费"
    assert chart_topic(engine, "天气") is None


def test_source_line_uses_a_page_only_when_the_rows_have_one():
    engine = get_engine().view()
    assert "页" not in source_line(engine, [{"source": "2023年预算支出总表"}])
    assert source_line(engine, [{"source": "2023年预算支出总表", "page": 7}]).endswith("2023年预算支出总表，第7页")


def test_labels_wrap_without_splitting_numbers_or_quotes():
    assert wrap_label("法律顾问费") == "法律顾问费"
    assert wrap_label("高效毕业生“三支一扶”人员招考面试费用").split("\n")[1][0] != "”"
    assert all(len(line) <= 13 for line in wrap_label("实施全民参保计划和人力资源管理经费").split("\n"))
    assert "2023" in wrap_label("流动人员2023年人事档案基本公共服务经费")
    assert Bar("x", None).value is None


def test_the_glyph_check_is_not_vacuous():
    from bot.charts import _draw

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _draw("标题🙂", "", "来源：x", [Bar("一项", None)], None)
    assert any("missing from font" in str(w.message) for w in caught)
