"""The byte layout of the bulk path (``neo4j_gml.io.bulk``) and its error mapping."""

from __future__ import annotations

import neo4j
import numpy as np

from neo4j_gml.io import bulk


def test_pack_is_little_endian_int64_or_float64() -> None:
    ids = np.asarray([1, 2**40, -3], dtype=np.int64)
    assert bulk.pack(ids) == b"".join(int(v).to_bytes(8, "little", signed=True) for v in ids)
    np.testing.assert_array_equal(bulk.unpack_ids(bulk.pack(ids)), ids)
    values = np.asarray([[0.5, -1.25], [3.0, 1e30]], dtype=np.float64)
    packed = bulk.pack(values)
    assert len(packed) == 4 * 8
    np.testing.assert_array_equal(bulk.unpack_floats(packed), values.ravel())
    embedding = values.astype(np.float32)  # float32 lists stay float32: 4 bytes each
    assert bulk.kind_of(embedding) == "f4"
    assert bulk.pack(embedding) == np.asarray(embedding, dtype="<f4").tobytes()


def test_kind_of_leaves_booleans_and_objects_to_cypher() -> None:
    assert bulk.kind_of(np.arange(3)) == "i8"
    assert bulk.kind_of(np.arange(3, dtype=np.uint8)) == "i8"
    assert bulk.kind_of(np.ones(3, dtype=np.float32)) == "f8"
    assert bulk.kind_of(np.ones(3, dtype=bool)) is None
    assert bulk.kind_of(np.asarray(["a"], dtype=object)) is None


def test_procedure_failures_naming_a_config_key_become_config_errors() -> None:
    exc = neo4j.exceptions.ClientError(
        "Failed to invoke procedure `gml.io.relationships`: Caused by: "
        "java.lang.IllegalArgumentException: config key 'relationshipWeightProperty': property "
        "'w' must hold numbers, found String 'high'"
    )
    err = bulk.config_error_from(exc)
    assert err is not None
    assert str(err).startswith("config key 'relationshipWeightProperty': property 'w'")
    assert bulk.config_error_from(neo4j.exceptions.ClientError("something else")) is None


def test_the_environment_switch(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("NEO4J_GML_BULK_IO", "0")
    assert not bulk.enabled_by_environment()
    monkeypatch.setenv("NEO4J_GML_BULK_IO", "yes")
    assert bulk.enabled_by_environment()
