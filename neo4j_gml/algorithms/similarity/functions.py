"""GDS's similarity functions of two lists of numbers (``gds.similarity.*``), one pair at a time.

The plugin's Cypher functions ``gml.similarity.*`` compute these in Java, row by row; these
pure-Python versions are their reference (and the tests' oracle). They follow GDS 2.13's
``SimilaritiesFunc``:

- ``jaccard``: the lists are *multisets*: ``|A & B| / |A | B|`` counting repeated values
  (``[1, 1, 2]`` and ``[1, 1, 3]``: 2/4); ``null`` elements are left out; two empty lists give 1;
  a ``null`` list gives 0.
- ``overlap``: distinct values in both lists over the shorter list's length (repeats counted
  there, as GDS does): ``[1, 1, 2]`` and ``[1, 1, 3]``: 1/3; ``null`` elements are left out; an
  empty or ``null`` list gives 0.
- ``cosine``, ``pearson``, ``euclidean_distance``, ``euclidean`` (``1 / (1 + distance)``): the
  lists must be non-empty and of the same length; ``null`` elements count as 0. A zero vector
  gives NaN for ``cosine``; a constant vector gives 0 for ``pearson`` (its NaN mapped to 0).

Values are compared by value (``1`` equals ``1.0``) and ordered as Java's ``Double.compare``
orders them (``-0.0`` below ``0``, NaN above everything and equal to itself). One difference
from GDS: GDS's ``overlap`` compares with Java ``equals``, so ``1`` and ``1.0`` differ there.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence

__all__ = ["cosine", "euclidean", "euclidean_distance", "jaccard", "overlap", "pearson"]

Vector = Sequence[float | int | None]


def _key(x: float | int) -> Hashable:
    """Equal keys for equal values (``1 == 1.0``); ``-0.0`` and NaN as Java's Double.compare."""
    if isinstance(x, float):
        if math.isnan(x):
            return ("NaN",)
        if x == 0.0 and math.copysign(1.0, x) < 0:
            return ("-0.0",)
    return x


def _counts(vector: Vector) -> Counter[Hashable]:
    return Counter(_key(x) for x in vector if x is not None)


def jaccard(vector1: Vector | None, vector2: Vector | None) -> float:
    """Jaccard similarity of two lists taken as multisets (GDS ``gds.similarity.jaccard``).

    Parameters
    ----------
    vector1, vector2 : sequence of float, int or None, or None
        The lists; ``None`` elements are left out.

    Returns
    -------
    float
        ``|A & B| / |A | B|`` with repeated values counted (``min`` and ``max`` of the counts);
        1.0 for two empty lists, 0.0 when either list is ``None``.

    Notes
    -----
    ``O(len(vector1) + len(vector2))``.

    References
    ----------
    GDS manual, Similarity functions (``gds.similarity.jaccard``); P. Jaccard, "Etude
    comparative de la distribution florale", Bull. Soc. Vaud. Sci. Nat. 37 (1901).

    Examples
    --------
    >>> round(jaccard([1.0, 5.0, 3.0, 6.7], [5.0, 2.5, 3.1, 9.0]), 15)  # GDS's example
    0.142857142857143
    >>> jaccard([1.0, None, 3.0], [1.0, 2.0, 3.0])
    0.6666666666666666
    >>> jaccard([1, 1, 2], [1.0, 1, 3])
    0.5
    """
    if vector1 is None or vector2 is None:
        return 0.0
    a, b = _counts(vector1), _counts(vector2)
    both = sum((a & b).values())
    union = a.total() + b.total() - both
    return 1.0 if union == 0 else both / union


def overlap(vector1: Vector | None, vector2: Vector | None) -> float:
    """Overlap similarity of two lists (GDS ``gds.similarity.overlap``).

    Parameters
    ----------
    vector1, vector2 : sequence of float, int or None, or None
        The lists; ``None`` elements are left out.

    Returns
    -------
    float
        The number of distinct values in both lists over ``min(len(vector1), len(vector2))``
        (lengths without ``None`` elements, repeats counted); 0.0 when either is empty or
        ``None``.

    Notes
    -----
    ``O(len(vector1) + len(vector2))``.

    References
    ----------
    GDS manual, Similarity functions (``gds.similarity.overlap``); M. K. Vijaymeena and
    K. Kavitha, "A survey on similarity measures in text mining", MLAIJ 3 (2016).

    Examples
    --------
    >>> overlap([1.0, 5.0, 3.0, 6.7], [5.0, 2.5, 3.1, 9.0])  # GDS's example
    0.25
    >>> overlap([1, 1, 2], [1, 1, 3])
    0.3333333333333333
    """
    if vector1 is None or vector2 is None:
        return 0.0
    a, b = _counts(vector1), _counts(vector2)
    shorter = min(a.total(), b.total())
    return 0.0 if shorter == 0 else len(a.keys() & b.keys()) / shorter


def _floats(vector1: Vector | None, vector2: Vector | None) -> tuple[list[float], list[float]]:
    if vector1 is None or vector2 is None:
        raise ValueError("vector1 and vector2 must be lists of numbers, got None")
    if len(vector1) != len(vector2) or len(vector1) == 0:
        raise ValueError(
            "vector1 and vector2 must be non-empty and of the same length, got lengths "
            f"{len(vector1)} and {len(vector2)}"
        )
    return (
        [0.0 if x is None else float(x) for x in vector1],
        [0.0 if x is None else float(x) for x in vector2],
    )


