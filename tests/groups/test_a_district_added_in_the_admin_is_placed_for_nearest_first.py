from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rankandfile.groups.models import GroupDistrict
from rankandfile.groups.selectors import directory_search
from rankandfile.lib.geo import district_centroid, sphere_point
from tests.personas import MakeGroup, MakeMember, login_with_second_factor


@pytest.mark.django_db
def test_a_district_added_in_the_admin_gets_its_area_and_place(
    client: Client, make_member: MakeMember, make_group: MakeGroup
) -> None:
    admin = make_member(mfa=True)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    login_with_second_factor(client, admin)
    group = make_group(name="Bradford Nurses", districts=["BD1"])
    existing = group.districts.get()
    url = reverse("admin:groups_group_change", args=[group.pk])
    prefix = "districts"
    response = client.post(
        url,
        {
            "name": group.name,
            "slug": group.slug,
            "kind": group.kind,
            "description": group.description,
            "visibility": group.visibility,
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
            f"{prefix}-0-id": str(existing.pk),
            f"{prefix}-0-group": str(group.pk),
            f"{prefix}-0-district": "BD1",
            f"{prefix}-1-group": str(group.pk),
            f"{prefix}-1-district": "LS6",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = GroupDistrict.objects.get(group=group, district="LS6")
    assert added.area == "LS"
    centroid = district_centroid("LS6")
    assert centroid is not None
    assert (added.sphere_x, added.sphere_y, added.sphere_z) == sphere_point(centroid)
    nearest = directory_search(viewer=admin, place="LS6").groups[0]
    assert nearest.name == "Bradford Nurses" and nearest.distance_km == 0.0  # type: ignore[attr-defined]
