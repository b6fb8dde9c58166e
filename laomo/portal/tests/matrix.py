from django.core.cache import cache

from laomo.core.actors import PUBLIC
from laomo.volunteering.services import request_submit

SAMPLES = {
    "portal:track": lambda f: {"code": f["portal_request"].tracking_code},
    "portal:rate": lambda f: {"code": f["portal_request"].tracking_code},
    "portal:cancel": lambda f: {"code": f["portal_request"].tracking_code},
}


def build(f):
    cache.clear()
    req = request_submit(actor=PUBLIC, org=f["orgs"]["331102"], category="power", description="老房子电路老化经常跳闸",
                         town="紫金街道", contact_name="李四", contact_phone="13905781111")
    return {"portal_request": req}
