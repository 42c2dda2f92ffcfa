"""The demo network's hub: fifty resources of every kind, most approved and marked helpful, a
few waiting in the coordinator's queue; its files are real PDFs and images in the storage."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from rankandfile.demo.services import DEMO_ORGANISER_EMAIL
from rankandfile.resources.models import Resource, ResourceKind
from rankandfile.resources.selectors import resources_to_moderate
from tests.resources.resource_helpers import stored_files


@pytest.mark.django_db
def test_the_demo_hub_has_fifty_resources_of_every_kind() -> None:
    call_command("demo", "--if-empty", verbosity=0)
    resources = Resource.objects.all()
    assert resources.count() == 50
    assert set(resources.values_list("kind", flat=True)) == set(ResourceKind.values)
    assert resources.filter(state="approved").count() == 47
    assert resources.filter(helpful_count__gt=0).count() > 30
    files = resources.filter(kind="file")
    assert set(files.values_list("file_type", flat=True)) == {"application/pdf", "image/png"}
    assert len(stored_files()) == files.count()
    assert all(c.items.count() == 5 for c in resources.filter(kind__in=["reading_list", "toolkit"]))
    coordinator = resources.get(title__startswith="How to run").moderated_by
    assert coordinator is not None and coordinator.email == DEMO_ORGANISER_EMAIL
    assert resources_to_moderate(coordinator).count() == 3
    page = Client().get(reverse("resources:list")).content.decode()
    assert "found it helpful" in page
