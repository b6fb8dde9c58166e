"""Every audit action, one enumeration: `<module>.<entity>.<verb>` (verbs may be snake_case).

`audit.record` refuses an action that is not here when `LAOMO_STRICT_ACTIONS` is on (tests, DEBUG), so a
new write cannot invent a dialect; `core/tests/test_actions.py` also reads every literal action in the code.
Filters on the audit page group by the first part (the module) and the second (the entity).

Entries written before this enumeration (issue 12) keep their old names in the log (the chain is
append-only); `LEGACY` maps those names to these for readers that look an action up by name.
"""

from __future__ import annotations

import re

ACTION_RE = re.compile(r"^[a-z]+\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")

ACTIONS: frozenset[str] = frozenset({
    # auth
    "auth.account.lock", "auth.account.unlock", "auth.otp.enroll", "auth.otp.fail", "auth.otp.reset",
    "auth.otp.verify", "auth.password.change", "auth.session.expire", "auth.session.locked_attempt",
    "auth.session.login", "auth.session.login_failed", "auth.session.logout",
    # api
    "api.token.create", "api.token.revoke",
    # audit
    "audit.chain.resigned",
    # core
    "core.dictionary.save", "core.permission.deny", "core.pii.reveal", "core.pii.rotate_keys",
    # orgs
    "orgs.org.create", "orgs.org.update", "orgs.user.create", "orgs.user.disable", "orgs.user.enable",
    "orgs.user.reset_password", "orgs.user.update",
    # workers
    "workers.honor.create", "workers.honor.delete", "workers.worker.create", "workers.worker.export",
    "workers.worker.export_full", "workers.worker.grant_login", "workers.worker.import",
    "workers.worker.import_update", "workers.worker.self_update_contact", "workers.worker.status",
    "workers.worker.update",
    # outreach
    "outreach.campaign.create", "outreach.campaign.delete", "outreach.campaign.export", "outreach.campaign.update",
    "outreach.leaderboard.export", "outreach.lecture.create", "outreach.lecture.delete", "outreach.lecture.export",
    "outreach.lecture.update", "outreach.media.create", "outreach.media.delete", "outreach.media.export",
    "outreach.media.update", "outreach.photo.add", "outreach.photo.delete", "outreach.pickup.add",
    "outreach.pickup.delete", "outreach.platform.create", "outreach.platform.update", "outreach.reading.add",
    "outreach.reading.delete", "outreach.session.batch", "outreach.session.create", "outreach.session.delete",
    "outreach.session.export", "outreach.session.update", "outreach.showcase.create", "outreach.showcase.delete",
    "outreach.showcase.export", "outreach.showcase.update",
    # volunteering
    "volunteering.certificate.issue", "volunteering.certificate.void", "volunteering.list.export",
    "volunteering.mobilization.create", "volunteering.mobilization.post_add", "volunteering.mobilization.roster_add",
    "volunteering.mobilization.roster_remove", "volunteering.mobilization.update", "volunteering.record.create",
    "volunteering.record.delete", "volunteering.record.photo_add", "volunteering.record.update",
    "volunteering.request.accept", "volunteering.request.cancel", "volunteering.request.complete",
    "volunteering.request.decline", "volunteering.request.dispatch", "volunteering.request.rate",
    "volunteering.request.redispatch", "volunteering.request.refuse", "volunteering.request.schedule",
    "volunteering.request.submit", "volunteering.team.create", "volunteering.team.dissolve",
    "volunteering.team.member_add", "volunteering.team.member_remove", "volunteering.team.update",
    # studios
    "studios.achievement.add", "studios.achievement.evidence", "studios.achievement.export",
    "studios.achievement.withdraw", "studios.assessment.record", "studios.member.add", "studios.member.leave",
    "studios.mentorship.checkin", "studios.mentorship.create", "studios.mentorship.delete",
    "studios.mentorship.export", "studios.mentorship.outcome", "studios.mentorship.participant_add",
    "studios.mentorship.participant_remove", "studios.mentorship.update", "studios.project.add",
    "studios.project.close", "studios.report.submit", "studios.studio.create", "studios.studio.export",
    "studios.studio.status", "studios.studio.update", "studios.tech_help.create", "studios.tech_help.delete",
    "studios.tech_help.export", "studios.tech_help.update",
    # care
    "care.bank_account.bulk_set", "care.bank_account.set", "care.benefit.export_report", "care.benefit_type.save",
    "care.campaign.create", "care.campaign.export", "care.campaign.status", "care.campaign.update",
    "care.grant.bulk_record", "care.grant.export", "care.grant.record", "care.grant.void", "care.hardship.export",
    "care.ledger.export", "care.payment_sheet.export", "care.payment_sheet.export_full", "care.payment_sheet.print",
    "care.recipient.add", "care.recipient.adjust", "care.recipient.export", "care.recipient.generate",
    "care.round.open", "care.round.update", "care.survey.approve", "care.survey.approve_batch", "care.survey.create",
    "care.survey.discard", "care.survey.export", "care.survey.export_not_surveyed", "care.survey.return",
    "care.survey.submit", "care.survey.submit_batch", "care.survey.update", "care.visit.batch", "care.visit.export",
    "care.visit.record", "care.visit.void",
    # retreats
    "retreats.application.apply", "retreats.application.attendance", "retreats.application.benefit_failed",
    "retreats.application.confirm", "retreats.application.export", "retreats.application.nominate",
    "retreats.application.promote", "retreats.application.reject", "retreats.application.withdraw",
    "retreats.batch.create", "retreats.batch.export", "retreats.batch.export_insurance",
    "retreats.batch.export_roster", "retreats.batch.itinerary", "retreats.batch.quotas", "retreats.batch.status",
    "retreats.batch.update", "retreats.survey.qr", "retreats.survey.submit", "retreats.vendor.create",
    "retreats.vendor.export", "retreats.vendor.update",
})


