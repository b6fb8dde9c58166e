"""The workers' own bank accounts (本人银行账户): money goes straight to them; stored encrypted, audited masked."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from laomo.core import audit
from laomo.core.permissions import has_capability
from laomo.core.scope import ensure_org_in_scope
from laomo.workers.models import Worker

from ..models import CareVisit, WorkerBankAccount
from .common import check_edit

# --- bank accounts ----------------------------------------------------------------------------------------

_FULLWIDTH = str.maketrans("0123456789", "0123456789")


def normalize_account(value: str) -> str:
    number = re.sub(r"[\s\-]", "", (value or "").translate(_FULLWIDTH))
    if not re.fullmatch(r"[0-9]{10,30}", number):
        raise ValidationError({"bank_account": "银行账号应为10至30位数字。"})
    return number


def mask_account(number: str) -> str:
    return f"{number[:4]}****{number[-4:]}" if len(number) > 8 else "****"


@transaction.atomic
def bank_account_set(*, actor, worker: Worker, bank_name: str, account_number: str) -> WorkerBankAccount:
    """Register the worker's own account (money goes straight to it); stored encrypted, audited masked."""
    worker = Worker.objects.select_related("org").get(pk=worker.pk)
    check_edit(actor, worker.org)
    errors = {}
    bank_name = (bank_name or "").strip()
    if not bank_name:
        errors["bank_name"] = "请填写开户银行。"
    try:
        number = normalize_account(account_number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        number = ""
    if errors:
        raise ValidationError(errors)
    account = WorkerBankAccount.objects.select_for_update(of=("self",)).filter(worker=worker).first()
    before = {"bank_name": account.bank_name, "account": account.account_masked} if account else {}
    if account is None:
        account = WorkerBankAccount(worker=worker)
    account.bank_name = bank_name[:100]
    account.account_number = number
    account.account_masked = mask_account(number)
    account.save()
    after = {"bank_name": account.bank_name, "account": account.account_masked}
    audit.record(actor=actor, action="care.bank_account.set", obj=account, org=worker.org,
                 object_repr=f"{worker.name} 银行账户", changes=audit.diff(before, after))
    return account


@transaction.atomic
def bank_accounts_bulk_set(*, actor, accounts) -> int:
    """Register many workers' own accounts at once (e.g. from the bank's roster of 工资卡/社保卡 accounts):
    `accounts` is [(worker, bank_name, account_number)]. All or nothing; one audit entry for the batch."""
    rows, errors = [], []
    for worker, bank_name, number in accounts:
        check_edit(actor, worker.org)
        try:
            normalized = normalize_account(number)
        except ValidationError:
            errors.append(f"{worker.name}:银行账号应为10至30位数字")
            continue
        if not (bank_name or "").strip():
            errors.append(f"{worker.name}:请填写开户银行")
            continue
        rows.append((worker, bank_name.strip()[:100], normalized))
    if errors:
        raise ValidationError({"accounts": errors})
    existing = {a.worker_id: a for a in WorkerBankAccount.objects.filter(worker__in=[w for w, _, _ in rows])}
    new, changed = [], []
    for worker, bank_name, number in rows:
        account = existing.get(worker.pk) or WorkerBankAccount(worker=worker)
        account.bank_name, account.account_number, account.account_masked = bank_name, number, mask_account(number)
        (changed if account.pk else new).append(account)
    WorkerBankAccount.objects.bulk_create(new, batch_size=500)
    WorkerBankAccount.objects.bulk_update(changed, ["bank_name", "account_number", "account_masked", "updated_at"],
                                          batch_size=500)
    audit.record(actor=actor, action="care.bank_account.bulk_set", object_type="care.workerbankaccount",
                 object_repr=f"{len(rows)} 个账户", changes={"created": len(new), "updated": len(changed)})
    return len(rows)


def bank_account_reveal(*, actor, visit: CareVisit) -> str:
    """The full account number of a transfer, for a user allowed to reveal PII; audited."""
    if not has_capability(actor, "reveal_pii"):  # a person reveals; SYSTEM never needs to
        raise PermissionDenied("您没有查看完整个人信息的权限。")
    ensure_org_in_scope(actor, visit.org)
    audit.record(actor=actor, action="core.pii.reveal", obj=visit, org=visit.org,
                 changes={"field": "bank_account", "masked": visit.bank_account_masked})
    return visit.bank_account


