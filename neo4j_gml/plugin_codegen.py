"""Generate the Java procedure classes of the Neo4j plugin from the Python procedure registry.

For every registry procedure and each of its modes the plugin gets
``gml.<name>.<mode>(config :: MAP)``: write modes are ``mode = WRITE``, the others ``READ``. A
procedure with a single mode is also callable as ``gml.<name>`` (``gml.model.list()``). The
``YIELD`` columns come from the registry: :meth:`Procedure.stream_columns` for stream mode (node
results also yield ``node``, the Node itself, right after ``nodeId``) and
:func:`~neo4j_gml.procedures.summary.summary_columns` for stats and write. A column type the
generator does not know becomes Java ``Object`` (Cypher ``ANY``), so a new procedure never breaks
the generation. A column name that is a Java keyword gets a trailing ``_`` (Neo4j names output
columns after the Java fields).

The output is one class per procedure plus ``Catalog`` (what ``gml.list()`` shows), in the Java
package :data:`PACKAGE`. Nothing of it is committed: the plugin build
(:func:`neo4j_gml.build.plugin_jar.build_plugin`) writes it into
``plugin/procedures/target/generated-sources/gml`` before Maven compiles, and rebuilds the jar
when :func:`sources_digest` changes. ``neo4j-gml plugin generate`` writes the files for reading.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from neo4j_gml.procedures import registry
from neo4j_gml.procedures.registry import Procedure
from neo4j_gml.procedures.summary import summary_columns

PACKAGE = "org.neo4j_gml.procedures.generated"

#: Where the generated files go below a Java source root.
PACKAGE_DIR = Path(*PACKAGE.split("."))

HEADER = (
    "// GENERATED from the procedure registry by the plugin build (neo4j_gml.plugin_codegen).\n"
    "// Do not edit: change the registry; the next build regenerates this file.\n"
)

#: registry column type -> (Java field type, Convert method, Cypher type)
TYPES: dict[str, tuple[str, str, str]] = {
    "int": ("Long", "toLong", "INTEGER"),
    "float": ("Double", "toDouble", "FLOAT"),
    "floatList": ("List<Double>", "toDoubleList", "LIST<FLOAT>"),
    "intList": ("List<Long>", "toLongList", "LIST<INTEGER>"),
    "map": ("Map<String, Object>", "toMap", "MAP"),
    "str": ("String", "toStr", "STRING"),
    "string": ("String", "toStr", "STRING"),
    "bool": ("Boolean", "toBool", "BOOLEAN"),
    "boolean": ("Boolean", "toBool", "BOOLEAN"),
    "list": ("List<Object>", "toList", "LIST<ANY>"),
}
ANY = ("Object", "toAny", "ANY")

MODE_TEXT = {
    "stream": "Streams the result rows.",
    "stats": "Returns summary statistics; writes nothing.",
    "write": "Writes the result back to Neo4j and returns summary statistics.",
    "mutate": "Mutates the in-memory graph.",
    "estimate": "Estimates the memory the call needs.",
}

_JAVA_KEYWORDS = {
    "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
    "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float",
    "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long", "native",
    "new", "package", "private", "protected", "public", "return", "short", "static", "strictfp",
    "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try", "void",
    "volatile", "while", "true", "false", "null", "var", "record", "yield", "sealed", "permits",
    "_",
}  # fmt: skip


def java_string(text: str) -> str:
    """``text`` as a Java string literal (ASCII only; other characters as ``\\uXXXX``)."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        else:
            for unit in ch.encode("utf-16-be").hex(" ", 2).split():
                out.append(f"\\u{unit}")
    out.append('"')
    return "".join(out)


def field_name(column: str) -> str:
    """The Java field (and so the Cypher column) name for a registry column name."""
    name = re.sub(r"\W", "_", column, flags=re.ASCII)
    if not name or name[0].isdigit():
        name = "_" + name
    if name in _JAVA_KEYWORDS:
        name += "_"
    return name


