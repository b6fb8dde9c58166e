from laomo.core.importing import ImportCommand


class Command(ImportCommand):
    kind = "pre_shift_sessions"
