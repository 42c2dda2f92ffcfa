"""The product's settings for the deadline-day run (bench/deadline_day.py): every sign-up comes
from the load generator's one address, so allauth's per-address sign-up limit is turned off
(real sign-ups come from many addresses). Lifting it to a high rate is not enough: allauth
counts each address's sign-ups under a cache lock, and a request that waits too long for the
lock, as happens when hundreds of sign-ups a minute share the one address, is answered 429.
Nothing else differs."""

from rankandfile.settings import *  # noqa: F403
from rankandfile.settings import ACCOUNT_RATE_LIMITS

ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "signup": ""}
