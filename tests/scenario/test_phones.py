"""The example customers and the numbers simulated callers call from."""

from __future__ import annotations

import numpy as np
import phonenumbers

from callcenter.scenario.phones import EXAMPLE_CUSTOMERS, caller_number, random_number


def test_example_customers_have_distinct_valid_numbers_and_accounts() -> None:
    """Forty customers, each with one valid German E.164 number and an account, none
    shared; their accounts run from 4711001, the first the example IVR's callers key in."""
    numbers = [n for c in EXAMPLE_CUSTOMERS for n in c.numbers]
    assert len(EXAMPLE_CUSTOMERS) == 40 and len(set(numbers)) == 40
    assert all(n.startswith("+49") and phonenumbers.is_valid_number(phonenumbers.parse(n))
               for n in numbers)
    assert len({c.account for c in EXAMPLE_CUSTOMERS}) == 40
    assert [c.account for c in EXAMPLE_CUSTOMERS[:2]] == ["4711001", "4711002"]
    assert {c.segment for c in EXAMPLE_CUSTOMERS} == {"vip", "gold", "standard"}


def test_caller_numbers_are_the_same_for_the_same_seed() -> None:
    """Two generators of one seed give the same numbers; random numbers are valid."""
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    assert [caller_number(a) for _ in range(50)] == [caller_number(b) for _ in range(50)]
    rng = np.random.default_rng(5)
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(random_number(rng)))
               for _ in range(200))


def test_about_three_callers_in_ten_are_known_customers() -> None:
    """Of 4000 callers, 30 % +- 3 % (over 6 standard deviations) call from a customer's
    number."""
    known = {c.numbers[0] for c in EXAMPLE_CUSTOMERS}
    rng = np.random.default_rng(1)
    share = sum(caller_number(rng) in known for _ in range(4000)) / 4000
    assert 0.27 < share < 0.33