def _divide(num: float, den: float) -> float:
    """``num / den`` as IEEE (Java) divides: ``x / 0`` is ``±inf`` or NaN."""
    if den == 0.0:
        return math.nan if num == 0.0 or math.isnan(num) else math.copysign(math.inf, num)
    return num / den


def cosine(vector1: Vector | None, vector2: Vector | None) -> float:
    """Cosine similarity of two lists (GDS ``gds.similarity.cosine``).

    Parameters
    ----------
    vector1, vector2 : sequence of float, int or None
        Non-empty, of the same length; ``None`` elements count as 0.

    Returns
    -------
    float
        ``a . b / sqrt(|a|^2 |b|^2)`` in ``[-1, 1]``; NaN when either is a zero vector.

    Raises
    ------
    ValueError
        A list is ``None``, empty, or the lengths differ.

    Notes
    -----
    ``O(len(vector1))``, summed left to right as GDS does.

    References
    ----------
    GDS manual, Similarity functions (``gds.similarity.cosine``).

    Examples
    --------
    >>> round(cosine([1.0, 5.0, 3.0, 6.7], [5.0, 2.5, 3.1, 9.0]), 15)  # GDS's example
    0.882757381034594
    >>> round(cosine([1.0, None, 3.0], [1.0, 2.0, 3.0]), 15)
    0.845154254728517
    """
    a, b = _floats(vector1, vector2)
    dot = xx = yy = 0.0
    for x, y in zip(a, b, strict=True):
        dot += x * y
        xx += x * x
        yy += y * y
    return _divide(dot, math.sqrt(xx * yy))


def pearson(vector1: Vector | None, vector2: Vector | None) -> float:
    """Pearson correlation of two lists (GDS ``gds.similarity.pearson``).

    Parameters
    ----------
    vector1, vector2 : sequence of float, int or None
        Non-empty, of the same length; ``None`` elements count as 0.

    Returns
    -------
    float
        The sample correlation in ``[-1, 1]``; 0.0 where it is undefined (a constant list).

    Raises
    ------
    ValueError
        A list is ``None``, empty, or the lengths differ.

    Notes
    -----
    ``O(len(vector1))``, summed left to right as GDS does.

    References
    ----------
    GDS manual, Similarity functions (``gds.similarity.pearson``); K. Pearson, "Notes on
    regression and inheritance", Proc. R. Soc. Lond. 58 (1895).

    Examples
    --------
    >>> round(pearson([1.0, 5.0, 3.0, 6.7], [5.0, 2.5, 3.1, 9.0]), 15)  # GDS's example
    0.468277483648113
    >>> pearson([1, 1, 1], [1, 2, 3])
    0.0
    """
    a, b = _floats(vector1, vector2)
    n = len(a)
    sum_a = sum_b = 0.0
    for x, y in zip(a, b, strict=True):
        sum_a += x
        sum_b += y
    mean_a, mean_b = sum_a / n, sum_b / n
    dot = xx = yy = 0.0
    for x, y in zip(a, b, strict=True):
        dx, dy = x - mean_a, y - mean_b
        dot += dx * dy
        xx += dx * dx
        yy += dy * dy
    r = _divide(dot, math.sqrt(xx * yy))
    return 0.0 if math.isnan(r) else r


def euclidean_distance(vector1: Vector | None, vector2: Vector | None) -> float:
    """Euclidean distance of two lists (GDS ``gds.similarity.euclideanDistance``).

    Parameters
    ----------
    vector1, vector2 : sequence of float, int or None
        Non-empty, of the same length; ``None`` elements count as 0.

    Returns
    -------
    float
        ``sqrt(sum (a_i - b_i)^2)``.

    Raises
    ------
    ValueError
        A list is ``None``, empty, or the lengths differ.

    Notes
    -----
    ``O(len(vector1))``, summed left to right as GDS does.

    References
    ----------
    GDS manual, Similarity functions (``gds.similarity.euclideanDistance``).

    Examples
    --------
    >>> euclidean_distance([1.0, 5.0, 3.0, 6.7], [5.0, 2.5, 3.1, 9.0])  # GDS's example
    5.248809388804284
    """
    a, b = _floats(vector1, vector2)
    total = 0.0
    for x, y in zip(a, b, strict=True):
        d = x - y
        total += d * d
    return math.sqrt(total)


def euclidean(vector1: Vector | None, vector2: Vector | None) -> float:
    """Similarity from the Euclidean distance, ``1 / (1 + d)`` (GDS ``gds.similarity.euclidean``).

    Parameters
    ----------
    vector1, vector2 : sequence of float, int or None
        Non-empty, of the same length; ``None`` elements count as 0.

    Returns
    -------
    float
        ``1 / (1 + euclidean_distance(vector1, vector2))`` in ``(0, 1]``.

    Raises
    ------
    ValueError
        A list is ``None``, empty, or the lengths differ.

    Notes
    -----
    ``O(len(vector1))``. kNN's ``EUCLIDEAN`` metric is the same value.

    References
    ----------
    GDS manual, Similarity functions (``gds.similarity.euclidean``).

    Examples
    --------
    >>> round(euclidean([1.0, 5.0, 3.0, 6.7], [5.0, 2.5, 3.1, 9.0]), 15)  # GDS's example
    0.160030485454022
    """
    return 1.0 / (1.0 + euclidean_distance(vector1, vector2))
