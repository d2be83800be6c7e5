#!/usr/bin/env python3
"""CPU time used so far by named process trees, as one JSON line (clock ticks).

    python3 cpu_snapshot.py [--settle] api=PID silo=PID,PID postgres=PID ... driver=-PID > before.json

--settle first waits (at most 60 s) until the named trees together use under a tenth of a core over one second, so
that work a run left behind (the event outlet's subscribers catching up, say) is counted in that run, not the next;
"settle_s" says how long it waited.

A tree is the process and its live descendants: each one's own time (utime + stime) and the time of its children
that have already ended (cutime + cstime: PostgreSQL's backends that closed are counted in the postmaster's). Two
snapshots' difference is the CPU each tree took between them. A pid written -PID is that tree without the other
named trees in it: the benchmark's shell with what it ran and reaped (wrk, the rate driver), without the servers it
started in the background.

The per-process times are the kernel's precise run times; /proc/stat's machine-wide ticks are sampled and, on a
tickless kernel, miss much of many short wake-ups (at 1,000 requests/s they showed less CPU than the processes
together), so they are reported only for information.
"""
import json
import os
import sys
import time


def stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        # comm may hold spaces and parentheses: the fields start after the last ')'.
        return f.read().rsplit(")", 1)[1].split()


def processes():
    """pid -> (ppid, ticks) of every live process."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fields = stat_fields(name)
        except OSError:
            continue  # ended while we looked
        # fields[0] is state; ppid is fields[1]; utime, stime, cutime, cstime are fields[11..14]
        out[int(name)] = (int(fields[1]), sum(int(v) for v in fields[11:15]))
    return out


def tree_ticks(root, procs, skip=frozenset()):
    children = {}
    for pid, (ppid, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in procs and pid not in skip:
            total += procs[pid][1]
            todo.extend(children.get(pid, []))
    return total


def machine_busy_ticks():
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in f.readline().split()[1:8])
    return user + nice + system + irq + softirq


def take(trees):
    procs = processes()
    named = frozenset(p for _, pids in trees for p in pids if p > 0)
    return {name: sum(tree_ticks(p, procs) if p > 0 else tree_ticks(-p, procs, named) for p in pids) for name, pids in trees}


def main(args):
    settle = "--settle" in args
    trees = [(name, [int(p) for p in pids.split(",") if p])
             for name, _, pids in (arg.partition("=") for arg in args if arg != "--settle")]
    started, hz = time.monotonic(), os.sysconf("SC_CLK_TCK")
    snapshot = take(trees)
    while settle and time.monotonic() - started < 60:
        time.sleep(1)
        previous, snapshot = snapshot, take(trees)
        if sum(snapshot.values()) - sum(previous.values()) < hz / 10:
            break
    if settle:
        snapshot["settle_s"] = round(time.monotonic() - started)
    snapshot["machine_busy"] = machine_busy_ticks()
    snapshot["hz"] = hz
    print(json.dumps(snapshot))


if __name__ == "__main__":
    main(sys.argv[1:])
