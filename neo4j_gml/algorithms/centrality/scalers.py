"""Score scalers applied to centrality results, as GDS's ``scaler`` option.

GDS names them ``None``, ``MinMax``, ``Mean``, ``Max``, ``Log``, ``L1Norm``, ``L2Norm``,
``StdScore`` and ``Center``; the registry stores the upper-case names. Each scaler is ``O(n)``
and runs on the tensor's device. As in GDS, a scaler whose divisor is (close to) zero maps every
value to ``0``.
"""

from __future__ import annotations

import torch

__all__ = ["SCALERS", "scale"]

SCALERS = ("NONE", "MINMAX", "MEAN", "MAX", "LOG", "L1NORM", "L2NORM", "STDSCORE", "CENTER")

_CLOSE_TO_ZERO = 1e-15


def _divide(numerator: torch.Tensor, divisor: torch.Tensor) -> torch.Tensor:
    if abs(float(divisor)) < _CLOSE_TO_ZERO:
        return torch.zeros_like(numerator)
    return numerator / divisor


def scale(values: torch.Tensor, scaler: str) -> torch.Tensor:
    """Scale a ``float[n]`` score vector, as GDS's ``scaler`` option does.

    ``MINMAX`` = (x - min)/(max - min); ``MEAN`` = (x - mean)/(max - min); ``MAX`` = x/max|x|;
    ``LOG`` = ln(x); ``L1NORM`` = x/sum|x|; ``L2NORM`` = x/||x||_2; ``STDSCORE`` =
    (x - mean)/population std; ``CENTER`` = x - mean; ``NONE`` returns ``values`` unchanged.
    A scaler whose divisor is (close to) zero maps every value to ``0``.

    Parameters
    ----------
    values : torch.Tensor
        ``float[n]`` scores; an empty vector is returned as is.
    scaler : str
        One of :data:`SCALERS`, case-insensitive.

    Returns
    -------
    torch.Tensor
        The scaled scores (``float64`` unless ``NONE``), on the input's device.

    Raises
    ------
    ValueError
        An unknown scaler name.

    Notes
    -----
    ``O(n)``.

    References
    ----------
    GDS manual, Scaling centrality scores (the ``scaler`` configuration of the centrality
    algorithms).

    Examples
    --------
    >>> x = torch.tensor([1.0, 2.0, 4.0])
    >>> scale(x, "MinMax").round(decimals=3).tolist()
    [0.0, 0.333, 1.0]
    >>> scale(x, "L1Norm").round(decimals=3).tolist()
    [0.143, 0.286, 0.571]
    """
    name = scaler.upper()
    if name not in SCALERS:
        raise ValueError(f"unknown scaler {scaler!r}; known scalers: {list(SCALERS)}")
    if name == "NONE" or values.numel() == 0:
        return values
    x = values.to(torch.float64)
    if name == "LOG":
        return torch.log(x)
    if name == "MAX":
        return _divide(x, x.abs().max())
    if name == "L1NORM":
        return _divide(x, x.abs().sum())
    if name == "L2NORM":
        return _divide(x, torch.linalg.vector_norm(x))
    mean = x.mean()
    if name == "CENTER":
        return x - mean
    if name == "STDSCORE":
        return _divide(x - mean, x.std(correction=0))
    spread = x.max() - x.min()
    if name == "MINMAX":
        return _divide(x - x.min(), spread)
    return _divide(x - mean, spread)  # MEAN
