#!/usr/bin/env bash
# Serve laomo: gunicorn for the web and huey's consumer for jobs; both stop together.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
WORKERS=${WEB_WORKERS:-3}
PY=.venv/bin/python

.venv/bin/python manage.py run_huey --quiet >> var/jobs.log 2>&1 &
HUEY_PID=$!
WEB_PID=""
stop() { kill $HUEY_PID $WEB_PID 2>/dev/null || true; }
trap stop EXIT INT TERM

cat <<MSG

  劳模服务管理平台已启动:http://${HOST}:${PORT}/

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
.venv/bin/gunicorn --bind "${HOST}:${PORT}" --workers "$WORKERS" --threads 2 --timeout 120 \
  --access-logfile - laomo.wsgi:application &
WEB_PID=$!
wait -n $WEB_PID $HUEY_PID  # either one ending stops both
