"""A file of the wrong type (a renamed program), too large, or with a harmful name is refused
with a clear message, and nothing is stored: no file in the storage, no row. An accepted file
is stored under a random name, and downloaded under the member's name with its real type's
extension."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from rankandfile.resources.models import Resource
from rankandfile.resources.services import ResourceDraft, ResourceError, resource_create
from tests.personas import MakeMember
from tests.resources.resource_helpers import stored_files
from tests.resources.uploads import executable_upload, pdf_bytes, pdf_upload, png_upload

FILE_PAGE = reverse("resources:new_kind", kwargs={"kind": "file"})


def _share(client: Client, upload: SimpleUploadedFile, title: str = "Know your rights") -> str:
    response = client.post(
        FILE_PAGE,
        {"title": title, "summary": "For new reps.", "audience": "public", "upload": upload},
    )
    assert response.status_code == 400
    return response.content.decode()


def _nothing_stored() -> None:
    assert stored_files() == []
    assert not Resource.objects.exists()


@pytest.mark.django_db
def test_a_renamed_program_is_refused_by_its_contents(make_member: MakeMember) -> None:
    client = Client()
    client.force_login(make_member())
    page = _share(client, executable_upload("report.pdf"))
    assert "This file is not a PDF, an image (PNG, JPEG, GIF or WebP) or an office document" in page
    assert "judging by its contents (whatever its name says)" in page
    # What the member typed is kept; the browser cannot keep the file, and the page says so.
    assert 'value="Know your rights"' in page and "For new reps." in page
    assert "choose it again" in page
    _nothing_stored()


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(make_member: MakeMember, settings: Settings) -> None:
    settings.RESOURCES_FILE_MAX_BYTES = 500
    client = Client()
    client.force_login(make_member())
    page = _share(client, pdf_upload())
    size_mb = f"{len(pdf_bytes()) / 1_000_000:.1f} MB"
    assert f"The file is {size_mb}; files can be at most 0.0 MB." in page
    _nothing_stored()


@pytest.mark.django_db
def test_an_empty_file_is_refused(make_member: MakeMember) -> None:
    client = Client()
    client.force_login(make_member())
    page = _share(client, SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"))
    # Django's own form says so first (an empty upload), and nothing is stored either way.
    assert "empty" in page
    _nothing_stored()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../../etc/passwd.pdf", "must not contain a folder path"),
        ("..\\..\\windows\\leaflet.pdf", "must not contain a folder path"),
        (".hidden.pdf", "start with a dot"),
        ("leaf\x00let.pdf", "control or invisible characters"),
        ("leaf\nlet.pdf", "control or invisible characters"),
        ("cod\u202efdp.exe", "control or invisible characters"),  # right-to-left override
        ("a" * 300 + ".pdf", "The file's name is 304 characters long; it can be at most 150."),
    ],
)
def test_a_harmful_file_name_is_refused(make_member: MakeMember, name: str, message: str) -> None:
    # Handed to the service as any caller might (Django's own upload handling already strips
    # folders and control characters from names sent by browsers: see the next test).
    upload = File(BytesIO(pdf_bytes()), name=name)
    draft = ResourceDraft(kind="file", title="Leaflet")
    with pytest.raises(ResourceError) as refused:
        resource_create(author=make_member(), draft=draft, upload=upload)
    assert message in str(refused.value)
    assert refused.value.field == "upload"
    _nothing_stored()


@pytest.mark.django_db
def test_a_folder_path_sent_by_a_browser_never_reaches_the_storage(
    make_member: MakeMember,
) -> None:
    client = Client()
    client.force_login(make_member())
    body = (
        b'--B\r\nContent-Disposition: form-data; name="title"\r\n\r\nLeaflet\r\n'
        b'--B\r\nContent-Disposition: form-data; name="audience"\r\n\r\npublic\r\n'
        b'--B\r\nContent-Disposition: form-data; name="upload"; '
        b'filename="../../../etc/cron.d/leaf\x01let.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + pdf_bytes() + b"\r\n--B--\r\n"
    )
    response = client.post(FILE_PAGE, body, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 302
    resource = Resource.objects.get()
    [stored] = stored_files()
    assert stored.parent.name == "resources" and "leaf" not in stored.name
    assert resource.file_name == "leaflet.pdf"


@pytest.mark.django_db
def test_a_very_long_name_sent_by_the_browser_is_refused_on_the_page(
    make_member: MakeMember,
) -> None:
    client = Client()
    client.force_login(make_member())
    page = _share(client, pdf_upload("b" * 200 + ".pdf"))
    assert "The file&#x27;s name is 204 characters long" in page
    _nothing_stored()


@pytest.mark.django_db
def test_an_accepted_file_is_stored_under_a_random_name(make_member: MakeMember) -> None:
    client = Client()
    client.force_login(make_member())
    response = client.post(
        FILE_PAGE,
        {"title": "Poster", "audience": "public", "upload": png_upload("our poster.pdf")},
    )
    resource = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == resource.get_absolute_url()
    [stored] = stored_files()
    assert resource.file.name.startswith("resources/") and resource.file.name.endswith(".png")
    assert "poster" not in resource.file.name
    assert stored.name == resource.file.name.removeprefix("resources/")
    # Its type is what its contents say; the name it is downloaded under gets that extension.
    assert (resource.file_type, resource.file_name) == ("image/png", "our poster.png")
    assert resource.state == "pending"
