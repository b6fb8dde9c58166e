"""Importers of the 关爱劳模 ledgers (issue 13), on the framework of `laomo.core.importing`: the visits and
their money (the 发放表 read back, or a hand-made 慰问台账), the hardship surveys (困难劳模摸底表) and the
benefit grants (待遇落实台账). Registered when the app is ready (apps.py)."""

from .grants import GrantImporter
from .surveys import SurveyImporter
from .visits import VisitImporter

__all__ = ["GrantImporter", "SurveyImporter", "VisitImporter"]
