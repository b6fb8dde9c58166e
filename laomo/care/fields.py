"""An encrypted JSON field for the sensitive parts of a hardship survey (health, incomes, causes, needs)."""

from __future__ import annotations

import json

from laomo.core.pii import EncryptedTextField, decrypt, encrypt


class EncryptedJSONField(EncryptedTextField):
    """A dict stored as Fernet ciphertext of its JSON; `{}` is stored as ''. Cannot be filtered on."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return {}
        return json.loads(decrypt(value))

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        if value in (None, ""):
            return {}
        return json.loads(value)

    def get_prep_value(self, value):
        if value in (None, "", {}):
            return ""
        if isinstance(value, str):
            value = json.loads(value)
        return encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), ensure_ascii=False, default=str)
