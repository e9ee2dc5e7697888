"""Vendors datatrove's punctuation sets (huggingface/datatrove, Apache-2.0) as data:
stages/filters/datatrove/punctuation.json, read by the Gopher quality and FineWeb quality filters,
which follow datatrove's semantics.

    python3 scripts/vendor-datatrove.py <datatrove checkout> [<commit>]

It reads src/datatrove/utils/text.py as plain Python (no datatrove install): `PUNCTUATION` (the
characters Gopher quality's "symbol words" are made of, with `TERMINAL_PUNCTUATION`) and
`TERMINAL_PUNCTUATION` (the line endings FineWeb quality counts as punctuation).
"""

import ast
import json
import subprocess
import sys
from pathlib import Path


def source(checkout: Path, commit: str, rel: str) -> str:
    if commit:
        return subprocess.run(["git", "-C", str(checkout), "show", f"{commit}:{rel}"], check=True, capture_output=True, text=True).stdout
    return (checkout / rel).read_text(encoding="utf-8")


def constant(module: ast.Module, name: str):
    for node in module.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            # The constants are literals, or literals joined with map/chr/range over literals.
            return eval(compile(ast.Expression(node.value), "<text.py>", "eval"), {"__builtins__": {"map": map, "chr": chr, "range": range}})
    raise KeyError(name)


def main() -> None:
    checkout = Path(sys.argv[1])
    commit = sys.argv[2] if len(sys.argv) > 2 else ""
    module = ast.parse(source(checkout, commit, "src/datatrove/utils/text.py"))
    punctuation = constant(module, "PUNCTUATION")
    terminal = constant(module, "TERMINAL_PUNCTUATION")
    data = {
        "source": f"huggingface/datatrove {commit or '(working tree)'}: src/datatrove/utils/text.py (Apache-2.0: the license field, and LICENSE beside this file)",
        "license": source(checkout, commit, "LICENSE"),
        "punctuation": "".join(dict.fromkeys(punctuation)),
        "terminalPunctuation": sorted(terminal),
    }
    out = Path(__file__).resolve().parent.parent / "stages/filters/datatrove/punctuation.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out.parent / "LICENSE").write_text(data["license"], encoding="utf-8")
    print(f"wrote {out}: {len(data['punctuation'])} punctuation characters, {len(terminal)} terminal")


if __name__ == "__main__":
    main()
