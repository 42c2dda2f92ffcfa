"""The product's settings for the deadline-day run (bench/deadline_day.py): every sign-up comes
from the load generator's one address, so allauth's per-address sign-up limit is lifted (real
sign-ups come from many addresses). Nothing else differs."""

from rankandfile.settings import *  # noqa: F403
from rankandfile.settings import ACCOUNT_RATE_LIMITS

ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "signup": "1000000/m/ip"}
