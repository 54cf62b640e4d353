"""Generate the Java procedure classes of the Neo4j plugin from the Python procedure registry.

For every registry procedure and each of its modes the plugin gets ``gml.<name>.<mode>``: write
modes are ``mode = WRITE``, the others ``READ``. A procedure's :attr:`~Procedure.bare_mode` is
callable as plain ``gml.<name>`` only; without one, a procedure with a single mode (not counting
``estimate``) is callable both ways (``gml.model.list()``, ``gml.graphSage.train({...})``).

The parameters follow GDS:

- a procedure that runs on graphs (:attr:`Procedure.runs_on_graphs`) takes ``(graphName :: ANY =
  null, configuration :: MAP = {})``: ``graphName`` is a graph name of the service's catalog, or
  a map, the whole configuration of a run that projects its own graph (then ``configuration``
  must be empty); none at all reads the whole database with the defaults;
- a procedure with :attr:`Procedure.arguments` takes them first, each typed by its config key's
  kind and defaulted by the key's default (see :func:`argument_params`), then ``configuration ::
  MAP = {}``: the call puts each argument into a copy of the configuration under its key (an
  argument left at its default does not override the map; a key given both ways is refused);
- any other procedure takes ``(config :: MAP = {})``.

The ``YIELD`` columns come from the registry: :meth:`Procedure.stream_columns` for stream mode
(node results also yield ``node``, the Node itself, right after ``nodeId``; a ``path`` column is
built by the plugin, see :data:`PLUGIN_BUILT`) and for every mode
of a procedure with arguments (catalog operations return rows in every mode), and
:func:`~neo4j_gml.procedures.summary.summary_columns` for the other modes. A column type the
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
import math
import re
from pathlib import Path
from typing import Any

from neo4j_gml.procedures import registry
from neo4j_gml.procedures.config import REQUIRED, Key
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

#: column types the plugin builds itself from the row (the service sends nothing for them):
#: a Cypher ``Path`` through the row's ``nodeIds`` with virtual relationships, ``PATH_<index>``
#: with a ``cost`` each (from the row's cumulative ``costs``) or ``NEXT`` (traversals, walks),
#: as GDS yields its ``path`` column. Type -> the :class:`VirtualPaths` method that builds it.
PLUGIN_BUILT = {"path": "costed", "walkPath": "walk"}
assert set(PLUGIN_BUILT) == set(registry.PLUGIN_BUILT)

MODE_TEXT = {
    "stream": "Streams the result rows.",
    "stats": "Returns summary statistics; writes nothing.",
    "write": "Writes the result back to Neo4j and returns summary statistics.",
    "mutate": "Mutates the in-memory graph.",
    "estimate": "Estimates the memory the call needs.",
    "drop": "Removes from the in-memory graph.",
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
    """(column, registry type) of ``proc``'s ``mode`` rows; ``node`` has type ``'node'``.

    Stream mode, and every mode of a procedure with :attr:`~Procedure.arguments` (catalog
    operations return rows in each mode), yields :meth:`Procedure.stream_columns`; a procedure
    whose rows have no declared columns yields each row whole as ``row :: MAP``.
    """
    if mode == "stream" or proc.arguments:
        cols = list(proc.stream_columns(mode).items())
        first_is_id = proc.result == "node" and cols and cols[0][0] == "nodeId"
        if first_is_id and all(name != "node" for name, _ in cols):
            cols.insert(1, ("node", "node"))
        if not cols:
            cols = [("row", "map")]
        return cols
    return list(summary_columns(proc, mode).items())


def cypher_type(kind: str) -> str:
    if kind in PLUGIN_BUILT:
        return "PATH"
    return "NODE" if kind == "node" else TYPES.get(kind, ANY)[2]


def procedure_names(proc: Procedure, mode: str) -> list[str]:
    """Cypher names of ``proc`` in ``mode``.

    With a :attr:`~Procedure.bare_mode`, that mode is ``gml.<name>`` only and the others are
    ``gml.<name>.<mode>`` (``gml.graph.project``, ``gml.graph.project.estimate``). Without one,
    every mode is ``gml.<name>.<mode>``, and a procedure with one mode besides ``estimate`` is
    also callable as ``gml.<name>`` (``gml.model.list()``, ``gml.graphSage.train({...})``, as in
    GDS).
    """
    if proc.bare_mode is not None:
        return [f"gml.{proc.name}" if mode == proc.bare_mode else f"gml.{proc.name}.{mode}"]
    names = [f"gml.{proc.name}.{mode}"]
    main_modes = [m for m in proc.modes if m != "estimate"]
    if main_modes == [mode]:
        names.append(f"gml.{proc.name}")
    if mode == "estimate" and proc.runs_on_graphs:  # GDS's gds.pageRank.write.estimate, ...
        names += [f"gml.{proc.name}.{m}.estimate" for m in main_modes]
    return names


# ---------------------------------------------------------------------------- parameters
#: config key kind -> (Java parameter type, Cypher type) of a positional argument; other kinds
#: (string-or-list, lists, ``any``) are ``Object`` / ``ANY`` and the service checks them.
ARGUMENT_TYPES: dict[str, tuple[str, str]] = {
    "str": ("String", "STRING"),
    "str?": ("String", "STRING"),
    "int": ("Long", "INTEGER"),
    "int?": ("Long", "INTEGER"),
    "float": ("Double", "FLOAT"),
    "float?": ("Double", "FLOAT"),
    "bool": ("Boolean", "BOOLEAN"),
    "map": ("Map<String, Object>", "MAP"),
    "map?": ("Map<String, Object>", "MAP"),
}
_ANY_ARGUMENT = ("Object", "ANY")

#: Java identifiers the generated method body uses: a parameter never takes one of them.
_RESERVED_PARAMS = {"configuration", "config", "callConfig", "db", "tx", "security", "m"}


def _is_cypher_identifier(text: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) is not None


def cypher_literal(value: Any) -> str:
    """``value`` (None, bool, number, str, list, dict) as a Cypher literal, as Neo4j parses
    a ``defaultValue`` of a map, list or ``ANY`` parameter."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "0.0 / 0.0"
        if math.isinf(value):
            return "1.0 / 0.0" if value > 0 else "-1.0 / 0.0"
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            key = str(k) if _is_cypher_identifier(str(k)) else "`" + str(k).replace("`", "``") + "`"
            items.append(f"{key}: {cypher_literal(v)}")
        return "{" + ", ".join(items) + "}"
    raise ValueError(f"no Cypher literal for {type(value).__name__} {value!r}")


