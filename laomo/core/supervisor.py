"""A small process supervisor: the web and the job consumer, each restarted on its own.

    python -m laomo.core.supervisor \\
        --program 'web=.venv/bin/gunicorn laomo.wsgi:application' \\
        --program 'jobs>var/jobs.log=.venv/bin/python manage.py run_huey --quiet'

`NAME=COMMAND` inherits the supervisor's stdout/stderr; `NAME>FILE=COMMAND` appends both to FILE.
A program that exits (crash, kill -9, out of memory) is started again after a back-off that doubles
from `--backoff-min` to `--backoff-max` and resets once it has stayed up `--stable-after` seconds; the
other program is never touched. SIGINT or SIGTERM stops every program (SIGTERM, then SIGKILL after
`--grace` seconds) and the supervisor exits 0. Pure standard library: no Django here.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field


def say(message: str) -> None:
    print(f"[supervisor {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Program:
    name: str
    argv: list[str]
    log: str | None = None
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    next_start: float = 0.0
    delay: float = 0.0
    restarts: int = 0
    _log_fh: object = field(default=None, repr=False)

    @classmethod
    def parse(cls, spec: str) -> Program:
        head, sep, command = spec.partition("=")
        if not sep or not command.strip():
            raise argparse.ArgumentTypeError(f"expected NAME=COMMAND or NAME>LOG=COMMAND, got {spec!r}")
        name, _, log = head.partition(">")
        return cls(name=name.strip(), argv=shlex.split(command), log=log.strip() or None)


class Supervisor:
    def __init__(self, programs: list[Program], *, backoff_min=1.0, backoff_max=60.0, stable_after=30.0,
                 grace=30.0, poll=0.2):
        self.programs = programs
        self.backoff_min = backoff_min
        self.backoff_max = backoff_max
        self.stable_after = stable_after
        self.grace = grace
        self.poll = poll
        self.stopping = False

    def _start(self, program: Program) -> None:
        out = None
        if program.log:
            os.makedirs(os.path.dirname(os.path.abspath(program.log)), exist_ok=True)
            program._log_fh = out = open(program.log, "ab", buffering=0)  # noqa: SIM115
        try:
            # Own session: a Ctrl+C in the terminal reaches the supervisor only, which stops the programs
            # itself (and never mistakes their exit for a crash to restart).
            program.proc = subprocess.Popen(program.argv, stdout=out, stderr=subprocess.STDOUT if out else None,
                                            start_new_session=True)
        except OSError as exc:
            say(f"{program.name}: cannot start ({exc})")
            program.proc = None
            program.started_at = time.monotonic()
            self._schedule_restart(program, time.monotonic())
            return
        program.started_at = time.monotonic()
        say(f"{program.name} started (pid {program.proc.pid})")

    def _schedule_restart(self, program: Program, now: float) -> None:
        if now - program.started_at >= self.stable_after or program.delay == 0:
            program.delay = self.backoff_min
        else:
            program.delay = min(program.delay * 2, self.backoff_max)
        program.next_start = now + program.delay
        program.restarts += 1

    def _reap(self, program: Program, code: int) -> None:
        if program._log_fh is not None:
            program._log_fh.close()
            program._log_fh = None
        program.proc = None
        if self.stopping:
            return
        now = time.monotonic()
        self._schedule_restart(program, now)
        say(f"{program.name} exited with code {code}; restarting in {program.delay:g} s")

    def request_stop(self, signum=None, frame=None) -> None:
        if not self.stopping:
            say("stopping")
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        for program in self.programs:
            self._start(program)
        while not self.stopping:
            now = time.monotonic()
            for program in self.programs:
                if program.proc is not None:
                    code = program.proc.poll()
                    if code is not None:
                        self._reap(program, code)
                elif not self.stopping and now >= program.next_start:
                    self._start(program)
            time.sleep(self.poll)
        self._stop_all()
        return 0

    def _stop_all(self) -> None:
        running = [p for p in self.programs if p.proc is not None and p.proc.poll() is None]
        for program in running:
            try:
                program.proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + self.grace
        for program in running:
            try:
                program.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{program.name} did not stop within {self.grace:g} s; killing it")
                program.proc.kill()
                program.proc.wait()
        for program in self.programs:
            if program.proc is not None:
                self._reap(program, program.proc.returncode)
        say("stopped")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--program", action="append", type=Program.parse, required=True, dest="programs")
    parser.add_argument("--backoff-min", type=float, default=1.0)
    parser.add_argument("--backoff-max", type=float, default=60.0)
    parser.add_argument("--stable-after", type=float, default=30.0)
    parser.add_argument("--grace", type=float, default=30.0)
    args = parser.parse_args(argv)
    return Supervisor(args.programs, backoff_min=args.backoff_min, backoff_max=args.backoff_max,
                      stable_after=args.stable_after, grace=args.grace).run()


if __name__ == "__main__":
    sys.exit(main())
