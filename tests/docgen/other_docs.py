"""Reports that are not budget disclosures: a 统计公报 (prose and a table) and a 政府工作报告 (prose)."""
from __future__ import annotations

from .builder import DocBuilder
from .spec import Cover, Document, Meta, Run, Style, Table


def _style() -> Style:
    return Style(landscape=False, margin_x=80, margin_top=72, margin_bottom=70, body_size=14, leading=26,
                 title_size=14, table_size=11, row_height=22, rule="line", page_numbers=True, cjk_latin_gap=True)


def statistics_bulletin(doc_id: str, district: str = "云溪区", year: int = 2024) -> Document:
    """上海市X区Y年国民经济和社会发展统计公报: figures of the economy, one table, and fiscal revenue in passing."""
    b = DocBuilder(doc_id)
    b.heading_size = 20
    gdp, growth, revenue, spending, people = 1286.47, 5.3, 142.36, 198.75, 86.42
    title = f"上海市{district}{year}年国民经济和社会发展统计公报"
    b.heading(title, "title", new_page=True, space_after=6)
    b.para(f"上海市{district}统计局　国家统计局{district}调查队", indent=0)
    b.para(f"（{year + 1}年3月）", indent=0, space_after=10)
    b.para(f"{year}年，面对复杂多变的外部环境，全区上下坚持稳中求进工作总基调，经济运行总体平稳、稳中有进，"
           "社会民生持续改善。")
    b.para("一、综合")
    b.para(f"根据地区生产总值统一核算结果，{year}年全区实现地区生产总值{gdp}亿元，按可比价格计算，比上年增长{growth}%。"
           "其中，第二产业增加值312.58亿元，增长4.1%；第三产业增加值971.33亿元，增长5.8%。", tag="gdp")
    b.fact("地区生产总值", gdp, "gdp", f"实现地区生产总值{gdp}亿元")
    b.para(f"年末全区常住人口{people}万人，比上年末增加0.37万人。全年城镇调查失业率平均为4.3%。", tag="people")
    b.fact("常住人口", people, "people", f"常住人口{people}万人")
    b.para("二、工业和建筑业")
    b.para("全年完成规模以上工业总产值1046.20亿元，比上年增长3.6%。其中，战略性新兴产业产值438.91亿元，增长7.2%。")
    b.para("三、固定资产投资")
    b.para("全年全社会固定资产投资比上年增长6.4%。其中，工业投资增长11.8%，城市基础设施投资增长4.9%，房地产开发投资增长2.1%。")
    b.blocks.append(Table(
        key="indicators", title=f"{year}年主要经济指标", header=[["指标", "单位", "绝对数", "比上年增长（%）"]],
        rows=[["地区生产总值", "亿元", f"{gdp:.2f}", f"{growth}"], ["规模以上工业总产值", "亿元", "1046.20", "3.6"],
              ["社会消费品零售总额", "亿元", "512.84", "4.7"], ["一般公共预算收入", "亿元", f"{revenue:.2f}", "3.2"],
              ["一般公共预算支出", "亿元", f"{spending:.2f}", "5.6"], ["常住人口", "万人", f"{people:.2f}", "0.4"]],
        widths=[180, 60, 90, 110], aligns=["l", "c", "r", "r"], columns=["指标", "单位", "绝对数", "增长"],
        row_keys=["gdp", "industry", "retail", "revenue", "spending", "people"], new_page=False, title_size=14,
        title_gap=8, width_frac=1.0))
    b.para("四、国内贸易")
    b.para("全年实现社会消费品零售总额512.84亿元，比上年增长4.7%。其中，网上商店零售额增长12.6%。")
    b.para("五、财政和金融")
    b.para(f"全年完成一般公共预算收入{revenue}亿元，比上年增长3.2%。一般公共预算支出{spending}亿元，增长5.6%，其中民生支出"
           "占比达到76.3%。年末全区金融机构本外币存款余额3685.40亿元。", tag="revenue")
    b.fact("一般公共预算收入", revenue, "revenue", f"一般公共预算收入{revenue}亿元")
    b.para("六、人民生活和社会保障")
    b.para("全年全区居民人均可支配收入84362元，比上年增长4.8%。年末全区参加城镇职工基本养老保险人数41.26万人。")
    b.para("注：本公报中部分数据为初步统计数，各项统计数据均未包括港澳台地区。", indent=0)
    short = f"{district}"
    b.ask(f"{year}年{short}的地区生产总值是多少？", [[gdp]])
    b.ask(f"{year}年{short}的常住人口是多少？", [[people]])
    b.ask(f"根据{year}年{short}统计公报，一般公共预算收入是多少？", [[revenue]])
    b.ask(f"{year}年{short}社会消费品零售总额增长了多少？", [[4.7]])
    b.ask(f"{year}年{short}文化和旅游局的“三公”经费是多少？", want="unknown")
    b.ask(f"{year}年{short}卫健委的部门预算支出总额是多少？", want="unknown")
    b.ask(f"{year}年{short}一般公共预算基本支出中的人员经费是多少？", want="unknown")
    b.ask(f"{year}年{short}政府采购服务类预算是多少？", want="unknown")
    meta = Meta("", [district], year, "", "", "区级", "", kind="statistics_bulletin",
                description="统计公报：not a budget disclosure")
    return Document(doc_id, meta, _style(), b.blocks, b.cells, b.facts, b.questions)


