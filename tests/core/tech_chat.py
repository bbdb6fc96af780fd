"""A synthetic workspace unrelated to any reading: a software team's chat, for measuring how
many passage references the digest's readings matcher finds where there are none.

Generated, not copied: templates of what developers write (logging, debugging, versions,
arrays and code, links, "see the docs (2021)", people's names and years, common English
phrases that any prose also uses) filled from small word lists with a seeded RNG.
"""

from __future__ import annotations

import random

from bot.core.models import LoggedMessage

PEOPLE = ["Dana Whitfield", "Omar Haddad", "Lena Kovacs", "Ravi Menon", "Jo Park", "Sam Ortiz"]
THINGS = ["the build", "the parser", "staging", "the cache", "the worker pool", "the API",
          "the migration", "the release branch", "CI", "the scheduler", "the state machine",
          "the control plane", "the policy engine", "the enforcement hook", "the border router"]
VERBS = ["is failing", "keeps timing out", "went down", "is flaky again", "looks fine now",
         "needs a restart", "was rolled back", "is blocked on review", "passed", "broke"]
TEMPLATES = [
    "Set logging to debug to see what is going on with {thing}",
    "{thing} {verb} since this morning, any idea why?",
    "can someone look at {thing}? it {verb}",
    "the output is [1,0,0,1,1] but expected [1,1,0,0,1]",
    "try `x = [{n}, {m}, 0]` and `assert len(x) == 3`",
    "see the docs (2021) for {thing}, section {n}",
    "{person} said in {year} that {thing} would be rewritten",
    "As {last} ({year}) pointed out, {thing} {verb}",
    "bumped to v{n}.{m}.0 ({year}), changelog in #releases",
    "It is important to note that {thing} {verb} on the other hand",
    "In other words the state does not control {thing}, the config does",
    "the paradox is that more retries make {thing} slower",
    "cooperation between teams on {thing} would help, I think",
    "https://example.invalid/issues/{n}{m} has the stack trace",
    "TypeError: cannot read property 'map' of undefined at line {n}",
    "we should unilaterally drop support for the old client in {year}",
    "lunch? 🍕", "+1", "lgtm", "thanks!", "merged", "on it",
    "\"the test suite takes too long to run on every commit\" is what {first} wrote",
    "ref [{n}] and [{m}] in the design doc",
    "{first} et al. ({year}) is the paper the load balancer is based on",
    "what does {thing} do when the queue is empty? does it sleep or spin?",
    "the interest rate on tech debt is high, as {first} likes to say",
]


def tech_chat(count: int = 3000, *, guild: str = "tech", seed: int = 74) -> list[LoggedMessage]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        person = rng.choice(PEOPLE)
        text = rng.choice(TEMPLATES).format(
            thing=rng.choice(THINGS), verb=rng.choice(VERBS), n=rng.randint(1, 40),
            m=rng.randint(0, 9), year=rng.randint(2009, 2024), person=rng.choice(PEOPLE),
            last=rng.choice(PEOPLE).split()[-1], first=rng.choice(PEOPLE).split()[0],
        )
        author = PEOPLE.index(person)
        out.append(LoggedMessage(
            id=f"{guild}-{i}", platform="slack", guild_id=guild, channel_id=f"{guild}-dev",
            author_id=f"U{author}", author_name=person, content=text,
            created_at=f"2026-03-{1 + i % 28:02d}T{8 + i % 10:02d}:{i % 60:02d}:00+00:00",
        ))
    return out
