"""The password hasher: Argon2id with OWASP's recommended parameters.

Django's own Argon2 hasher asks for 100 MiB and 8 lanes a hash (about 0.17 s of CPU here). On
deadline day thousands of members sign up and log in within minutes, and each hash is CPU that
anyone can make the site spend by posting the sign-up or login form: at Django's parameters, 10
sign-ups a second take more CPU than the rest of the load together. OWASP's Password Storage
Cheat Sheet gives 19 MiB, 2 passes and 1 lane as its minimum for Argon2id, which still makes a
guess cost 19 MiB of memory (what defeats GPU cracking), at about a tenth of the CPU.

Stored hashes name their own parameters, so a hash made with Django's parameters still checks,
and is re-made with these the next time its member logs in (``must_update``).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, m=19456 KiB, t=2, p=1 (the algorithm name stays ``argon2``)."""

    time_cost = 2
    memory_cost = 19456  # KiB: 19 MiB
    parallelism = 1
