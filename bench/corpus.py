"""A deterministic synthetic department: readings at any size, plus questions drawn from them.

Why synthetic: the shared readings are two articles (~250 passages); a department has hundreds
of readings. The generator learns word sequences (an order-2 Markov chain), footnote and
bibliography shapes from the real readings at run time (../shared/readings, else the bundled
knowledge/ sample) and writes new readings to a scratch folder. Nothing of the source text is
stored in the repository, and the same seed always gives byte-identical readings, so runs on
different days compare. Each reading also gets a few invented topic words, as real readings on
different subjects have their own vocabulary; otherwise every passage would look alike and the
index would be easier (or harder) than a real one.

Reading `i` depends only on `i` and the source, so the 1k corpus is a prefix of the 10k one.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.readings import cleaning, loaders
from bot.core.readings.refresh import reading_files
from bot.core.textnorm import STOPWORDS, sentences, words

ROOT = Path(__file__).resolve().parent.parent
SHARED_READINGS = ROOT.parent / "shared" / "readings"
BUNDLED_READINGS = ROOT / "knowledge"
GENERATOR_VERSION = "1"
BODY_PARAS, NOTES, BIB_ENTRIES = 160, 28, 12  # about 200 passages per reading
PASSAGES_PER_READING = BODY_PARAS + NOTES + BIB_ENTRIES
START = ("", "")


@dataclass(slots=True)
class Chain:
    """Order-2 word chain over whitespace tokens, as printed (case and punctuation kept)."""

    next_words: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))

    def learn(self, sentence: str) -> None:
        tokens = sentence.split()
        if len(tokens) < 4:
            return
        state = START
        for token in [*tokens, ""]:
            self.next_words[state].append(token)
            state = (state[1], token)

    def sentence(self, rng: random.Random, max_tokens: int = 45) -> str:
        for _ in range(20):
            state, out = START, list[str]()
            while len(out) < max_tokens:
                token = rng.choice(self.next_words[state])
                if not token:
                    break
                out.append(token)
                state = (state[1], token)
            if len(out) >= 6 and out[-1][-1] in ".?!\"”)":
                text = " ".join(out)
                return text[0].upper() + text[1:]
        return " ".join(out).rstrip(",;:") + "."


@dataclass(slots=True)
class Model:
    body: Chain
    notes: Chain
    surnames: list[str]
    journals: list[str]
    content: list[str]  # lowercase content words, for headings and topic words
    source_digest: str


def source_folder() -> Path:
    for folder in (SHARED_READINGS, BUNDLED_READINGS):
        if folder.is_dir() and any(folder.iterdir()):
            return folder
    raise SystemExit(f"No source readings: neither {SHARED_READINGS} nor {BUNDLED_READINGS} exists.")


def learn(folder: Path) -> Model:
    body, notes = Chain(), Chain()
    surnames: set[str] = set()
    journals: set[str] = set()
    content: set[str] = set()
    digest = hashlib.sha256(GENERATOR_VERSION.encode())
    for path in reading_files(folder):
        if path.suffix.lower() not in loaders.SUPPORTED:
            continue
        digest.update(path.read_bytes())
        doc = cleaning.clean(loaders.load(path))
        for para in doc.paras:
            text = re.sub(r"\[\d+\]|[⁰¹²³⁴⁵⁶⁷⁸⁹]+", "", para.text)
            if para.kind in ("body", "abstract"):
                for s in sentences(text):
                    body.learn(s)
                content.update(w for w in words(text) if w.isalpha() and len(w) > 5 and w not in STOPWORDS)
            elif para.kind == "footnote":
                notes.learn(re.sub(r"^\s*\S+\s*", "", text))
            elif para.kind == "bibliography":
                surnames.update(re.findall(r"\b([A-Z][a-z]{3,})\b,", text))
                journals.update(j.strip() for j in re.findall(r"\*([^*]{4,60})\*", text))
    if not body.next_words:
        raise SystemExit(f"No readable paragraphs in {folder}")
    if not notes.next_words:
        notes = body
    return Model(body, notes, sorted(surnames) or ["Author"], sorted(journals) or ["Journal"],
                 sorted(content), digest.hexdigest()[:16])


def _topic_words(rng: random.Random, content: list[str], n: int = 30) -> list[str]:
    """Invented words (halves of two real ones) that only this reading uses."""
    out = []
    for _ in range(n):
        a, b = rng.choice(content), rng.choice(content)
        out.append(a[: max(3, len(a) // 2)] + b[len(b) // 2:])
    return out


def _flavour(sentence: str, rng: random.Random, topic: list[str]) -> str:
    tokens = sentence.split()
    for i, tok in enumerate(tokens):
        if tok.isalpha() and tok.islower() and len(tok) > 5 and rng.random() < 0.08:
            tokens[i] = rng.choice(topic)
    return " ".join(tokens)


@dataclass(slots=True)
class Reading:
    name: str
    text: str
    body_sentences: list[str]
    bib: list[tuple[str, str]]  # (surname, year)


def make_reading(model: Model, index: int, seed: int = 7) -> Reading:
    rng = random.Random(f"{seed}-{index}")
    topic = _topic_words(rng, model.content)

    def sent() -> str:
        return _flavour(model.body.sentence(rng), rng, topic)

    def title_words(k: int) -> str:
        pool = topic[:5] + [rng.choice(model.content) for _ in range(6)]
        return " ".join(w.capitalize() for w in rng.sample(pool, k))

    authors = rng.sample(model.surnames, k=min(2, len(model.surnames)))
    bib = []
    bib_lines = []
    for _ in range(BIB_ENTRIES):
        surname, year = rng.choice(model.surnames), str(rng.randint(1950, 2023))
        bib.append((surname, year))
        given = rng.choice("ABCDEFGHJKLMNPRSTW")
        bib_lines.append(
            f'{surname}, {given}. {year}. "{title_words(4)}," *{rng.choice(model.journals)}*, '
            f"vol. {rng.randint(1, 60)}, no. {rng.randint(1, 12)}, pp. {rng.randint(1, 200)}-{rng.randint(201, 400)}."
        )
    lines = [f"{title_words(3)}: {title_words(3)}", "", f"{authors[0]} Smith and {authors[-1]} Jones", "",
             "Abstract", "", " ".join(sent() for _ in range(4)), ""]
    body_sentences: list[str] = []
    note = 0
    for p in range(BODY_PARAS):
        if p % 20 == 0:
            lines += [f"{p // 20 + 1}. {title_words(3)}", ""]
        para = []
        for _ in range(rng.randint(3, 6)):
            s = sent()
            body_sentences.append(s)
            if rng.random() < 0.06:
                surname, year = rng.choice(bib)
                s = s.rstrip(".") + f" ({surname} {year})."
            para.append(s)
        if note < NOTES and rng.random() < NOTES / BODY_PARAS * 1.3:
            note += 1
            para[-1] += f"[{note}]"
        lines += [" ".join(para), ""]
    lines += ["Notes", ""]
    for n in range(1, note + 1):
        surname, year = rng.choice(bib)
        lines += [f"[{n}] {model.notes.sentence(rng, 30)} See {surname} ({year}), p. {rng.randint(1, 300)}.", ""]
    lines += ["References", ""] + [line for b in bib_lines for line in (b, "")]
    return Reading(f"reading-{index:04d}", "\n".join(lines), body_sentences, bib)


def _question(rng: random.Random, sentence: str) -> str:
    terms = [w for w in sentence.split() if w.strip(".,;:“”\"()").isalpha()]
    terms = [w.strip(".,;:“”\"()") for w in terms if w.lower().strip(".,;:“”\"()") not in STOPWORDS]
    k = min(len(terms), rng.randint(3, 6))
    start = rng.randint(0, max(0, len(terms) - k))
    picked = terms[start: start + k]
    if picked and rng.random() < 0.2:  # a typo: two letters swapped
        w = max(picked, key=len)
        if len(w) > 4:
            i = rng.randint(1, len(w) - 3)
            picked[picked.index(w)] = w[:i] + w[i + 1] + w[i] + w[i + 2:]
    shape = rng.choice(["What does the reading say about {}?", "why {}", "{}", "How is {} explained?"])
    return shape.format(" ".join(picked).lower())


def build(size: int, out_dir: Path, *, seed: int = 7, questions: int = 200) -> dict[str, object]:
    """Write readings for about `size` passages and question/quote/cite sets; reuse if present."""
    model = learn(source_folder())
    count = max(1, round(size / PASSAGES_PER_READING))
    manifest_path = out_dir / "manifest.json"
    key = {"version": GENERATOR_VERSION, "source": model.source_digest, "readings": count, "seed": seed}
    if manifest_path.exists() and json.loads(manifest_path.read_text()).get("key") == key:
        return json.loads(manifest_path.read_text())
    folder = out_dir / "readings"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    rng = random.Random(f"{seed}-questions")
    asks: list[dict[str, str]] = []
    quotes: list[dict[str, str]] = []
    cites: list[dict[str, str]] = []
    per = max(1, questions // count + 1)
    for i in range(count):
        reading = make_reading(model, i, seed)
        (folder / f"{reading.name}.txt").write_text(reading.text, encoding="utf-8")
        for _ in range(per if len(asks) < questions else 0):
            s = rng.choice(reading.body_sentences)
            asks.append({"question": _question(rng, s), "gold": s, "reading": reading.name})
            tokens = s.split()
            span = " ".join(tokens[max(0, len(tokens) // 2 - 6): len(tokens) // 2 + 6])
            quotes.append({"quote": span, "gold": span, "reading": reading.name})
            surname, year = rng.choice(reading.bib)
            cites.append({"query": f"{surname} {year}", "reading": reading.name})
    for name, rows in (("questions", asks), ("quotes", quotes), ("cites", cites)):
        (out_dir / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:questions]))
    manifest = {"key": key, "readings": count, "folder": str(folder)}
    manifest_path.write_text(json.dumps(manifest))
    return manifest
