"""The portal has no API of its own: public requests come through the pages (rate-limited, captcha)."""

from ninja import Router

router = Router(tags=["门户"])
