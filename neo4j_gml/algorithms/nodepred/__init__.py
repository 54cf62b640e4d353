"""Node classification and regression: pure functions and models over tensors."""

__all__: list[str] = []
