"""Form pages → label/value pieces → filings (the canonical records of SPEC.md).

A sheet is a titled page plus the pages that continue it. Sheets of one project (joined by
项目名称) make one filing. Inside a sheet, each table row is read in one of four modes: label/value
pairs, or one of the repeating blocks (indicators, cost items, safeguards) recognised by their
header row. Values keep their cell, page and box for provenance and for the checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jixiao.extract import classify
from jixiao.extract.model import Cell, Document, Line, Page, Table

from . import labels as labels_mod
from . import schema
from .labels import TABLE, Match
from .text import join_lines, split_label
from .values import parse_target, unit_in

EXTRA = "extra:"  # the role of a column whose header the block does not know ("extra:计量方式")
TARGET_COL = "target:"  # one of several value columns ("target:年度指标值"), keyed by its header
UNNAMED = "unnamed"  # a column with a blank header: its cells are named by their content
AMOUNT = "amount"  # a funding grid's amount column (当年金额): the row label names the key


@dataclass
class Piece:
    """A value as found: its text and where it came from."""

    text: str
    page: int
    bbox: tuple[float, float, float, float]
    cell: Cell | None = None
    lines: list[Line] = field(default_factory=list)
    first: bool = True  # the first value in its cell (text hidden before the cell belongs to it)
    last: bool = True  # the last value in its cell (text hidden after it, and the cell's end)
    label: str = ""  # the label as printed
    method: str = "text"
    confidence: float = 1.0
    pad: float | None = None  # the usual left padding of text in this table (points)


@dataclass
class ExtraColumn:
    """A column whose header the label table does not know (分值, 占比): reported once, with every
    value it holds, so that nothing is lost."""

    page: int  # where its header stands
    values: list[str] = field(default_factory=list)


@dataclass
class Sheet:
    pages: list[Page]
    title: str | None = None
    sheet_name: str | None = None
    year: int | None = None
    unit: str | None = None
    values: dict[str, Piece] = field(default_factory=dict)  # "fields.x" / "funding.x" → piece
    indicators: list[dict[str, Piece]] = field(default_factory=list)
    cost_items: list[dict[str, Piece]] = field(default_factory=list)
    cost_total: Piece | None = None
    safeguards: list[dict[str, Piece | bool]] = field(default_factory=list)
    unmapped: list[tuple[str, Piece]] = field(default_factory=list)  # (label, value)
    # Columns under a header the label table does not know, of a block or a funding grid:
    # (block, header) → the column, with its values in row order.
    extra_columns: dict[tuple[str, str], ExtraColumn] = field(default_factory=dict)

    @property
    def project_name(self) -> str:
        p = self.values.get("fields.project_name")
        return p.text if p else ""


def _bbox_union(boxes) -> tuple[float, float, float, float]:
    boxes = list(boxes)
    return (
        round(min(b[0] for b in boxes), 2),
        round(min(b[1] for b in boxes), 2),
        round(max(b[2] for b in boxes), 2),
        round(max(b[3] for b in boxes), 2),
    )


def piece_of(lines: list[Line], page: int, cell: Cell | None, **kw) -> Piece:
    text = join_lines([ln.text for ln in lines])
    if lines:
        bbox = _bbox_union(ln.bbox for ln in lines)
    elif cell is not None:
        bbox = cell.bbox
    else:
        bbox = (0.0, 0.0, 0.0, 0.0)
    conf = min((ln.confidence for ln in lines), default=cell.confidence if cell else 1.0)
    method = cell.method if cell is not None else "text"
    return Piece(text=text, page=page, bbox=bbox, cell=cell, lines=list(lines), confidence=conf, method=method, **kw)


_YEAR_LINE = re.compile(r"[（(]?\d{4}年度?[）)]?")  # "（2024年）" alone (spaces squashed)


def cell_text(cell: Cell) -> str:
    return join_lines([ln.text for ln in cell.lines])


# ------------------------------------------------------------------------------------ labels


def label_match(text: str, fuzzy: bool = True) -> Match | None:
    t = text.strip()
    if not t or len(t) > 30:
        return None
    return TABLE.match(t, fuzzy=fuzzy)


def inline_segments(cell: Cell) -> list[tuple[Match | None, str, list[Line]]] | None:
    """Split a cell whose lines start with their own labels ("依据：…", "必要性：…")."""
    segs: list[tuple[Match | None, str, list[Line]]] = []
    for ln in cell.lines:
        sp = split_label(ln.text)
        m = label_match(sp[0], fuzzy=False) if sp else None
        if sp and m and m.kind != "sections":
            rest = sp[1]
            first = [Line(text=rest, bbox=ln.bbox, size=ln.size, confidence=ln.confidence)] if rest.strip() else []
            segs.append((m, sp[0], first))
        elif segs:
            segs[-1][2].append(ln)
        else:
            segs.append((None, "", [ln]))
    if not any(m for m, _, _ in segs):
        return None
    return segs


# ------------------------------------------------------------------------------------ sheets


def sheets_of(doc: Document) -> list[Sheet]:
    sheets: list[Sheet] = []
    for page in doc.pages:
        if page.title or page.form_start or not sheets:
            base, name = classify.title_parts(page.title or "")
            year = None
            for ln in page.lines:
                if page.tables and ln.bbox[1] > page.tables[0].bbox[1]:
                    break
                year = year or classify.year_of(ln.text)
            sheets.append(Sheet(pages=[page], title=base if page.title else None, sheet_name=name, year=year))
        else:
            sheets[-1].pages.append(page)
    for sh in sheets:
        SheetReader(sh).read()
    return sheets


class SheetReader:
    """Reads one sheet's lines and tables into its Sheet."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.mode = "kv"
        self.columns: list[tuple[str, float, float]] = []  # (role, x0, x1) of the block's header
        self.funding_ctx: str | None = None  # "total" | "annual": the last one seen
        # Where the total and annual labels stand (x0, x1), so that a "其中：财政资金" in the same
        # column group belongs to the one above it even when both stand side by side.
        self.funding_cols: list[tuple[str, float, float]] = []
        self.pending_below: list[tuple[Match, str, float, float]] = []
        # Column headers of a funding cross table (中期资金总额 | 年度资金总额 over rows 资金总额 /
        # 其中：财政拨款 / 其他资金): (total|annual, x0, x1), kept while its rows last.
        self.cross_cols: list[tuple[str, float, float]] = []
        self.carry: dict[str, Piece] = {}  # level1 / level2 carried down and over page breaks
        self.table_pad: float | None = None
        self.kept_cells: set[int] = set()  # cells whose values are kept with an unknown column
        self.subheader_rows = 0  # rows still to come of a funding grid's header (see funding_grid)
        self.row_assigned: str | None = None  # the path the current table row gave a value
        # The label/value row that ended the previous table: its value may go on at the top of
        # the next page (see continue_value).
        self.open_value: str | None = None

    # -- assignment
    def assign(self, m: Match, label: str, piece: Piece, label_box: tuple | None = None) -> None:
        piece.label = label
        if m.kind == "fields":
            path = f"fields.{m.key}"
        elif m.kind == "funding":
            path = f"funding.{m.key}"
            self.note_unit(label)
            if m.key in ("total", "annual"):
                self.funding_ctx = m.key
                if label_box is not None:
                    self.funding_cols.append((m.key, label_box[0], label_box[2]))
        elif m.kind == "funding_contextual":
            path = f"funding.{self.context_of(label_box)}_{m.key}"
        else:
            return
        if m.kind == "fields":
            self.funding_ctx = None
        self.row_assigned, self.open_value = path, None
        if path not in self.sheet.values:
            self.sheet.values[path] = piece
        elif piece.text and piece.text != self.sheet.values[path].text:
            self.sheet.unmapped.append((f"{label} (second value)", piece))

    def note_unit(self, text: str) -> None:
        """The sheet's money unit, from the first text that names one."""
        self.sheet.unit = self.sheet.unit or unit_in(text)

    def form_header(self, text: str) -> bool:
        """A title, year or money-unit line printed inside the table: read, not a value."""
        if classify.is_title(text):
            return True
        squashed = classify.squash(text)
        if _YEAR_LINE.fullmatch(squashed):
            self.sheet.year = self.sheet.year or classify.year_of(squashed)
            return True
        sp = split_label(text)
        if sp:
            m = label_match(sp[0], fuzzy=False)
            if m and m.kind == "sections" and m.key == "amount_unit":
                self.note_unit(sp[1])
                return True
        return False

    def context_of(self, box: tuple | None) -> str:
        """total or annual for a contextual funding label: the group in its column, else the last."""
        if box is not None:
            for key, x0, x1 in reversed(self.funding_cols):
                if _overlap(x0, x1, box[0], box[2]) > 0.5 * min(x1 - x0, box[2] - box[0]):
                    return key
        return self.funding_ctx or "annual"

    def section(self, m: Match, text: str) -> None:
        if m.key == "funding":
            self.note_unit(text)
        elif m.key != "amount_unit":
            self.funding_ctx = None

    # -- free lines (outside tables): "项目名称：…", "金额单位：元", "填报单位（盖章）："
    def read_lines(self, page: Page) -> None:
        lines = [ln for ln in page.lines if ln.text != page.title and not classify.is_title(ln.text)]
        skip = set()
        for i, ln in enumerate(lines):
            if i in skip:
                continue
            sp = split_label(ln.text) or _split_at_gap(ln.text)
            if not sp:
                continue
            m = label_match(sp[0])
            if not m:
                continue
            value_lines = [Line(text=sp[1], bbox=ln.bbox, size=ln.size)] if sp[1].strip() else []
            if not value_lines and i + 1 < len(lines):
                nxt = lines[i + 1]
                same_row = abs(nxt.bbox[1] - ln.bbox[1]) < ln.size * 0.6 and nxt.bbox[0] > ln.bbox[2]
                if same_row and not split_label(nxt.text):
                    value_lines = [nxt]
                    skip.add(i + 1)
            if m.kind == "sections":
                if m.key == "amount_unit":
                    self.note_unit(sp[1])
                continue
            piece = piece_of(value_lines, page.number, None)
            if not value_lines:
                piece.bbox = tuple(round(v, 2) for v in ln.bbox)
            self.assign(m, sp[0], piece)

    # -- tables
    def read(self) -> None:
        for page in self.sheet.pages:
            self.read_lines(page)
            for k, table in enumerate(page.tables):
                self.read_table(table, first_on_page=k == 0)

    def read_table(self, table: Table, first_on_page: bool = False) -> None:
        # The usual left padding of text in this table: truncation checks compare a cell's text
        # with it (pieces made from this table carry it, see ``piece``).
        self.table_pad = table_padding(table)
        self._read_rows(table, first_on_page)
        self.open_value = self.row_assigned if self.mode == "kv" else None

    def continue_value(self, page: int, row: list[Cell]) -> bool:
        """The top row of a page whose label column is empty beside one text cell, after a page
        whose table ended on a label/value row: the rest of that value, cut by the page break
        (部门职能概述 … "及时向市政府领" | "导报告，…"). Joined to it, so the value is whole."""
        head = self.sheet.values.get(self.open_value) if self.open_value else None
        if head is None or page <= head.page or not row or row[0].col != 0 or row[0].lines:
            return False
        texts = [c for c in row if c.lines]
        if len(texts) != 1 or _is_label_cell(texts[0]) or _label_shaped(texts[0]):
            return False
        self.sheet.values[self.open_value] = _joined(head, self.piece(texts[0].lines, page, texts[0]))
        self.row_assigned = self.open_value  # a value going on over one more page stays open
        return True

    def piece(self, lines: list[Line], page: int, cell: Cell, **kw) -> Piece:
        """A value read from the current table's cell."""
        return piece_of(lines, page, cell, pad=self.table_pad, **kw)

    def _read_rows(self, table: Table, first_on_page: bool = False) -> None:
        starts: dict[int, list[Cell]] = {}
        for c in table.cells:
            starts.setdefault(c.row, []).append(c)
        skip_until = 0
        for r in range(table.n_rows):
            if r < skip_until:
                continue
            row = sorted(starts.get(r, []), key=lambda c: c.col)
            covering = sorted((c for c in table.cells if c.row <= r < c.row + c.rowspan), key=lambda c: c.bbox[0])
            self.row_assigned = None
            if r == 0 and first_on_page and self.mode == "kv" and self.continue_value(table.page, row):
                continue
            if _is_heading_row(row, table.n_cols):
                self.mode = "kv"  # the title of the part below: whatever block ran has ended
                continue
            block = self.header_block(row)
            if block:
                self.start_block(block, row, table.page)
                continue
            if self.subheader_rows:
                self.subheader_rows -= 1
                self.read_subheader(table.page, row)
                continue
            if self.mode == "kv" and self.funding_grid(row, table.page):
                continue
            if self.mode == "kv" and (n := self.unknown_group(table, r, row)):
                skip_until = r + n
                continue
            if self.mode != "kv" and self.read_block_row(table.page, row, covering):
                continue
            self.mode = "kv"
            self.read_kv_row(table.page, row)

    # -- blocks
    _BLOCKS = (
        ("indicators", "indicator_columns", ({"level3", "target"}, {"level1", "level2", "level3"})),
        ("cost", "cost_columns", ({"detail", "amount"}, {"project", "activity", "amount"})),
        ("safeguards", "safeguard_columns", ({"document", "measures"}, {"system", "stages"})),
    )

    def header_block(self, row: list[Cell]) -> tuple[str, str, list[tuple[str, Cell]]] | None:
        for mode, kind, needs in self._BLOCKS:
            roles = []
            for c in row:
                key = TABLE.column(cell_text(c), kind)
                if key:
                    roles.append((key, c))
            found = {k for k, _ in roles}
            if any(n <= found for n in needs):
                return mode, kind, roles
        return None

    def start_block(self, block, row: list[Cell], page: int) -> None:
        mode, _kind, roles = block
        self.mode = mode
        cols: list[tuple[str, float, float]] = []
        prev = None
        n_targets = sum(key == "target" for key, _ in roles)
        for key, c in sorted(roles, key=lambda kc: kc[1].bbox[0]):
            if key == "basis":
                # 依据 after 单价 is the price's, after 数量 the quantity's (two columns, one header).
                key = "quantity_basis" if prev == "quantity" else "price_basis"
            elif key == "target" and n_targets > 1:
                key = f"{TARGET_COL}{cell_text(c)}"  # one of several value columns, by its header
            cols.append((key, c.bbox[0], c.bbox[2]))
            prev = key
        # A header the block does not know keeps its column: its values become flags, not losses.
        # A blank header's column is named by its content (a level name); a section label that
        # spans the rows beside the block (绩效指标, or any cell reaching below the header: 长期绩效
        # 指标) is no column at all.
        known = {id(c) for _, c in roles}
        header_rows = max(c.rowspan for _, c in roles)
        for c in row:
            text = cell_text(c)
            if id(c) in known or _is_section(text) or c.rowspan > header_rows:
                continue
            if not text:
                cols.append((UNNAMED, c.bbox[0], c.bbox[2]))
            elif not label_match(text, fuzzy=False):
                cols.append((f"{EXTRA}{text}", c.bbox[0], c.bbox[2]))
                self.sheet.extra_columns.setdefault((mode, text), ExtraColumn(page))
        self.columns = cols
        self.stage_names: dict[float, str] = {}

    def role_of(self, cell: Cell) -> str | None:
        best, best_ov = None, 0.0
        for role, x0, x1 in self.columns:
            ov = min(x1, cell.bbox[2]) - max(x0, cell.bbox[0])
            if ov > best_ov + 0.5:
                best, best_ov = role, ov
        width = cell.bbox[2] - cell.bbox[0]
        return best if best_ov >= 0.5 * min(width, 1e9) or best_ov > 3 else None

    def read_block_row(self, page: int, row: list[Cell], covering: list[Cell]) -> bool:
        """One data row of the current block; False when the row ends the block."""
        # A row that starts with a label of the running text ends the block.
        for c in row:
            m = label_match(cell_text(c), fuzzy=False)
            if m and m.kind in ("fields", "funding") and self.mode != "cost":
                return False
        cells: dict[str, list[Cell]] = {}
        for c in covering:
            role = self.role_of(c)
            if role:
                cells.setdefault(role, []).append(c)
        if self.mode == "indicators":
            return self.indicator_row(page, cells)
        if self.mode == "cost":
            return self.cost_row(page, row, cells)
        return self.safeguard_row(page, cells)

    def _extras(self, page: int, cells: dict[str, list[Cell]]) -> dict[str, Piece]:
        return {role: self._piece(page, cs) for role, cs in cells.items() if role.startswith(EXTRA)}

    def keep_extras(self, rec: dict) -> None:
        """A block row's values under unknown headers, kept with their column (rows with nothing
        else in them too: a value is never dropped)."""
        for role, p in rec.items():
            if role.startswith(EXTRA) and isinstance(p, Piece) and p.text:
                self.keep_extra(self.mode, role[len(EXTRA) :], p)

    def keep_extra(self, block: str, header: str, p: Piece) -> None:
        if p.cell is not None:
            if id(p.cell) in self.kept_cells:
                return  # a merged cell covers several rows: one value
            self.kept_cells.add(id(p.cell))
        col = self.sheet.extra_columns.setdefault((block, header), ExtraColumn(p.page))
        col.values.append(p.text)

    def forget_extra_column(self, header: str) -> None:
        """An unknown column found to be a value column: no longer unknown (unless it already
        holds values, which its flag must keep)."""
        col = self.sheet.extra_columns.get((self.mode, header))
        if col is not None and not col.values:
            del self.sheet.extra_columns[(self.mode, header)]

    def _piece(self, page: int, cs: list[Cell]) -> Piece:
        # Two columns with one role (三级指标 for the long term and for the year): the first that
        # is filled in this row.
        c = next((c for c in cs if c.lines), cs[0])
        return self.piece(c.lines, page, c)

    def indicator_row(self, page: int, cells: dict[str, list[Cell]]) -> bool:
        rec: dict[str, Piece] = self._extras(page, cells)
        for role in ("level1", "level2", "level3", "target", "unit", "remark"):
            if role in cells:
                rec[role] = self._piece(page, cells[role])
        for c in sorted(cells.get(UNNAMED, []), key=lambda c: c.bbox[0]):
            level = _level_of(cell_text(c), taken=rec)
            if level:
                rec[level] = self.piece(c.lines, page, c)
        self.value_columns(rec)
        self.keep_extras(rec)
        for role, _, _ in self.columns:  # the form's left-to-right order ("the first" value column)
            if role.startswith(TARGET_COL) and role in cells:
                rec[role] = self._piece(page, cells[role])
        if not any(p.text for k, p in rec.items() if k in ("level3", "target") or k.startswith(TARGET_COL)):
            return True  # an empty or spacer row
        for lvl in ("level1", "level2"):
            if rec.get(lvl) and rec[lvl].text:
                self.carry[lvl] = rec[lvl]
                if lvl == "level1":
                    self.carry.pop("level2", None)
            elif lvl in self.carry:
                rec[lvl] = self.carry[lvl]
        self.sheet.indicators.append(rec)
        return True

    def value_columns(self, rec: dict[str, Piece]) -> None:
        """Where no header names a value column, columns whose headers the table does not know (one
        per site: 西坪镇尧山村 | 桃舟乡吾培村 …) and whose cells read as targets (≥90%, 100, 3次) are
        the value columns: each becomes a target under its header, for the rest of the block."""
        if "target" in rec or any(role.startswith(TARGET_COL) for role, _, _ in self.columns):
            return
        extras = [k for k, p in rec.items() if k.startswith(EXTRA)]
        if len(extras) >= 2 and all(parse_target(rec[k].text)[1] is not None for k in extras):
            self.columns = [
                (f"{TARGET_COL}{r[len(EXTRA) :]}" if r in extras else r, x0, x1) for r, x0, x1 in self.columns
            ]
            for k in extras:
                rec[f"{TARGET_COL}{k[len(EXTRA) :]}"] = rec.pop(k)
                self.forget_extra_column(k[len(EXTRA) :])

    def cost_row(self, page: int, row: list[Cell], cells: dict[str, list[Cell]]) -> bool:
        total_word = any(TABLE.column(cell_text(c), "cost_columns") == "total_row" for c in row)
        if total_word:
            if "amount" in cells:
                self.sheet.cost_total = self._piece(page, cells["amount"])
            self.mode = "kv"
            return True
        rec = {role: self._piece(page, cs) for role, cs in cells.items()}
        self.keep_extras(rec)
        if any(p.text for p in rec.values()):
            self.sheet.cost_items.append(rec)
        return True

    def safeguard_row(self, page: int, cells: dict[str, list[Cell]]) -> bool:
        from .values import ticked

        stage_cells = sorted(cells.get("stages", []), key=lambda c: c.bbox[0])
        texts = [cell_text(c) for c in stage_cells]
        if stage_cells and not any(ticked(t) for t in texts) and all(_stage_of(t) for t in texts):
            # A sub-header naming the stages; the ticks come in the rows below.
            self.stage_names = {c.bbox[0]: _stage_of(t) for c, t in zip(stage_cells, texts)}
            return True
        rec: dict[str, Piece | bool] = dict(self._extras(page, cells))
        self.keep_extras(rec)
        for role in ("system", "document", "measures"):
            if role in cells:
                rec[role] = self._piece(page, cells[role])
        order = ["stage_planning", "stage_implementation", "stage_closing"]
        for i, (c, t) in enumerate(zip(stage_cells, texts)):
            stage = _stage_of(t) or self.stage_names.get(c.bbox[0]) or (order[i] if i < 3 else None)
            if stage:
                rec[stage] = ticked(t)
        if any(isinstance(v, Piece) and v.text for v in rec.values()):
            self.sheet.safeguards.append(rec)
        return True

    # -- label / value rows
    def read_kv_row(self, page: int, row: list[Cell]) -> None:
        below = self.pending_below
        self.pending_below = []
        i = 0
        labels_in_row: list[tuple[Match, str, Cell]] = []
        all_labels = True
        while i < len(row):
            c = row[i]
            text = cell_text(c)
            if not text or self.form_header(text):
                i += 1
                continue
            m = label_match(text, fuzzy=(i == 0 or text.rstrip().endswith(("：", ":"))))
            if m is None and self.cross_cols:
                m = _grid_row_label(text)
            if m and m.kind == "sections":
                self.section(m, text)
                i += 1
                continue
            if m is None and _groups_rows(c, row[i + 1 :]):
                i += 1  # a section label spanning the rows it groups (项目绩效目标): no value of its own
                continue
            if m and m.kind == "fields":
                self.cross_cols = []
            if m:
                j = i + 1
                vals: list[Cell] = []
                while j < len(row) and not _is_label_cell(row[j]) and not (vals and _label_shaped(row[j])):
                    vals.append(row[j])
                    j += 1
                if vals:
                    self.label_values(m, text, page, c, vals)
                else:
                    labels_in_row.append((m, text, c))
                i = j
                continue
            all_labels = False
            hit = next((b for b in below if _overlap(b[2], b[3], c.bbox[0], c.bbox[2]) > 0), None)
            if hit:
                self.assign(hit[0], hit[1], self.piece(c.lines, page, c), (hit[2], 0.0, hit[3], 0.0))
                i += 1
                continue
            segs = inline_segments(c)
            if segs:
                n = len(segs)
                for k, (sm, label, lines) in enumerate(segs):
                    piece = self.piece(lines, page, c, first=(k == 0), last=(k == n - 1))
                    if sm is None:
                        if piece.text:
                            self.sheet.unmapped.append(("", piece))
                    else:
                        self.assign(sm, label, piece, c.bbox)
                i += 1
                continue
            # A cell that is neither a known label nor the value of one.
            nxt = row[i + 1] if i + 1 < len(row) else None
            # a label whose value is beside it, or a label-shaped one whose value cell is empty
            has_value = nxt is not None and (bool(nxt.lines) or _label_shaped(c))
            if has_value and not _is_label_cell(nxt) and _looks_like_label(text):
                self.sheet.unmapped.append((text, self.piece(nxt.lines, page, nxt)))
                i += 2
            else:
                self.sheet.unmapped.append(("", self.piece(c.lines, page, c)))
                i += 1
        if labels_in_row and all_labels:
            self.pending_below = [(m, t, c.bbox[0], c.bbox[2]) for m, t, c in labels_in_row]
            heads = [
                (m.key, c.bbox[0], c.bbox[2])
                for m, _, c in labels_in_row
                if m.kind == "funding" and m.key in ("total", "annual")
            ]
            if len(heads) == len(labels_in_row) >= 2:
                self.cross_cols = heads
                for _, t, _ in labels_in_row:
                    self.note_unit(t)
        else:
            for m, t, c in labels_in_row:  # a label whose value cell is absent: present but empty
                self.assign(m, t, self.piece([], page, c), c.bbox)

    def funding_grid(self, row: list[Cell], page: int) -> bool:
        """The header row of a funding grid whose rows name their own amounts (当年金额 | 近两年收支
        金额 | 占比 over rows 财政拨款 / 基本支出 / 合计): each row label's value stands under the
        amount header; a column under a header the table does not know keeps its values for one
        flag. A cell spanning the header and the rows below (部门总体资金情况 / 单位：万元) groups
        them and may name the money unit. False when the row is no such header; a row of total
        and annual headers alone is the cross table read_kv_row knows."""
        cells = [c for c in row if cell_text(c)]
        amounts = [c for c in cells if _amount_header(cell_text(c))]
        if not amounts:
            return False
        height = max(c.rowspan for c in amounts)  # the header's own rows
        heads = sorted((c for c in cells if c.rowspan <= height), key=lambda c: c.bbox[0])
        groups = [c for c in cells if c.rowspan > height]
        if any(g.bbox[2] > heads[0].bbox[0] + 0.5 for g in groups):
            return False  # a group label stands left of the columns it groups
        unknown = [c for c in heads if not _amount_header(cell_text(c))]
        if not all(_header_shaped(cell_text(c)) for c in unknown):
            return False
        if not unknown and not any(TABLE.column(cell_text(c), "funding_columns") for c in amounts):
            return False
        self.cross_cols = []
        for c in heads:
            text = cell_text(c)
            role = _amount_header(text)
            if role is None:
                role = f"{EXTRA}{text}"
                self.sheet.extra_columns.setdefault(("funding", text), ExtraColumn(page))
            self.cross_cols.append((role, c.bbox[0], c.bbox[2]))
        for c in cells:
            self.note_unit(cell_text(c))
        self.subheader_rows = height - 1
        return True

    def unknown_group(self, table: Table, r: int, row: list[Cell]) -> int:
        """A label the table does not know spanning rows that hold no label the table knows (项目
        实施进度计划 beside its own columns 项目实施内容 | 开始时间 | 完成时间 and their rows): a part
        of the form SPEC has no key for. One unmapped_label for it, whose detail keeps every row
        beside it; the rows it spans are read. The number of rows, or 0 for no such label."""
        c = row[0] if row else None
        if c is None or c.rowspan < 2 or not c.lines:
            return 0
        text = cell_text(c)
        if label_match(text) is not None or not _looks_like_label(text):
            return 0
        beside = [
            sorted((x for x in table.cells if x.row == k and x is not c), key=lambda x: x.col)
            for k in range(r, r + c.rowspan)
        ]
        if any(_is_label_cell(x) for rw in beside for x in rw) or any(self.header_block(rw) for rw in beside):
            return 0
        lines = [ln for rw in beside for x in rw for ln in x.lines]
        piece = self.piece(lines, table.page, c)
        piece.text = " | ".join(" ".join(cell_text(x) for x in rw if x.lines) for rw in beside if rw)
        self.sheet.unmapped.append((text, piece))
        self.pending_below = []
        return c.rowspan

    def read_subheader(self, page: int, row: list[Cell]) -> None:
        """A further header row of a funding grid (年 | 年 under 近两年收支金额): kept with the
        unknown column it stands under, else reported."""
        for c in row:
            if not c.lines:
                continue
            piece = self.piece(c.lines, page, c)
            col = self.cross_col_of(c)
            if col and col.startswith(EXTRA):
                self.keep_extra("funding", col[len(EXTRA) :], piece)
            else:
                self.sheet.unmapped.append(("", piece))

    def cross_col_of(self, c: Cell) -> str | None:
        return next((k for k, x0, x1 in self.cross_cols if _overlap(x0, x1, c.bbox[0], c.bbox[2]) > 0), None)

    def label_values(self, m: Match, label: str, page: int, label_cell: Cell, vals: list[Cell]) -> None:
        """The value cells right of a label: one value per column header in a funding cross
        table, else one value made of the filled cells."""
        filled = [v for v in vals if v.lines]
        if filled and self.cross(m, label, page, filled):
            return
        src = filled or vals[:1]
        piece = self.piece([ln for v in src for ln in v.lines], page, src[0])
        if len(src) > 1:
            piece.bbox = _bbox_union(v.bbox for v in src)
        self.assign(m, label, piece, label_cell.bbox)

    def cross(self, m: Match, label: str, page: int, vals: list[Cell]) -> bool:
        """A row label of a funding cross table: one value per column header, each its own key
        (其中：财政拨款 × 年度资金总额 → annual_fiscal). False when the row is no such row."""
        if not self.cross_cols or m.kind not in ("funding", "funding_contextual"):
            return False
        placed = []
        for v in vals:
            col = self.cross_col_of(v)
            if col is None:
                return False
            key = col if col.startswith(EXTRA) else self.cross_key(m, col)
            if key is None:
                return False
            placed.append((key, v))
        for key, v in placed:
            piece = self.piece(v.lines, page, v)
            if key.startswith(EXTRA):  # a column the table does not know (占比): kept for its flag
                self.keep_extra("funding", key[len(EXTRA) :], piece)
                continue
            piece.label = label
            self.sheet.values.setdefault(f"funding.{key}", piece)
        self.note_unit(label)
        return True

    def cross_key(self, m: Match, col: str) -> str | None:
        """The funding key of a row label under a column header: under an amount column (当年金额)
        the label's own key, a shared label (财政拨款) read in the running context."""
        if col != AMOUNT:
            return _cross_key(m, col)
        return f"{self.context_of(None)}_{m.key}" if m.kind == "funding_contextual" else m.key


