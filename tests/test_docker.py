"""The Docker files, checked statically (CI has no Docker daemon; the README says how the image
was built and run): what the build sends, what the image sets, what .env.example leaves to it."""

from __future__ import annotations

import os
import re
import shlex
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip().lstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def _regex(pattern: str) -> re.Pattern[str]:
    """Docker's .dockerignore matching: `*` and `?` within one path element, `**` across."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            if pattern.startswith("/", i):
                out += "/?"
                i += 1
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


def ignored(path: str, patterns: list[str]) -> bool:
    """The last pattern that matches the path or one of its folders decides (`!` re-includes)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    verdict = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = _regex(pattern.lstrip("!").rstrip("/"))
        if any(regex.match(p) for p in prefixes):
            verdict = not negate
    return verdict


def context_files() -> list[Path]:
    """What `docker build .` sends (an ignored folder is not walked: .venv is large)."""
    patterns = dockerignore()
    files = []
    for folder, dirs, names in os.walk(ROOT):
        here = Path(folder)
        rel = here.relative_to(ROOT).as_posix()
        inside = "" if rel == "." else f"{rel}/"
        dirs[:] = [d for d in dirs if not ignored(inside + d, patterns)]
        files += [here / n for n in names if not ignored(inside + n, patterns)]
    return files


def instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_the_matcher_follows_dockerignore_rules() -> None:
    assert ignored(".venv/bin/python", [".venv"]) and ignored("a/b/__pycache__/x.pyc",
                                                            ["**/__pycache__"])
    assert ignored("seminar.db", ["*.db"]) and not ignored("bot/cli.py", ["*.db"])
    assert not ignored("docs/keep.md", ["docs", "!docs/keep.md"])


def test_the_build_context_is_small_and_holds_no_secrets_or_databases() -> None:
    patterns = dockerignore()
    for path in (".venv/bin/python", ".git/HEAD", ".env", "seminar.db", "seminar.db-wal",
                 "bot/__pycache__/cli.cpython-311.pyc", "tests/test_cli.py", ".mypy_cache/x"):
        assert ignored(path, patterns), path
    files = context_files()
    names = {p.relative_to(ROOT).as_posix() for p in files}
    assert {"pyproject.toml", "README.md", "LICENSE", "bot/cli.py"} <= names
    assert sum(p.stat().st_size for p in files) < 3_000_000  # was 286 MB with the .venv


def test_every_copied_file_is_in_the_context() -> None:
    patterns = dockerignore()
    copies = [shlex.split(rest) for word, rest in instructions() if word == "COPY"]
    assert copies
    for args in copies:
        for source in [a for a in args[:-1] if not a.startswith("--")]:
            assert (ROOT / source).exists(), source
            assert not ignored(source, patterns), source
    sources = {s for args in copies for s in args[:-1]}
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert set(declared["license-files"]) <= sources and declared["readme"] in sources


def test_the_image_keeps_its_data_on_volumes_and_runs_unprivileged() -> None:
    steps = instructions()
    env = " ".join(rest for word, rest in steps if word == "ENV")
    assert "SEMINAR_READINGS=/data/readings" in env and "SEMINAR_DB=/data/db/" in env
    volumes = " ".join(rest for word, rest in steps if word == "VOLUME")
    assert "/data/readings" in volumes and "/data/db" in volumes
    users = [rest for word, rest in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ("ENTRYPOINT", '["seminar-bot"]') in steps and steps[-1] == ("CMD", '["run"]')


def test_env_example_leaves_the_paths_to_the_image_and_lists_every_setting() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    active = {line.split("=", 1)[0] for line in example.splitlines()
              if "=" in line and not line.lstrip().startswith("#")}
    mentioned = set(re.findall(r"^#? ?([A-Z][A-Z_]+)=", example, re.M))
    assert not active & {"SEMINAR_READINGS", "SEMINAR_DB"}  # the image's /data paths win
    source = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    source += (ROOT / "bot" / "console.py").read_text(encoding="utf-8")
    read = set(re.findall(r'(?:env\.get|os\.environ\.get|_secret|_ids)\("([A-Z_]+)"', source))
    assert read and read <= mentioned, read - mentioned


def test_compose_mounts_the_readings_and_the_database() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    bot = compose["services"]["bot"]
    targets = {v.split(":")[1] for v in bot["volumes"]}
    assert targets == {"/data/readings", "/data/db"} and "seminar-db" in compose["volumes"]
    assert bot["build"] == "." and bot["stdin_open"] and bot["tty"]  # the console needs both
    assert "SEMINAR_USER" in bot["environment"]
