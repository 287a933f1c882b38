import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.model.agreement import (
    _alpha,
    _kappa,
    agreement,
    alpha_of_tables,
    kappa_of_tables,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=2, max_size=60))
def test_the_bootstrap_statistics_are_the_libraries(decisions):
    """The intervals' kappa and alpha, worked out from 2 x 2 tables, are scikit-learn's
    and the krippendorff package's wherever those are defined."""
    a = np.array([x for x, _ in decisions])
    b = np.array([y for _, y in decisions])
    table = np.array([[(a & b).sum(), (a & ~b).sum(), (~a & b).sum(), (~a & ~b).sum()]])
    kappa, alpha = _kappa(a, b), _alpha(a, b)
    if kappa is not None:
        assert kappa_of_tables(table)[0] == pytest.approx(kappa, abs=1e-9)
    if alpha is not None:
        assert alpha_of_tables(table)[0] == pytest.approx(alpha, abs=1e-9)


def test_pairs_compare_the_messages_both_coded():
    labels = {
        "guyub": {"m1": {"trust"}, "m2": set(), "m3": {"trust"}},
        "ani": {"m1": {"trust"}, "m2": {"trust"}},  # did not code m3
        "budi": {"m2": set(), "m3": {"trust"}},
    }
    result = agreement(labels, ["trust", "training"], rounds=100)
    pairs = {tuple(p["coders"]): p for p in result["pairs"]}
    assert set(pairs) == {("guyub", "ani"), ("guyub", "budi"), ("ani", "budi")}
    assert pairs["guyub", "ani"]["messages"] == 2 and pairs["ani", "budi"]["messages"] == 1
    assert pairs["guyub", "budi"]["per_theme"]["trust"]["kappa"] == 1.0
    # nobody ever said "training": nothing to agree on, no figure made up
    assert pairs["guyub", "budi"]["per_theme"]["training"]["kappa"] is None
    assert pairs["guyub", "ani"]["confusion"]["(none)"]["trust"] == 1
