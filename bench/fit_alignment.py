"""Fit the structured alignment model (app.diff.structured) on the evaluation set's dev split.

    python -m bench.fit_alignment [--l2 0.3] [--threshold 0.4]

Every two articles of every dev story, in both wordings (canonical, varied): each pair of
claims that passes the model's gates is a row, labelled by whether the gold pairs it. A
logistic regression (L2-penalised, fitted by Newton's method) weighs the signals; the bias is
then shifted so that `--threshold` (a probability) becomes app.diff.scoring.DEFAULT_THRESHOLD.
Prints the weights as Python for `app/diff/structured.py`, and the alignment figures the
weights as printed give on dev and test (`python -m bench.diff_eval` reports them in full).
The test split is never used to fit or to choose `--l2` and `--threshold`.
"""

from __future__ import annotations

import argparse
import math
from itertools import combinations

from app.diff import structured
from app.diff.evaluation import gold_diff_claims
from app.diff.features import features_of
from app.diff.scoring import DEFAULT_THRESHOLD
from bench.diff_eval import load

Row = tuple[list[float], float]


def rows(split: str) -> list[Row]:
    out: list[Row] = []
    for story in load(split):
        gold = {frozenset((p["left"], p["right"])) for p in story["pairs"]}
        for wording in ("canonical", "varied"):
            claims = gold_diff_claims(story, wording)
            for left_key, right_key in combinations(sorted(claims), 2):
                left, right = claims[left_key], claims[right_key]
                lf = features_of([c for _, c in left])
                rf = features_of([c for _, c in right])
                for (gi, _), a in zip(left, lf, strict=True):
                    for (gj, _), b in zip(right, rf, strict=True):
                        if structured.gated(a, b):
                            continue
                        s = structured.signals(a, b)
                        x = [1.0, *(s[k] for k in structured.SIGNALS)]
                        out.append((x, float(frozenset((gi, gj)) in gold)))
    return out


def _solve(h: list[list[float]], g: list[float]) -> list[float]:
    """h⁻¹g by Gaussian elimination with partial pivoting (h is small and positive definite)."""
    n = len(g)
    m = [[*row, gi] for row, gi in zip(h, g, strict=True)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c and m[r][c]:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit(data: list[Row], l2: float, iterations: int = 50) -> list[float]:
    d = len(data[0][0])
    w = [0.0] * d
    for _ in range(iterations):
        g = [l2 * wi if k else 0.0 for k, wi in enumerate(w)]
        h = [[(l2 if i == j and i else 0.0) for j in range(d)] for i in range(d)]
        for x, y in data:
            z = max(-30.0, min(30.0, sum(wi * xi for wi, xi in zip(w, x, strict=True))))
            p = 1.0 / (1.0 + math.exp(-z))
            for i in range(d):
                g[i] += (p - y) * x[i]
                for j in range(i, d):
                    h[i][j] += p * (1.0 - p) * x[i] * x[j]
        for i in range(d):
            for j in range(i):
                h[i][j] = h[j][i]
        step = _solve(h, g)
        w = [wi - si for wi, si in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-9:
            break
    return w


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--l2", type=float, default=0.3)
    parser.add_argument("--threshold", type=float, default=0.4)
    args = parser.parse_args()
    data = rows("dev")
    w = fit(data, args.l2)
    bias = w[0] + _logit(DEFAULT_THRESHOLD) - _logit(args.threshold)
    print(f"# {len(data)} dev pairs past the gates, {sum(y for _, y in data):.0f} of them gold;"
          f" l2={args.l2}, threshold {args.threshold} -> {DEFAULT_THRESHOLD}")  # fmt: skip
    print(f"BIAS = {bias:.4f}")
    print("WEIGHTS = {")
    for name, wi in zip(structured.SIGNALS, w[1:], strict=True):
        print(f'    "{name}": {wi:.4f},')
    print("}")


if __name__ == "__main__":
    main()
