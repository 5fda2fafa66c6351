"""The dialer's estimates (`core/dialer/estimates.py`) fed with real observations.

Expected values are worked out by hand from the module's documented model: 1-second
bins [k, k+1) (the last one open-ended), a bin's values counted at its midpoint k + 0.5,
each observation weighing 2 ** (1 / halflife) times the one before, and the priors
entering as `Priors.weight` pseudo-observations. A `weight` of 1e-9 makes the priors
negligible; a half-life of 1e12 observations makes every observation weigh the same.
"""

from __future__ import annotations

import pytest

from callcenter.core.dialer.estimates import DialHistory, Priors, cdf_at

NEGLIGIBLE = Priors(weight=1e-9)
EQUAL_WEIGHTS = 1e12


def test_the_live_rate_blends_the_prior_with_the_attempts() -> None:
    """A prior of 25 % worth 30 attempts and 35 live answers in 70 attempts give
    (0.25 * 30 + 35) / (30 + 70) = 0.425."""
    history = DialHistory(Priors(live_rate=0.25, weight=30), halflife=EQUAL_WEIGHTS)
    for _ in range(35):
        history.attempt(True, 10.0)
        history.attempt(False, 20.0)
    assert history.estimates(0.0).live_rate == pytest.approx(0.425, rel=1e-9)


def test_live_answers_make_the_answer_time_distribution() -> None:
    """Answers after 3.2, 3.7 and 8.5 s fall in bins 3, 3 and 8: a mean of
    (3.5 + 3.5 + 8.5) / 3 = 31/6 s, P(answer < 4 s) = 2/3, P(answer < 9 s) = 1."""
    history = DialHistory(NEGLIGIBLE, halflife=EQUAL_WEIGHTS)
    for seconds in (3.2, 3.7, 8.5):
        history.attempt(True, seconds)
    est = history.estimates(0.0)
    assert est.answer_mean == pytest.approx(31 / 6, rel=1e-6)
    assert est.answer_cdf[3] == pytest.approx(0.0, abs=1e-8)
    assert est.answer_cdf[4] == pytest.approx(2 / 3, rel=1e-6)
    assert est.answer_cdf[9] == pytest.approx(1.0, rel=1e-6)


def test_the_cdf_is_linear_within_a_bin() -> None:
    """With two of three answers in bin [3, 4), F(3.5) is half of 2/3."""
    history = DialHistory(NEGLIGIBLE, halflife=EQUAL_WEIGHTS)
    for seconds in (3.2, 3.7, 8.5):
        history.attempt(True, seconds)
    assert float(cdf_at(history.estimates(0.0).answer_cdf, 3.5)) == pytest.approx(1 / 3,
                                                                                   rel=1e-6)


def test_failed_attempts_make_the_fail_time_distribution_only() -> None:
    """One live answer at 5 s and one failure at 40 s: the live rate is 1/2, the failure
    is all of bin 40 of the fail times, and the answer times hold only the 5 s."""
    history = DialHistory(NEGLIGIBLE, halflife=EQUAL_WEIGHTS)
    history.attempt(True, 5.0)
    history.attempt(False, 40.0)
    est = history.estimates(0.0)
    assert est.live_rate == pytest.approx(0.5, rel=1e-6)
    assert (est.fail_cdf[40], est.fail_cdf[41]) == (pytest.approx(0.0, abs=1e-8),
                                                    pytest.approx(1.0, rel=1e-6))
    assert est.answer_mean == pytest.approx(5.5, rel=1e-6)


def test_talk_times_give_the_talk_mean() -> None:
    """Talks of 100 and 200 s (bins 100 and 200) give a mean of (100.5 + 200.5) / 2."""
    history = DialHistory(NEGLIGIBLE, halflife=EQUAL_WEIGHTS)
    history.talk(100.0)
    history.talk(200.0)
    assert history.estimates(0.0).talk_mean == pytest.approx(150.5, rel=1e-6)


