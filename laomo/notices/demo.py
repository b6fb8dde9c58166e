"""Demo 文件下发, through the services: the city sends a 劳模待遇 policy to every county (three have confirmed,
one has only read it) and a campaign plan to the same counties, still unread."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from laomo.core.clock import at
from laomo.core.demo import demo_step

from . import selectors, services
from .models import NoticeCategory

POLICY_BODY = ("各县(市、区)总工会:\n"
               "为进一步落实劳模待遇,现将《丽水市劳动模范待遇落实办法》印发给你们,请认真贯彻执行。\n"
               "一、及时足额发放劳模荣誉津贴、困难帮扶资金;\n"
               "二、每年组织劳模健康体检,做好高龄劳模慰问;\n"
               "三、于本月底前将落实情况报市劳模协会。")
WORKER_TEXT = "劳模同志:市总工会已下发劳模待遇落实办法,您可向所在县(市、区)总工会咨询荣誉津贴、体检和疗休养安排。"
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


@demo_step(80, "文件下发(劳模待遇政策下发各县,部分已确认收到)")
def demo_notices(ctx):
    city_user, city = ctx.users["city"], ctx.orgs["331100"]
    counties = list(selectors.county_units(city))
    start = timezone.now().replace(hour=1, minute=30, second=0, microsecond=0) - timedelta(days=10)
    with at(start):
        policy = _policy(city_user, city, counties)
    for days, username in ((1, "liandu"), (2, "qingyuan"), (4, "longquan")):
        with at(start + timedelta(days=days, hours=ctx.rng.randint(0, 6))):
            services.notice_confirm(actor=ctx.users[username], notice=policy)
    with at(start + timedelta(days=8)):
        services.notice_create(
            actor=city_user, org=city, title="2022年“劳模工匠进企业”宣讲活动方案", category=NoticeCategory.CAMPAIGN,
            body="请各县(市、区)总工会结合实际,于下月组织劳模工匠进企业宣讲,并报送活动安排。", targets=counties,
            publish=True)
    ctx.log.append(f"文件下发:2 条通知发往 {len(counties)} 个县(市、区),3 个单位已确认收到")


def _policy(city_user, city, counties):
    return services.notice_create(
        actor=city_user, org=city, title="关于进一步落实劳动模范待遇的通知", doc_number="丽劳协〔2022〕5号",
        category=NoticeCategory.POLICY, body=POLICY_BODY, worker_text=WORKER_TEXT, targets=counties,
        deadline=timezone.localdate() + timedelta(days=14), publish=True,
        attachments=[SimpleUploadedFile("丽水市劳动模范待遇落实办法.pdf", DEMO_PDF, "application/pdf")],
        worker_attachments=[SimpleUploadedFile("劳模待遇问答.pdf", DEMO_PDF, "application/pdf")])
