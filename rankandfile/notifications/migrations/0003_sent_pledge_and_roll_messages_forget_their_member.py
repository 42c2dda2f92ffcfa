"""Rows written before the outbox forgot who: the same forgetting, applied to them once.

Sent or skipped messages whose sending reveals a pledge or a place on a ballot's roll lose their
member and the member's id in their key (as ``sending._forgetting`` does from now on), and every
failure reason loses the addresses smtplib wrote into it. The constants are copied here so that
this migration means the same thing whatever the code becomes. Its reverse does nothing: what
was forgotten cannot be brought back, and nothing needs it.
"""

import re
import uuid

from django.db import migrations

FORGOTTEN_ONCE_SENT = [
    "pledge_triggered",
    "pledge_released",
    "campaign_won",
    "ballot_opened",
    "ballot_reminder",
    "ballot_results",
]
FINAL = ["sent", "skipped"]
ADDRESS = re.compile(r"""[^\s<>()\[\]{}'",;]*@[^\s<>()\[\]{}'",;]*""")


def forget(apps, schema_editor):
    Message = apps.get_model("notifications", "Message")
    sent = Message.objects.filter(template__in=FORGOTTEN_ONCE_SENT, status__in=FINAL).exclude(
        key__contains=":sent:"
    )
    for pk, key in list(sent.values_list("pk", "key")):
        event = key.partition(":member:")[0][:150]
        Message.objects.filter(pk=pk).update(recipient=None, key=f"{event}:sent:{uuid.uuid4().hex}")
    for pk, error in list(
        Message.objects.filter(last_error__contains="@").values_list("pk", "last_error")
    ):
        Message.objects.filter(pk=pk).update(last_error=ADDRESS.sub("<address>", error))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_message_to_an_address"),
    ]

    operations = [
        migrations.RunPython(forget, migrations.RunPython.noop),
    ]
