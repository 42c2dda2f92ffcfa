"""Files for the hub's tests, as a browser would upload them."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from rankandfile.demo.documents import pdf_one_page, png_square

# The start of a Windows program ("MZ", then a PE header further on): what a renamed
# executable looks like inside.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def pdf_bytes(title: str = "Know your rights at work") -> bytes:
    return pdf_one_page(title, ["Organise your workplace.", "Talk to your union rep."])


def pdf_upload(
    name: str = "leaflet.pdf", title: str = "Know your rights at work"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(title), content_type="application/pdf")


def png_upload(name: str = "poster.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_square(8, (200, 30, 40)), content_type="image/png")


def executable_upload(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EXECUTABLE, content_type="application/pdf")
