"""Answer the question that was asked: scope, rankings, yes/no, attributes, parts, premises and conversation."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot import answer
from bot.engine import get_engine
from bot.understand import Rank, membership, rank_of, split_parts

QUESTIONS = yaml.safe_load((Path(__file__).parent / "questions.yaml").read_text(encoding="utf-8"))
FIGURE = re.compile(r"\d[\d,]*\.\d+万元|\d+元")


def _rows(sql: str) -> list[tuple]:
    return get_engine().conn.execute(sql).fetchall()


@pytest.mark.parametrize("text,rank", [
    ("哪个科目最多", Rank("max", 1, 1)), ("前三名", Rank("max", 1, 3)), ("前5个项目", Rank("max", 1, 5)),
    ("排第二的是哪个", Rank("max", 2, 1)), ("倒数第二", Rank("min", 2, 1)), ("最少的是", Rank("min", 1, 1)),
    ("第二个是干什么的", None), ("三公经费多少", None)])
def test_rank_constraints(text, rank):
    assert rank_of(text) == rank


def test_clauses_and_membership_shapes():
    assert split_parts("培训费多少，占比呢？") == ["培训费多少", "占比呢"]
    assert split_parts("三公经费多少") == ["三公经费多少"]
    assert membership("培训费算三公经费", [(0, 3), (4, 8)], True) == (0, 1)
    assert membership("三公经费包括培训费", [(0, 4), (6, 9)], True) == (1, 0)
    assert membership("培训费比三公经费多多少", [(0, 3), (4, 8)], False) is None


@pytest.mark.parametrize("question", [
    "省人社厅的培训费是多少", "太原市财政局今年三公经费", "国家部委的会议费多少", "其他省份的人社局取暖费",
    "会议费花得值不值", "培训费是不是太多了", "差旅费有没有超标", "三公经费的开支标准是什么",
    "单位预算由谁审批", "决算在哪里查", "人均培训费多少", "单位的公务车是什么品牌", "人社局工资条能看吗"])
def test_questions_the_document_cannot_answer_get_one_line_and_buttons(question):
    ans = answer(question)
    assert ans.status == "unknown", ans.text
    assert not FIGURE.search(ans.text), ans.text  # related figures are buttons, never the answer
    assert len(ans.text.split("\n")[0]) < 120
    for s in ans.suggestions:
        assert answer(s).status == "answer", s


def test_the_reason_names_what_is_out_of_scope():
    assert "人社厅" in answer("省人社厅的培训费是多少").text
    assert "值不值" in answer("会议费花得值不值").text
    related = answer("会议费花得值不值").suggestions
    assert related and all("会议费" in s for s in related)


@pytest.mark.parametrize("question,order,kind", [
    ("哪一类功能支出最多", "max", "function"), ("最少的项目是哪个", "min", "project"),
    ("哪个经济科目花钱最多", "max", "econ")])
def test_superlatives_answer_the_top_item_briefly(question, order, kind):
    ans = answer(question)
    assert ans.status == "answer" and len(ans.text) < 300, ans.text
    assert ans.suggestions, "the full list is offered as a button"
    if kind == "project":
        rows = _rows("select row_label, value from facts where document_id = 1 and table_key = 'projects' and column_label = '合计' "
                     "order by value")
    elif kind == "function":
        rows = _rows("select row_label, value from facts where document_id = 1 and table_key = 'expenditure' and length(row_code) = 3 "
                     "and column_label = '合计' order by value")
    else:
        rows = _rows("select row_label, value from facts where document_id = 1 and table_key = 'basic_econ' and parent_label != '' "
                     "and column_label = '合计' order by value")
    label, value = rows[0] if order == "min" else rows[-1]
    assert label.replace(" ", "") in ans.text.replace(" ", "") and f"{value:,.2f}" in ans.text, ans.text


def test_top_n_and_nth():
    rows = _rows("select row_label from facts where document_id = 1 and table_key = 'projects' and column_label = '合计' "
                 "order by value desc")
    top3 = answer("项目前三名是哪些")
    assert [r[0].replace(" ", "") in top3.text.replace(" ", "") for r in rows[:4]] == [True, True, True, False]
    third = answer("金额排第三的项目")
    assert rows[2][0] in third.text and rows[0][0] not in third.text


@pytest.mark.parametrize("question,verdict", [
    ("培训费算三公经费吗", "不属于"), ("公务用车购置费属于三公经费吗", "属于"), ("三公经费包括差旅费吗", "不属于"),
    ("基本支出包括退休费吗", "属于"), ("2080199属于社会保障和就业支出吗", "属于")])
def test_membership_starts_with_the_verdict(question, verdict):
    ans = answer(question)
    assert ans.status == "answer" and ans.text.startswith(verdict + "。"), ans.text


@pytest.mark.parametrize("question,start,text", [
    ("劳动能力鉴定费是一次性项目吗", "是。", "一次性"), ("法律顾问费是一次性项目吗", "不是。", "延续性"),
    ("离退休支部活动室改造及日常运行费是新增的吗", "是。", "新增"), ("职业技能鉴定工作经费是新增项目吗", "不是。", "延续性")])
def test_yes_no_attributes(question, start, text):
    ans = answer(question)
    assert ans.text.startswith(start) and text in ans.text, ans.text


def test_a_named_attribute_alone():
    ans = answer("清理农民工欠薪维权经费的项目期多长")
    period = _rows("select period from projects where name = '清理农民工欠薪维权经费'")[0][0]
    assert period in ans.text and "项目概况" not in ans.text, ans.text
    unit = answer("全民参保计划经费由哪个单位实施")
    assert "实施单位" in unit.text and len(unit.text) < 200, unit.text


def test_a_form_row_is_picked_for_a_one_number_question():
    ans = answer("劳动能力鉴定费的租车费成本上限")
    assert "租车费成本" in ans.text and "公告费成本" not in ans.text, ans.text


def test_every_part_of_a_question_is_answered():
    ans = answer("培训费多少，占基本支出比例呢")
    assert "15.00万元" in ans.text and "%" in ans.text, ans.text
    two = answer("劳动能力鉴定费多少？实施单位是谁")
    assert "30.00万元" in two.text and "实施单位" in two.text, two.text


def test_false_premises_are_corrected_from_the_data():
    ans = answer("三公经费为什么增加了")
    assert ans.text.startswith("“三公”经费并未增加，而是减少0.12万元"), ans.text


@pytest.mark.parametrize("question,figure", [("全单位一共多少编制", "29名"), ("局里有几个科室", "13个")])
def test_whole_unit_words_mean_the_documents_unit(question, figure):
    ans = answer(question)
    assert ans.status == "answer" and figure in ans.text, ans.text


def test_follow_ups_answer_only_the_new_part_or_say_it_is_not_there():
    first = answer("培训费多少")
    share = answer("占比呢", first.context)
    assert "%" in share.text and len(share.text) < len(first.text), share.text
    last = answer("那去年呢", first.context)
    assert last.status == "unknown" and "培训费" in last.text and not FIGURE.search(last.text), last.text
    assert last.suggestions


def test_positions_in_a_list_carry_over():
    listed = answer("项目支出有哪些")
    names = [k.split("|", 1)[1] for k in listed.items]
    third = answer("第三个是干什么的", listed.context)
    assert third.status == "answer" and names[2] in third.text, third.text
    targets = answer("它的绩效目标呢", third.context)
    assert targets.query == "project_targets" and names[2] in targets.text


CONTEXTS = ["三公经费多少", "项目支出有哪些", "法律顾问费", "办公室编制几个人", "什么是机关运行经费", "2080505"]


@pytest.mark.parametrize("item", QUESTIONS["answer"][::3], ids=lambda i: i["q"])
def test_a_full_question_is_answered_as_in_a_fresh_chat(item):
    fresh = answer(item["q"])
    for c in CONTEXTS:
        assert answer(item["q"], answer(c).context).text == fresh.text, (c, item["q"])


def test_questions_in_english_get_a_hint_in_chinese():
    ans = answer("How much is the heating budget?")
    assert ans.status == "unknown" and "中文" in ans.text and ans.suggestions


@pytest.mark.parametrize("question,start", [("有没有安排因公出国（境）费", "没有。"), ("单位有政府采购预算吗", "有。"),
                                            ("有没有国有资本经营预算", "没有。")])
def test_existence_questions_start_with_you_or_meiyou(question, start):
    ans = answer(question)
    assert ans.status == "answer" and ans.text.startswith(start), ans.text


def test_a_listed_several_subjects_are_each_answered():
    ans = answer("会议费、培训费、差旅费各多少")
    assert all(n in ans.text for n in ("5.00万元", "15.00万元", "1.50万元")), ans.text


def test_a_change_the_table_does_not_give_is_never_answered_with_this_years_figure():
    ans = answer("取暖费比上年多了多少")
    assert ans.status == "unknown" and "23.86" not in ans.text, ans.text


def test_a_count_question_picks_the_target_counted_in_that_unit():
    counted = _rows("select p.name, t.value_text from targets t join projects p on p.id = t.project_id "
                    "where p.document_id = 1 and t.period = '年度' and t.value_text glob '*[0-9]人' "
                    "group by p.id having count(*) = 1")
    assert counted
    for name, value in counted:
        ans = answer(f"{name}一年要完成多少人")
        assert value in ans.text and "总体目标" not in ans.text, ans.text


def test_how_many_times_one_figure_is_another_shows_the_division():
    ans = answer("培训费是会议费的几倍")
    assert "15.00万元 ÷ 5.00万元 = 3.00倍" in ans.text and "忻州市人力资源和社会保障局2023年预算" in ans.text, ans.text
