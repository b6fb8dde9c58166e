"""The keyed (blind) indexes a worker's ID number and phone are looked up by: never the clear value.

A small module of its own so that the services and the selectors (search, import matching) share it without
importing each other."""

from laomo.core.pii import blind_index

ID_PURPOSE = "id_number"
PHONE_PURPOSE = "phone"


def id_index(number: str) -> str:
    return blind_index(number, purpose=ID_PURPOSE)


def phone_index(phone: str) -> str:
    return blind_index(phone.replace("-", ""), purpose=PHONE_PURPOSE) if phone else ""
