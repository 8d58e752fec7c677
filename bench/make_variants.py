"""Write the synthetic disclosure PDFs (layout variants the reader has not seen), manifest.json and
questions.jsonl into OUTDIR.

usage: python bench/make_variants.py OUTDIR [VARIANT ...]   (all variants when none is named)
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.docgen.manifest import build  # noqa: E402
from tests.docgen.variants import VARIANTS  # noqa: E402


def main(argv: list[str]) -> int:
    """Generate into the folder given; print one line per document."""
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        print("variants:", " ".join(VARIANTS))
        return 0 if argv else 2
    unknown = [v for v in argv[1:] if v not in VARIANTS]
    if unknown:
        print(f"unknown variant(s): {' '.join(unknown)}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    manifest = build(Path(argv[0]), argv[1:] or None)
    for doc in manifest["documents"]:
        print(f"{doc['file']:32} {doc['pages']:4} pages  {doc['questions']:2} questions  {doc['unit'] or doc['kind']}")
    print(f"{len(manifest['documents'])} documents in {time.perf_counter() - start:.1f} s -> {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
