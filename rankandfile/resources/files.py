"""Files in the hub: what is accepted (judged by content, not by name), where it is stored, and
the signed, expiring links it is served through.

A file's type is what its first bytes say (``filetype`` reads the magic numbers), never what
its name or the browser says: a program renamed ``report.pdf`` is refused. It is stored
through Django's storage API (``STORAGES["default"]``) under a random name, so that a
production site can put files in object storage and no member's file name ever reaches a
path. The name the member gave is kept for the download only, checked here and given the
extension of the type found.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from typing import Protocol

import filetype  # type: ignore[import-untyped]
from django.conf import settings
from django.core import signing

# The types accepted, by the MIME type found in the content, with the extension given.
ACCEPTED_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
ACCEPTED_DESCRIPTION = (
    "a PDF, an image (PNG, JPEG, GIF or WebP) or an office document (Word, Excel, PowerPoint "
    "or OpenDocument)"
)
NAME_LONGEST = 150
# How many bytes are read to tell the type (filetype looks at no more).
_HEAD_BYTES = 8192
STORAGE_FOLDER = "resources"
_LINK_SALT = "rankandfile.resources.file-link"


class FileRefusedError(ValueError):
    """A file the hub does not take; the message says why, plainly, for the member."""


class Upload(Protocol):
    """What the checks need of an uploaded file (Django's ``UploadedFile`` has it)."""

    @property
    def name(self) -> str | None: ...
    @property
    def size(self) -> int | None: ...
    def seek(self, offset: int, whence: int = 0) -> int: ...
    def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class CheckedFile:
    download_name: str  # the member's name, with the extension of the type found
    mime_type: str
    extension: str
    size: int


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def file_name_check(name: str) -> str:
    """The member's file name if it is harmless, or FileRefusedError saying what is wrong."""
    if not name.strip():
        raise FileRefusedError("The file has no name: give it one and choose it again.")
    if len(name) > NAME_LONGEST:
        raise FileRefusedError(
            f"The file's name is {len(name)} characters long; it can be at most "
            f"{NAME_LONGEST}. Rename the file and choose it again."
        )
    if any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for c in name):
        raise FileRefusedError(
            "The file's name contains control or invisible characters. Rename the file "
            "using letters, numbers and punctuation, and choose it again."
        )
    if "/" in name or "\\" in name or ".." in name or name.startswith("."):
        raise FileRefusedError(
            "The file's name must not contain a folder path (“/”, “\\” or “..”) or start "
            "with a dot. Rename the file and choose it again."
        )
    return name.strip()


def file_check(upload: Upload) -> CheckedFile:
    """Whether the hub takes this file: its name, its size (``RESOURCES_FILE_MAX_BYTES``) and
    its type, read from its first bytes. Nothing is stored here."""
    name = file_name_check(upload.name or "")
    size = upload.size or 0
    largest: int = settings.RESOURCES_FILE_MAX_BYTES
    if size == 0:
        raise FileRefusedError("The file is empty. Choose the file again.")
    if size > largest:
        raise FileRefusedError(
            f"The file is {_megabytes(size)}; files can be at most {_megabytes(largest)}. "
            "Make it smaller (for a PDF, save it for the web) or share a link to it instead."
        )
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    found = filetype.guess(head)
    mime = found.mime if found is not None else ""
    if mime not in ACCEPTED_TYPES:
        raise FileRefusedError(
            f"This file is not {ACCEPTED_DESCRIPTION}, judging by its contents (whatever its "
            "name says). Choose another file."
        )
    extension = ACCEPTED_TYPES[mime]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return CheckedFile(
        download_name=f"{stem}.{extension}", mime_type=mime, extension=extension, size=size
    )


def storage_name_new(extension: str) -> str:
    """A random storage name: nothing of the member's name reaches the storage."""
    return f"{STORAGE_FOLDER}/{secrets.token_hex(16)}.{extension}"


def file_link_token(*, resource_id: int, viewer_id: int | None) -> str:
    """A signed token for one resource's file and one viewer (0: someone not logged in)."""
    return signing.dumps({"r": resource_id, "m": viewer_id or 0}, salt=_LINK_SALT, compress=False)


@dataclass(frozen=True)
class FileLink:
    resource_id: int
    viewer_id: int  # 0: made for someone not logged in
    expired: bool


def file_link_read(token: str) -> FileLink | None:
    """What a token says, with whether it has expired (``RESOURCES_FILE_LINK_SECONDS``), or
    None for a token that was altered, cut short or made up."""
    try:
        payload = signing.loads(
            token, salt=_LINK_SALT, max_age=settings.RESOURCES_FILE_LINK_SECONDS
        )
        expired = False
    except signing.SignatureExpired:
        # The signature is good (only the age is wrong): read it to say which resource.
        payload = signing.loads(token, salt=_LINK_SALT)
        expired = True
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    resource_id, viewer_id = payload.get("r"), payload.get("m")
    if not isinstance(resource_id, int) or not isinstance(viewer_id, int):
        return None
    return FileLink(resource_id=resource_id, viewer_id=viewer_id, expired=expired)