def class_name(procedure: str) -> str:
    """``closeness.harmonic`` -> ``GmlClosenessHarmonic``."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", procedure) if p]
    return "Gml" + "".join(p[:1].upper() + p[1:] for p in parts)


def columns(proc: Procedure, mode: str) -> list[tuple[str, str]]:
    """(column, registry type) of ``proc``'s ``mode`` rows; ``node`` has type ``'node'``."""
    if mode == "stream":
        cols = list(proc.stream_columns().items())
        first_is_id = proc.result == "node" and cols and cols[0][0] == "nodeId"
        if first_is_id and all(name != "node" for name, _ in cols):
            cols.insert(1, ("node", "node"))
        if not cols:
            cols = [("row", "map")]
        return cols
    return list(summary_columns(proc, mode).items())


def cypher_type(kind: str) -> str:
    return "NODE" if kind == "node" else TYPES.get(kind, ANY)[2]


def procedure_names(proc: Procedure, mode: str) -> list[str]:
    """Cypher names of ``proc`` in ``mode``: ``gml.<name>.<mode>``, plus ``gml.<name>`` when the
    procedure has this one mode only (``gml.model.list()``, ``gml.graphSage.train({...})``, as in
    GDS)."""
    names = [f"gml.{proc.name}.{mode}"]
    if len(proc.modes) == 1:
        names.append(f"gml.{proc.name}")
    return names


def signature(proc: Procedure, mode: str, name: str | None = None) -> str:
    cols = ", ".join(f"{field_name(c)} :: {cypher_type(t)}" for c, t in columns(proc, mode))
    return f"{name or f'gml.{proc.name}.{mode}'}(config :: MAP = {{}}) :: ({cols})"


def description(proc: Procedure, mode: str) -> str:
    text = " ".join(proc.description.split())
    return f"{text} {MODE_TEXT.get(mode, '')}".strip()


def _row_class(proc: Procedure, mode: str, cls: str) -> list[str]:
    lines = [f"    public static class {cls} {{"]
    body = []
    for column, kind in columns(proc, mode):
        name = field_name(column)
        if kind == "node":
            lines.append(f"        public Node {name};")
            body.append(f"            this.{name} = Convert.node(tx, this.nodeId);")
            continue
        jtype, conv, _ = TYPES.get(kind, ANY)
        lines.append(f"        public {jtype} {name};")
        if column == "row" and kind == "map" and proc.stream_columns() == {} and mode == "stream":
            body.append(f"            this.{name} = m;")
        else:
            body.append(f"            this.{name} = Convert.{conv}(m.get({java_string(column)}));")
    lines.append("")
    lines.append(f"        {cls}(Map<String, Object> m, Transaction tx) {{")
    lines.extend(body)
    lines.append("        }")
    lines.append("    }")
    return lines


def _method_name(proc: Procedure, mode: str) -> str:
    base = class_name(proc.name)[3:]
    return base[:1].lower() + base[1:] + mode[:1].upper() + mode[1:]


