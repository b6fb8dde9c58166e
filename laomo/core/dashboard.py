"""Dashboard cards: each module registers a function that returns cards for a user, year and unit."""

from collections.abc import Callable

from . import aggregates

_CARD_PROVIDERS: list[tuple[int, Callable]] = []


def register_cards(order: int):
    def decorator(fn):
        _CARD_PROVIDERS.append((order, fn))
        _CARD_PROVIDERS.sort(key=lambda item: item[0])
        return fn

    return decorator


def _compute(*, user, year: int, org) -> list[dict]:
    cards = []
    for _, provider in _CARD_PROVIDERS:
        cards.extend(provider(user=user, year=year, org=org) or [])
    return cards


def cards_for(*, user, year: int, org, version: Callable[[], str] | None = None) -> list[dict]:
    """Figure cards {label, value, url?, note?} and chart cards {label, chart: an ECharts option}.

    Cached per (data version, the user's capabilities, scope level and unit, unit shown, year) unless
    they are personal (`aggregates.card_audience`). `version`: the page's reading of the data version, when
    it asks for it more than once (read on the first call)."""
    audience = aggregates.card_audience(user) if aggregates.enabled() else None
    if audience is None:
        cards = _compute(user=user, year=year, org=org)
    else:
        cards = aggregates.cached(("cards", (version or aggregates.data_version)(), audience, org.pk, year),
                                  lambda: _compute(user=user, year=year, org=org))
        cards = [dict(card) for card in cards]  # chart_id below must not touch a locmem-cached object
    for i, card in enumerate(cards):
        if "chart" in card:
            card.setdefault("chart_id", f"lm-chart-{i}")
    return cards
