"""Dashboard cards: each module registers a function that returns cards for a user, year and unit."""

from collections.abc import Callable

_CARD_PROVIDERS: list[tuple[int, Callable]] = []


def register_cards(order: int):
    def decorator(fn):
        _CARD_PROVIDERS.append((order, fn))
        _CARD_PROVIDERS.sort(key=lambda item: item[0])
        return fn

    return decorator


def cards_for(*, user, year: int, org) -> list[dict]:
    """Figure cards {label, value, url?, note?} and chart cards {label, chart: an ECharts option}."""
    cards = []
    for _, provider in _CARD_PROVIDERS:
        cards.extend(provider(user=user, year=year, org=org) or [])
    for i, card in enumerate(cards):
        if "chart" in card:
            card.setdefault("chart_id", f"lm-chart-{i}")
    return cards
