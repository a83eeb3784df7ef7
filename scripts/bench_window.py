#!/usr/bin/env python3
"""The window's start-up against a blank Tauri window built in the same run (scripts/bench-window.sh).

For each app, RUNS cold starts (a new process on a copy of the same HOME), under one Xvfb and a
private D-Bus session each: the time from the spawn to the window's page loaded ("page loaded" in
its log), for the app also to the overview's first connections answered over IPC, then the
memory of its whole process tree (app, WebKit's web and network processes) after IDLE seconds.
The app's HOME is primed once first (its first start seeds the demo and syncs it), so the
overview's first answer holds the demo's connections, as on every start after the first. Prints
medians and the app's ratios to the blank window.

    python3 scripts/bench_window.py APP BLANK
"""
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(os.environ.get("BENCH_WINDOW_RUNS", "5"))
IDLE = float(os.environ.get("BENCH_WINDOW_IDLE_SECONDS", "5"))
TIMEOUT = 60.0


def descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            continue
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def one_run(binary, display, wants_data, template=None, until=None):
    home = tempfile.mkdtemp(prefix="bench-window-")
    if template:
        shutil.rmtree(home)
        shutil.copytree(template, home, symlinks=True)
    env = {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "HOME": home,
        "XDG_DATA_HOME": f"{home}/data",
        "XDG_CONFIG_HOME": f"{home}/config",
        "XDG_CACHE_HOME": f"{home}/cache",
        "XDG_RUNTIME_DIR": f"{home}/runtime",
        "DISPLAY": display,
        "MDESK_VAULT_PASSPHRASE": "bench-window",
        "WEBKIT_DISABLE_COMPOSITING_MODE": "1",
        "RUST_LOG": "warn,makini_desk_lib=debug,desk_core=info",
    }
    os.makedirs(f"{home}/runtime", mode=0o700, exist_ok=True)
    log_path = f"{home}/app.log"
    started = time.monotonic()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            ["dbus-run-session", "--", binary], env=env, stdout=log, stderr=log, start_new_session=True
        )
    loaded = data = None
    text = ""
    deadline = started + (TIMEOUT * 3 if until else TIMEOUT)
    try:
        while time.monotonic() < deadline and (
            loaded is None or (wants_data and data is None) or (until and until not in text)
        ):
            with open(log_path) as log:
                text = log.read()
            now = time.monotonic() - started
            if loaded is None and "page loaded" in text:
                loaded = now
            if wants_data and data is None and re.search(r'action answered action="?connections_list', text):
                data = now
            if process.poll() is not None:
                raise RuntimeError(f"{binary} exited early:\n{text[-2000:]}")
            time.sleep(0.01)
        if loaded is None or (wants_data and data is None):
            raise RuntimeError(f"{binary}: no page loaded (or no overview data) in {TIMEOUT} s")
        if until:
            memory = 0
        else:
            time.sleep(IDLE)
            memory = rss_kib(descendants(process.pid))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if not until:
            shutil.rmtree(home, ignore_errors=True)
    return (loaded, data, memory) if not until else home


def main():
    app, blank = sys.argv[1], sys.argv[2]
    display = f":{90 + os.getpid() % 100}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1440x900x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    try:
        results = {}
        # The app's first start: the demo seeded and synced, then stopped; every measured run
        # starts from a copy of that HOME.
        primed = one_run(app, display, True, until="background sync done")
        templates = {"blank": None, "app": primed}
        for name, binary, wants_data in (("blank", blank, False), ("app", app, True)):
            runs = [one_run(binary, display, wants_data, templates[name]) for _ in range(RUNS)]
            results[name] = {
                "loaded": statistics.median(r[0] for r in runs),
                "data": statistics.median(r[1] for r in runs) if wants_data else None,
                "memory": statistics.median(r[2] for r in runs),
            }
    finally:
        if "primed" in locals():
            shutil.rmtree(primed, ignore_errors=True)
        xvfb.terminate()
        xvfb.wait()
    blank_r, app_r = results["blank"], results["app"]
    print(f"window: blank Tauri window, cold start to page loaded: {blank_r['loaded'] * 1000:.0f} ms (baseline, median of {RUNS})")
    print(f"window: Makini Desk, cold start to page loaded: {app_r['loaded'] * 1000:.0f} ms "
          f"({app_r['loaded'] / blank_r['loaded']:.2f}x the blank window; goal under 1 s)")
    print(f"window: Makini Desk, cold start to the overview's demo connections answered: {app_r['data'] * 1000:.0f} ms "
          f"({app_r['data'] / blank_r['loaded']:.2f}x the blank window's page; goal under 2 s)")
    print(f"window: blank Tauri window, memory after {IDLE:.0f} s idle: {blank_r['memory'] / 1024:.0f} MiB (baseline)")
    print(f"window: Makini Desk, memory after {IDLE:.0f} s idle: {app_r['memory'] / 1024:.0f} MiB "
          f"({app_r['memory'] / blank_r['memory']:.2f}x the blank window; app, WebKit's processes, local engine in-process)")


if __name__ == "__main__":
    main()