def _joined(head: Piece, tail: Piece) -> Piece:
    """One value from its part before a page break and its rest after it. It points back to where
    it starts; its end (the cell that closes it) is what the truncation checks look at."""
    return Piece(
        text=join_lines([head.text, tail.text]),
        page=head.page,
        bbox=head.bbox,
        cell=tail.cell,
        lines=head.lines + tail.lines,
        first=tail.first,  # first/last: of the value in ``cell``, the one that closes it
        last=tail.last,
        label=head.label,
        method=head.method if head.method == tail.method else tail.method,
        confidence=min(head.confidence, tail.confidence),
        pad=tail.pad,
    )


def _cross_key(m: Match, col: str) -> str | None:
    """The funding key of a row label under a total or annual column header."""
    if m.kind == "funding_contextual":
        return f"{col}_{m.key}"
    if m.key in ("total", "annual"):
        return col
    rest = m.key.split("_", 1)[1] if m.key.startswith(("total_", "annual_")) else None
    key = f"{col}_{rest}" if rest else m.key
    return key if key in schema.FUNDING_KEYS else None


def _amount_header(text: str) -> str | None:
    """The role of a funding grid's column header that holds amounts: the amount column (当年金额)
    or a total / annual header (中期资金总额 | 年度资金总额); None for any other text."""
    if TABLE.column(text, "funding_columns") == "amount":
        return AMOUNT
    m = label_match(text, fuzzy=False)
    return m.key if m and m.kind == "funding" and m.key in ("total", "annual") else None


