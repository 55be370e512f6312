"""The words of human services: how directory search reads a word, which other words a
word also finds, and which need (life domain) a word of a goal points at.

Why our own small stemmer rather than PostgreSQL's ``english`` configuration and
SQLite's ``porter`` tokenizer: the two stem differently (Snowball and the original
Porter), so the same words would find different services on the two databases, and
neither puts "financial" next to "finance". ``derived.refresh`` writes each word of a
service *and* its stem into ``Service.search_text``, which both databases already
index (migrations 0002-0003, the ``simple`` configuration and FTS5's ``unicode61``),
and search asks for the stem of each word typed. So both databases answer from the
same tokens with the same prefix test, and no new index is needed.

Why synonyms at query time: ``RULES`` can be edited (by the agency's administrator,
in this one place) without re-indexing a single service. A rule says what a person
may type or say ("tuition", "financial aid"), what else it finds in the directory
("college", "scholarship"), and the need it points at, which matching uses to read a
goal that no assessment tied to a need ("I can't keep my apartment while I study" is
about housing and education).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from casework.clients.names import words

#: Plurals that are not a suffix away from their singular.
_IRREGULAR = {"children": "child", "women": "woman", "men": "man", "people": "person"}
#: A doubled consonant left by "-ing" or "-ed" ("shopping", "planned") is undoubled.
_DOUBLES = ("bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt")
_VOWELS = frozenset("aeiouy")


@cache
def stem(word: str) -> str:
    """A folded word's stem, for search: "financial", "finance" and "finances" →
    "financ"; "schools" → "school"; "studying", "studies", "studied" → "study";
    "housing", "houses" → "hous"; "eviction" → "evict"; "employment" → "employ".

    Deliberately light: plurals, "-ing" and "-ed", then one of a few endings that turn
    a word into another kind ("-ial", "-al", "-ion", "-ment", "-ance", "-ence"), then a
    final "e". A stem keeps at least three letters (five for those endings), so short
    words stay whole ("care", "legal", "rent")."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3:
        return word
    w = _inflection(word)
    for ending, keep in (("ial", 5), ("al", 5)):
        if w.endswith(ending) and len(w) - len(ending) >= keep:
            w = w[: -len(ending)]
            break
    for ending in ("ment", "ance", "ence", "ion"):
        rest = w[: -len(ending)]
        if w.endswith(ending) and len(rest) >= 5 and (ending != "ion" or rest[-1] in "st"):
            w = rest
            break
    if w.endswith("e") and len(w) >= 5:
        w = w[:-1]
    return w


