"""One lot's full document set (DOCX + PDF): xunpai against a naive baseline, measured in the same run.

    python bench/bench_documents.py [--runs N] [--cold]

xunpai: ``render_document_set`` — 8 documents (公告, 须知, 标的物介绍/调查情况表, 当事人通知书, 优先购买权人通知书,
拍卖裁定书, 成交确认书, 成交裁定书) of a sold flat, each as DOCX and PDF (16 files), from the DOCX templates,
with the small per-set font cut from the cached working font.

Baseline (the first thing one would write): the same texts, each document built from scratch with python-docx
paragraph by paragraph, and each PDF set by fpdf2 directly in the system's Noto Serif CJK (.ttc) with
``multi_cell`` — no templates, no font preparation.

Target: ≤ 1 s for the set (Wuxi: about 60 minutes by hand, 3 minutes with their system). Wall time is
printed beside CPU time because the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from docx import Document
from docx.shared import Pt
from fpdf import FPDF

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this tree first, installed or not
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # and its children's

from auction.documents import DocumentKind, _context_for, _render, applicable_kinds, render_document_set  # noqa: E402
from auction.documents.context import build_context  # noqa: E402
from auction.documents.fonts import system_font, working_font  # noqa: E402
from auction.lot_examples import example_court, example_real_estate_lot  # noqa: E402


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def document_texts(lot, court) -> dict[DocumentKind, list[tuple[str, str]]]:
    """(style, text) of every paragraph of every rendered document: the baseline's input, made outside
    its timing."""
    base = build_context(lot, lot.plan, court)
    texts = {}
    for kind in applicable_kinds(lot):
        template = _render(kind, _context_for(kind, lot, lot.plan, court, None, base), lot.plan)
        body = [(p.style.name, p.text) for p in template.docx.paragraphs if p.text.strip()]
        for table in template.docx.tables:
            for row in table.rows:
                body.append(("XP Cell", "　".join(cell.text for cell in row.cells)))
        texts[kind] = body
    return texts


def baseline_set(texts, out_dir: Path) -> None:
    face = system_font()
    for kind, paragraphs in texts.items():
        doc = Document()
        for style, text in paragraphs:
            paragraph = doc.add_paragraph()
            run = paragraph.add_run(text)
            run.font.size = Pt(20 if style == "XP Title" else 14)
            run.bold = style in ("XP Title", "XP Heading")
        doc.save(out_dir / f"baseline-{kind.value}.docx")
        pdf = FPDF()
        pdf.add_font("noto", fname=str(face.path), collection_font_number=face.index)
        pdf.add_page()
        for style, text in paragraphs:
            pdf.set_font("noto", size=20 if style == "XP Title" else 14)
            pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.output(str(out_dir / f"baseline-{kind.value}.pdf"))


def cold_start_seconds() -> float:
    """Deriving the working font once on a machine (fresh cache directory, separate process)."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, XUNPAI_CACHE_DIR=cache)
        code = "from auction.documents.fonts import working_font; working_font()"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=Path(__file__).resolve().parents[1])
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="also time the one-time working-font derivation")
    args = parser.parse_args()

    lot = example_real_estate_lot(sold=True)
    court = example_court()
    working_font()  # derived once per machine (cached); --cold times it
    texts = document_texts(lot, court)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        first = timed(lambda: render_document_set(lot, lot.plan, court, out / "first"))
        ours = [timed(lambda i=i: render_document_set(lot, lot.plan, court, out / f"run{i}")) for i in range(args.runs)]
        files = sorted((out / "run0").iterdir())
        size = sum(f.stat().st_size for f in files)
        base = [timed(lambda i=i: baseline_set(texts, (out / f"base{i}").mkdir() or out / f"base{i}"))
                for i in range(max(1, args.runs // 2))]
        base_size = sum(f.stat().st_size for f in (out / "base0").iterdir())

    def med(values, index):
        return statistics.median(v[index] for v in values)

    print(f"document set: {len(files)} files ({len(applicable_kinds(lot))} documents × DOCX+PDF), {size / 1024:.0f} KiB")
    print(f"xunpai   first call in process: {first[0]:.3f} s wall, {first[1]:.3f} s CPU")
    print(f"xunpai   median of {len(ours)}:            {med(ours, 0):.3f} s wall, {med(ours, 1):.3f} s CPU"
          f"   (target ≤ 1 s)")
    print(f"baseline median of {len(base)}:            {med(base, 0):.3f} s wall, {med(base, 1):.3f} s CPU"
          f"   ({base_size / 1024:.0f} KiB; python-docx from scratch + fpdf2 with the system .ttc)")
    print(f"speed-up (CPU): {med(base, 1) / med(ours, 1):.1f}×")
    if args.cold:
        print(f"one-time working-font derivation (fresh cache, new process): {cold_start_seconds():.1f} s wall")


if __name__ == "__main__":
    main()
