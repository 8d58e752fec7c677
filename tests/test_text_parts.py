"""第一、三、四部分: organisation, narrative figures and reasons, projects and targets, glossary."""
from __future__ import annotations


def test_duties_and_departments(db):
    assert db.execute("select count(*) from duties").fetchone()[0] == 14
    assert db.execute("select text from duties where seq = 14").fetchone()[0].startswith("职能转变")
    deps = db.execute("select name, aliases, staff, leaders from departments order by seq").fetchall()
    assert len(deps) == 13
    assert deps[0] == ("办公室", "", 4, 2)
    assert deps[1] == ("人事科", "党组办公室、机关党委", 3, 2)
    assert deps[11][0] == "养老保险科" and deps[11][2] == 2
    assert sum(d[2] for d in deps) == 29


def test_duties_join_wrapped_lines(db):
    text = db.execute("select text from duties where seq = 10").fetchone()[0]
    assert "劳动关系协调机制" in text


SECTIONS = {1: "单位预算收支数据变动情况及原因", 7: "“三公”经费增减变动原因说明", 8: "机关运行经费增减变动原因说明",
            9: "政府采购情况", 10: "绩效管理情况", 11: "国有资产占有使用情况", 12: "其他说明"}


def section_no(db, n):
    """The number of the 情况说明's n-th section, found by its title (the prose before it has sections too)."""
    return db.execute("select no from sections where title = ?", (SECTIONS[n],)).fetchone()[0]


def statement(db, section, label):
    return db.execute("select value, unit from statements where section_no = ? and label = ?",
                      (section_no(db, section), label)).fetchone()


def test_narrative_figures(db):
    assert statement(db, 1, "2023年度预算收入总计比上年增加") == (183.5, "万元")
    assert statement(db, 1, "2023年度预算收入总计增加") == (21.51, "%")
    assert statement(db, 7, "2023年财政拨款安排的“三公”经费预算比2022年同口径减少") == (0.12, "万元")
    assert statement(db, 8, "局本级机关运行经费比上年增加") == (1.41, "万元")
    assert statement(db, 8, "局本级机关运行经费增长") == (1.13, "%")
    assert statement(db, 9, "政府采购服务预算") == (180.95, "万元")
    assert statement(db, 9, "政府采购工程预算") == (0, "万元")
    assert statement(db, 10, "涉及一般公共预算当年拨款") == (384.8, "万元")
    assets = db.execute("select topic, label, value from statements where section_no = ?",
                        (section_no(db, 11),)).fetchall()
    assert ("车辆情况", "局本级车辆编制数", 2) in assets and ("车辆情况", "实有", 2) in assets
    assert ("房屋情况", "房屋面积", 5158) in assets and ("房屋情况", "净值", 84.69) in assets
    assert ("其他国有资产占有使用情况", "土地面积", 10224) in assets
    assert ("其他国有资产占有使用情况", "价值50万元以上设备数量", 0) in assets


def test_reasons(db):
    income = [r[0] for r in db.execute("select text from reasons where section_no = ? and about like '%收入%' order by seq",
                                       (section_no(db, 1),))]
    assert len(income) == 4 and "三支一扶" in income[2]
    assert "八项规定" in db.execute("select text from reasons where section_no = ?", (section_no(db, 7),)).fetchone()[0]
    assert "晋升" in db.execute("select text from reasons where section_no = ?", (section_no(db, 8),)).fetchone()[0]


def test_projects_linked_to_budget_rows(db):
    rows = db.execute("select name, budget_label, amount, link from projects order by seq").fetchall()
    assert len(rows) == 10
    by_name = {r[0]: r for r in rows}
    assert by_name["高校毕业生“三支一扶”人员招考面试费用"][1] == "高效毕业生“三支一扶”人员招考面试费用"
    assert by_name["人人持证, 技能社会经费"][1:3] == ("人人持证,技能社会经费", 100.0)
    assert all(r[1] for r in rows)
    assert len({r[1] for r in rows}) == 10


def test_project_header_and_funds(db):
    p = db.execute("select id, attribute, period, handler, phone, filed, department from projects "
                   "where name = '法律顾问费'").fetchone()
    assert p[1:3] == ("延续性项目(阶段开展)", "2年") and p[3] is None
    funds = dict(db.execute("select period || source, amount_yuan from project_funds where project_id = ?", (p[0],)).fetchall())
    assert funds["实施期total"] == 40000 and funds["年度total"] == 20000 and funds["年度local"] == 20000
    q = db.execute("select handler, phone, filed from projects where name like '%三支一扶%'").fetchone()
    assert q == ("张同化", "9222617", "2023-12-01 15:59:59")


def test_targets(db):
    rows = db.execute("select t.period, t.level1, t.level2, t.name, t.value_text, t.value from targets t "
                      "join projects p on p.id = t.project_id where p.name = '职业技能鉴定工作经费'").fetchall()
    assert ("实施期", "产出指标", "数量指标", "职业技能鉴定人数", "≥12000人", 12000) in rows
    assert ("年度", "产出指标", "成本指标", "公用经费", "≤35万元", 35) in rows
    # Where the two periods differ the form prints them in different orders; both are kept.
    rows = db.execute("select t.period, t.level2, t.name from targets t join projects p on p.id = t.project_id "
                      "where p.name like '离退休支部%' and t.level2 = '数量指标'").fetchall()
    assert rows[0] == ("实施期", "数量指标", "组织离退休党员培训")
    assert ("年度", "数量指标", "组织离退休党员参观学习") in rows
    per_project = db.execute("select count(distinct project_id) from targets").fetchone()[0]
    assert per_project == 10
    sat = db.execute("select count(*) from targets where level1 = '满意度指标' and period = '实施期'").fetchone()[0]
    assert sat >= 10


def test_purchase_services_and_catalog(db):
    rows = db.execute("select label, value from statements where section_no = ?", (section_no(db, 12),)).fetchall()
    assert ("局本级职业技能鉴定工作经费", 150) in rows and ("流动人员人事档案基本公共服务经费", 5) in rows
    cat = {r[0]: r[1:] for r in db.execute("select code, level, name, parent_code from catalog")}
    assert len(cat) == 29
    assert cat["A030202"] == (4, "职业技能大赛服务", "A0302")
    assert cat["A03"][2] == "A"


def test_glossary(db):
    terms = dict(db.execute("select term, definition from glossary where parent = ''").fetchall())
    assert len(terms) == 12
    assert terms["机关运行经费"].startswith("指行政单位")
    assert terms["财政专户管理资金"].startswith("专指教育收费")
    assert "国有资本收益" in terms["国有资本经营预算"]
    subs = [r[0] for r in db.execute("select term from glossary where parent = '三公经费'")]
    assert "公务接待费" in subs and len(subs) == 4