def _inflection(w: str) -> str:
    if w.endswith(("ies", "ied")) and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("sses"):
        return w[:-2]
    if w.endswith(("shes", "ches", "xes", "zes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    for ending in ("ing", "ed"):
        rest = w[: -len(ending)]
        if w.endswith(ending) and len(rest) >= 3 and _VOWELS & set(rest):
            if rest[-2:] in _DOUBLES or (rest.endswith("ll") and len(rest) >= 6):
                rest = rest[:-1]
            return rest
    return w


def stems(text: str) -> list[str]:
    return [stem(word) for word in words(text)]


@dataclass(frozen=True)
class Rule:
    #: Words or phrases a person types or says.
    said: tuple[str, ...]
    #: Words or phrases that it also finds in the directory.
    finds: tuple[str, ...] = ()
    #: The category (life domain) it points at, for matching; "" for none.
    need: str = ""


#: The agency's vocabulary: edit here. Phrases are words in a row; words are matched
#: by their stems, so "student" also stands for "students", "evicted" for "eviction".
RULES: tuple[Rule, ...] = (
    Rule(
        ("tuition", "scholarship", "fafsa", "financial aid", "pell grant", "student loan"),
        ("college", "university", "scholarship", "financial aid", "fafsa", "tuition", "grant"),
        "education",
    ),
    Rule(("grant",), ("scholarship", "financial aid", "fafsa", "tuition", "college")),
    Rule(
        ("school", "study", "student", "course", "degree", "diploma", "homework", "tutor"),
        ("education", "school", "college", "tutoring", "ged"),
        "education",
    ),
    Rule(("education", "college", "university", "ged"), (), "education"),
    Rule(
        (
            "rent",
            "eviction",
            "apartment",
            "landlord",
            "lease",
            "homeless",
            "homelessness",
            "tenant",
            "mortgage",
            "foreclosure",
            "roommate",
            "rental",
            "place to live",
            "place to stay",
        ),
        ("housing", "shelter", "rent", "tenant"),
        "housing",
    ),
    Rule(("housing", "shelter"), (), "housing"),
    Rule(
        ("money", "financial", "finance", "cash", "bills", "debt", "budget", "welfare", "tanf"),
        ("income", "cash", "benefits", "financial"),
        "income",
    ),
    Rule(("income", "benefits", "ssi", "ssdi", "tax"), (), "income"),
    Rule(
        ("hungry", "hunger", "groceries", "grocery", "meal", "eat", "food stamps", "wic"),
        ("food", "pantry", "meal", "snap"),
        "food",
    ),
    Rule(("food", "pantry", "snap"), (), "food"),
    Rule(
        ("mental health", "therapy", "therapist", "depression", "anxiety", "stress", "trauma"),
        ("counseling", "mental health", "therapy"),
        "mental_health",
    ),
    Rule(("grief", "suicide", "counseling", "counselor", "psychiatrist"), (), "mental_health"),
    Rule(
        ("doctor", "sick", "illness", "prescription", "medicine", "dentist", "teeth", "medicaid"),
        ("health", "clinic", "medical", "dental"),
        "physical_health",
    ),
    Rule(("health", "clinic", "medical", "dental", "hospital"), (), "physical_health"),
    Rule(
        ("drinking", "alcohol", "drug", "addiction", "sober", "sobriety", "relapse", "opioid"),
        ("recovery", "substance", "addiction", "treatment"),
        "substance_use",
    ),
    Rule(("recovery", "detox", "substance"), (), "substance_use"),
    Rule(
        ("lawyer", "attorney", "court", "judge", "probation", "parole", "expunge", "lawsuit"),
        ("legal", "law", "court"),
        "legal",
    ),
    Rule(("legal", "criminal record", "expungement"), (), "legal"),
    Rule(
        ("job", "work", "career", "resume", "interview", "unemployed", "hired", "paycheck"),
        ("employment", "job", "career", "resume"),
        "employment",
    ),
    Rule(("employment", "training"), (), "employment"),
    Rule(
        ("bus", "car", "ride", "transit", "drive", "gas money", "bus pass", "fare"),
        ("transportation", "transit", "ride", "fare"),
        "transportation",
    ),
    Rule(("transportation",), (), "transportation"),
    Rule(
        ("daycare", "day care", "babysitter", "preschool", "nanny", "after school"),
        ("child care", "daycare", "head start", "preschool"),
        "childcare",
    ),
    Rule(("child care", "childcare", "head start"), (), "childcare"),
    Rule(
        ("kid", "son", "daughter", "baby", "toddler", "infant", "newborn", "teenager"),
        ("child", "youth", "parenting"),
    ),
    Rule(
        ("abuse", "abusive", "domestic violence", "unsafe", "stalking", "assault", "threatened"),
        ("safety", "violence", "safe house", "hotline"),
        "safety",
    ),
    Rule(("safety",), (), "safety"),
    Rule(
        ("caregiver", "caregiving", "respite", "lonely", "loneliness", "isolated", "divorce"),
        ("family", "caregiver", "respite", "support"),
        "family_support",
    ),
    Rule(("parenting", "mediation"), (), "family_support"),
    Rule(
        ("esl", "interpreter", "translator", "translation", "read", "reading", "literacy"),
        ("english classes", "literacy", "language", "interpreter"),
        "language_literacy",
    ),
    Rule(
        ("disability", "disabled", "wheelchair", "blind", "deaf"),
        ("disability", "accessible", "independent living"),
        "disability",
    ),
    Rule(
        ("senior", "elderly", "elder", "aging", "older", "retired", "retirement", "medicare"),
        ("senior", "older", "aging"),
        "older_adults",
    ),
    Rule(
        ("immigration", "immigrant", "visa", "green card", "citizenship", "asylum", "refugee"),
        ("immigration", "immigrant", "citizenship", "refugee"),
        "immigration",
    ),
)

#: The words that say a goal, or a service, is about children (see matching).
CHILDREN_WORDS: tuple[str, ...] = (
    "child",
    "children",
    "kid",
    "son",
    "daughter",
    "baby",
    "toddler",
    "infant",
    "newborn",
    "preschool",
    "parent",
    "parenting",
    "pregnant",
    "pregnancy",
    "youth",
    "teen",
    "teenager",
    "head start",
    "daycare",
    "child care",
)


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(stems(text))


@dataclass(frozen=True)
class _Compiled:
    said: tuple[tuple[str, ...], ...]
    finds: tuple[tuple[str, ...], ...]
    need: str


@cache
def _rules() -> tuple[_Compiled, ...]:
    return tuple(
        _Compiled(
            tuple(_phrase(s) for s in rule.said),
            tuple(_phrase(f) for f in rule.finds),
            rule.need,
        )
        for rule in RULES
    )


def _spans(said: Sequence[str]) -> Iterable[tuple[int, int, _Compiled]]:
    """Each (start, end, rule) whose said phrase is ``said[start:end]``, longest first."""
    found = []
    for rule in _rules():
        for phrase in rule.said:
            n = len(phrase)
            for start in range(len(said) - n + 1):
                if tuple(said[start : start + n]) == phrase:
                    found.append((start, start + n, rule))
    return sorted(found, key=lambda f: (f[0], -(f[1] - f[0])))


#: One way to match a word typed: every stem of it as a prefix (phrases are several).
Alternative = tuple[str, ...]


def expand(terms: Sequence[str]) -> list[list[Alternative]]:
    """The words typed (folded), as groups that must each match: a group is the word
    itself or its stem, or one of what it also finds; a phrase of a rule ("financial
    aid") is one group. Prefixes that another alternative of the group already covers
    are left out, so the index is asked no more than it must."""
    said = [stem(t) for t in terms]
    groups: list[list[Alternative]] = []
    rules_at: dict[int, tuple[int, list[_Compiled]]] = {}
    for start, end, rule in _spans(said):
        at = rules_at.setdefault(start, (end, []))
        if at[0] == end:
            at[1].append(rule)
    index = 0
    while index < len(terms):
        end, rules = rules_at.get(index, (index + 1, []))
        own: Alternative = tuple(said[index:end])
        alternatives: list[Alternative] = [own]
        if end == index + 1 and not terms[index].startswith(own[0]):
            alternatives.append((terms[index],))
        for rule in rules:
            alternatives += rule.finds
        groups.append(_without_covered(alternatives))
        index = end
    return groups


def _without_covered(alternatives: list[Alternative]) -> list[Alternative]:
    """Leaves out an alternative that a one-word alternative already finds: "financ"
    finds whatever "financial" or "financ aid" finds."""
    unique = list(dict.fromkeys(alternatives))
    singles = [a[0] for a in unique if len(a) == 1]
    return [
        alt
        for alt in unique
        if not any(p != alt[0] or len(alt) > 1 for p in singles if _covers(p, alt))
    ]


def _covers(prefix: str, alt: Alternative) -> bool:
    return any(word.startswith(prefix) for word in alt)


def needs_in(text: str) -> list[str]:
    """The needs (category codes) the words of ``text`` point at, in the order said."""
    said = stems(text)
    found = [(start, rule.need) for start, _end, rule in _spans(said) if rule.need]
    return list(dict.fromkeys(need for _start, need in sorted(found, key=lambda f: f[0])))


@cache
def _children() -> frozenset[tuple[str, ...]]:
    return frozenset(_phrase(w) for w in CHILDREN_WORDS)


def about_children(text: str) -> bool:
    """Whether ``text`` speaks of children or parenting ("my son", "Head Start")."""
    said = stems(text)
    return any(
        tuple(said[start : start + len(phrase)]) == phrase
        for phrase in _children()
        for start in range(len(said) - len(phrase) + 1)
    )
