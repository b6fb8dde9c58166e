import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from laomo.core import audit_triggers
from laomo.core.audit import current_anchor, verify_chain


def _anchor(value) -> dict:
    if not isinstance(value, dict):
        raise CommandError("锚点格式不对:应为 verify_audit --anchor 输出的一行 JSON。")
    count, digest = value.get("count"), value.get("hash")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise CommandError("锚点格式不对:count 应为非负整数。")
    if not isinstance(digest, str) or len(digest) != 64:
        raise CommandError("锚点格式不对:hash 应为 64 位十六进制。")
    if "id" in value and not isinstance(value["id"], int):
        raise CommandError("锚点格式不对:id 应为整数。")
    return value


def load_anchors(text: str) -> list[dict]:
    """Anchors from a JSON object, or from a file of them (one JSON line each, as --anchor appends)."""
    source = text.strip()
    if not source.startswith("{"):
        path = Path(source)
        if not path.is_file():
            raise CommandError(f"找不到锚点文件 {source}(或参数不是 JSON)。")
        source = path.read_text(encoding="utf-8").strip()
    try:
        return [_anchor(json.loads(source))]
    except json.JSONDecodeError:
        pass
    try:
        anchors = [_anchor(json.loads(line)) for line in source.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise CommandError(f"锚点不是合法的 JSON:{exc}") from exc
    if not anchors:
        raise CommandError("锚点文件是空的。")
    return anchors


class Command(BaseCommand):
    help = ("校验审计日志的签名链;完整时退出码 0,否则 1 并指出第一条异常记录。"
            "--anchor 输出当前链头(一行 JSON,请另行保存);--check-anchor 同时核对保存过的锚点。")

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--anchor", action="store_true",
                           help="校验通过后只输出链头锚点(条数、哈希、最后一条的 id 和时间),一行 JSON")
        group.add_argument("--check-anchor", metavar="JSON或文件",
                           help="核对保存过的锚点:一行 JSON,或每行一个锚点的文件")

    def handle(self, *args, anchor=False, check_anchor=None, **options):
        anchors = load_anchors(check_anchor) if check_anchor else []
        result = verify_chain(anchors)
        if not result.ok:
            self.stderr.write(f"审计日志校验失败:第一条异常记录 id={result.bad_id}:{result.reason}"
                              f"(之前 {result.checked} 条正常)")
            raise SystemExit(1)
        if not audit_triggers.installed(connection):
            self.stderr.write("警告:审计表的只追加触发器缺失或被停用,请运行 manage.py migrate 重新安装。")
        if anchor:
            self.stdout.write(json.dumps(current_anchor(), ensure_ascii=False, separators=(",", ":")))
            return
        suffix = f";与保存的 {len(anchors)} 个锚点一致" if anchors else ""
        self.stdout.write(f"审计日志完整:共校验 {result.checked} 条{suffix}。")
