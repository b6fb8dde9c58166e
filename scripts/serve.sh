#!/usr/bin/env bash
# Serve laomo: gunicorn for the web and huey's consumer for jobs, supervised separately by
# laomo/core/supervisor.py — a crash of one restarts it with back-off and never stops the other;
# Ctrl+C or SIGTERM stops both. The web logs to stdout, the consumer to var/jobs.log.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
WORKERS=${WEB_WORKERS:-3}
START_TIMEOUT=${LAOMO_START_TIMEOUT:-60}
PY=.venv/bin/python
mkdir -p var

# Keys checked at start (and every system check): refuses when the keys cannot read the database.
$PY manage.py check >/dev/null

$PY -m laomo.core.supervisor \
  --program "web=.venv/bin/gunicorn --bind ${HOST}:${PORT} --workers ${WORKERS} --threads 2 --timeout 120 --access-logfile - laomo.wsgi:application" \
  --program "jobs>var/jobs.log=${PY} manage.py run_huey --quiet" &
SUP_PID=$!
stop() { kill -TERM "$SUP_PID" 2>/dev/null || true; wait "$SUP_PID" 2>/dev/null || true; }
trap 'stop; exit 0' INT TERM

# Start-up check: /healthz answers 200 (database, job consumer heartbeat, disk) before we say so.
if ! $PY - "$HOST" "$PORT" "$SUP_PID" "$START_TIMEOUT" <<'PY'
import json, os, sys, time, urllib.error, urllib.request

host, port, sup_pid, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
if host in ("0.0.0.0", "::", "[::]"):
    host = "127.0.0.1"
url, body, deadline = f"http://{host}:{port}/healthz", "", time.monotonic() + timeout
while time.monotonic() < deadline:
    try:
        os.kill(sup_pid, 0)
    except ProcessLookupError:
        sys.exit("\n  启动失败:服务进程已退出,请查看上面的日志和 var/jobs.log。\n")
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            if response.status == 200:
                sys.exit(0)
    except urllib.error.HTTPError as exc:
        body = exc.read().decode(errors="replace")
    except OSError:
        pass
    time.sleep(0.5)
try:
    body = json.dumps(json.loads(body), ensure_ascii=False)
except ValueError:
    pass
sys.exit(f"\n  启动检查未通过:{url} 在 {timeout:g} 秒内未报告正常。{body}\n"
         "  请查看上面的日志和 var/jobs.log。\n")
PY
then
  stop
  exit 1
fi

if [[ "${LAOMO_DEMO:-0}" != "1" ]]; then
  cat <<MSG

  劳模服务管理平台(正式环境)已启动:http://${HOST}:${PORT}/
  用上面提示的 create_user 命令创建的账号登录;市级业务管理员在工作台打开“上线清单”。
  按 Ctrl+C 停止。

MSG
  wait "$SUP_PID"
  exit $?
fi

cat <<MSG

  劳模服务管理平台(演示环境)已启动:http://${HOST}:${PORT}/

  演示账号(密码均为 Laomo@2022demo):
    city      市级业务管理员(丽水市)
    liandu    县级业务管理员(莲都区)
    qingyuan  县级业务管理员(庆元县)
    longquan  县级业务管理员(龙泉市)
    leader    服务队队长(庆元县)
    worker    劳模本人(庆元县)
    viewer    领导查看(丽水市)
    sysadmin  系统管理员 —— 首次登录需用手机验证器绑定动态验证码
    secadmin  安全管理员 —— 同上
    auditor   审计管理员 —— 同上
  按 Ctrl+C 停止。

MSG
wait "$SUP_PID"
