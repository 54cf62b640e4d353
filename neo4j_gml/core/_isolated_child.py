"""The child side of :func:`neo4j_gml.core.isolated.call_isolated`: reads a pickled
``(function, args)`` from the file named by its argument, writes the pickled ``(ok, result or
exception)`` to standard output."""

from __future__ import annotations

import pickle
import sys


def main() -> None:
    with open(sys.argv[1], "rb") as fh:
        fn, args = pickle.load(fh)
    try:
        answer = (True, fn(*args))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        answer = (False, exc)
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
