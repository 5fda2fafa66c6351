"""Collector tuning is scoped: it applies inside the block and is undone after."""

import gc

from callcenter.tuning import tuned_gc


def test_tuned_gc_raises_the_threshold_inside_and_restores_it_after() -> None:
    """Inside the block young collections are rarer; afterwards the old setting is back."""
    before = gc.get_threshold()
    with tuned_gc(threshold=12_345):
        assert gc.get_threshold()[0] == 12_345
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
