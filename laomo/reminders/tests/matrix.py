"""Role-matrix samples of the reminders pages: the one page has no path parameters."""

SAMPLES: dict = {}


def build(f) -> dict:
    return {}
