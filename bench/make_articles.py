"""Write generated news-like articles as files, for trying `factdiff submit` at scale.

    python -m bench.make_articles --count 500 --out /tmp/articles [--format json|txt|jsonl]

Each article carries ~20 figures the simulated LLM extracts and factdiff grounds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.ingest_bench import synthetic_article


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--format", choices=["json", "txt", "jsonl"], default="json")
    parser.add_argument("--start", type=int, default=0, help="first article number")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    numbers = range(args.start, args.start + args.count)
    articles = [
        {
            "title": f"District counts, report {n}",
            "outlet": f"Outlet {n % 7}",
            "published_at": "2025-01-18T12:00:00Z",
            "text": synthetic_article(n),
        }
        for n in numbers
    ]
    if args.format == "jsonl":
        lines = (json.dumps(a, ensure_ascii=False) for a in articles)
        (args.out / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        for n, article in zip(numbers, articles, strict=True):
            path = args.out / f"article-{n:05d}.{args.format}"
            content = (
                json.dumps(article, ensure_ascii=False)
                if args.format == "json"
                else article["text"]
            )
            path.write_text(content, encoding="utf-8")
    print(f"{len(articles)} articles written to {args.out}")


if __name__ == "__main__":
    main()
