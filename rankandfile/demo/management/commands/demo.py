from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rankandfile.accounts.models import User
from rankandfile.demo.services import (
    DEMO_MEMBER_EMAIL,
    DEMO_ORGANISER_EMAIL,
    DEMO_ORGANISER_TOTP_SECRET,
    DEMO_PASSWORD,
    DemoNotEmptyError,
    demo_network_load,
)


class Command(BaseCommand):
    help = "Load the demo network (about 40 groups, 500 members) into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already has members.",
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and User.objects.exists():
            self.stdout.write("The database already has members: demo not loaded.")
            return
        try:
            summary = demo_network_load(seed=options["seed"])
        except DemoNotEmptyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network loaded: {summary.members} members, {summary.groups} groups, "
                f"{summary.memberships} memberships, {summary.organisers} organisers with TOTP, "
                f"a live campaign with {summary.pledges} pledges, an open conversation with "
                f"{summary.conversation_votes} votes and its opinion map, and "
                f"{summary.resources} resources in the hub."
            )
        )
        self.stdout.write(f"Demo member:    {DEMO_MEMBER_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(
            f"Demo organiser: {DEMO_ORGANISER_EMAIL} / {DEMO_PASSWORD}, "
            f"TOTP secret {DEMO_ORGANISER_TOTP_SECRET}"
        )
