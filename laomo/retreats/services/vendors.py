"""Travel agencies and retreat bases (旅行社/疗休养基地) under contract with a union."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from laomo.core import audit
from laomo.core.idnumber import PhoneError, normalize_phone
from laomo.core.updates import model_update, snapshot

from ..models import Vendor
from .common import WHAT, check_edit, clean_value

VENDOR_FIELDS = ("name", "kind", "contact_person", "contact_phone", "address", "license_no", "contract_no",
                 "contract_start", "contract_end", "inspected_on", "inspection_note", "is_active", "note")


def _validate_vendor(vendor: Vendor) -> None:
    errors = {}
    if not vendor.name.strip():
        errors["name"] = "请填写名称。"
    if vendor.contract_start and vendor.contract_end and vendor.contract_end < vendor.contract_start:
        errors["contract_end"] = "合同终止日不能早于起始日。"
    if vendor.contact_phone:
        try:
            vendor.contact_phone = normalize_phone(vendor.contact_phone)
        except PhoneError as exc:
            errors["contact_phone"] = str(exc)
    dup = Vendor.objects.filter(org=vendor.org, name=vendor.name.strip(), is_deleted=False).exclude(pk=vendor.pk)
    if dup.exists():
        errors["name"] = "同名的旅行社/基地已登记。"
    if errors:
        raise ValidationError(errors)
    vendor.full_clean()


def _fields(data: dict) -> dict:
    unknown = set(data) - set(VENDOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown vendor field {sorted(unknown)}")
    return {key: clean_value(value) for key, value in data.items()}


@transaction.atomic
def vendor_create(*, actor, org, name: str, **fields) -> Vendor:
    check_edit(actor, org)
    vendor = Vendor(org=org, name=name.strip(), **_fields(fields))
    _validate_vendor(vendor)
    vendor.save()
    audit.record(actor=actor, action="retreats.vendor.create", obj=vendor, org=org,
                 changes=snapshot(vendor, VENDOR_FIELDS))
    return vendor


def vendor_update(*, actor, vendor: Vendor, **changes) -> Vendor:
    return model_update(vendor, fields=VENDOR_FIELDS, data=_fields(changes), actor=actor,
                        action="retreats.vendor.update", what=WHAT, clean=_validate_vendor)
