"""The docker/ files agree with each other, the plugin and the service (no Docker engine here).

Oracles: the jar name the build produces (``plugin_jar.JAR_NAME``), the environment variables the
Java plugin and the Python service actually read (grepped from their sources), and the service's
own port and token rules.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from neo4j_gml.build import plugin_jar
from neo4j_gml.server import settings

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "docker"
JAVA_SETTINGS = (
    REPO / "plugin/procedures/src/main/java/org/neo4j_gml/procedures/ServiceSettings.java"
).read_text()


def compose() -> dict:
    return yaml.safe_load((DOCKER / "docker-compose.yml").read_text())


def test_neo4j_uses_the_official_image_with_the_plugin_jar() -> None:
    neo4j = compose()["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26"
    mounts = [v.split(":") for v in neo4j["volumes"]]
    jar_mounts = [m for m in mounts if m[0].endswith(".jar")]
    assert len(jar_mounts) == 1
    host, container = jar_mounts[0][0], jar_mounts[0][1]
    built = plugin_jar.plugin_jar().relative_to(REPO)
    assert (DOCKER / host).resolve() == (REPO / built).resolve()
    assert container == f"/plugins/{plugin_jar.JAR_NAME}"
    assert "7687:7687" in neo4j["ports"]


def test_plugin_settings_and_service_address_agree() -> None:
    services = compose()["services"]
    neo_env, svc = services["neo4j"]["environment"], services["gml-service"]
    for name in ("GML_SERVICE_URL", "GML_SERVICE_TOKEN", "GML_SERVICE_TIMEOUT"):
        assert f'"{name}"' in JAVA_SETTINGS, name  # the plugin reads it
        assert name in neo_env
    for key in ("gml.service.url", "gml.service.token", "gml.service.timeout"):
        assert f'"{key}"' in JAVA_SETTINGS
    url = urlsplit(neo_env["GML_SERVICE_URL"])
    assert url.hostname == "gml-service"
    command = svc["command"]
    assert command[:2] == ["neo4j-gml", "serve"]
    port = int(command[command.index("--port") + 1])
    assert url.port == port
    assert str(port) in [str(p) for p in svc["expose"]]
    assert "ports" not in svc  # only Neo4j reaches the service
    # Same token on both sides; the service needs one to listen beyond localhost.
    assert neo_env["GML_SERVICE_TOKEN"] == svc["environment"]["GML_SERVICE_TOKEN"]
    host = command[command.index("--host") + 1]
    settings.ServiceSettings(host=host, port=port, token="t").check()
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert f"EXPOSE {port}" in dockerfile


def test_service_reaches_neo4j_with_its_credentials() -> None:
    services = compose()["services"]
    env = services["gml-service"]["environment"]
    bolt = urlsplit(env["NEO4J_URI"])
    assert bolt.hostname == "neo4j" and f"{bolt.port}:{bolt.port}" in services["neo4j"]["ports"]
    password = re.search(
        r"neo4j/(\$\{NEO4J_PASSWORD[^}]*\})", services["neo4j"]["environment"]["NEO4J_AUTH"]
    )
    assert password and env["NEO4J_PASSWORD"] == password.group(1)
    assert env["NEO4J_USER"] == "neo4j"
    for name in ("GML_SERVICE_MAX_JOBS", "GML_SERVICE_MAX_QUEUE"):
        assert name in env
    model_dir = env["GML_MODEL_DIR"]
    assert any(v.endswith(":" + model_dir) for v in services["gml-service"]["volumes"])


def test_gpu_override_builds_the_cuda_image() -> None:
    gpu = yaml.safe_load((DOCKER / "docker-compose.gpu.yml").read_text())["services"]["gml-service"]
    assert gpu["build"]["dockerfile"] == "docker/Dockerfile.cuda"
    assert (REPO / gpu["build"]["dockerfile"]).is_file()
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["capabilities"] == ["gpu"]
    cuda = (DOCKER / "Dockerfile.cuda").read_text()
    assert re.search(r"^FROM \S*cuda\S*", cuda, re.M)


def test_dockerfiles_install_the_package_and_run_the_service() -> None:
    base = compose()["services"]["gml-service"]["build"]
    assert (DOCKER / base["context"]).resolve() == REPO
    for name in ("Dockerfile", "Dockerfile.cuda"):
        text = (DOCKER / name).read_text()
        for src in re.findall(r"^COPY (.+) \S+$", text, re.M):
            for path in src.split():
                assert (REPO / path).exists(), f"{name} copies missing {path}"
        assert "pip install ." in text
        assert '"neo4j-gml", "serve"' in text
        assert "USER " in text  # not root
    assert "whl/cpu" in (DOCKER / "Dockerfile").read_text()
    readme = (DOCKER / "README.md").read_text()
    for name in ("GML_SERVICE_URL", "GML_SERVICE_TOKEN", "GML_SERVICE_TIMEOUT", "gml.service.url"):
        assert name in readme


def test_both_containers_mount_the_transport_directory_as_one_user() -> None:
    """The shared-memory transport: the same tmpfs volume at the same path in both, named by
    the setting both sides read, and one uid (the files are 0600)."""
    spec = compose()
    services = spec["services"]
    transport_java = (
        REPO / "plugin/procedures/src/main/java/org/neo4j_gml/procedures/Transport.java"
    ).read_text()
    assert '"gml.transport.dir"' in transport_java and '"GML_TRANSPORT_DIR"' in transport_java
    transport_py = (REPO / "neo4j_gml/io/transport.py").read_text()
    assert '"GML_TRANSPORT_DIR"' in transport_py
    paths = set()
    for name in ("neo4j", "gml-service"):
        directory = services[name]["environment"]["GML_TRANSPORT_DIR"]
        mounts = [v.split(":") for v in services[name]["volumes"]]
        assert [directory] == [m[1] for m in mounts if m[0] == "gml-transport"], name
        paths.add(directory)
    assert len(paths) == 1
    options = spec["volumes"]["gml-transport"]["driver_opts"]
    assert options["type"] == "tmpfs" and "uid=7474" in options["o"]
    for dockerfile in ("Dockerfile", "Dockerfile.cuda"):
        # the official Neo4j image runs as uid 7474
        assert "--uid 7474" in (DOCKER / dockerfile).read_text(), dockerfile
