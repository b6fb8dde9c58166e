"""Role-matrix samples of the notices pages: a city notice published to 莲都 and 庆元, with one attachment."""

from django.core.files.uploadedfile import SimpleUploadedFile

from laomo.core.actors import SYSTEM
from laomo.notices import services

PDF = b"%PDF-1.4\n%%EOF\n"

SAMPLES = {
    "notices:detail": lambda f: {"pk": f["notice"].pk},
    "notices:publish": lambda f: {"pk": f["notice"].pk},
    "notices:withdraw": lambda f: {"pk": f["notice"].pk},
    "notices:remind": lambda f: {"pk": f["notice"].pk},
    "notices:received": lambda f: {"pk": f["notice"].pk},
    "notices:confirm": lambda f: {"pk": f["notice"].pk},
    "notices:attachment": lambda f: {"pk": f["notice"].attachments.first().pk},
}


def build(f) -> dict:
    orgs = f["orgs"]
    notice = services.notice_create(
        actor=SYSTEM, org=orgs["331100"], title="矩阵测试通知", body="正文", worker_text="致劳模",
        targets=[orgs["331102"], orgs["331126"]], publish=True,
        attachments=[SimpleUploadedFile("办法.pdf", PDF, "application/pdf")])
    return {"notice": notice}
