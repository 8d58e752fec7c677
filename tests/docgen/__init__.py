"""Synthetic Chinese budget-disclosure PDFs for testing a PDF reader on layouts it has not seen.

A document is a plain-Python spec (spec.Document: cover, 目录, headings, paragraphs, ruled tables with merged header
cells, notes, page breaks) plus the truth planted in it (cells, prose facts, questions). render.render() lays it out on
A4 pages (layout.py) and writes the PDF with reportlab, using the project's Noto Sans CJK font rebuilt as TrueType
(fonts.py); it returns where every table and fact landed.

Modules: spec (the description), layout/measure/render (PDF), ledger/units/profile (consistent figures and prose for
made-up units), budget_doc (Shanghai 部门预算/单位预算), final_doc (national 部门决算 template), other_docs (统计公报,
政府工作报告), big_doc (a 500-page 汇编), variants (one function per layout variant), manifest (manifest.json and
questions.jsonl). Run everything with `python bench/make_variants.py OUTDIR`.
"""