def work_report(doc_id: str, district: str = "望川区", year: int = 2025) -> Document:
    """X区人民政府工作报告: a year's review and plans, prose only, with a cover."""
    b = DocBuilder(doc_id)
    b.heading_size = 18
    b.blocks.append(Cover([(230.0, [Run("政府工作报告", 34)]),
                           (330.0, [Run(f"——{year}年1月8日在上海市{district}第七届人民代表大会第五次会议上", 14)]),
                           (380.0, [Run(f"{district}区长  林晓帆", 14)])], landscape=False))
    b.heading("各位代表：", None, new_page=True, align="l", space_after=4)
    b.para(f"现在，我代表{district}人民政府，向大会报告工作，请予审议，并请区政协委员和其他列席人员提出意见。")
    b.para(f"一、{year - 1}年工作回顾")
    b.para("过去的一年，全区实现地区生产总值986.35亿元，增长5.1%；完成一般公共预算收入108.62亿元，增长2.9%。"
           "新增就业岗位3.12万个，城镇调查失业率控制在4.5%以内。", tag="review")
    b.fact("地区生产总值", 986.35, "review", "地区生产总值986.35亿元")
    b.fact("新增就业岗位", 3.12, "review", "新增就业岗位3.12万个")
    b.para("我们坚持民生优先，新建改建社区食堂18家、养老服务综合体4家，完成旧住房成套改造12.6万平方米，"
           "新增公办幼儿园学位1200个。", tag="livelihood")
    b.fact("社区食堂", 18, "livelihood", "社区食堂18家")
    b.para("我们持续优化营商环境，新设各类企业1.46万户，引进总部型企业23家。政府过紧日子要求全面落实，"
           "“三公”经费持续压减，一般性支出压减10%。", tag="austerity")
    b.para(f"二、{year}年主要目标和重点任务")
    b.para(f"{year}年全区经济社会发展的主要预期目标是：地区生产总值增长5%左右，一般公共预算收入增长3%，城镇调查失业率控制在"
           "5%以内，居民收入增长与经济增长基本同步。", tag="targets")
    b.fact("生产总值增长目标", 5, "targets", "地区生产总值增长5%左右")
    b.para("重点做好以下工作：一是加快科技创新策源，二是推进城市更新，三是提升公共服务水平，四是加强生态环境治理，"
           "五是建设法治政府和服务型政府。")
    b.para("各位代表，新征程催人奋进，新使命重任在肩。让我们更加紧密地团结在以习近平同志为核心的党中央周围，"
           f"为建设更高品质的{district}而努力奋斗！")
    name = f"{district}政府工作报告"
    b.ask(f"{year}年{name}里，{year - 1}年全区地区生产总值是多少？", [[986.35]])
    b.ask(f"{year}年{name}提出的地区生产总值增长目标是多少？", [[5]])
    b.ask(f"{year}年{name}说{year - 1}年新建改建了多少家社区食堂？", [[18]])
    b.ask(f"{year}年{name}说{year - 1}年新增就业岗位多少万个？", [[3.12]])
    b.ask(f"{district}{year}年“三公”经费预算是多少？", want="unknown")
    b.ask(f"{district}政府办公室{year}年的部门预算收入总额是多少？", want="unknown")
    b.ask(f"{district}{year}年机关运行经费预算是多少？", want="unknown")
    b.ask(f"{district}{year - 1}年一般公共预算财政拨款支出决算完成年初预算的百分之多少？", want="unknown")
    meta = Meta("", [district], year, "", "", "区级", "", kind="work_report", description="政府工作报告：not a budget disclosure")
    return Document(doc_id, meta, _style(), b.blocks, b.cells, b.facts, b.questions)
