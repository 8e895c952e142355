"""jixiao on the layout families of sample_pdfs/make_layouts.py: a fixed-seed set, family by family.

The expected records come from the generator's own data (never from jixiao); benchmarks/layouts.py
is the same measurement on more variants.  A failing family's message shows what differed.
"""

from __future__ import annotations

import pytest

from benchmarks.layouts import (
    BASELINE,
    F1_MIN,
    FIELD_MIN,
    TRUNC_PRECISION_MIN,
    TRUNC_RECALL_MIN,
    TRUNCATION,
    Score,
    by_family,
    run,
)
from sample_pdfs.make_layouts import FAMILIES, Variant, render, variants

SEED, N = 11, 110


@pytest.fixture(scope="module")
def results() -> list[tuple[Variant, Score]]:
    return run(SEED, N, jobs=2)


def what_differed(results: list[tuple[Variant, Score]], family: str, k: int = 3) -> str:
    members = [(v, s) for v, s in results if family in v.families or (family == BASELINE and not v.families)]
    members = sorted((m for m in members if m[1].diffs), key=lambda m: len(m[0].families))[:k]
    return "\n".join(f"{v.stem} [{' '.join(v.families)}]: " + "; ".join(s.diffs[:4]) for v, s in members)


def family_score(results: list[tuple[Variant, Score]], family: str) -> tuple[Score, str]:
    """The family's summed score and what differed in it (skips a family the seed never drew)."""
    score = by_family(results).get(family)
    if score is None:
        pytest.skip(f"no variant of seed {SEED} has {family}")
    return score, what_differed(results, family)


@pytest.mark.parametrize("family", [*FAMILIES, BASELINE])
def test_family(results: list[tuple[Variant, Score]], family: str) -> None:
    score, why = family_score(results, family)
    assert score.lost == 0, f"{score.lost} filings lost\n{why}"
    assert score.field_acc >= FIELD_MIN, f"field accuracy {score.field_acc:.3f}\n{why}"
    assert score.ind_f1 >= F1_MIN, f"indicator F1 {score.ind_f1:.3f}\n{why}"


@pytest.mark.parametrize("family", [*FAMILIES, BASELINE])
def test_family_truncation_flags(results: list[tuple[Variant, Score]], family: str) -> None:
    score, why = family_score(results, family)
    for code in TRUNCATION:
        precision, recall = score.flag_pr(code)
        assert precision is None or precision >= TRUNC_PRECISION_MIN, f"{code} precision {precision:.3f}\n{why}"
        assert recall is None or recall >= TRUNC_RECALL_MIN, f"{code} recall {recall:.3f}\n{why}"


def test_every_family_is_drawn(results: list[tuple[Variant, Score]]) -> None:
    drawn = {name for v, _ in results for name in v.families}
    assert drawn == set(FAMILIES)


def test_generation_is_deterministic(tmp_path) -> None:
    assert variants(SEED, 20) == variants(SEED, 20)
    spec = next(v for v in variants(SEED, 40) if len(v.families) >= 4)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    pdf_a, records_a = render(spec, tmp_path / "a")
    pdf_b, records_b = render(spec, tmp_path / "b")
    assert pdf_a.read_bytes() == pdf_b.read_bytes()
    assert records_a == records_b
