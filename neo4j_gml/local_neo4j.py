"""Start, stop and inspect a local Neo4j 5.26 Community DBMS run as a background Java process.

The DBMS is the embedded Neo4j from Maven Central, started by the small launcher in
``plugin/launcher`` (built with Maven on first use). It serves Bolt on ``127.0.0.1`` with auth on.

A *home* folder holds everything of one DBMS::

    <home>/data     store files            <home>/logs   launcher.log, debug.log, ...
    <home>/run      neo4j.pid, bolt.port   <home>/conf   neo4j.conf (optional key=value settings)
    <home>/plugins  procedure jars (also put on the JVM class path)

:func:`start` also builds the ``gml.*`` procedure plugin (``plugin/procedures``, see
:mod:`neo4j_gml.build.plugin_jar`) when its jar is missing or stale and copies it into
``<home>/plugins`` (``NEO4J_GML_PLUGIN=0``: without it).

Settings in ``<home>/conf/neo4j.conf`` are passed to Neo4j unvalidated (unknown keys, e.g. a
plugin's, only cause a warning). The password of user ``neo4j`` is set on every start: the
``password`` argument, else the environment variable ``NEO4J_PASSWORD``, else
:data:`DEFAULT_PASSWORD`.

JVM memory: ``NEO4J_GML_HEAP`` (default ``2g``, the ``-Xmx``) and ``NEO4J_GML_JAVA_OPTS`` (extra JVM
options, shell-split). ``NEO4J_GML_CDS=0`` turns off the class-data archive that makes later starts
of a home faster (``<home>/run/launcher.jsa``, written when the first run stops). The Java process
inherits this process's environment (so every ``GML_*`` variable reaches it) plus ``extra_env``.

Usage from a shell (for manual testing)::

    python -m neo4j_gml.local_neo4j start [--home DIR] [--port N]
    python -m neo4j_gml.local_neo4j status
    python -m neo4j_gml.local_neo4j stop
    python -m neo4j_gml.local_neo4j build     # (re)build the launcher and the plugin jar (CI)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from neo4j_gml.build.paths import PLUGIN_DIR
from neo4j_gml.core.constants import DEFAULT_PASSWORD, DEFAULT_PORT, DEFAULT_USER

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_ROOT = _PACKAGE_DIR.parent

#: Default DBMS home: ``.neo4j-home`` in the repository checkout (or the current directory when the
#: package is not run from a checkout); override with ``NEO4J_GML_HOME``.
DEFAULT_HOME: Path = Path(
    os.environ.get(
        "NEO4J_GML_HOME",
        (_REPO_ROOT if (_REPO_ROOT / "plugin").is_dir() else Path.cwd()) / ".neo4j-home",
    )
)

LAUNCHER_MAIN = "org.neo4j_gml.launcher.Launcher"

_PID_FILE = "neo4j.pid"
_PORT_FILE = "bolt.port"
_LOG_FILE = "launcher.log"


# --------------------------------------------------------------------------------------- build


def _launcher_jar() -> Path:
    return PLUGIN_DIR / "launcher" / "target" / "launcher.jar"


def _launcher_lib() -> Path:
    return PLUGIN_DIR / "launcher" / "target" / "lib"


def _newest_source_mtime() -> float:
    paths = [PLUGIN_DIR / "pom.xml", PLUGIN_DIR / "launcher" / "pom.xml"]
    src = PLUGIN_DIR / "launcher" / "src"
    if src.is_dir():
        paths.extend(p for p in src.rglob("*") if p.is_file())
    return max((p.stat().st_mtime for p in paths if p.exists()), default=0.0)


def _needs_build() -> bool:
    jar, lib = _launcher_jar(), _launcher_lib()
    if not jar.is_file() or not lib.is_dir() or not any(lib.glob("*.jar")):
        return True
    return jar.stat().st_mtime < _newest_source_mtime()


def build_launcher(force: bool = False) -> Path:
    """Build the launcher jar with Maven if it is missing or older than its sources.

    Runs ``mvn -B -q -f plugin/pom.xml -pl launcher -am package -DskipTests``, first offline
    (``-o``, works once ``~/.m2`` holds the jars) and, if that fails, online. Runtime dependency
    jars land in ``plugin/launcher/target/lib``.

    Args:
        force: build even when the jar looks up to date.

    Returns:
        The path of ``launcher.jar``.

    Raises:
        RuntimeError: Maven is missing or the build failed (with the tail of Maven's output).
    """
    jar = _launcher_jar()
    if not force and not _needs_build():
        return jar
    pom = PLUGIN_DIR / "pom.xml"
    if not pom.is_file():
        raise RuntimeError(f"no Maven project at {pom} (set NEO4J_GML_PLUGIN_DIR)")
    mvn = os.environ.get("MAVEN") or shutil.which("mvn")
    if not mvn:
        raise RuntimeError("Maven (mvn) not found on PATH; it is needed to build the launcher")
    base = [mvn, "-B", "-q", "-f", str(pom), "-pl", "launcher", "-am", "package", "-DskipTests"]
    output = ""
    for offline in (True, False):
        cmd = base[:1] + (["-o"] if offline else []) + base[1:]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        output = proc.stdout + proc.stderr
        if proc.returncode == 0 and jar.is_file():
            jar.touch()  # a no-op Maven run leaves the old mtime
            return jar
    tail = "\n".join(output.splitlines()[-40:])
    raise RuntimeError(f"building the Neo4j launcher failed:\n{tail}")


# ------------------------------------------------------------------------------------ helpers


def _home(home: Path | str | None) -> Path:
    return Path(home if home is not None else DEFAULT_HOME).expanduser().resolve()


def _password(password: str | None) -> str:
    return password or os.environ.get("NEO4J_PASSWORD") or DEFAULT_PASSWORD


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process; reaps it when it is our dead child."""
    child = _CHILDREN.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    except OSError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        try:
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
            if state in ("Z", "X"):
                return False
        except (OSError, IndexError):
            pass
    return True


def _is_launcher(pid: int) -> bool:
    """Whether ``pid`` runs our launcher (guards against a recycled pid)."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():  # not Linux: trust the pid file
        return _alive(pid)
    try:
        return _alive(pid) and LAUNCHER_MAIN.encode() in cmdline.read_bytes()
    except OSError:
        return False


def _running_pid(home: Path) -> int | None:
    pid = _read_int(home / "run" / _PID_FILE)
    return pid if pid is not None and _is_launcher(pid) else None


def _check_bolt(uri: str, password: str, timeout: float = 3.0) -> None:
    """Raise unless ``uri`` accepts a connection as ``neo4j`` with ``password``."""
    import neo4j  # local import: keeps this module importable without the driver

    with neo4j.GraphDatabase.driver(
        uri, auth=(DEFAULT_USER, password), connection_timeout=timeout
    ) as driver:
        driver.verify_connectivity()


def _bolt_answers(uri: str, password: str) -> bool:
    import neo4j.exceptions

    try:
        _check_bolt(uri, password)
    except neo4j.exceptions.AuthError as exc:
        raise RuntimeError(
            f"Neo4j at {uri} rejects the password (it was started with another one): {exc}"
        ) from exc
    except Exception:
        return False
    return True


def _log_tail(log: Path, offset: int = 0, lines: int = 30) -> str:
    try:
        with log.open("rb") as fh:
            fh.seek(offset)
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def _lock(home: Path) -> Iterator[None]:
    (home / "run").mkdir(parents=True, exist_ok=True)
    with (home / "run" / "start.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if not java:
        raise RuntimeError("java not found (Java 17 or 21 is needed for Neo4j 5.26)")
    return java


def _java_command(
    home: Path, port: int, unrestricted: str | None, extra_classpath: list[Path] | None
) -> list[str]:
    target = PLUGIN_DIR / "launcher" / "target"
    cp = [str(target / "launcher.jar"), str(target / "lib" / "*"), str(home / "plugins" / "*")]
    cp += [str(Path(p).resolve()) for p in extra_classpath or []]
    heap = os.environ.get("NEO4J_GML_HEAP", "2g")
    opts = [
        "-Xms256m",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        "-XX:+ExitOnOutOfMemoryError",
        "-Dfile.encoding=UTF-8",
        "-Djdk.nio.maxCachedBufferSize=1024",
        "-Dio.netty.tryReflectionSetAccessible=true",
        "-Dlog4j2.disable.jmx=true",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    ]
    opts += _cds_options(home, extra_classpath)
    opts += shlex.split(os.environ.get("NEO4J_GML_JAVA_OPTS", ""))
    cmd = [_java(), *opts, "-cp", os.pathsep.join(cp), LAUNCHER_MAIN]
    cmd += ["--home", str(home), "--port", str(port)]
    if unrestricted:
        cmd += ["--unrestricted", unrestricted]
    return cmd


def _cds_options(home: Path, extra_classpath: list[Path] | None) -> list[str]:
    """JVM options for a class-data-sharing archive of the launcher's classes.

    The first start writes ``<home>/run/launcher.jsa`` when the JVM exits (on :func:`stop`); later
    starts map it, which saves about a third of the start-up CPU time. The archive is rewritten when
    any jar on the class path is newer. ``NEO4J_GML_CDS=0`` turns this off.
    """
    if os.environ.get("NEO4J_GML_CDS", "1") in ("0", "false", "no", ""):
        return []
    archive = home / "run" / "launcher.jsa"
    jars = [_launcher_jar(), *_launcher_lib().glob("*.jar"), *(home / "plugins").glob("*.jar")]
    jars += [Path(p) for p in extra_classpath or []]
    newest = max((p.stat().st_mtime for p in jars if p.exists()), default=0.0)
    if archive.is_file() and archive.stat().st_size > 0 and archive.stat().st_mtime > newest:
        return [f"-XX:SharedArchiveFile={archive}", "-Xlog:cds=off"]
    with contextlib.suppress(FileNotFoundError):
        archive.unlink()
    # -Xlog:cds=off: the dump lists a thousand harmless "Skipping ..." warnings.
    return [f"-XX:ArchiveClassesAtExit={archive}", "-Xlog:cds=off"]


def _remove_run_files(home: Path) -> None:
    for name in (_PID_FILE, _PORT_FILE):
        with contextlib.suppress(FileNotFoundError):
            (home / "run" / name).unlink()


# ------------------------------------------------------------------- Open GDS (benchmarks only)

#: Prefix of the Open GDS procedure jars copied into ``<home>/plugins`` by ``with_gds=True``.
_GDS_PREFIX = "opengds--"

_PROCEDURE_MARKS = (
    b"Lorg/neo4j/procedure/Procedure;",
    b"Lorg/neo4j/procedure/UserFunction;",
    b"Lorg/neo4j/procedure/UserAggregationFunction;",
)


def gds_jars() -> list[Path]:
    """The Open GDS jars for the JVM class path, built from Maven Central on first use.

    Runs ``mvn -B -q -f plugin/gds/pom.xml package`` (offline first) when
    ``plugin/gds/target/lib`` is missing or older than its pom. The pom leaves out third-party
    jars the launcher already ships (Jackson, slf4j, ...), so one version of each is on the path.
    """
    pom, lib = PLUGIN_DIR / "gds" / "pom.xml", PLUGIN_DIR / "gds" / "target" / "lib"
    if not lib.is_dir() or not any(lib.glob("*.jar")) or lib.stat().st_mtime < pom.stat().st_mtime:
        shutil.rmtree(lib, ignore_errors=True)
        mvn = os.environ.get("MAVEN") or shutil.which("mvn")
        if not mvn:
            raise RuntimeError("Maven (mvn) not found on PATH; it is needed to fetch Open GDS")
        out = ""
        for offline in (["-o"], []):
            proc = subprocess.run(
                [mvn, "-B", "-q", *offline, "-f", str(pom), "package"],
                capture_output=True,
                text=True,
                check=False,
            )
            out = proc.stdout + proc.stderr
            if proc.returncode == 0:
                lib.touch()
                break
        else:
            raise RuntimeError("fetching Open GDS failed:\n" + "\n".join(out.splitlines()[-40:]))

    return sorted(lib.glob("*.jar"))


def _has_procedures(jar: Path) -> bool:
    import zipfile

    with zipfile.ZipFile(jar) as zf:
        for name in zf.namelist():
            if name.endswith(".class") and any(m in zf.read(name) for m in _PROCEDURE_MARKS):
                return True
    return False


def _gds_plugins(home: Path, enable: bool) -> list[Path]:
    """Copy the Open GDS jars that declare procedures into ``<home>/plugins`` (Neo4j registers
    procedures only from there) and return all GDS jars for the class path (its kernel extension
    is found only there); with ``enable=False`` remove such copies and return ``[]``."""
    plugins = home / "plugins"
    for old in plugins.glob(_GDS_PREFIX + "*.jar"):
        old.unlink()
    if not enable:
        return []
    jars = gds_jars()
    for jar in jars:
        if jar.name.startswith(("org.neo4j.gds.proc", "org.neo4j.gds.alpha-proc")) and (
            _has_procedures(jar)
        ):
            shutil.copy2(jar, plugins / (_GDS_PREFIX + jar.name))
    return jars


# -------------------------------------------------------------------------------------- API


def start(
    home: Path | str | None = None,
    port: int | None = None,
    password: str | None = None,
    extra_env: dict[str, str] | None = None,
    unrestricted: str | None = None,
    extra_classpath: list[Path] | None = None,
    timeout: float = 120,
    with_gds: bool = False,
) -> str:
    """Start the local Neo4j DBMS in the background, or return the one already running.

    Args:
        home: DBMS home (default :data:`DEFAULT_HOME`).
        port: Bolt port on 127.0.0.1 (default :data:`DEFAULT_PORT`; ``0`` picks a free one).
        password: password for user ``neo4j`` (default env ``NEO4J_PASSWORD``, else
            :data:`DEFAULT_PASSWORD`).
        extra_env: more environment variables for the Java process.
        unrestricted: value of ``dbms.security.procedures.unrestricted``, e.g. ``"gml.*,gds.*"``.
        extra_classpath: more jars or folders for the JVM class path (kernel extensions).
        timeout: seconds to wait until Bolt answers.
        with_gds: also load Open GDS 2.13 (``plugin/gds``; for benchmarks) and allow
            ``gds.*``.

    Returns:
        The Bolt URI, ``bolt://127.0.0.1:<port>``.

    Raises:
        RuntimeError: the build failed, the process died while starting (the message holds the
            last 30 lines of ``<home>/logs/launcher.log``), it did not answer in time, or a
            running DBMS rejects the password.
    """
    home_dir = _home(home)
    pw = _password(password)
    if len(pw) < 8:
        raise ValueError("Neo4j needs a password of at least 8 characters")
    run_dir = home_dir / "run"
    with _lock(home_dir):
        pid = _running_pid(home_dir)
        if pid is not None:
            return _wait_ready(home_dir, pid, pw, timeout, log_offset=0)
        _remove_run_files(home_dir)
        build_launcher()
        for sub in ("data", "logs", "run", "plugins", "conf"):
            (home_dir / sub).mkdir(parents=True, exist_ok=True)
        from neo4j_gml.build.plugin_jar import install_plugin

        install_plugin(home_dir)  # the gml.* procedures (NEO4J_GML_PLUGIN=0: without)
        extra_classpath = [*(extra_classpath or []), *_gds_plugins(home_dir, with_gds)]
        if with_gds:
            unrestricted = ",".join(filter(None, [unrestricted, "gds.*"]))
        log = home_dir / "logs" / _LOG_FILE
        env = dict(os.environ)
        env.update(extra_env or {})
        env["NEO4J_PASSWORD"] = pw
        cmd = _java_command(
            home_dir, DEFAULT_PORT if port is None else port, unrestricted, extra_classpath
        )
        with log.open("ab") as fh:
            offset = fh.tell()
            fh.write(
                f"\n===== neo4j_gml start {time.strftime('%Y-%m-%d %H:%M:%S')} =====\n".encode()
            )
            fh.flush()
            proc = subprocess.Popen(
                cmd,
                cwd=home_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=fh,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _CHILDREN[proc.pid] = proc
        (run_dir / _PID_FILE).write_text(f"{proc.pid}\n")
        try:
            return _wait_ready(home_dir, proc.pid, pw, timeout, log_offset=offset)
        except BaseException:
            if proc.poll() is None:
                _terminate(proc.pid, 20)
            _remove_run_files(home_dir)
            raise


def _wait_ready(home: Path, pid: int, password: str, timeout: float, log_offset: int) -> str:
    log = home / "logs" / _LOG_FILE
    port_file = home / "run" / _PORT_FILE
    deadline = time.monotonic() + timeout
    while True:
        if not _alive(pid):
            raise RuntimeError(
                f"Neo4j (pid {pid}) exited while starting; last lines of {log}:\n"
                + _log_tail(log, log_offset)
            )
        bolt_port = _read_int(port_file)
        if bolt_port is not None:
            uri = f"bolt://127.0.0.1:{bolt_port}"
            if _bolt_answers(uri, password):
                return uri
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"Neo4j (pid {pid}) did not answer on Bolt within {timeout:.0f} s; last lines of "
                f"{log}:\n" + _log_tail(log, log_offset)
            )
        time.sleep(0.25)


def _terminate(pid: int, timeout: float) -> bool:
    """SIGTERM ``pid``, SIGKILL it after ``timeout``; returns whether it exited on its own."""
    clean = True
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        clean = False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=1)
    return clean


def stop(home: Path | str | None = None, timeout: float = 60) -> bool:
    """Stop the local Neo4j DBMS: SIGTERM, wait for a clean shutdown, SIGKILL after ``timeout``.

    Returns:
        Whether a DBMS was running.
    """
    home_dir = _home(home)
    pid = _running_pid(home_dir)
    if pid is not None and not _terminate(pid, timeout):
        # Killed, perhaps while writing the class-data archive: do not trust it.
        with contextlib.suppress(FileNotFoundError):
            (home_dir / "run" / "launcher.jsa").unlink()
    _remove_run_files(home_dir)
    return pid is not None


def status(home: Path | str | None = None) -> dict[str, Any]:
    """Describe the local Neo4j DBMS.

    Returns:
        ``{"running": bool, "pid": int | None, "uri": str | None, "home": str}``; ``uri`` is set
        once the launcher has reported its Bolt port (it is ready).
    """
    home_dir = _home(home)
    pid = _running_pid(home_dir)
    uri = None
    if pid is not None:
        bolt_port = _read_int(home_dir / "run" / _PORT_FILE)
        if bolt_port is not None:
            uri = f"bolt://127.0.0.1:{bolt_port}"
    return {"running": pid is not None, "pid": pid, "uri": uri, "home": str(home_dir)}


def _main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m neo4j_gml.local_neo4j")
    parser.add_argument("action", choices=["start", "stop", "status", "build"])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--unrestricted", default=None)
    args = parser.parse_args(argv)
    if args.action == "start":
        t0 = time.monotonic()
        uri = start(args.home, args.port, unrestricted=args.unrestricted)
        print(f"{uri} (ready after {time.monotonic() - t0:.1f} s)")
    elif args.action == "stop":
        print("stopped" if stop(args.home) else "not running")
    elif args.action == "build":
        from neo4j_gml.build.plugin_jar import build_plugin

        print(build_launcher(force=True))
        print(build_plugin(force=True))  # generates the gml.* classes from the registry first
    else:
        print(json.dumps(status(args.home), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
