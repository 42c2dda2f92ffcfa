"""Verification bundles: write the published ballot file of a closed ballot, and recount it.

A bundle is a zip holding:

- ``ballot.json``: the ballot (title, times), the tie-break seed, the number on the roll and the
  number who voted, and for each question its method, seats, quorum, threshold, rule name and
  version, choices, and the names of its ballots file and count sheet;
- ``questions/<n>.blt`` (ranked questions, written by :func:`~rankandfile.counting.blt.write_blt`)
  or ``questions/<n>.csv`` (approval and yes/no, one row per paper) with the anonymised papers,
  taken in order of receipt hash;
- ``results/<n>.json``: the count sheet of question ``n`` (:meth:`CountResult.to_json`);
- ``receipts.txt``: the receipt hash of every paper, sorted, so that each voter can check that
  their ballot is in the box;
- ``SHA256SUMS``: the SHA-256 of every other file, in ``sha256sum`` format (``sha256sum -c``
  checks it too).

Every CSV cell that a spreadsheet would run as a formula is written with a leading apostrophe
(:func:`csv_cell_escape`), and the recount removes it again before counting.

``rankandfile recount BUNDLE.zip`` (:func:`main`) checks the manifest, recounts every question
from its ballots file with the published rule and seed, and compares every published figure.
This module imports nothing from Django or the platform, only the counting rules. A bundle comes
from outside, so the recount reads at most :data:`MAX_ENTRY_BYTES` of any file in it and
:data:`MAX_TOTAL_BYTES` in all, whatever the zip declares (a "zip bomb" is refused, not read).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sys
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, cast

from rankandfile.counting.blt import BallotFormatError, Election, parse_blt, write_blt
from rankandfile.counting.cli import print_file_error
from rankandfile.counting.csvballots import (
    ApprovalBallots,
    YesNoBallots,
    parse_approval_csv,
    parse_yesno_csv,
)
from rankandfile.counting.result import CountResult, dumps_exact

BUNDLE_FORMAT = "rankandfile-ballot-bundle/1"
MANIFEST = "SHA256SUMS"
RANKED = frozenset({"irv", "scottish-stv", "ers97", "meek"})
METHODS = frozenset({*RANKED, "approval", "yesno"})
YES_NO_ANSWERS = ("yes", "no", "abstain")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
# Fixed member timestamps make the zip byte-for-byte reproducible from the same papers.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Far above any real bundle (its largest file is receipts.txt, 65 bytes a voter: 65 MB for a
# million voters) and far below what would exhaust the memory of the laptop that recounts.
MAX_ENTRIES = 10_000
MAX_ENTRY_BYTES = 128 * 2**20
MAX_TOTAL_BYTES = 512 * 2**20

# A paper's answer to one question: choice positions (1-based; most preferred first for ranked
# questions, the approved ones for approval) or "yes" / "no" / "abstain".
Answer = list[int] | str


@dataclass(frozen=True)
class QuestionSpec:
    position: int
    text: str
    method: str
    seats: int
    quorum: int
    threshold: Literal["simple", "two-thirds"]
    choices: tuple[str, ...]

    @property
    def ballots_file(self) -> str:
        return f"questions/{self.position}.{'blt' if self.method in RANKED else 'csv'}"

    @property
    def count_sheet(self) -> str:
        return f"results/{self.position}.json"


Parsed = Election | ApprovalBallots | YesNoBallots


def parsed_from_answers(spec: QuestionSpec, answers: Iterable[Answer]) -> Parsed:
    """The counting engine's ballots for one question, from papers' answers."""
    if spec.method in RANKED:
        return Election.from_rankings(
            spec.choices,
            spec.seats,
            ((tuple(p - 1 for p in cast(list[int], a)), 1) for a in answers),
            title=spec.text,
        )
    if spec.method == "approval":
        approvals: dict[frozenset[int], int] = {}
        for a in answers:
            key = frozenset(p - 1 for p in cast(list[int], a))
            approvals[key] = approvals.get(key, 0) + 1
        return ApprovalBallots(spec.choices, approvals)
    tally = {"yes": 0, "no": 0, "abstain": 0}
    for a in answers:
        tally[cast(str, a)] += 1
    return YesNoBallots(spec.text, tally["yes"], tally["no"], tally["abstain"])


def count_parsed(spec: QuestionSpec, parsed: Parsed, seed: int) -> CountResult:
    """Count one question under its method, with the ballot's recorded seed."""
    if isinstance(parsed, YesNoBallots):
        from rankandfile.counting.yesno import count_yesno

        return count_yesno(parsed, quorum=spec.quorum, majority=spec.threshold)
    if isinstance(parsed, ApprovalBallots):
        from rankandfile.counting.approval import count_approval

        return count_approval(parsed, winners=spec.seats, seed=seed)
    if spec.method == "scottish-stv":
        from rankandfile.counting.scottish_stv import count_scottish_stv

        return count_scottish_stv(parsed, seed=seed)
    if spec.method == "ers97":
        from rankandfile.counting.ers97 import count_ers97

        return count_ers97(parsed, seed=seed)
    if spec.method == "meek":
        from rankandfile.counting.meek import count_meek

        return count_meek(parsed, seed=seed)
    from rankandfile.counting.irv import count_irv

    return count_irv(parsed, seed=seed)


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV Injection":
# https://owasp.org/www-community/attacks/CSV_Injection); as OWASP advises, such a cell is written
# with a leading apostrophe. So is a cell that already starts with one, and a cell reading
# "weight" (which the CSV readers take for the weight column), so that removing one leading
# apostrophe always gives back exactly the text that was written.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell_escape(cell: str) -> str:
    if cell.startswith((*_FORMULA_STARTS, "'")) or cell.strip().lower() == "weight":
        return "'" + cell
    return cell


