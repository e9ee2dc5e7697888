"""Reference for `npm run bench -- parity`: datatrove's own Gopher quality, Gopher repetition, C4
quality and FineWeb quality filters, with their defaults, on JSON lines {"text": ...} from stdin;
writes one line per document: each filter's verdict ("keep" or its reason) and C4's kept text.
Needs datatrove and spaCy (`pip install datatrove spacy`), or datatrove's source on PYTHONPATH.
"""

import json
import sys

from datatrove.data import Document
from datatrove.pipeline.filters.c4_filters import C4QualityFilter
from datatrove.pipeline.filters.fineweb_quality_filter import FineWebQualityFilter
from datatrove.pipeline.filters.gopher_quality_filter import GopherQualityFilter
from datatrove.pipeline.filters.gopher_repetition_filter import GopherRepetitionFilter

filters = {
    "gopher_quality": GopherQualityFilter(),
    "gopher_repetition": GopherRepetitionFilter(),
    "c4_quality": C4QualityFilter(),
    "fineweb_quality": FineWebQualityFilter(),
}

for number, line in enumerate(sys.stdin):
    text = json.loads(line)["text"]
    out = {}
    for name, f in filters.items():
        doc = Document(text=text, id=str(number))
        try:
            verdict = f.filter(doc)
        except Exception as e:  # datatrove raises on some texts (an empty one divides by zero)
            verdict = (False, "error:" + type(e).__name__)
        out[name] = "keep" if verdict is True else verdict[1]
        if name == "c4_quality" and verdict is True:
            out["c4_text"] = doc.text
    print(json.dumps(out, ensure_ascii=False))
