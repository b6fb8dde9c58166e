"""Role-matrix samples of 关爱劳模: every URL with path parameters, and the objects behind them (in 莲都, so that
the county user of the matrix has them in scope)."""

from datetime import date

from laomo.care import services
from laomo.care.models import BenefitType
from laomo.core.actors import SYSTEM


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
    "care:visit_detail": lambda f: {"pk": f["care_visit"].pk},
    "care:visit_void": lambda f: {"pk": f["care_visit"].pk},
    "care:visit_reveal": lambda f: {"pk": f["care_visit"].pk},
    "care:bank_account": lambda f: {"worker_pk": f["worker"].pk},
    "care:round_detail": lambda f: {"pk": f["care_round"].pk},
    "care:round_edit": lambda f: {"pk": f["care_round"].pk},
    "care:survey_detail": lambda f: {"pk": f["care_survey"].pk},
    "care:survey_edit": lambda f: {"pk": f["care_survey"].pk},
    "care:survey_submit": lambda f: {"pk": f["care_survey"].pk},
    "care:survey_approve": lambda f: {"pk": f["care_survey"].pk},
    "care:survey_return": lambda f: {"pk": f["care_survey"].pk},
    "care:survey_discard": lambda f: {"pk": f["care_survey"].pk},
    "care:grant_void": lambda f: {"pk": f["care_grant"].pk},
    "care:benefit_type_edit": lambda f: {"pk": f["care_type"].pk},
}
