"""Role-matrix samples of 关爱劳模: every URL with path parameters, and the objects behind them (in 莲都, so that
the county user of the matrix has them in scope)."""

from datetime import date

from laomo.care import services
from laomo.care.models import BenefitType
from laomo.core.actors import SYSTEM
from laomo.core.testing import pk_samples


def build(f) -> dict:
    orgs, worker = f["orgs"], f["worker"]
    campaign = services.campaign_create(
        actor=SYSTEM, org=orgs["331102"], name="矩阵测试春节慰问", year=2022, visit_type="spring_festival",
        start_date=date(2022, 1, 10), end_date=date(2022, 2, 15), budget="10000", amount_provincial="1000",
        amount_municipal="500", min_level_rank=2)
    services.recipients_generate(actor=SYSTEM, campaign=campaign)
    recipient = campaign.recipients.get(worker=worker)
    services.bank_account_set(actor=SYSTEM, worker=worker, bank_name="中国农业银行丽水分行",
                              account_number="6228480123456789012")
    visit = services.visit_record(actor=SYSTEM, worker=worker, campaign=campaign, visit_date=date(2022, 1, 20),
                                  method="home", amount="1000", payment_method="transfer")
    survey_round = services.round_open(actor=SYSTEM, org=orgs["331100"], year=2022, name="2022年困难劳模调查",
                                       start_date=date(2022, 3, 1), end_date=date(2022, 11, 30),
                                       income_threshold="960")
    survey = services.survey_create(
        actor=SYSTEM, survey_round=survey_round, worker=worker, survey_date=date(2022, 4, 1),
        verification_method="home", household_size=3, employment="active", housing_type="own", income_own="1500",
        income_per_capita="800", health_category="chronic", causes=["illness"])
    grant = services.benefit_grant_add(actor=SYSTEM, worker=worker, benefit_type_code="health_checkup", year=2022,
                                       grant_date=date(2022, 10, 1), amount="800")
    return {"care_campaign": campaign, "care_recipient": recipient, "care_visit": visit, "care_round": survey_round,
            "care_survey": survey, "care_grant": grant,
            "care_type": BenefitType.objects.get(code="health_checkup")}


def _campaign(f):
    return {"pk": f["care_campaign"].pk}


SAMPLES = {
    "care:campaign_detail": _campaign,
    "care:campaign_edit": _campaign,
    "care:campaign_status": _campaign,
    "care:recipients_generate": _campaign,
    "care:recipient_list": _campaign,
    "care:recipient_add": _campaign,
    "care:recipient_adjust": lambda f: {"pk": f["care_campaign"].pk, "rid": f["care_recipient"].pk},
    "care:visit_batch": _campaign,
    "care:payment_sheet": _campaign,
    **pk_samples("care_visit", "care:visit_detail", "care:visit_void", "care:visit_reveal"),
    "care:bank_account": lambda f: {"worker_pk": f["worker"].pk},
    **pk_samples("care_round", "care:round_detail", "care:round_edit"),
    **pk_samples("care_survey",
                 "care:survey_detail", "care:survey_edit", "care:survey_submit", "care:survey_approve",
                 "care:survey_return", "care:survey_discard"),
    **pk_samples("care_grant", "care:grant_void"),
    **pk_samples("care_type", "care:benefit_type_edit"),
}
