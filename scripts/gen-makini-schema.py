#!/usr/bin/env python3
"""Writes crates/desk-engine/src/makini/schema/generated.rs from Makini's published OpenAPI files.

The files (legacy API: the admin "system" API and the EAM, ERP and WMS data APIs, as published in
eqcentric/api-docs at commit db53511) live outside the project, in shared/reference; the build never
reads them, so their content reaches the engine only through the committed generated.rs:

  - every component schema of every file, keyed by (namespace, name), its properties in document
    order: name, JSON type (a property `$ref` is an object, recorded with the schema it names; an
    array records its items' `$ref` when there is one), `format` and `nullable` as written;
  - every path of every file with its methods and, per method, what the 200 response holds: a page
    of items (`data.items.$ref`), one item (`data.$ref`), or nothing typed;
  - the list-page envelope's `meta` and `links` fields, which must be the same in every list
    response of every file (the script fails otherwise).

Anything the script does not recognise (a property type, a response shape, a `$ref` to a schema the
file lacks) stops it with a message rather than being passed over.

    python3 scripts/gen-makini-schema.py [DIR]          # write generated.rs
    python3 scripts/gen-makini-schema.py --check [DIR]  # exit 1 when the committed file differs

DIR defaults to ../shared/reference/makini-openapi beside the repository. The output is laid out
as rustfmt lays it out; when rustfmt is on PATH the script also runs it over the text (with the
repository's rustfmt.toml) and says so if that changed anything.
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT.parent / "shared" / "reference" / "makini-openapi"
OUTPUT = ROOT / "crates" / "desk-engine" / "src" / "makini" / "schema" / "generated.rs"
NAMESPACES = ("system", "eam", "erp", "wms")
SOURCE = "eqcentric/api-docs db53511"
REF_PREFIX = "#/components/schemas/"
METHODS = ("get", "post", "put", "patch", "delete")
JSON_TYPES = {
    "string": "String",
    "integer": "Integer",
    "number": "Number",
    "boolean": "Boolean",
    "object": "Object",
    "array": "Array",
}


class SpecError(Exception):
    pass


def ref_name(ref, schemas, where):
    if not isinstance(ref, str) or not ref.startswith(REF_PREFIX):
        raise SpecError(f"{where}: $ref {ref!r} is not a component schema")
    name = ref[len(REF_PREFIX):]
    if name not in schemas:
        raise SpecError(f"{where}: $ref names {name!r}, which the file does not define")
    return name


def read_field(name, prop, schemas, where):
    """(name, JsonType variant, format, nullable, schema named by $ref or items.$ref)."""
    if not isinstance(prop, dict):
        raise SpecError(f"{where}: property is {prop!r}, not an object")
    fmt = prop.get("format")
    if fmt is not None and not isinstance(fmt, str):
        raise SpecError(f"{where}: format {fmt!r} is not a string")
    nullable = prop.get("nullable", False)
    if not isinstance(nullable, bool):
        raise SpecError(f"{where}: nullable {nullable!r} is not a boolean")
    if "$ref" in prop:
        if prop.get("type", "object") != "object":
            raise SpecError(f"{where}: a $ref with type {prop.get('type')!r}")
        return (name, "Object", fmt, nullable, ref_name(prop["$ref"], schemas, where))
    kind = prop.get("type")
    if kind not in JSON_TYPES:
        raise SpecError(f"{where}: type {kind!r} is not a JSON type")
    items = None
    if "items" in prop:
        if kind != "array" or not isinstance(prop["items"], dict) or "$ref" not in prop["items"]:
            raise SpecError(f"{where}: items {prop['items']!r} on type {kind!r}")
        items = ref_name(prop["items"]["$ref"], schemas, where)
    return (name, JSON_TYPES[kind], fmt, nullable, items)


def read_schema(namespace, name, schema, schemas):
    """(kind, item schema for a collection, fields)."""
    where = f"{namespace} schema {name}"
    if isinstance(schema, list):
        # Written as `[]` (an empty PHP array where an object was meant): no fields documented.
        if schema:
            raise SpecError(f"{where}: a non-empty list {schema!r}")
        return ("Open", None, [])
    if not isinstance(schema, dict):
        raise SpecError(f"{where}: {schema!r} is not an object")
    kind = schema.get("type", "object")
    if kind == "array":
        items = schema.get("items")
        if not isinstance(items, dict) or "$ref" not in items or "properties" in schema:
            raise SpecError(f"{where}: an array schema without items.$ref")
        return ("ArrayOf", ref_name(items["$ref"], schemas, where), [])
    if kind != "object":
        raise SpecError(f"{where}: type {kind!r}")
    props = schema.get("properties")
    if props is None:
        return ("Open", None, [])
    if not isinstance(props, dict) or not props:
        raise SpecError(f"{where}: properties {props!r}")
    fields = [read_field(p, v, schemas, f"{where}.{p}") for p, v in props.items()]
    return ("Object", None, fields)


def read_envelope(schema, where):
    """The meta and links fields of a list response, as (name, type, format) tuples."""
    out = []
    for part in ("meta", "links"):
        block = schema["properties"].get(part)
        if not isinstance(block, dict) or not isinstance(block.get("properties"), dict):
            raise SpecError(f"{where}: a list response without a documented {part!r}")
        fields = []
        for name, prop in block["properties"].items():
            kind = prop.get("type")
            if kind not in JSON_TYPES or set(prop) - {"type", "format"}:
                raise SpecError(f"{where}: {part}.{name} is {prop!r}")
            fields.append((name, JSON_TYPES[kind], prop.get("format")))
        out.append(tuple(fields))
    return tuple(out)


def read_response(operation, schemas, where):
    """(("Page"|"One", item) or ("Untyped", None), envelope or None) for the 200 response."""
    try:
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    except (KeyError, TypeError):
        raise SpecError(f"{where}: no 200 application/json response schema") from None
    if schema == {"type": "object"}:
        return (("Untyped", None), None)
    data = schema.get("properties", {}).get("data") if isinstance(schema, dict) else None
    if not isinstance(data, dict):
        raise SpecError(f"{where}: 200 response {json.dumps(schema)[:200]} has no data")
    if data.get("type") == "array":
        item = ref_name(data.get("items", {}).get("$ref"), schemas, f"{where} data.items")
        return (("Page", item), read_envelope(schema, where))
    if "$ref" in data:
        if set(schema["properties"]) != {"data"}:
            raise SpecError(f"{where}: a single-item response with {sorted(schema['properties'])}")
        return (("One", ref_name(data["$ref"], schemas, f"{where} data")), None)
    raise SpecError(f"{where}: data is {json.dumps(data)[:200]}")


def read_files(directory):
    schemas, routes, envelopes = [], [], {}
    for namespace in NAMESPACES:
        path = directory / f"oas3_{namespace}.json"
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise SpecError(f"{path}: {e}") from None
        components = doc.get("components", {}).get("schemas")
        if not isinstance(components, dict) or not isinstance(doc.get("paths"), dict):
            raise SpecError(f"{path}: no components.schemas or paths")
        for name, schema in components.items():
            schemas.append((namespace, name, *read_schema(namespace, name, schema, components)))
        for route_path, item in doc["paths"].items():
            if not route_path.startswith("/api/"):
                raise SpecError(f"{namespace} {route_path}: not under /api/")
            if namespace != "system" and not route_path.startswith(f"/api/{namespace}/"):
                raise SpecError(f"{namespace} {route_path}: outside /api/{namespace}/")
            extra = set(item) - set(METHODS) - {"parameters", "summary", "description"}
            if extra:
                raise SpecError(f"{namespace} {route_path}: unexpected keys {sorted(extra)}")
            operations = []
            for method in METHODS:
                if method not in item:
                    continue
                where = f"{namespace} {method.upper()} {route_path}"
                response, envelope = read_response(item[method], components, where)
                if envelope is not None:
                    envelopes.setdefault(envelope, []).append(where)
                operations.append((method.upper(), response))
            if not operations:
                raise SpecError(f"{namespace} {route_path}: no operations")
            operations.sort()
            routes.append((namespace, route_path, operations))
    if len(envelopes) != 1:
        detail = "\n".join(
            f"  {env!r}: {len(w)} responses, e.g. {w[0]}" for env, w in envelopes.items()
        )
        raise SpecError(f"the list responses document {len(envelopes)} envelopes:\n{detail}")
    schemas.sort(key=lambda s: (s[0], s[1]))
    routes.sort(key=lambda r: (r[0], r[1]))
    keys = [(s[0], s[1]) for s in schemas] + [(r[0], r[1]) for r in routes]
    if len(set(keys)) != len(keys):
        raise SpecError("a schema or route is listed twice")
    (meta, links), = envelopes
    return schemas, routes, meta, links


def rust_str(text):
    out = []
    for ch in text:
        if ch in "\\\"":
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append("\\u{%x}" % ord(ch))
    return '"' + "".join(out) + '"'


def rust_opt(text):
    return "None" if text is None else f"Some({rust_str(text)})"


def emit_list(lines, indent, head, items, end=","):
    """`head&[` and the struct literals (each a list of lines without indent) as rustfmt lays
    them out: one a line block; a single one hugs the brackets (`&[Field {` ... `}],`)."""
    pad = " " * indent
    if not items:
        lines.append(f"{pad}{head}&[]{end}")
    elif len(items) == 1:
        first, *body, last = items[0]
        lines.append(f"{pad}{head}&[{first}")
        lines += [f"{pad}    {line}" for line in body]
        lines.append(f"{pad}{last}]{end}")
    else:
        lines.append(f"{pad}{head}&[")
        for item in items:
            first, *body, last = item
            lines.append(f"{pad}    {first}")
            lines += [f"{pad}        {line}" for line in body]
            lines.append(f"{pad}    {last},")
        lines.append(f"{pad}]{end}")


def static_name(namespace, name):
    """`eam`, `POLineItem` -> `EAM_PO_LINE_ITEM`."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return f"{namespace}_{snake}".upper()


