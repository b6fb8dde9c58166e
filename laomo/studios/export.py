"""Spreadsheet rows of the studio lists: the same filtered, scoped querysets as the pages."""

from .selectors import flags_of, kind_labels

STUDIO_HEADERS = ["工作室名称", "类型", "示范级别", "状态", "领衔人", "领衔人劳模编号", "领衔人最高荣誉",
                  "依托企业(单位)", "所属工会", "专业领域", "创建日期", "命名日期", "撤销日期", "撤销原因",
                  "现有成员", "成果数", "提示"]
STUDIO_TEXT = ["领衔人劳模编号"]

ACHIEVEMENT_HEADERS = ["工作室", "所属工会", "成果类别", "成果名称", "专利号", "取得日期", "已获认定", "认定/授权单位",
                       "经济效益(元)", "完成人", "佐证材料"]
ACHIEVEMENT_TEXT = ["专利号"]

MENTORSHIP_HEADERS = ["结对名称", "形式", "师傅", "徒弟", "传授技艺", "依托工作室", "所属工会", "开始日期", "结束日期",
                      "培养目标"]
MENTORSHIP_TEXT: list[str] = []

TECH_HELP_HEADERS = ["日期", "类型", "主题", "对象类型", "服务对象", "参与劳模", "受训/受益人数", "解决的问题",
                     "工作室", "所属工会"]
TECH_HELP_TEXT: list[str] = []

CHUNK = 2000


def studio_rows(qs, year: int):
    for s in qs.iterator(chunk_size=CHUNK):
        yield [s.name, s.get_studio_type_display(), s.get_level_display(), s.get_status_display(), s.lead.name,
               s.lead.worker_no, s.lead.highest_level_label, s.host_enterprise, s.org.name, s.specialty,
               s.founded_date, s.named_date, s.revoked_date, s.revoke_reason, s.n_members, s.n_achievements,
               "、".join(label for _, label in flags_of(s, year))]


def achievement_rows(qs):
    labels = kind_labels()
    for a in qs.iterator(chunk_size=CHUNK):
        yield [a.studio.name, a.studio.org.name, labels.get(a.kind, a.kind), a.title, a.patent_no, a.achieved_date,
               a.is_recognized, a.recognized_by, a.economic_benefit, "、".join(m.name for m in a.credited.all()),
               a.evidence_name]


def mentorship_rows(qs):
    for m in qs.iterator(chunk_size=CHUNK):
        people = list(m.participants.all())
        yield [m.title, m.form_label, "、".join(p.name for p in people if p.role == "mentor"),
               "、".join(p.name for p in people if p.role == "apprentice"), m.skill,
               m.studio.name if m.studio_id else "", m.org.name, m.start_date, m.end_date, m.goals]


def tech_help_rows(qs):
    for a in qs.iterator(chunk_size=CHUNK):
        yield [a.date, a.get_kind_display(), a.topic, a.get_target_type_display(), a.target_name,
               "、".join(w.name for w in a.participants.all()), a.trainees_count, a.problems_solved,
               a.studio.name if a.studio_id else "", a.org.name]
