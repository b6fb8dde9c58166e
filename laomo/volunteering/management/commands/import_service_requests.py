from laomo.core.importing import ImportCommand


class Command(ImportCommand):
    kind = "service_requests"
