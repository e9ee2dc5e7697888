"""Reference for `npm run bench -- words`: splits texts with the vendored spaCy English rules
(stages/filters/english/rules.json) in Python's own `re`, so the rules run in the regex engine
they were written for. Reads JSON lines {"text": ...} on stdin, writes {"words": [...]} lines.
"""

import json
import re
import sys
from pathlib import Path

rules = json.loads((Path(__file__).resolve().parent.parent / "stages/filters/english/rules.json").read_text(encoding="utf-8"))
prefix = re.compile("|".join("^" + p for p in rules["prefixes"])).search
suffix = re.compile("|".join(p + "$" for p in rules["suffixes"])).search
infixes = re.compile("|".join(rules["infixes"])).finditer
url = re.compile("(?u)" + rules["url"] if not rules["url"].startswith("(?u)") else rules["url"]).match
special = rules["specialCases"]


def length(match):
    return match.end() - match.start() if match else 0


def affix_split(piece, specials):
    known = (lambda s: s in special) if specials else (lambda s: False)
    if known(piece):
        return list(special[piece])
    pre_tokens, suf_tokens = [], []
    rest, last = piece, -1
    while rest and len(rest) != last:
        if known(rest):
            break
        last = len(rest)
        pre = length(prefix(rest))
        if pre and rest[pre:] and known(rest[pre:]):
            pre_tokens.append(rest[:pre])
            rest = rest[pre:]
            break
        suf = length(suffix(rest[pre:]))
        if suf and rest[:-suf] and known(rest[:-suf]):
            suf_tokens.append(rest[-suf:])
            rest = rest[:-suf]
            break
        if pre and suf and pre + suf <= len(rest):
            pre_tokens.append(rest[:pre])
            suf_tokens.append(rest[-suf:])
            rest = rest[pre:-suf]
        elif pre:
            pre_tokens.append(rest[:pre])
            rest = rest[pre:]
        elif suf:
            suf_tokens.append(rest[-suf:])
            rest = rest[:-suf]
        if rest and known(rest):
            break
    middle = []
    if rest:
        if known(rest):
            middle = list(special[rest])
        elif url(rest):
            middle = [rest]
        else:
            at = 0
            for m in infixes(rest):
                if m.start() == 0:
                    continue
                if m.start() != at:
                    middle.append(rest[at : m.start()])
                if m.end() != m.start():
                    middle.append(m.group())
                at = m.end()
            if rest[at:]:
                middle.append(rest[at:])
    return pre_tokens + middle + suf_tokens[::-1]


patterns = {}
for key in special:
    if any(c.isspace() for c in key):
        continue
    if length(prefix(key)) or length(suffix(key)) or any(True for _ in infixes(key)):
        tokens = affix_split(key, False)
        patterns.setdefault(tokens[0], []).append((tokens, key))


def merge(tokens):
    found = []
    for i, token in enumerate(tokens):
        for pattern, key in patterns.get(token, []):
            if tokens[i : i + len(pattern)] == pattern:
                found.append((i, i + len(pattern), key))
    if not found:
        return tokens
    found.sort(key=lambda m: (m[1] - m[0], m[0]))
    taken, chosen = set(), []
    for start, end, key in reversed(found):
        if start not in taken and end - 1 not in taken:
            chosen.append((start, end, key))
        taken.update(range(start, end))
    for start, end, key in sorted(chosen, reverse=True):
        tokens[start:end] = special[key]
    return tokens


def words(text):
    out = []
    for piece in re.findall(r"\S+", text):
        # Python's \S is "not str.isspace()" for str patterns, the split spaCy makes.
        out.extend(merge(affix_split(piece, True)))
    return out


for line in sys.stdin:
    print(json.dumps({"words": words(json.loads(line)["text"])}, ensure_ascii=False))