def test_the_prior_counts_as_its_weight_in_observations() -> None:
    """A 15 s wrap-up prior worth one observation and one 5 s wrap-up, weighing the
    same: a mean of (15.5 + 5.5) / 2 = 10.5 s."""
    history = DialHistory(Priors(wrap_seconds=15.0, weight=1.0), halflife=EQUAL_WEIGHTS)
    history.wrap(5.0)
    assert history.estimates(0.0).wrap_mean == pytest.approx(10.5, rel=1e-9)


def test_each_observation_weighs_twice_the_one_before_at_a_half_life_of_one() -> None:
    """Prior 15 s (weight 1), then 5 s (weight 2) and 25 s (weight 4): a wrap-up mean of
    (15.5 + 2 * 5.5 + 4 * 25.5) / 7 = 128.5 / 7 s."""
    history = DialHistory(Priors(wrap_seconds=15.0, weight=1.0), halflife=1.0)
    history.wrap(5.0)
    history.wrap(25.0)
    assert history.estimates(0.0).wrap_mean == pytest.approx(128.5 / 7, rel=1e-12)


def test_weights_are_rescaled_without_changing_the_estimates() -> None:
    """At a half-life of one observation the 401st weighs 2**401 (past the rescale
    point): 400 wrap-ups of 5 s then one of 25 s weigh alike, a mean of
    (5.5 + 25.5) / 2 = 15.5 s, finite."""
    history = DialHistory(Priors(wrap_seconds=15.0, weight=1.0), halflife=1.0)
    for _ in range(400):
        history.wrap(5.0)
    history.wrap(25.0)
    assert history.estimates(0.0).wrap_mean == pytest.approx(15.5, rel=1e-12)


def test_a_talk_past_the_table_falls_in_the_last_bin() -> None:
    """With a 600-bin talk table a talk of 5,000 s counts in bin 599 (mean 599.5 s)."""
    history = DialHistory(NEGLIGIBLE, halflife=EQUAL_WEIGHTS, talk_seconds=600)
    history.talk(5000.0)
    est = history.estimates(0.0)
    assert est.talk_mean == pytest.approx(599.5, rel=1e-6)
    assert len(est.talk_cdf) == 601


def test_a_negative_duration_counts_in_the_first_bin() -> None:
    """An answer reported 3 s before its launch (clock skew) counts as bin 0 (0.5 s)."""
    history = DialHistory(NEGLIGIBLE, halflife=EQUAL_WEIGHTS)
    history.attempt(True, -3.0)
    assert history.estimates(0.0).answer_mean == pytest.approx(0.5, rel=1e-6)


def test_the_snapshot_is_kept_until_refresh_seconds_have_passed() -> None:
    """With `refresh` 60 s an observation at 10 s shows in the estimates at 60 s, not at
    59 s: 1 live answer of 1 attempt after a 25 % prior worth 1 gives 1.25 / 2."""
    history = DialHistory(Priors(live_rate=0.25, weight=1.0), halflife=EQUAL_WEIGHTS,
                          refresh=60.0)
    assert history.estimates(0.0).live_rate == pytest.approx(0.25)
    history.attempt(True, 10.0)
    assert history.estimates(59.0).live_rate == pytest.approx(0.25)
    assert history.estimates(60.0).live_rate == pytest.approx(0.625, rel=1e-9)


def test_priors_outside_their_ranges_are_refused() -> None:
    """A live rate of 1, a zero talk time and a negative wrap-up are errors naming the field."""
    with pytest.raises(ValueError, match="live_rate"):
        Priors(live_rate=1.0)
    with pytest.raises(ValueError, match="talk_seconds"):
        Priors(talk_seconds=0.0)
    with pytest.raises(ValueError, match="wrap_seconds"):
        Priors(wrap_seconds=-1.0)


def test_a_half_life_that_is_not_positive_is_refused() -> None:
    """A half-life of 0 observations is an error naming it."""
    with pytest.raises(ValueError, match="halflife"):
        DialHistory(halflife=0.0)