def field_literal(name, json_type, fmt, nullable, schema):
    return [
        "Field {",
        f"name: {rust_str(name)},",
        f"json_type: JsonType::{json_type},",
        f"format: {rust_opt(fmt)},",
        f"nullable: {'true' if nullable else 'false'},",
        f"schema: {rust_opt(schema)},",
        "}",
    ]


def render(schemas, routes, meta, links):
    files = ", ".join(f"oas3_{ns}.json" for ns in NAMESPACES)
    lines = [
        "// @generated by scripts/gen-makini-schema.py from Makini's published OpenAPI files for",
        f"// the legacy API, {files},",
        f"// as published in {SOURCE}.",
        "// Do not edit by hand: `python3 scripts/gen-makini-schema.py [DIR]` rewrites it;",
        "// `python3 scripts/gen-makini-schema.py --check [DIR]` exits 1 when it is not what the",
        "// OpenAPI files generate. DIR defaults to ../shared/reference/makini-openapi.",
        "",
        "use super::{Field, JsonType, Operation, Response, Route, Schema, SchemaKind};",
        "",
        "/// Every component schema of every file, sorted by (namespace, name). Schemas with the",
        "/// same fields (the data files repeat most of theirs) share one list, named after the",
        "/// first of them.",
        "pub(super) static SCHEMAS: &[Schema] = &[",
    ]
    # Each distinct field list once, as a static named after the first schema that has it.
    users = {}
    for namespace, name, _, _, fields in schemas:
        if fields:
            users.setdefault(tuple(fields), []).append((namespace, name))
    statics = {fields: static_name(*who[0]) for fields, who in users.items()}
    if len(set(statics.values())) != len(statics):
        raise SpecError("two field lists would get the same static name")
    for namespace, name, kind, items, fields in schemas:
        lines += [
            "    Schema {",
            f"        namespace: {rust_str(namespace)},",
            f"        name: {rust_str(name)},",
            f"        kind: SchemaKind::{kind}" + (f"({rust_str(items)})," if items else ","),
            f"        fields: {statics[tuple(fields)]}," if fields else "        fields: &[],",
            "    },",
        ]
    lines += [
        "];",
        "",
        "/// Every path of every file, sorted by (namespace, path); operations sorted by method.",
        "pub(super) static ROUTES: &[Route] = &[",
    ]
    for namespace, path, operations in routes:
        lines += [
            "    Route {",
            f"        namespace: {rust_str(namespace)},",
            f"        path: {rust_str(path)},",
        ]
        literals = [
            [
                "Operation {",
                f"method: {rust_str(method)},",
                f"response: Response::{kind}" + (f"({rust_str(item)})," if item else ","),
                "}",
            ]
            for method, (kind, item) in operations
        ]
        emit_list(lines, 8, "operations: ", literals)
        lines.append("    },")
    lines.append("];")
    for const, doc, fields in (
        ("PAGE_META", "`meta`", meta),
        ("PAGE_LINKS", "`links`", links),
    ):
        lines += [
            "",
            f"/// The {doc} fields of a list page, the same in every list response of every file.",
            f"pub(super) static {const}: &[Field] = &[",
        ]
        for name, json_type, fmt in fields:
            first, *body, last = field_literal(name, json_type, fmt, False, None)
            lines += [f"    {first}", *(f"        {line}" for line in body), f"    {last},"]
        lines.append("];")
    for fields, static in sorted(statics.items(), key=lambda item: item[1]):
        who = [f"{ns} {name}" for ns, name in users[fields]]
        names = who[0] if len(who) == 1 else ", ".join(who[:-1]) + " and " + who[-1]
        lines.append("")
        lines += textwrap.wrap(f"The fields of {names}, in document order.", width=100,
                               initial_indent="/// ", subsequent_indent="/// ")
        literals = [field_literal(*field) for field in fields]
        emit_list(lines, 0, f"static {static}: &[Field] = ", literals, end=";")
    return "\n".join(lines) + "\n"


