"""Random nested documents for the differential tests of the output writers."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any


def nested(
    rng: random.Random,
    depth: int,
    *,
    max_depth: int,
    dict_below: float,
    list_below: float,
    key: Callable[[random.Random], Any],
    leaf: Callable[[random.Random], Any],
) -> Any:
    """Above ``max_depth``, a dict of up to three entries when the roll is under
    ``dict_below``, else a list of up to three items when it is under ``list_below``;
    otherwise, and at ``max_depth``, a ``leaf``."""
    roll = rng.random()

    def child(rng: random.Random) -> Any:
        return nested(
            rng,
            depth + 1,
            max_depth=max_depth,
            dict_below=dict_below,
            list_below=list_below,
            key=key,
            leaf=leaf,
        )

    if depth < max_depth and roll < dict_below:
        return {key(rng): child(rng) for _ in range(rng.randrange(0, 4))}
    if depth < max_depth and roll < list_below:
        return [child(rng) for _ in range(rng.randrange(0, 4))]
    return leaf(rng)