def procedure_class(proc: Procedure) -> str:
    """The Java source of one procedure's class (all of its modes)."""
    cls = class_name(proc.name)
    out = [
        HEADER.rstrip("\n"),
        f"package {PACKAGE};",
        "",
        "import java.util.List;",
        "import java.util.Map;",
        "import java.util.stream.Stream;",
        "import org.neo4j.graphdb.GraphDatabaseService;",
        "import org.neo4j.graphdb.Node;",
        "import org.neo4j.graphdb.Transaction;",
        "import org.neo4j.internal.kernel.api.security.SecurityContext;",
        "import org.neo4j.procedure.Context;",
        "import org.neo4j.procedure.Description;",
        "import org.neo4j.procedure.Mode;",
        "import org.neo4j.procedure.Name;",
        "import org.neo4j.procedure.Procedure;",
        "import org.neo4j_gml.procedures.Caller;",
        "import org.neo4j_gml.procedures.Convert;",
        "",
        f"/** {java_doc(proc.name)}: {java_doc(' '.join(proc.description.split()))} */",
        '@SuppressWarnings("unused")',
        f"public class {cls} {{",
        "    @Context",
        "    public GraphDatabaseService db;",
        "",
        "    @Context",
        "    public Transaction tx;",
        "",
        "    @Context",
        "    public SecurityContext security;",
    ]
    for mode in proc.modes:
        row = mode[:1].upper() + mode[1:] + "Row"
        out.append("")
        out.extend(_row_class(proc, mode, row))
        neo_mode = "WRITE" if mode == "write" else "READ"
        for name in procedure_names(proc, mode):
            method = _method_name(proc, mode) + ("" if name.endswith("." + mode) else "Alias")
            out += [
                "",
                f"    @Procedure(name = {java_string(name)}, mode = Mode.{neo_mode})",
                f"    @Description({java_string(description(proc, mode))})",
                f"    public Stream<{row}> {method}(",
                '            @Name(value = "config", defaultValue = "{}") Map<String, Object> config) {',
                f"        return Caller.call(db, tx, security, {java_string(proc.name)}, "
                f"{java_string(mode)}, config)",
                f"                .map(m -> new {row}(m, tx));",
                "    }",
            ]
    out.append("}")
    return "\n".join(out) + "\n"


def java_doc(text: str) -> str:
    return text.replace("*/", "* /").replace("\\u", "\\\\u")


def catalog_class(procs: list[Procedure]) -> str:
    entries = []
    for proc in procs:
        for mode in proc.modes:
            for name in procedure_names(proc, mode):
                fields = [
                    name,
                    proc.name,
                    mode,
                    description(proc, mode),
                    signature(proc, mode, name),
                ]
                entries.append(
                    "            new String[] {" + ", ".join(java_string(f) for f in fields) + "}"
                )
    return (
        HEADER
        + f"package {PACKAGE};\n\n"
        + "import java.util.List;\n\n"
        + "/** Every generated procedure: name, registry procedure, mode, description, signature. */\n"
        + "public final class Catalog {\n"
        + "    private Catalog() {}\n\n"
        + "    public static final List<String[]> ENTRIES = List.of(\n"
        + ",\n".join(entries)
        + ");\n}\n"
    )


def generate_sources(procs: list[Procedure] | None = None) -> dict[str, str]:
    """File name -> Java source of every generated file."""
    procs = sorted(procs if procs is not None else registry.procedures(), key=lambda p: p.name)
    files: dict[str, str] = {}
    for proc in procs:
        name = class_name(proc.name)
        while f"{name}.java" in files:  # two registry names that camel-case alike
            name += "_"
        files[f"{name}.java"] = procedure_class(proc).replace(
            f"public class {class_name(proc.name)} {{", f"public class {name} {{"
        )
    files["Catalog.java"] = catalog_class(procs)
    return files


def sources_digest(files: dict[str, str] | None = None) -> str:
    """SHA-256 of the generated files (of the registry's when ``files`` is ``None``)."""
    files = generate_sources() if files is None else files
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name].encode("utf-8") + b"\0")
    return h.hexdigest()


def write_sources(out_dir: Path | str, procs: list[Procedure] | None = None) -> list[Path]:
    """Write the generated files into ``out_dir``; removes stale ``.java`` files there."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = generate_sources(procs)
    for old in out.glob("*.java"):
        if old.name not in files:
            old.unlink()
    written = []
    for name, text in files.items():
        path = out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_files(out_dir: Path | str) -> list[str]:
    """Names of generated files that differ from (or are missing in, or extra to) ``out_dir``."""
    want = generate_sources()
    have = {p.name: p.read_text(encoding="utf-8") for p in Path(out_dir).glob("*.java")}
    return sorted(n for n in set(want) | set(have) if want.get(n) != have.get(n))
