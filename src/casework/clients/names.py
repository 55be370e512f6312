"""Names as a computer can compare them: folded to ASCII words, phonetic keys, nicknames.

The phonetic key is our own small Metaphone-like code. It is good enough to put
"Jon" next to "John", "Smyth" next to "Smith" and "Katherine" next to
"Catherine", and it is stored on each client so that finding candidates is an
index seek. It is not meant to be clever: the scoring in ``matching`` decides.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_NOT_LETTER = re.compile(r"[^a-z]+")
_VOWELS = frozenset("aeiouy")

# Nicknames and the names they stand for. Our own short list of the common ones in
# the places Casework serves (English and Spanish); a name may be in several groups.
NICKNAME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("william", "bill", "billy", "will", "willy", "liam"),
    ("robert", "bob", "bobby", "rob", "robbie", "bert"),
    ("john", "jack", "johnny"),
    ("jonathan", "jon", "jonny", "nathan"),
    ("elizabeth", "liz", "lizzie", "beth", "betty", "eliza", "libby", "lisa", "elisa"),
    ("katherine", "catherine", "kathryn", "kate", "kathy", "katie", "kat", "cathy"),
    ("margaret", "maggie", "peggy", "meg", "marge", "greta"),
    ("richard", "rick", "ricky", "dick", "rich", "richie"),
    ("james", "jim", "jimmy", "jamie"),
    ("joseph", "joe", "joey"),
    ("michael", "mike", "mikey", "mick"),
    ("christopher", "chris", "kit"),
    ("christine", "christina", "chris", "tina", "chrissy"),
    ("daniel", "dan", "danny"),
    ("david", "dave", "davey"),
    ("thomas", "tom", "tommy"),
    ("charles", "charlie", "chuck", "chas"),
    ("edward", "ed", "eddie", "ted", "ned"),
    ("anthony", "tony"),
    ("nicholas", "nick", "nicky"),
    ("alexander", "alex", "sasha", "xander"),
    ("alejandro", "alex", "ale"),
    ("alexandra", "alex", "sandra", "sasha", "lexi"),
    ("patricia", "pat", "patty", "trish", "tricia"),
    ("patrick", "pat", "paddy"),
    ("jennifer", "jen", "jenny"),
    ("jessica", "jess", "jessie"),
    ("rebecca", "becky", "becca"),
    ("samantha", "sam", "sammy"),
    ("samuel", "sam", "sammy"),
    ("victoria", "tori", "vicky"),
    ("francisco", "paco", "pancho", "frank"),
    ("franklin", "frank", "frankie"),
    ("guadalupe", "lupe"),
    ("jose", "pepe"),
    ("susan", "sue", "susie"),
    ("deborah", "debra", "deb", "debbie"),
    ("benjamin", "ben", "benny"),
    ("matthew", "matt"),
    ("andrew", "andy", "drew"),
    ("steven", "stephen", "steve"),
    ("kenneth", "ken", "kenny"),
    ("ronald", "ron", "ronnie"),
    ("donald", "don", "donnie"),
    ("gregory", "greg"),
    ("timothy", "tim", "timmy"),
    ("jacob", "jake"),
    ("zachary", "zach", "zack"),
    ("nathaniel", "nate", "nat"),
    ("theodore", "ted", "teddy", "theo"),
    ("dorothy", "dot", "dottie"),
    ("barbara", "barb", "babs"),
    ("kimberly", "kim"),
    ("cynthia", "cindy"),
    ("pamela", "pam"),
    ("abigail", "abby"),
    ("frederick", "fred", "freddie"),
    ("lawrence", "larry"),
    ("gerald", "jerry"),
    ("harold", "harry", "hal"),
    ("henry", "hank", "harry"),
    ("virginia", "ginny"),
    ("eleanor", "ellie", "nell"),
    ("raymond", "ray"),
    ("walter", "walt"),
    ("albert", "al", "bert"),
    ("peter", "pete"),
    ("philip", "phillip", "phil"),
    ("douglas", "doug"),
    ("jeffrey", "geoffrey", "jeff"),
    ("leonard", "leo", "len", "lenny"),
    ("manuel", "manny"),
    ("roberto", "beto"),
    ("alberto", "beto"),
    ("eduardo", "lalo"),
    ("enrique", "kike"),
    ("ignacio", "nacho"),
    ("dolores", "lola"),
    ("rosario", "charo"),
    ("isabel", "isabella", "isa", "bella", "chabela"),
    ("gabriel", "gabe"),
    ("gabriela", "gaby"),
    ("mercedes", "meche"),
    ("jesus", "chucho", "chuy"),
    ("antonio", "tono", "tony"),
)


@cache
def _groups_by_name() -> dict[str, frozenset[int]]:
    index: dict[str, set[int]] = {}
    for number, group in enumerate(NICKNAME_GROUPS):
        for name in group:
            index.setdefault(name, set()).add(number)
    return {name: frozenset(numbers) for name, numbers in index.items()}


def fold(text: str) -> str:
    """Lower-case ASCII letters and single spaces: "José-Luis  O'Neil" → "jose luis o neil"."""
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(_NOT_LETTER.sub(" ", flat.replace("'", "")).split())


def words(text: str) -> list[str]:
    return fold(text).split()


def squash(text: str) -> str:
    """One word, no spaces: how names compare whole ("de la Cruz" = "Delacruz")."""
    return fold(text).replace(" ", "")


def nicknames_match(a: str, b: str) -> bool:
    groups = _groups_by_name()
    return bool(groups.get(squash(a), frozenset()) & groups.get(squash(b), frozenset()))


def name_variants(name: str) -> set[str]:
    """The name and every name it may be a nickname of (or for)."""
    name = squash(name)
    variants = {name}
    for number in _groups_by_name().get(name, frozenset()):
        variants.update(NICKNAME_GROUPS[number])
    return variants


_INITIAL = (("kn", "n"), ("gn", "n"), ("pn", "n"), ("wr", "r"), ("ps", "s"), ("wh", "w"))
_REWRITES = (
    ("sch", "sk"),
    ("tch", "X"),
    ("ph", "f"),
    ("gh", "g"),
    ("ck", "k"),
    ("dg", "j"),
    ("th", "0"),
    ("sh", "X"),
    ("ch", "X"),
    ("qu", "k"),
    ("ll", "l"),
)
_LETTERS = str.maketrans({"q": "k", "z": "s", "v": "f", "d": "t", "b": "p"})


@cache
def phonetic_key(name: str) -> str:
    """A Metaphone-like sound code of one name: "John" → "jn", "Smyth" → "sm0".

    Upper-case X stands for the "sh" sound and 0 for "th"; both only appear here."""
    word = squash(name)
    if not word:
        return ""
    for prefix, replacement in _INITIAL:
        if word.startswith(prefix):
            word = replacement + word[len(prefix) :]
            break
    if word.startswith("x"):
        word = "s" + word[1:]
    for old, new in _REWRITES:
        word = word.replace(old, new)
    out: list[str] = []
    for i, ch in enumerate(word):
        nxt = word[i + 1] if i + 1 < len(word) else ""
        prev = word[i - 1] if i else ""
        if ch == "c":
            ch = "s" if nxt in ("e", "i", "y") else "k"
        elif ch == "g" and nxt in ("e", "i", "y"):
            ch = "j"
        elif ch == "x":
            ch = "ks"
        elif (ch == "h" and (nxt not in _VOWELS or (prev and prev not in _VOWELS))) or (
            ch == "w" and nxt not in _VOWELS
        ):
            continue
        ch = ch.translate(_LETTERS)
        if ch in _VOWELS:
            if i == 0:
                out.append("a")
            continue
        if out and out[-1] == ch:
            continue
        out.append(ch)
    return "".join(out)[:12]


def edit_distance_at_most_one(a: str, b: str) -> bool:
    """One letter added, dropped, changed, or two neighbours swapped."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    return any(a == b[:i] + b[i + 1 :] for i in range(len(b)))