def _java_literal(value: Any) -> str:
    """``value`` as a Java expression of what Neo4j passes for it (to recognise a default)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "Boolean.TRUE" if value else "Boolean.FALSE"
    if isinstance(value, int):
        return f"Long.valueOf({value}L)"
    if isinstance(value, float):
        if math.isnan(value):
            return "Double.valueOf(Double.NaN)"
        if math.isinf(value):
            return f"Double.valueOf(Double.{'POSITIVE' if value > 0 else 'NEGATIVE'}_INFINITY)"
        return f"Double.valueOf({value!r})"
    if isinstance(value, str):
        return java_string(value)
    if isinstance(value, list | tuple):
        return "Caller.listOf(" + ", ".join(_java_literal(v) for v in value) + ")"
    if isinstance(value, dict):
        pairs = [f"{java_string(str(k))}, {_java_literal(v)}" for k, v in value.items()]
        return "Caller.mapOf(" + ", ".join(pairs) + ")"
    raise ValueError(f"no Java literal for {type(value).__name__} {value!r}")


def _any_parses_as_other(text: str) -> bool:
    """Whether Neo4j would read ``text``, the default of an ``ANY`` parameter, as something
    other than that string (it tries null, map, list, boolean and number first)."""
    t = text.strip()
    if t.lower() in ("null", "true", "false") or t[:1] in ("{", "["):
        return True
    try:
        float(t)
    except ValueError:
        return False
    return True


def _argument(proc: Procedure, key: Key) -> tuple[str, str, str | None, str]:
    """(Java type, Cypher type, Neo4j ``defaultValue`` or None, Java default expression) of the
    positional argument ``key``; the Java default of a required one is ``Caller.REQUIRED``."""
    jtype, ctype = ARGUMENT_TYPES.get(key.kind, _ANY_ARGUMENT)
    default = key.default
    if default is REQUIRED:
        return jtype, ctype, None, "Caller.REQUIRED"
    where = f"procedure '{proc.name}': argument '{key.name}'"
    if default is None and jtype not in ("Object", "Map<String, Object>"):
        # Neo4j reads defaultValue "null" as the text "null" for STRING and refuses it for
        # INTEGER, FLOAT and BOOLEAN: a null default needs an ANY parameter.
        jtype, ctype = _ANY_ARGUMENT
    if jtype == "String":
        if not isinstance(default, str):
            raise ValueError(f"{where}: default {default!r} is not a string")
        text = default
    elif jtype == "Long":
        if (
            isinstance(default, bool)
            or not isinstance(default, int | float)
            or default != int(default)
        ):
            raise ValueError(f"{where}: default {default!r} is not an integer")
        default = int(default)
        text = str(default)
    elif jtype == "Double":
        if isinstance(default, bool) or not isinstance(default, int | float):
            raise ValueError(f"{where}: default {default!r} is not a number")
        default = float(default)
        text = (
            "NaN"
            if math.isnan(default)
            else ("Infinity" if default > 0 else "-Infinity")
            if math.isinf(default)
            else repr(default)
        )
    elif jtype == "Boolean":
        if not isinstance(default, bool):
            raise ValueError(f"{where}: default {default!r} is not a boolean")
        text = "true" if default else "false"
    elif isinstance(default, str):  # an ANY parameter: Neo4j keeps plain text as a string
        if _any_parses_as_other(default):
            raise ValueError(
                f"{where}: Neo4j would not read the default {default!r} of an ANY parameter "
                "as a string; give the key a kind with a STRING parameter"
            )
        text = default
    elif isinstance(default, float) and not math.isfinite(default):
        raise ValueError(f"{where}: Neo4j cannot default an ANY parameter to {default}")
    else:
        text = cypher_literal(default)
    return jtype, ctype, text, _java_literal(default)


def argument_params(proc: Procedure) -> list[tuple[str, str, str, str | None, str]]:
    """(Cypher name, Java type, Cypher type, Neo4j ``defaultValue`` or None, Java default
    expression) of each positional argument of ``proc``, in order. Raises :class:`ValueError`
    for an argument that is no config key, or a required one after one with a default (Neo4j
    refuses such a signature)."""
    keys = {k.name: k for k in proc.all_keys()}
    out = []
    seen_default = None
    for name in proc.arguments:
        if name not in keys:
            raise ValueError(f"procedure '{proc.name}': argument '{name}' is not a config key")
        jtype, ctype, text, java_default = _argument(proc, keys[name])
        if text is None and seen_default is not None:
            raise ValueError(
                f"procedure '{proc.name}': required argument '{name}' follows '{seen_default}', "
                "which has a default; Neo4j needs the defaulted arguments last"
            )
        if text is not None:
            seen_default = seen_default or name
        out.append((name, jtype, ctype, text, java_default))
    return out


def _params(proc: Procedure) -> list[tuple[str, str, str, str | None]]:
    """(Cypher name, Java type, Cypher type, ``defaultValue`` or None) of every parameter."""
    if proc.arguments:
        args = [(n, j, c, d) for n, j, c, d, _ in argument_params(proc)]
        return [*args, ("configuration", "Map<String, Object>", "MAP", "{}")]
    if proc.runs_on_graphs:
        return [
            ("graphName", "Object", "ANY", "null"),
            ("configuration", "Map<String, Object>", "MAP", "{}"),
        ]
    return [("config", "Map<String, Object>", "MAP", "{}")]


def parameters(proc: Procedure) -> list[tuple[str, str, str | None]]:
    """(name, Cypher type, Neo4j ``defaultValue`` or None) of each parameter of ``proc``'s
    procedures, as ``SHOW PROCEDURES`` lists them."""
    return [(name, ctype, default) for name, _, ctype, default in _params(proc)]


def cypher_name(proc: Procedure, mode: str) -> str:
    """The name to call ``proc`` in ``mode`` by (``gml.pageRank.stream``, ``gml.graph.project``)."""
    return procedure_names(proc, mode)[0]


def _cypher_default(ctype: str, text: str) -> str:
    """How a ``defaultValue`` shows in a signature: STRING as a quoted literal."""
    return cypher_literal(text) if ctype == "STRING" else text


def signature(proc: Procedure, mode: str, name: str | None = None) -> str:
    params = []
    for pname, _, ctype, default in _params(proc):
        text = f"{pname} :: {ctype}"
        if default is not None:
            text += f" = {_cypher_default(ctype, default)}"
        params.append(text)
    cols = ", ".join(f"{field_name(c)} :: {cypher_type(t)}" for c, t in columns(proc, mode))
    return f"{name or f'gml.{proc.name}.{mode}'}({', '.join(params)}) :: ({cols})"


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
        if kind in PLUGIN_BUILT:
            lines.append(f"        public Path {name};")
            body.append(f"            this.{name} = VirtualPaths.{PLUGIN_BUILT[kind]}(tx, m);")
            continue
        jtype, conv, _ = TYPES.get(kind, ANY)
        lines.append(f"        public {jtype} {name};")
        whole_row = (mode == "stream" or proc.arguments) and not proc.stream_columns(mode)
        if column == "row" and kind == "map" and whole_row:
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
        "import org.neo4j.graphdb.Path;",
        "import org.neo4j.graphdb.Transaction;",
        "import org.neo4j.internal.kernel.api.security.SecurityContext;",
        "import org.neo4j.procedure.Context;",
        "import org.neo4j.procedure.Description;",
        "import org.neo4j.procedure.Mode;",
        "import org.neo4j.procedure.Name;",
        "import org.neo4j.procedure.Procedure;",
        "import org.neo4j_gml.procedures.Caller;",
        "import org.neo4j_gml.procedures.Convert;",
        "import org.neo4j_gml.procedures.VirtualPaths;",
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
            method = _method_name(proc, mode) + _alias_suffix(proc, mode, name)
            out += [
                "",
                f"    @Procedure(name = {java_string(name)}, mode = Mode.{neo_mode})",
                f"    @Description({java_string(description(proc, mode))})",
                f"    public Stream<{row}> {method}(",
                *_method_body(proc, mode, name),
                f"                .map(m -> new {row}(m, this.tx));",
                "    }",
            ]
    out.append("}")
    return "\n".join(out) + "\n"


def _java_param(name: str) -> str:
    ident = field_name(name)
    return ident + "_" if ident in _RESERVED_PARAMS else ident


def _alias_suffix(proc: Procedure, mode: str, name: str) -> str:
    """What tells the Java method of Cypher name ``name`` from the mode's first one."""
    if name == procedure_names(proc, mode)[0]:
        return ""
    if name.endswith(".estimate") and name != f"gml.{proc.name}.estimate":
        parent = name[len(f"gml.{proc.name}.") : -len(".estimate")]
        return "For" + parent[:1].upper() + parent[1:]
    return "Alias"