def rustfmt(text):
    """The text as rustfmt writes it (with the repository's settings), or the text when rustfmt is
    not on PATH."""
    exe = shutil.which("rustfmt")
    if exe is None:
        return text
    done = subprocess.run(
        [exe, "--edition", "2021", "--config-path", str(ROOT / "rustfmt.toml"), "--emit", "stdout"],
        input=text, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SpecError(f"rustfmt refused the generated code:\n{done.stderr}")
    if done.stdout != text:
        print("note: rustfmt changed the generated layout; the emitter should write it as rustfmt"
              " does, so the output does not depend on rustfmt being installed", file=sys.stderr)
    return done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR,
                        help="the folder of oas3_{system,eam,erp,wms}.json")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when the committed file differs")
    args = parser.parse_args()
    try:
        schemas, routes, meta, links = read_files(args.dir)
        text = rustfmt(render(schemas, routes, meta, links))
    except SpecError as e:
        print(f"gen-makini-schema: {e}", file=sys.stderr)
        return 2
    rel = OUTPUT.relative_to(ROOT)
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else None
        if current != text:
            print(f"{rel} is not what {args.dir} generates: run scripts/gen-makini-schema.py",
                  file=sys.stderr)
            return 1
        print(f"{rel} is current")
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    counts = ", ".join(
        f"{ns} {sum(s[0] == ns for s in schemas)} schemas / {sum(r[0] == ns for r in routes)} paths"
        for ns in NAMESPACES
    )
    print(f"wrote {rel}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
