"""Vendors the rules of spaCy's English tokenizer (explosion/spaCy, MIT) as data:
stages/filters/english/rules.json, read by Kiln's English word splitter (the tokenizer datatrove's
word-counting filters use for English).

    python3 scripts/vendor-spacy-english.py <spaCy checkout> [<commit>]

It reads the rule modules as plain Python (no spaCy install, no compiled parts): the character
classes, the prefix, suffix and infix patterns in the order spaCy joins them, the URL pattern and
the special cases (each as the list of its token texts), with the typographic-apostrophe variants
spaCy derives, and the sentencizer's sentence-final characters (datatrove splits sentences with
spaCy's sentencizer). Patterns stay in Python's regex syntax; Kiln translates them to JavaScript.
"""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

ORTH, NORM = 65, 67
IMPORT = re.compile(r"^from \.[\w.]* import (\([^)]*\)|[^\n]*)\n", re.M)


def source(checkout: Path, commit: str, rel: str) -> str:
    if commit:
        return subprocess.run(["git", "-C", str(checkout), "show", f"{commit}:{rel}"], check=True, capture_output=True, text=True).stdout
    return (checkout / rel).read_text(encoding="utf-8")


def run(text: str, scope: dict) -> dict:
    scope = dict(scope)
    exec(compile(IMPORT.sub("", text), "<rules>", "exec"), scope)
    return scope


def merged(base: dict, *additions: dict) -> dict:
    """Special cases as spaCy combines them: later tables override, each key is the concatenation
    of its tokens, and every key with ' also gets a copy with ’ in its place."""
    table = dict(base)
    for addition in additions:
        for key, tokens in addition.items():
            assert "".join(t[ORTH] for t in tokens) == key, key
        table.update(addition)
    for key, tokens in list(table.items()):
        if "'" in key:
            table[key.replace("'", "\u2019")] = [{**t, ORTH: t[ORTH].replace("'", "\u2019")} for t in tokens]
    return table


def main() -> None:
    checkout = Path(sys.argv[1])
    commit = sys.argv[2] if len(sys.argv) > 2 else ""
    classes = run(source(checkout, commit, "spacy/lang/char_classes.py"), {})
    base_punct = run(source(checkout, commit, "spacy/lang/punctuation.py"), classes)
    en_punct = run(source(checkout, commit, "spacy/lang/en/punctuation.py"), classes)
    symbols = {"ORTH": ORTH, "NORM": NORM, "ALPHA_LOWER": classes["ALPHA_LOWER"]}
    base_exc = run(source(checkout, commit, "spacy/lang/tokenizer_exceptions.py"), symbols)
    en_exc = run(
        source(checkout, commit, "spacy/lang/en/tokenizer_exceptions.py").replace("from typing import Dict, List\n", ""),
        {**symbols, "Dict": dict, "List": list, "BASE_EXCEPTIONS": base_exc["BASE_EXCEPTIONS"], "update_exc": merged},
    )
    sentencizer = source(checkout, commit, "spacy/pipeline/sentencizer.pyx")
    punct_chars = ast.literal_eval(re.search(r"default_punct_chars = (\[.*?\])", sentencizer, re.S).group(1))
    keep = lambda pieces: [p for p in pieces if p.strip()]  # spaCy drops blank pieces when it joins them
    rules = {
        "source": f"explosion/spaCy {commit or '(working tree)'}: spacy/lang/char_classes.py, punctuation.py, tokenizer_exceptions.py, en/punctuation.py, en/tokenizer_exceptions.py, pipeline/sentencizer.pyx (MIT: the license field, and LICENSE beside this file)",
        # The license travels inside the data: the built package ships dist/ only.
        "license": source(checkout, commit, "LICENSE"),
        "prefixes": keep(base_punct["TOKENIZER_PREFIXES"]),
        "suffixes": keep(base_punct["TOKENIZER_SUFFIXES"]),
        "infixes": keep(en_punct["TOKENIZER_INFIXES"]),
        "url": base_exc["URL_PATTERN"],
        "specialCases": {key: [t[ORTH] for t in tokens] for key, tokens in sorted(en_exc["TOKENIZER_EXCEPTIONS"].items())},
        "sentencePunctuation": punct_chars,
    }
    out = Path(__file__).resolve().parent.parent / "stages/filters/english/rules.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rules, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(rules['prefixes'])} prefixes, {len(rules['suffixes'])} suffixes, {len(rules['infixes'])} infixes, {len(rules['specialCases'])} special cases, {len(punct_chars)} sentence-final characters")


if __name__ == "__main__":
    main()