def _method_body(proc: Procedure, mode: str, name: str) -> list[str]:
    """The parameter list and the call of one generated method, up to the row mapping."""
    params = []
    for pname, jtype, _, default in _params(proc):
        ident = pname if pname in ("configuration", "config") else _java_param(pname)
        if default is None:
            params.append(f"@Name({java_string(pname)}) {jtype} {ident}")
        else:
            params.append(
                f"@Name(value = {java_string(pname)}, defaultValue = {java_string(default)}) "
                f"{jtype} {ident}"
            )
    lines = [
        "            " + p + ("," if i < len(params) - 1 else ") {") for i, p in enumerate(params)
    ]
    head = f"this.db, this.tx, this.security, {java_string(proc.name)}, {java_string(mode)}"
    if proc.arguments:
        lines.append(
            f"        Map<String, Object> callConfig = Caller.arguments({java_string(name)}, "
            "configuration,"
        )
        args = argument_params(proc)
        for i, (pname, _, _, _, java_default) in enumerate(args):
            end = "," if i < len(args) - 1 else ");"
            lines.append(
                f"                Caller.argument({java_string(pname)}, {_java_param(pname)}, "
                f"{java_default}){end}"
            )
        lines.append(f"        return Caller.call({head}, callConfig)")
    elif proc.runs_on_graphs:
        lines.append(f"        return Caller.callOnGraph({head}, graphName, configuration)")
    else:
        lines.append(f"        return Caller.call({head}, config)")
    return lines


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
    owners: dict[str, str] = {}
    for proc in procs:
        for mode in proc.modes:
            for name in procedure_names(proc, mode):
                if name in owners:
                    raise ValueError(
                        f"two procedures would both be called {name}: {owners[name]} and "
                        f"{proc.name}.{mode}"
                    )
                owners[name] = f"{proc.name}.{mode}"
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
