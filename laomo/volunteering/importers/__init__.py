"""Importers of the volunteering ledgers (issue 13) on `laomo.core.importing`: service teams with their members,
service records with volunteers and hours, and the public's past requests with their real dates."""

from .records import ServiceRecordImporter
from .requests import RequestImporter
from .teams import TeamImporter

__all__ = ["RequestImporter", "ServiceRecordImporter", "TeamImporter"]