LEGACY: dict[str, str] = {
    "auth.login": "auth.session.login",
    "auth.logout": "auth.session.logout",
    "auth.session_expired": "auth.session.expire",
    "auth.login_failed": "auth.session.login_failed",
    "auth.locked_attempt": "auth.session.locked_attempt",
    "auth.lockout": "auth.account.lock",
    "auth.unlock": "auth.account.unlock",
    "auth.password_change": "auth.password.change",
    "auth.2fa_enroll": "auth.otp.enroll",
    "auth.2fa_failed": "auth.otp.fail",
    "auth.2fa_reset": "auth.otp.reset",
    "auth.2fa_verify": "auth.otp.verify",
    "api_token.create": "api.token.create",
    "api_token.revoke": "api.token.revoke",
    "permission.denied": "core.permission.deny",
    "pii.reveal": "core.pii.reveal",
    "pii.rotate_keys": "core.pii.rotate_keys",
    "org.create": "orgs.org.create",
    "org.update": "orgs.org.update",
    "user.create": "orgs.user.create",
    "user.update": "orgs.user.update",
    "user.enable": "orgs.user.enable",
    "user.disable": "orgs.user.disable",
    "user.reset_password": "orgs.user.reset_password",
    "worker.create": "workers.worker.create",
    "worker.update": "workers.worker.update",
    "worker.status": "workers.worker.status",
    "worker.grant_login": "workers.worker.grant_login",
    "worker.import": "workers.worker.import",
    "worker.import_update": "workers.worker.import_update",
    "worker.export": "workers.worker.export",
    "worker.export_full": "workers.worker.export_full",
    "worker.self_update_contact": "workers.worker.self_update_contact",
    "honor.create": "workers.honor.create",
    "honor.delete": "workers.honor.delete",
    "care.campaign_create": "care.campaign.create",
    "care.campaign_update": "care.campaign.update",
    "care.campaign_status": "care.campaign.status",
    "care.recipients_generate": "care.recipient.generate",
    "care.recipient_add": "care.recipient.add",
    "care.recipient_adjust": "care.recipient.adjust",
    "care.bank_account_set": "care.bank_account.set",
    "care.bank_account_bulk_set": "care.bank_account.bulk_set",
    "care.visit_record": "care.visit.record",
    "care.visit_batch": "care.visit.batch",
    "care.visit_void": "care.visit.void",
    "care.round_open": "care.round.open",
    "care.round_update": "care.round.update",
    "care.survey_create": "care.survey.create",
    "care.survey_update": "care.survey.update",
    "care.survey_submit": "care.survey.submit",
    "care.survey_submit_batch": "care.survey.submit_batch",
    "care.survey_approve": "care.survey.approve",
    "care.survey_approve_batch": "care.survey.approve_batch",
    "care.survey_return": "care.survey.return",
    "care.survey_discard": "care.survey.discard",
    "care.grant_record": "care.grant.record",
    "care.grant_bulk_record": "care.grant.bulk_record",
    "care.grant_void": "care.grant.void",
    "care.benefit_type_save": "care.benefit_type.save",
    "care.dict_item_save": "core.dictionary.save",
    "care.print_payment_sheet": "care.payment_sheet.print",
    "care.export_payment_sheet": "care.payment_sheet.export",
    "care.export_payment_sheet_full": "care.payment_sheet.export_full",
    "care.export_campaigns": "care.campaign.export",
    "care.export_recipients": "care.recipient.export",
    "care.export_visits": "care.visit.export",
    "care.export_ledger": "care.ledger.export",
    "care.export_surveys": "care.survey.export",
    "care.export_hardship": "care.hardship.export",
    "care.export_not_surveyed": "care.survey.export_not_surveyed",
    "care.export_grants": "care.grant.export",
    "care.export_benefits_report": "care.benefit.export_report",
    "studio.create": "studios.studio.create",
    "studio.update": "studios.studio.update",
    "studio.status": "studios.studio.status",
    "studio.export": "studios.studio.export",
    "studio.assessment": "studios.assessment.record",
    "studio.achievement_add": "studios.achievement.add",
    "studio.achievement_evidence": "studios.achievement.evidence",
    "studio.achievement_export": "studios.achievement.export",
    "studio.achievement_withdraw": "studios.achievement.withdraw",
    "studio.member_add": "studios.member.add",
    "studio.member_leave": "studios.member.leave",
    "studio.project_add": "studios.project.add",
    "studio.project_close": "studios.project.close",
    "studio.report_submit": "studios.report.submit",
    "mentorship.create": "studios.mentorship.create",
    "mentorship.update": "studios.mentorship.update",
    "mentorship.delete": "studios.mentorship.delete",
    "mentorship.export": "studios.mentorship.export",
    "mentorship.checkin": "studios.mentorship.checkin",
    "mentorship.outcome": "studios.mentorship.outcome",
    "mentorship.participant_add": "studios.mentorship.participant_add",
    "mentorship.participant_remove": "studios.mentorship.participant_remove",
    "tech_help.create": "studios.tech_help.create",
    "tech_help.update": "studios.tech_help.update",
    "tech_help.delete": "studios.tech_help.delete",
    "tech_help.export": "studios.tech_help.export",
    "team.create": "volunteering.team.create",
    "team.update": "volunteering.team.update",
    "team.dissolve": "volunteering.team.dissolve",
    "team.member_add": "volunteering.team.member_add",
    "team.member_remove": "volunteering.team.member_remove",
    "record.create": "volunteering.record.create",
    "record.update": "volunteering.record.update",
    "record.delete": "volunteering.record.delete",
    "record.photo_add": "volunteering.record.photo_add",
    "certificate.issue": "volunteering.certificate.issue",
    "certificate.void": "volunteering.certificate.void",
    "mobilization.create": "volunteering.mobilization.create",
    "mobilization.update": "volunteering.mobilization.update",
    "mobilization.post_add": "volunteering.mobilization.post_add",
    "mobilization.roster_add": "volunteering.mobilization.roster_add",
    "mobilization.roster_remove": "volunteering.mobilization.roster_remove",
    "volunteering.export": "volunteering.list.export",
    "retreat.batch_create": "retreats.batch.create",
    "retreat.batch_update": "retreats.batch.update",
    "retreat.batch_status": "retreats.batch.status",
    "retreat.quotas": "retreats.batch.quotas",
    "retreat.itinerary": "retreats.batch.itinerary",
    "retreat.export_batches": "retreats.batch.export",
    "retreat.export_roster": "retreats.batch.export_roster",
    "retreat.export_insurance": "retreats.batch.export_insurance",
    "retreat.apply": "retreats.application.apply",
    "retreat.withdraw": "retreats.application.withdraw",
    "retreat.confirm": "retreats.application.confirm",
    "retreat.reject": "retreats.application.reject",
    "retreat.nominate": "retreats.application.nominate",
    "retreat.promote": "retreats.application.promote",
    "retreat.attendance": "retreats.application.attendance",
    "retreat.benefit_failed": "retreats.application.benefit_failed",
    "retreat.export_applications": "retreats.application.export",
    "retreat.survey": "retreats.survey.submit",
    "retreat.survey_qr": "retreats.survey.qr",
    "retreat.vendor_create": "retreats.vendor.create",
    "retreat.vendor_update": "retreats.vendor.update",
    "retreat.export_vendors": "retreats.vendor.export",
    **{f"request.{verb}": f"volunteering.request.{verb}" for verb in (
        "submit", "dispatch", "redispatch", "refuse", "cancel", "accept", "decline", "schedule", "complete", "rate")},
}


def is_known(action: str) -> bool:
    return action in ACTIONS


def current_name(action: str) -> str:
    """The name an entry's action has today (old entries keep their old names)."""
    return LEGACY.get(action, action)


def module_of(action: str) -> str:
    return current_name(action).split(".", 1)[0]
