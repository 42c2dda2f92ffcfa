"""``rankandfile count FILE --method ...``: count a ballot file and print the stages.

Ranked methods read BLT; approval reads CSV (or BLT, every ranked candidate approved); yes/no
reads CSV. Exit status: 0 counted, 2 bad arguments or a malformed file (message on stderr).
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rankandfile.counting.blt import BallotFormatError, Election, read_blt
from rankandfile.counting.result import CountResult

METHODS = ("scottish-stv", "ers97", "meek", "irv", "approval", "yesno")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rankandfile count", description="Count a ballot file under a published rule."
    )
    parser.add_argument("file", type=Path, help="ballot file: .blt (ranked) or .csv")
    parser.add_argument("--method", required=True, choices=METHODS)
    parser.add_argument("--seats", type=int, help="seats to fill (default: from the BLT file)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.add_argument("--seed", type=int, help="seed for any drawing of lots (recorded)")
    parser.add_argument("--quorum", type=int, default=0, help="yes/no: ballots needed")
    parser.add_argument("--majority", choices=("simple", "two-thirds"), default="simple")
    parser.add_argument("--decimals", type=int, default=9, help="meek: fixed-point places")
    parser.add_argument("--tolerance", default="0.000001", help="meek: surplus tolerance")
    return parser


def _ranked(path: Path, seats: int | None) -> Election:
    election = read_blt(path)
    if seats is not None:
        election = Election(
            election.candidates, seats, election.ballots, election.withdrawn, election.title
        )
    return election


def count_file(args: argparse.Namespace) -> CountResult:
    path: Path = args.file
    method: str = args.method
    if method == "approval":
        from rankandfile.counting.approval import count_approval
        from rankandfile.counting.csvballots import ApprovalBallots, read_approval_csv

        if path.suffix.lower() == ".blt":
            election = read_blt(path)
            approvals: dict[frozenset[int], int] = {}
            for ranking, count in election.rankings_for_count().items():
                approvals[frozenset(ranking)] = approvals.get(frozenset(ranking), 0) + count
            ballots = ApprovalBallots(election.candidates, approvals)
        else:
            ballots = read_approval_csv(path)
        return count_approval(ballots, winners=args.seats or 1, seed=args.seed)
    if method == "yesno":
        from rankandfile.counting.csvballots import read_yesno_csv
        from rankandfile.counting.yesno import count_yesno

        return count_yesno(read_yesno_csv(path), quorum=args.quorum, majority=args.majority)
    election = _ranked(path, args.seats)
    if method == "scottish-stv":
        from rankandfile.counting.scottish_stv import count_scottish_stv

        return count_scottish_stv(election, seed=args.seed)
    if method == "ers97":
        from rankandfile.counting.ers97 import count_ers97

        return count_ers97(election, seed=args.seed)
    if method == "meek":
        from rankandfile.counting.meek import count_meek

        return count_meek(
            election, seed=args.seed, decimals=args.decimals, tolerance=Decimal(args.tolerance)
        )
    from rankandfile.counting.irv import count_irv

    return count_irv(election, seed=args.seed)


def format_table(result: CountResult) -> str:
    """A stage-by-stage table: one row per candidate, one column per stage."""
    lines = [
        f"Method: {result.method} - {result.rule}",
        f"Seats: {result.seats}   Valid votes: {result.valid_votes:f}"
        + (f"   Quota: {result.quota:f}" if result.quota is not None else ""),
    ]
    if result.outcome:
        lines.append(f"Outcome: {result.outcome}")
    name_width = max([len("Non-transferable"), *(len(c) for c in result.candidates)])
    cells = [[f"{s.totals[c]:f}" for s in result.stages] for c in result.candidates]
    cells.append([f"{s.non_transferable:f}" for s in result.stages])
    widths = [
        max(len(f"{s.number}"), *(len(row[i]) for row in cells)) + 2
        for i, s in enumerate(result.stages)
    ]
    header = "Stage".ljust(name_width) + "".join(
        str(s.number).rjust(w) for s, w in zip(result.stages, widths, strict=True)
    )
    lines += ["", header, "-" * len(header)]
    for label, row in zip([*result.candidates, "Non-transferable"], cells, strict=True):
        lines.append(
            label.ljust(name_width) + "".join(v.rjust(w) for v, w in zip(row, widths, strict=True))
        )
    lines.append("")
    for s in result.stages:
        what = s.action + (f" {', '.join(s.subject)}" if s.subject else "")
        if s.elected:
            what += f"; elected: {', '.join(s.elected)}"
        for tie in s.tie_breaks:
            what += f"; tie between {', '.join(tie.tied)}: {tie.chosen} ({tie.reason})"
        if s.note:
            what += f"; {s.note}"
        lines.append(f"Stage {s.number}: {what}")
    lines += ["", f"Elected: {', '.join(result.elected) or '(none)'}"]
    if result.seed is not None and result.tie_breaks:
        lines.append(f"Lot seed: {result.seed}")
    return "\n".join(lines)


def print_file_error(path: Path, error: Exception) -> None:
    """``path: problem`` on stderr; of an OSError, only the system's words, not its number."""
    problem = error.strerror if isinstance(error, OSError) and error.strerror else error
    print(f"{path}: {problem}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.seats is not None and args.seats < 1:
        print("rankandfile count: --seats must be at least 1", file=sys.stderr)
        return 2
    if args.method == "irv" and args.seats not in (None, 1):
        print("rankandfile count: irv elects one candidate; use --seats 1", file=sys.stderr)
        return 2
    try:
        Decimal(args.tolerance)
    except InvalidOperation:
        print(f"rankandfile count: bad --tolerance {args.tolerance!r}", file=sys.stderr)
        return 2
    try:
        result = count_file(args)
    except (BallotFormatError, OSError) as error:
        print_file_error(args.file, error)
        return 2
    try:
        print(result.to_json() if args.json else format_table(result))
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
    return 0
