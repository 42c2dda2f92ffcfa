"""Model fields for personal data encrypted at rest (``rankandfile/lib/crypto.py``).

``EncryptedTextField`` stores ciphertext and gives back text: Python code sees the value, a
stolen database file does not. Ciphertext cannot be compared, so the only look-ups it allows
are ``isnull``, equality with the empty string, and, when it names a ``digest_field`` (a
``LookupDigestField`` kept beside it), ``exact``, ``iexact`` and ``in``, which are answered
from the digest column. Every other look-up
(``icontains``, ``startswith``...) and ordering by it are refused or meaningless: search such a
field in Python over a bounded set of rows instead.

The empty string is stored as it is (it says nothing about anyone). A digest is computed when
its row is saved (``save``, ``bulk_create``; ``User.save(update_fields=...)`` adds it), not by
``QuerySet.update``: change a looked-up field through ``save``.

``EncryptedJSONField`` is the same for a JSON value (a dict of names, addresses and links):
stored as encrypted JSON text, the empty dict as the empty string, and read back as the value.
``EncryptedJSONListField`` is the same for a JSON list (the cells of an uploaded CSV file), the
empty list stored as the empty string.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import FieldError
from django.db import models
from django.db.models import Lookup
from django.db.models.expressions import Col, Combinable
from django.db.models.lookups import Exact, In, IsNull

from rankandfile.lib import crypto


class LookupDigestField(models.CharField[str, str]):
    """HMAC-SHA256 of the field named ``source``, computed whenever the row is saved."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        source = model_instance._meta.get_field(self.source)
        value = getattr(model_instance, self.source)
        digest = source.digest_of(value) if isinstance(source, EncryptedTextField) else ""
        setattr(model_instance, self.attname, digest)
        return digest


class EncryptedTextField(models.TextField[str, str]):
    """Text encrypted with AES-256-GCM under the current key; see the module docstring.

    ``lower_case=True`` stores the value lower-cased and makes look-ups case-insensitive
    (email addresses).
    """

    def __init__(
        self,
        *args: Any,
        digest_field: str | None = None,
        lower_case: bool = False,
        **kwargs: Any,
    ) -> None:
        self.digest_field = digest_field
        self.lower_case = lower_case
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.digest_field:
            kwargs["digest_field"] = self.digest_field
        if self.lower_case:
            kwargs["lower_case"] = True
        return name, path, args, kwargs

    def normalise(self, value: str) -> str:
        return value.lower() if self.lower_case else value

    def digest_of(self, value: object) -> str:
        if value is None or value == "":
            return ""
        return crypto.lookup_digest(self.normalise(str(value)))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if isinstance(value, str) and self.lower_case:
            value = value.lower()
            setattr(model_instance, self.attname, value)
        return value

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(self.normalise(str(value)))

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name in _DIGEST_LOOKUPS:
            if self.digest_field:
                return _DIGEST_LOOKUPS[lookup_name]
            if lookup_name == "exact":
                return EmptyExact
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted and has no look-up digest: "
                "it cannot be filtered by value."
            )
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: look-up {lookup_name!r} is not "
            "possible in the database (search it in Python over a bounded set of rows)."
        )

    def formfield(self, **kwargs: Any) -> Any:
        # A one-line input for short values (names, districts, addresses), as a CharField had.
        if self.max_length is not None and self.max_length <= 255 and "widget" not in kwargs:
            kwargs["widget"] = forms.TextInput
        return super().formfield(**kwargs)


class EncryptedJSONField(models.Field[Any, Any]):
    """A JSON object encrypted at rest, for the contexts of queued messages.

    It cannot be looked up by value: ``isnull`` only, and ``={}`` (the empty dict, stored as
    the empty string). Its default should be ``dict``."""

    # What django-stubs' plugin types the model attribute as (a TextField's would be str).
    _pyi_private_set_type: dict[str, Any] | Combinable
    _pyi_private_get_type: dict[str, Any]

    def get_internal_type(self) -> str:
        return "TextField"  # stored as text: the ciphertext

    def empty(self) -> Any:
        """The value stored as the empty string."""
        return {}

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        if value == "":
            return self.empty()
        return json.loads(crypto.decrypt(value))

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value else self.empty()
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if value == self.empty() or value == "":
            return ""
        if isinstance(value, str):  # already JSON text (a fixture)
            value = json.loads(value)
        return crypto.encrypt(json.dumps(value, ensure_ascii=False))

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return EmptyJSONExact
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: look-up {lookup_name!r} is not "
            "possible in the database (read it in Python over a bounded set of rows)."
        )


class EncryptedJSONListField(EncryptedJSONField):
    """A JSON list encrypted at rest, for the cells of a pending member import. Its default
    should be ``list``; it compares only with ``[]`` (stored as the empty string)."""

    _pyi_private_set_type: list[Any] | Combinable  # type: ignore[assignment]
    _pyi_private_get_type: list[Any]  # type: ignore[assignment]

    def empty(self) -> Any:
        return []


def _digest_lhs(lhs: Any) -> tuple[Col, EncryptedTextField]:
    field = lhs.output_field
    if not isinstance(lhs, Col) or not isinstance(field, EncryptedTextField):
        raise FieldError("Encrypted fields are looked up by digest only on their own column.")
    assert field.digest_field is not None
    digest = field.model._meta.get_field(field.digest_field)
    assert isinstance(digest, LookupDigestField)
    return Col(lhs.alias, digest), field


class EmptyExact(Exact):
    """``phone=""``: the empty string is stored as it is, so it alone can be compared (check
    constraints need it); any other value has no digest to be compared with."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs != "":
            raise FieldError("An encrypted field without a digest compares only with ''.")
        super().__init__(lhs, rhs)


class DigestExact(Exact):
    """``email=...`` (and ``iexact``) answered as ``email_digest = HMAC(value)``."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        column, field = _digest_lhs(lhs)
        if hasattr(rhs, "resolve_expression"):
            raise FieldError(f"{field.name} is encrypted: compare it with a value only.")
        super().__init__(column, field.digest_of(rhs))


class DigestIExact(DigestExact):
    lookup_name = "iexact"

    def __init__(self, lhs: Any, rhs: Any) -> None:
        _column, field = _digest_lhs(lhs)
        if not field.lower_case:
            raise FieldError(f"{field.name} is encrypted and case-sensitive: use exact.")
        super().__init__(lhs, rhs)


class DigestIn(In):
    def __init__(self, lhs: Any, rhs: Any) -> None:
        column, field = _digest_lhs(lhs)
        if hasattr(rhs, "resolve_expression") or not isinstance(rhs, Iterable):
            raise FieldError(f"{field.name} is encrypted: compare it with values only.")
        super().__init__(column, [field.digest_of(v) for v in rhs])


_DIGEST_LOOKUPS: dict[str, type[Lookup[Any]]] = {
    "exact": DigestExact,
    "iexact": DigestIExact,
    "in": DigestIn,
}


class EmptyJSONExact(Exact):
    """``context={}`` (``rows=[]``): the empty value is stored as the empty string, so it alone
    can be compared."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        field = lhs.output_field
        empty = field.empty() if isinstance(field, EncryptedJSONField) else {}
        if rhs != "" and rhs != empty:
            raise FieldError(f"An encrypted JSON field compares only with {empty!r}.")
        super().__init__(lhs, "")
