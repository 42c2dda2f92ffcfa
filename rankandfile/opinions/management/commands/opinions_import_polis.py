"""Import a Polis open-data export folder as a closed conversation, and compute its map.

rankandfile manage opinions_import_polis DIR (--group SLUG | --network) [--question TEXT]
    [--publish]
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rankandfile.groups.models import Group
from rankandfile.opinions.polis_export import ExportError
from rankandfile.opinions.polis_import import read_polis_folder
from rankandfile.opinions.services import OpinionError, conversation_import, map_recompute


class Command(BaseCommand):
    help = (
        "Import a Polis open-data export folder (comments.csv, and votes.csv or "
        "participants-votes.csv) as a closed conversation of a group or of the network, "
        "with anonymous numbered participants, and compute its opinion map."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("folder", type=Path, help="the export folder")
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--group", metavar="SLUG", help="the group the conversation is for")
        where.add_argument(
            "--network", action="store_true", help="a conversation of the whole network"
        )
        parser.add_argument(
            "--question", help="the conversation's question (default: the export's topic)"
        )
        parser.add_argument(
            "--publish", action="store_true", help="show the map to everyone who can see it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        group = None
        if options["group"]:
            group = Group.objects.filter(slug=options["group"]).first()
            if group is None:
                raise CommandError(f"No group has the slug {options['group']!r}.")
        try:
            polis = read_polis_folder(options["folder"])
        except (ExportError, OSError) as error:
            raise CommandError(str(error)) from None
        if not polis.votes:
            raise CommandError(f"{options['folder']}: the export has no votes.")
        try:
            conversation = conversation_import(
                group=group,
                question=options["question"] or polis.topic,
                statements=polis.statements,
                votes=polis.votes,
                map_published=options["publish"],
            )
        except OpinionError as error:
            raise CommandError(str(error)) from None
        for note in polis.notes:
            self.stdout.write(f"Note: {note}")
        result = map_recompute(conversation_id=conversation.pk)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported conversation {conversation.pk} ({conversation.question}): "
                f"{len(polis.statements)} statements, {result.participants_count} participants, "
                f"{result.votes_count} votes, {len(result.data['group_sizes'])} opinion groups."
            )
        )