def csv_cell_unescape(cell: str) -> str:
    return cell.removeprefix("'")


def _csv_text(rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([csv_cell_escape(cell) for cell in row] for row in rows)
    return out.getvalue()


def ballots_file_text(spec: QuestionSpec, answers: Sequence[Answer]) -> str:
    """The anonymised papers of one question, in the order given (the caller sorts by receipt)."""
    if spec.method in RANKED:
        return write_blt(cast(Election, parsed_from_answers(spec, answers)))
    if spec.method == "approval":
        header = list(spec.choices)
        rows = [
            ["1" if p in set(cast(list[int], a)) else "0" for p in range(1, len(header) + 1)]
            for a in answers
        ]
        return _csv_text([header, *rows])
    return _csv_text([[spec.text], *([cast(str, a)] for a in answers)])


def parse_ballots_file(spec: QuestionSpec, text: str) -> tuple[Parsed, int]:
    """Parse a bundle's ballots file; returns the ballots and the number of papers in it."""
    if spec.method in RANKED:
        election = parse_blt(text)
        election = Election(
            election.candidates, spec.seats, election.ballots, election.withdrawn, election.title
        )
        return election, election.ballot_count
    if spec.method == "approval":
        approval = parse_approval_csv(text)
        names = tuple(csv_cell_unescape(name) for name in approval.candidates)
        return ApprovalBallots(names, approval.ballots), sum(approval.ballots.values())
    yesno = parse_yesno_csv(text)
    unescaped = YesNoBallots(csv_cell_unescape(yesno.question), yesno.yes, yesno.no, yesno.abstain)
    return unescaped, yesno.yes + yesno.no + yesno.abstain


@dataclass(frozen=True)
class QuestionPapers:
    spec: QuestionSpec
    answers: list[Answer]  # in receipt-hash order


def bundle_write(
    *,
    ballot: dict[str, Any],
    seed: int,
    roll_size: int,
    receipts: Sequence[str],
    questions: Sequence[QuestionPapers],
) -> tuple[bytes, list[CountResult]]:
    """Count every question and write the bundle; returns the zip and the results."""
    if list(receipts) != sorted(receipts):
        raise ValueError("receipts must be sorted")
    files: dict[str, bytes] = {}
    results: list[CountResult] = []
    described: list[dict[str, Any]] = []
    for question in questions:
        spec = question.spec
        if len(question.answers) != len(receipts):
            raise ValueError(f"question {spec.position}: one answer per paper expected")
        text = ballots_file_text(spec, question.answers)
        result = count_parsed(spec, parsed_from_answers(spec, question.answers), seed)
        results.append(result)
        files[spec.ballots_file] = text.encode()
        files[spec.count_sheet] = (result.to_json() + "\n").encode()
        described.append(
            {
                "position": spec.position,
                "text": spec.text,
                "method": spec.method,
                "seats": spec.seats,
                "quorum": spec.quorum,
                "threshold": spec.threshold,
                "rule": result.rule,
                "rule_version": result.rule_version,
                "choices": list(spec.choices),
                "ballots_file": spec.ballots_file,
                "count_sheet": spec.count_sheet,
            }
        )
    meta = {
        "format": BUNDLE_FORMAT,
        "ballot": ballot,
        "tie_break_seed": seed,
        "roll_size": roll_size,
        "voted": len(receipts),
        "questions": described,
    }
    files["ballot.json"] = (dumps_exact(meta) + "\n").encode()
    files["receipts.txt"] = "".join(f"{r}\n" for r in receipts).encode()
    manifest = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    )
    files[MANIFEST] = manifest.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue(), results


