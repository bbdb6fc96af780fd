"""Compare PDF text extractors on the real papers in ../shared/corpora/articles, and time the
bot's layout reader per PDF page. Run by hand (results go to bench/PDF.md by hand too):

    python -m bench.pdf_reader [--lang en de] [--only ours,pypdf,pdfium,pdfplumber]

Per extractor: seconds per page, split words per 10,000 words (two adjacent pieces whose join
at least two extractors print whole, e.g. "iden tified"), recall of the words (5+ letters) of
the papers' hand-checked reference lists, ligature code points (U+FB00-FB06) left in the
text, glyph names left in it ("/g132", "(cid:12)"), and soft hyphens. pdfplumber and
pdfminer.six are optional: install them to include them. Nothing here is copied into the
project; the corpus is only read.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "articles"
WORD = re.compile(r"[^\W\d_]+")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def ours(path: Path) -> list[str]:
    from bot.core.readings.layout import analyze, paragraph_text, vocabulary
    from bot.core.readings.pdf import read_pdf

    layout = analyze(read_pdf(path.read_bytes()))
    words = vocabulary(layout)
    pages = [""] * len(layout.pdf.pages)
    for block in layout.blocks:
        pages[block.page] += paragraph_text(block, words) + "\n"
    return pages


def pypdf_text(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def pdfium_text(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        out = []
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            out.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return out
    finally:
        doc.close()


def plumber_text(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


EXTRACTORS: dict[str, Callable[[Path], list[str]]] = {
    "ours": ours, "pypdf": pypdf_text, "pdfium": pdfium_text, "pdfplumber": plumber_text,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", nargs="+", default=["en", "de"])
    parser.add_argument("--only", default=",".join(EXTRACTORS))
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"{CORPUS} is not here: nothing to measure")
    names = [n for n in args.only.split(",") if n in EXTRACTORS]
    refs: dict[str, list[str]] = {}
    for lang in args.lang:
        for line in (CORPUS / f"references-{lang}.jsonl").read_text(encoding="utf-8").splitlines():
            gold = json.loads(line)
            refs.setdefault(gold["doc"], []).append(gold["raw"])
    totals: dict[str, Counter[str]] = {name: Counter() for name in names}
    seconds: dict[str, float] = dict.fromkeys(names, 0.0)
    for lang in args.lang:
        for pdf in sorted((CORPUS / lang).glob("*.pdf")):
            texts: dict[str, str] = {}
            for name in names:
                started = time.perf_counter()
                try:
                    pages = EXTRACTORS[name](pdf)
                except ImportError:
                    continue
                seconds[name] += time.perf_counter() - started
                totals[name]["pages"] += len(pages)
                texts[name] = "\n".join(pages)
            whole: Counter[str] = Counter()
            for text in texts.values():
                whole.update(set(WORD.findall(_fold(text))))
            gold_words = [w for raw in refs.get(pdf.stem, []) for w in WORD.findall(_fold(raw)) if len(w) >= 5]
            for name, text in texts.items():
                tokens = WORD.findall(_fold(text))
                present = set(tokens)
                c = totals[name]
                c["words"] += len(tokens)
                c["splits"] += sum(1 for a, b in itertools.pairwise(tokens)
                                   if len(a) >= 2 and len(a + b) >= 5 and whole[a + b] >= 2 and a + b not in present)
                c["gold"] += len(gold_words)
                c["found"] += sum(1 for w in gold_words if w in present)
                c["ligatures"] += len(re.findall("[\ufb00-\ufb06]", text))
                c["glyph_names"] += len(re.findall(r"/g\d+|\(cid:\d+\)", text))
                c["soft_hyphens"] += text.count("\u00ad")
    print("| extractor | pages | s/page | splits /10k words | reference-word recall | ligatures | glyph names | soft hyphens |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, c in totals.items():
        if not c["pages"]:
            continue
        print(f"| {name} | {c['pages']} | {seconds[name] / c['pages']:.4f} | {1e4 * c['splits'] / max(c['words'], 1):.1f} | "
              f"{c['found'] / max(c['gold'], 1):.4f} | {c['ligatures']} | {c['glyph_names']} | {c['soft_hyphens']} |")


if __name__ == "__main__":
    main()
