"""jixiao schema: the canonical record's JSON Schema."""

from __future__ import annotations

import json

HELP = "print the canonical record's JSON Schema"


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    from jixiao.normalize.schema import Record

    print(json.dumps(Record.model_json_schema(), ensure_ascii=False, indent=2))
    return 0
