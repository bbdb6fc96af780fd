"""Indexing speed on real PDFs: seconds per PDF page for the whole indexing path, on the dev
papers of ../shared/corpora/articles. Run by hand (results go to bench/PDF.md by hand too):

    python -m bench.pdf_index [--lang en de] [--repeat 3]

Two figures per language:
- *prepare*: reading, layout, metadata, cleaning, passages and references for each file
  (`prepare_reading`, what runs off the database writer), best of `--repeat` runs per file
  so the shared machine's noise is not counted;
- *index*: `seminar-bot index` on a fresh database in a subprocess, once: the figure a user
  waits for (interpreter start and SQLite writes included).
Nothing is copied from the corpus; it is only read.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "articles"


def pages_of(path: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path.read_bytes())
    try:
        return len(doc)
    finally:
        doc.close()


def prepare_seconds(paths: list[Path], repeat: int) -> float:
    from bot.core.readings.metadata import reading_id
    from bot.core.readings.prepare import prepare_reading

    total = 0.0
    for path in paths:
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            prepare_reading(path, reading_id(path), path.stat(), course="bench", sidecar={})
            best = min(best, time.perf_counter() - started)
        total += best
    return total


def index_seconds(paths: list[Path]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "readings"
        folder.mkdir()
        for path in paths:
            shutil.copy(path, folder / path.name)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "--readings", str(folder), "--db",
                        str(Path(tmp) / "bench.db"), "index"], check=True, capture_output=True)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", nargs="+", default=["en", "de"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS} is not here: this benchmark needs the dev papers")
    print(f"| papers | PDF pages | prepare s/page (best of {args.repeat}) | index s/page (CLI, once) |")
    print("|---|---:|---:|---:|")
    for lang in args.lang:
        paths = sorted((CORPUS / lang).glob("*.pdf"))
        pages = sum(pages_of(p) for p in paths)
        prepare = prepare_seconds(paths, args.repeat)
        index = index_seconds(paths)
        print(f"| {len(paths)} {lang} | {pages} | {prepare / pages:.4f} | {index / pages:.4f} |")


if __name__ == "__main__":
    main()