def _header_shaped(text: str) -> bool:
    """A column header the label table does not know (占比, 近两年收支金额): short words, no
    digits, not a label of the running text."""
    return _looks_like_label(text) and label_match(text, fuzzy=False) is None


def _grid_row_label(text: str) -> Match | None:
    """A row label that names a funding key only inside a funding grid (合计 → total)."""
    key = TABLE.column(text, "funding_rows")
    return Match("funding", key, 1.0, "exact") if key else None


def _label_shaped(c: Cell) -> bool:
    """A label the table does not know: it ends the value before it (see [label_shape])."""
    return TABLE.label_shaped(cell_text(c))


def _is_section(text: str) -> bool:
    """A section label (绩效指标, 项目绩效目标 …): groups rows, is never a value or a level."""
    m = label_match(text, fuzzy=False) if text else None
    return m is not None and m.kind == "sections"


def _is_heading_row(row: list[Cell], n_cols: int) -> bool:
    """A row that is one cell across the whole table holding a heading (绩效项目指标表): the title
    of the part below, neither a value nor a label. (Section names and form titles in such a row
    are read as a label row is: they may name the money unit.)"""
    if len(row) != 1 or row[0].colspan < n_cols:
        return False
    return TABLE.heading_shaped(cell_text(row[0]))


