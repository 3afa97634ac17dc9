"""The landing files: how a world is rendered as JSON lines, laid out in files and written.

Reading lines are formatted with plain string templates (a million lines in seconds) rather
than json.dumps per line; they are valid JSON because every value is a number or an ASCII email
or UUID. Lines are written in time order, each file a stretch of time, so a file interleaves
many customers like the real extract.
"""

from __future__ import annotations

import random
import shutil
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate, pairwise
from pathlib import Path

from tqdm import tqdm

from stedi.contract import ACCELEROMETER, CUSTOMER, STEP_TRAINER, Entity
from stedi.generate.world import (
    DEVICE_SERIAL,
    DISTANCE,
    HOUR,
    READING_TIME,
    TIMESTAMP,
    TRIPLES,
    USER,
    CustomerRecord,
    Extra,
    Person,
    World,
    X,
    Y,
    Z,
)

XYZ = tuple(f',"{X}":{x},"{Y}":{y},"{Z}":{z}}}' for x, y, z in TRIPLES)

# One group of clean lines at a moment: (user or serial as written, values), one line per value:
# the TRIPLES index of each accelerometer reading, or the one distance a device read.
Row = tuple[str, tuple[int, ...]]
Render = Callable[[str, str, int], str]


def accelerometer_line(user: str, stamp: str, triple: int) -> str:
    return f'{{"{USER}":"{user}","{TIMESTAMP}":{stamp}{XYZ[triple]}'


def step_trainer_line(serial: str, stamp: str, distance: int) -> str:
    return f'{{"{READING_TIME}":{stamp},"{DEVICE_SERIAL}":"{serial}","{DISTANCE}":{distance}}}'


@dataclass
class ReadingFile:
    """One reading file: a stretch of moments, its defect lines, and the names it is delivered as."""

    names: list[str]  # two names when the file is delivered twice
    slots: list[int]
    clean_lines: int
    extras: list[Extra]
    tail: str | None = None  # a truncated last line, written without a line end

    @property
    def lines(self) -> int:
        """Lines of one copy, as a reader counts them."""
        return self.clean_lines + len(self.extras) + (self.tail is not None)


@dataclass
class ReadingStream:
    """An entity's lines by moment, split into files."""

    entity: Entity
    render: Render
    rows: dict[int, list[Row]]
    extras: dict[int, list[Extra]]
    files: list[ReadingFile]


@dataclass
class Layout:
    """Every landing file to write, decided before anything is written."""

    customer_file: str
    customer_records: list[CustomerRecord]  # in file order; a cut-off record comes last
    readings: tuple[ReadingStream, ReadingStream]  # accelerometer, step trainer


def plan_layout(world: World) -> Layout:
    """File names, file contents and their order; the same world always gives the same layout.

    File names carry an epoch-ms moment in the hours after the end date (the export), derived
    from the seed, never from the clock."""
    rng = random.Random(f"files:{world.settings.seed}")
    export = world.end_ms + rng.randrange(HOUR, 6 * HOUR)
    return Layout(
        customer_file=CUSTOMER.file_name(export),
        customer_records=customer_records_in_file_order(world, rng),
        readings=(
            reading_stream(
                world, ACCELEROMETER, accelerometer_line, accelerometer_rows(world.persons), export, rng
            ),
            reading_stream(
                world, STEP_TRAINER, step_trainer_line, step_trainer_rows(world.persons), export, rng
            ),
        ),
    )


def customer_records_in_file_order(world: World, rng: random.Random) -> list[CustomerRecord]:
    records = [record for person in world.persons for record in person.records]
    whole = [record for record in records if not record.cut_off] + world.stray_customer_records
    rng.shuffle(whole)
    return whole + [record for record in records if record.cut_off]