class BundleError(Exception):
    """The bundle cannot be read at all (not a zip, no manifest, malformed metadata)."""


class BundleTooLargeError(BundleError):
    """The bundle holds more, or larger, files than any real bundle: it is not read."""


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def _read_zip(data: bytes) -> dict[str, bytes]:
    """Every file of the zip, refusing one that is too large before and while reading it.

    The sizes a zip declares are checked first, then each file is read only up to the limit and
    one byte more, because declared sizes can lie.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ENTRIES:
                raise BundleTooLargeError(
                    f"refused: {len(infos):,} files, more than the {MAX_ENTRIES:,} "
                    "a bundle may hold"
                )
            for info in infos:
                if info.file_size > MAX_ENTRY_BYTES:
                    raise BundleTooLargeError(
                        f"refused: {info.filename} declares {_mib(info.file_size)}, more than "
                        f"the {_mib(MAX_ENTRY_BYTES)} a file in a bundle may hold"
                    )
            declared = sum(info.file_size for info in infos)
            if declared > MAX_TOTAL_BYTES:
                raise BundleTooLargeError(
                    f"refused: the files declare {_mib(declared)} in all, more than the "
                    f"{_mib(MAX_TOTAL_BYTES)} a bundle may hold"
                )
            files: dict[str, bytes] = {}
            total = 0
            for info in infos:
                with archive.open(info) as entry:
                    content = entry.read(MAX_ENTRY_BYTES + 1)
                if len(content) > MAX_ENTRY_BYTES:
                    raise BundleTooLargeError(
                        f"refused: {info.filename} holds more than the "
                        f"{_mib(MAX_ENTRY_BYTES)} a file in a bundle may hold"
                    )
                total += len(content)
                if total > MAX_TOTAL_BYTES:
                    raise BundleTooLargeError(
                        f"refused: the files hold more than the {_mib(MAX_TOTAL_BYTES)} a bundle "
                        "may hold in all"
                    )
                files[info.filename] = content
            return files
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise BundleError(f"not a readable zip file: {error}") from error


def check_manifest(files: dict[str, bytes]) -> list[str]:
    if MANIFEST not in files:
        raise BundleError(f"no {MANIFEST} in the bundle")
    problems: list[str] = []
    listed: dict[str, str] = {}
    for number, line in enumerate(files[MANIFEST].decode().splitlines(), 1):
        digest, sep, name = line.partition("  ")
        if not sep or not _HEX64.match(digest):
            problems.append(f"{MANIFEST} line {number}: expected 'sha256  name', got {line!r}")
            continue
        listed[name] = digest
    for name, digest in sorted(listed.items()):
        if name not in files:
            problems.append(f"manifest: {name} is listed but missing from the bundle")
            continue
        actual = hashlib.sha256(files[name]).hexdigest()
        if actual != digest:
            problems.append(f"manifest: {name}: SHA-256 published {digest}, recomputed {actual}")
    for name in sorted(set(files) - set(listed) - {MANIFEST}):
        problems.append(f"manifest: {name} is in the bundle but not in the manifest")
    return problems


def _spec(entry: dict[str, Any]) -> QuestionSpec:
    try:
        spec = QuestionSpec(
            position=int(entry["position"]),
            text=str(entry["text"]),
            method=str(entry["method"]),
            seats=int(entry["seats"]),
            quorum=int(entry["quorum"]),
            threshold=entry["threshold"],
            choices=tuple(str(c) for c in entry["choices"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise BundleError(f"ballot.json: malformed question {entry!r}: {error}") from error
    if spec.method not in METHODS:
        raise BundleError(f"ballot.json: question {spec.position}: unknown method {spec.method!r}")
    if spec.threshold not in ("simple", "two-thirds"):
        raise BundleError(f"ballot.json: question {spec.position}: bad threshold")
    return spec


def _figure(value: object) -> str:
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


def compare_results(position: int, published: dict[str, Any], recounted: CountResult) -> list[str]:
    """Every figure of a published count sheet against the recount; one line per difference."""
    mine = recounted.to_json_dict()
    where = f"question {position}"
    problems: list[str] = []

    def differ(label: str, theirs: object, ours: object) -> None:
        if theirs != ours:
            problems.append(
                f"{where}: {label}: published {_figure(theirs)}, recounted {_figure(ours)}"
            )

    for key in ("method", "rule", "rule_version", "seats", "quota", "valid_votes", "seed"):
        differ(key.replace("_", " "), published.get(key), mine.get(key))
    differ("outcome", published.get("outcome", ""), mine.get("outcome", ""))
    differ("elected", published.get("elected"), mine["elected"])
    differ("excluded", published.get("excluded"), mine["excluded"])
    their_stages = published.get("stages") or []
    our_stages = cast(list[dict[str, Any]], mine["stages"])
    differ("number of stages", len(their_stages), len(our_stages))
    for theirs, ours in zip(their_stages, our_stages, strict=False):
        stage = f"stage {ours['number']}"
        for key in ("action", "subject", "elected", "excluded"):
            differ(f"{stage} {key}", theirs.get(key), ours[key])
        their_totals = theirs.get("totals") or {}
        for name, total in ours["totals"].items():
            differ(f"{stage} total for {name}", their_totals.get(name), total)
        for name in sorted(set(their_totals) - set(ours["totals"])):
            problems.append(f"{where}: {stage}: published a total for unknown {name!r}")
        transferable = theirs.get("non_transferable")
        differ(f"{stage} non-transferable", transferable, ours["non_transferable"])
    return problems


def recount_bundle(data: bytes) -> tuple[list[str], list[str]]:
    """Check a bundle. Returns (problems, report lines); no problems means every figure matches."""
    files = _read_zip(data)
    problems = check_manifest(files)
    report: list[str] = []
    try:
        meta = json.loads(files["ballot.json"], parse_float=Decimal)
    except KeyError:
        raise BundleError("no ballot.json in the bundle") from None
    except ValueError as error:
        raise BundleError(f"ballot.json is not JSON: {error}") from error
    if meta.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"ballot.json: unknown format {meta.get('format')!r}")
    seed, voted, roll = meta.get("tie_break_seed"), meta.get("voted"), meta.get("roll_size")
    if not all(isinstance(v, int) for v in (seed, voted, roll)):
        raise BundleError("ballot.json: tie_break_seed, voted and roll_size must be integers")
    seed, voted, roll = cast(int, seed), cast(int, voted), cast(int, roll)
    report.append(f"Ballot: {meta.get('ballot', {}).get('title', '')}")
    report.append(f"On the roll: {roll}; voted: {voted}; tie-break seed: {seed}")
    if voted > roll:
        problems.append(f"ballot.json: voted {voted} is more than the roll {roll}")
    receipts = files.get("receipts.txt", b"").decode().split()
    if len(receipts) != voted:
        problems.append(f"receipts.txt: {len(receipts)} receipts, published voted {voted}")
    if receipts != sorted(set(receipts)) or not all(_HEX64.match(r) for r in receipts):
        problems.append("receipts.txt: receipts must be distinct SHA-256 hashes in sorted order")
    for entry in meta.get("questions") or []:
        spec = _spec(entry)
        name = f"question {spec.position}"
        if spec.ballots_file not in files or spec.count_sheet not in files:
            problems.append(f"{name}: {spec.ballots_file} or {spec.count_sheet} is missing")
            continue
        try:
            parsed, papers = parse_ballots_file(spec, files[spec.ballots_file].decode())
        except (BallotFormatError, UnicodeDecodeError) as error:
            problems.append(f"{name}: {spec.ballots_file}: {error}")
            continue
        if papers != voted:
            problems.append(f"{name}: {spec.ballots_file} holds {papers} papers, voted {voted}")
        try:
            published = json.loads(files[spec.count_sheet], parse_float=Decimal)
        except ValueError as error:
            problems.append(f"{name}: {spec.count_sheet} is not JSON: {error}")
            continue
        result = count_parsed(spec, parsed, seed)
        for key in ("rule", "rule_version"):
            if entry.get(key) != getattr(result, key):
                problems.append(
                    f"{name}: ballot.json {key}: published {entry.get(key)}, "
                    f"recounted {getattr(result, key)}"
                )
        problems += compare_results(spec.position, published, result)
        winners = ", ".join(result.elected) or "(none)"
        outcome = f" ({result.outcome})" if result.outcome else ""
        report.append(f"{name} ({spec.method}, {len(result.stages)} stages): {winners}{outcome}")
    return problems, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="rankandfile recount",
        description="Check a ballot's verification bundle and recount every question.",
    )
    parser.add_argument("bundle", type=Path, help="the bundle (.zip) downloaded after the close")
    args = parser.parse_args(argv)
    try:
        if args.bundle.stat().st_size > MAX_TOTAL_BYTES:
            raise BundleTooLargeError(f"refused: larger than {_mib(MAX_TOTAL_BYTES)}")
        problems, report = recount_bundle(args.bundle.read_bytes())
    except OSError as error:
        print_file_error(args.bundle, error)
        return 2
    except BundleError as error:
        print_file_error(args.bundle, error)
        return 1
    print("\n".join(report))
    if problems:
        print(f"\nFAILED: {len(problems)} difference(s):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print("\nOK: the manifest matches and every published figure was reproduced.")
    return 0