def _level_of(text: str, taken: dict) -> str | None:
    """level1 or level2 for a cell under a blank header, from its vocabulary (产出指标 → level1,
    数量指标 → level2); the first free level whose vocabulary the name carries, else None."""
    t = labels_mod.normalise(text)
    if not t or len(t) > 14 or _is_section(text):
        return None
    for level in ("level1", "level2"):
        if level in taken:
            continue
        code = TABLE.level_code(t, int(level[-1]))
        if code and code != "other":
            return level
    return None


def _groups_rows(c: Cell, right: list[Cell]) -> bool:
    """A cell that spans rows with labels of their own beside it: a section label (项目绩效目标,
    绩效指标, 项目资金) whatever its wording, never a label whose value is beside it. One that
    opens with a known section name may go on with a note of its own (项目资金 / 预算执行 / 10分)."""
    if c.rowspan < 2 or not any(_is_label_cell(x) for x in right):
        return False
    opens_with_section = bool(c.lines) and _is_section(c.lines[0].text)
    return opens_with_section or _looks_like_label(cell_text(c))


def _stage_of(text: str) -> str | None:
    t = labels_mod.normalise(text)
    if "收尾" in t or "完成" in t:
        return "stage_closing"
    if "立项" in t or "计划" in t:
        return "stage_planning"
    if "实施" in t:
        return "stage_implementation"
    return None