def accelerometer_rows(persons: list[Person]) -> dict[int, list[Row]]:
    rows: defaultdict[int, list[Row]] = defaultdict(list)
    for person in persons:
        for instant, triples in zip(person.instants, person.triples, strict=True):
            rows[instant].append((person.user_at(instant), triples))
    return rows


def step_trainer_rows(persons: list[Person]) -> dict[int, list[Row]]:
    rows: defaultdict[int, list[Row]] = defaultdict(list)
    for person in persons:
        for time, distance in person.steps.items():
            rows[time].append((person.serial, (distance,)))
    return rows


def reading_stream(
    world: World, entity: Entity, render: Render, rows: dict[int, list[Row]], export: int, rng: random.Random
) -> ReadingStream:
    """Split the entity's moments into files of about equal size; the last one may be cut off."""
    extras: defaultdict[int, list[Extra]] = defaultdict(list)
    for extra in world.extras[entity.name]:
        extras[extra.slot].append(extra)
    slots = sorted(rows.keys() | extras.keys())
    sizes = [sum(len(values) for _, values in rows.get(slot, ())) for slot in slots]
    bounds = split_evenly(
        [size + len(extras.get(slot, ())) for slot, size in zip(slots, sizes, strict=True)],
        world.settings.files,
    )
    moment = export
    files = []
    for low, high in pairwise(bounds):
        moment += rng.randrange(1_000, 60_000)
        chunk = slots[low:high]
        files.append(
            ReadingFile(
                names=[entity.file_name(moment)],
                slots=chunk,
                clean_lines=sum(sizes[low:high]),
                extras=[extra for slot in chunk for extra in extras.get(slot, ())],
            )
        )
    files[-1].tail = world.cut_off.get(entity.name)
    if entity.name in world.delivered_twice:
        files[world.delivered_twice[entity.name]].names.append(entity.file_name(moment + HOUR))
    return ReadingStream(entity, render, rows, extras, files)


def split_evenly(sizes: list[int], parts: int) -> list[int]:
    """Bounds of `parts` consecutive runs of `sizes` with about equal sums."""
    cumulative = list(accumulate(sizes))
    total = cumulative[-1] if cumulative else 0
    cuts = [min(len(sizes), bisect_left(cumulative, total * k / parts) + 1) for k in range(1, parts)]
    return [0, *cuts, len(sizes)]


def write_layout(layout: Layout, out: Path) -> None:
    """Write every landing file under `out`, with a progress bar over the reading lines."""
    write_customer_file(out / CUSTOMER.prefix / layout.customer_file, layout.customer_records)
    total = sum(landing_file.lines for stream in layout.readings for landing_file in stream.files)
    with tqdm(total=total, unit=" lines", desc="readings", disable=None) as progress:
        for stream in layout.readings:
            folder = out / stream.entity.prefix
            folder.mkdir(parents=True, exist_ok=True)
            for landing_file in stream.files:
                first = folder / landing_file.names[0]
                write_reading_file(first, stream, landing_file, progress)
                for name in landing_file.names[1:]:
                    shutil.copyfile(first, folder / name)


def write_customer_file(path: Path, records: list[CustomerRecord]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(record.line() + ("" if record.cut_off else "\n") for record in records)
    path.write_text(text, encoding="utf-8", newline="")


def write_reading_file(path: Path, stream: ReadingStream, landing_file: ReadingFile, progress: tqdm) -> None:
    """Every slot holds at least one line, so no blank line is ever written."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        for slot in landing_file.slots:
            lines = slot_lines(stream, slot)
            handle.write("\n".join(lines) + "\n")
            progress.update(len(lines))
        if landing_file.tail is not None:
            handle.write(landing_file.tail)
            progress.update(1)


def slot_lines(stream: ReadingStream, slot: int) -> list[str]:
    stamp = str(slot)
    render = stream.render
    lines = [render(text, stamp, value) for text, values in stream.rows.get(slot, ()) for value in values]
    lines.extend(extra.line for extra in stream.extras.get(slot, ()))
    return lines
