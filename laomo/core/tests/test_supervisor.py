"""The supervisor of `make run`: a crash of one program never stops the other; it is restarted with
back-off; SIGTERM stops both (finding 1: `wait -n` in serve.sh stopped gunicorn with the consumer)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from laomo.core.supervisor import Program, Supervisor

ROOT = Path(__file__).resolve().parents[3]


def wait_for(predicate, what, limit=30.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def pids(path: Path) -> list[int]:
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def child(pidfile: Path, line: str = "") -> str:
    say = f"echo {line}; " if line else ""
    return f"sh -c '{say}echo $$ >> {pidfile}; exec sleep 600'"


def test_it_restarts_a_killed_program_and_leaves_the_other_alone(tmp_path):
    web, jobs, log = tmp_path / "web.pids", tmp_path / "jobs.pids", tmp_path / "jobs.log"
    sup = subprocess.Popen(
        [sys.executable, "-m", "laomo.core.supervisor", "--backoff-min", "0.1", "--grace", "10",
         "--program", f"web={child(web)}", "--program", f"jobs>{log}={child(jobs, 'consumer-says-hello')}"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )
    try:
        web_pid = wait_for(lambda: pids(web) and pids(web)[0], "web to start")
        jobs_pid = wait_for(lambda: pids(jobs) and pids(jobs)[0], "jobs to start")

        os.kill(jobs_pid, signal.SIGKILL)  # the consumer dies (e.g. an allocation abort)
        new_jobs = wait_for(lambda: len(pids(jobs)) == 2 and pids(jobs)[1], "jobs to restart")
        assert new_jobs != jobs_pid and alive(new_jobs)
        assert pids(web) == [web_pid] and alive(web_pid)  # the web never noticed

        os.kill(web_pid, signal.SIGKILL)
        new_web = wait_for(lambda: len(pids(web)) == 2 and pids(web)[1], "web to restart")
        assert pids(jobs) == [jobs_pid, new_jobs] and alive(new_jobs)

        sup.send_signal(signal.SIGTERM)
        assert sup.wait(timeout=30) == 0
        assert not alive(new_web) and not alive(new_jobs)
        assert log.read_text().count("consumer-says-hello") == 2  # the consumer's output goes to its log
        stderr = sup.stderr.read()
        assert "jobs exited with code -9; restarting" in stderr and "stopped" in stderr
    finally:
        if sup.poll() is None:
            sup.kill()
            sup.wait()


def test_it_stops_on_ctrl_c(tmp_path):
    web = tmp_path / "web.pids"
    sup = subprocess.Popen([sys.executable, "-m", "laomo.core.supervisor", "--program", f"web={child(web)}"],
                           cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        pid = wait_for(lambda: pids(web) and pids(web)[0], "web to start")
        sup.send_signal(signal.SIGINT)
        assert sup.wait(timeout=30) == 0
        assert not alive(pid) and pids(web) == [pid]  # stopped, not restarted
    finally:
        if sup.poll() is None:
            sup.kill()
            sup.wait()


def test_it_doubles_the_back_off_up_to_the_cap_and_resets_after_a_stable_run():
    program = Program.parse("jobs>var/jobs.log=python manage.py run_huey --quiet")
    assert (program.name, program.log, program.argv) == ("jobs", "var/jobs.log",
                                                          ["python", "manage.py", "run_huey", "--quiet"])
    sup = Supervisor([program], backoff_min=1, backoff_max=60, stable_after=30)
    delays = []
    for _ in range(8):  # crashes right after each start
        program.started_at = 1000.0
        sup._schedule_restart(program, now=1000.5)
        delays.append(program.delay)
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60]
    program.started_at = 1000.0
    sup._schedule_restart(program, now=1100.0)  # it had stayed up 100 s
    assert program.delay == 1