def _is_label_cell(c: Cell) -> bool:
    text = cell_text(c)
    m = label_match(text, fuzzy=text.rstrip().endswith(("：", ":")))
    return m is not None


def _looks_like_label(text: str) -> bool:
    t = text.strip()
    return 2 <= len(t) <= 16 and not any(ch.isdigit() for ch in t)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def table_padding(table: Table) -> float | None:
    """The left padding the table's text keeps from the rulings, or None.

    Wrapped lines are the evidence: the first two lines of a cell that start at one x were broken
    because the next word did not fit, so they start at the padding (left-aligned text exactly,
    centred text within half a character). Single lines say little: centred labels sit far
    inside, and a cut line runs into the padding. A low quantile keeps a stray cell out."""
    wrapped = sorted(
        c.lines[0].bbox[0] - c.bbox[0]
        for c in table.cells
        if len(c.lines) >= 2 and abs(c.lines[0].bbox[0] - c.lines[1].bbox[0]) <= 0.5
    )
    gaps = [g for g in wrapped if 0 <= g <= 8]
    return gaps[len(gaps) // 10] if gaps else None


def _split_at_gap(text: str) -> tuple[str, str] | None:
    """("填报单位（盖章）", "上海市…") from "填报单位（盖章） 上海市…": a line outside the tables
    whose colon is lost (a scan's "：" read as a blank) or never printed. Only a label the table
    knows makes it a label and its value: the caller matches the head, as for "label：value"."""
    head, sep, rest = text.strip().partition(" ")
    if not sep or not rest.strip() or len(head) > 24:
        return None
    return head, rest.strip()
