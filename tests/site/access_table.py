"""Rows of the access table written for five roles, given the sixth (network coordinator).

``tests/site/test_every_page_answers_each_role_as_pinned.py`` pins each route for six roles, the
network coordinator last. A row written for the first five (``"name": (a, b, c, d, e),``) gets the
outsider's answer appended: a coordinator is in no group, so outside a coordinator's own pages
they are answered as a member of another group is. Run the walk after; it names any row where a
coordinator is answered otherwise, with what they got.

    python tests/site/access_table.py tests/site/test_every_page_answers_each_role_as_pinned.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

FIVE = re.compile(
    r"^(?P<head>\s*\"[^\"]+\":\s*\()"
    r"(?P<a>\d{3}), (?P<b>\d{3}), (?P<c>\d{3}), (?P<d>\d{3}), (?P<e>\d{3})"
    r"(?P<tail>\),.*)$",
    re.MULTILINE,
)


def with_coordinator_column(source: str) -> str:
    """``source`` with every five-status row given a sixth: the outsider's status."""
    return FIVE.sub(
        lambda m: (
            f"{m['head']}{m['a']}, {m['b']}, {m['c']}, {m['d']}, {m['e']}, {m['b']}{m['tail']}"
        ),
        source,
    )


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        path.write_text(with_coordinator_column(path.read_text()))
