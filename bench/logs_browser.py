"""Benchmark: the logs page in a real browser under a flood, against `docker logs > /dev/null`.

    .venv/bin/python bench/logs_browser.py [--lines 200000] [--repeat 3]

Serves the console with daphne (common.Console), runs a labelled busybox container that
writes `--lines` lines at once (every 10th coloured with ANSI SGR, every 7th on stderr), waits
until they are all in the log, then, each run:
- times `docker logs C > /dev/null`;
- opens the logs page with tail=all in Debian's chromium (Playwright), not following, and
  times until the stream has ended and the last line written is drawn;
- meanwhile records, inside the page, the longest gap between two animation frames (how long
  the tab was frozen at worst) and the Long Tasks the browser reported;
- counts the lines kept in the page (the page keeps 5,000).
Prints the page's time as a ratio to the CLI's, and the worst frame gap. The goal is a tab that
never freezes: the worst gap well under a second however long the log.
"""

import argparse
import statistics
import subprocess
import time

from common import Console, session, spread
from playwright.sync_api import sync_playwright

LABEL = {"dconsole.bench": "logs_browser"}
TAG = "dconsole-bench/logs-browser:latest"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
WRITER = (
    "awk 'BEGIN { for (i = 1; i <= {n}; i++) {"
    ' if (i % 7 == 0) print "line " i " went to stderr: something failed" > "/dev/stderr";'
    ' else if (i % 10 == 0) printf "\\033[32mline %d ok\\033[0m \\033[1;33mwarn\\033[0m tail\\n", i;'
    ' else print "line " i " lorem ipsum dolor sit amet, consectetur adipiscing elit" } }\'; sleep 3600'
)
WATCH_FRAMES = """
window.__bench = { worstGap: 0, longTasks: 0, longTaskMs: 0 };
let last = performance.now();
const tick = (now) => {
  window.__bench.worstGap = Math.max(window.__bench.worstGap, now - last);
  last = now;
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    window.__bench.longTasks += 1;
    window.__bench.longTaskMs += entry.duration;
  }
}).observe({ type: "longtask", buffered: true });
"""

# The stream has ended and every line has been drawn (those kept plus those dropped = all).
DRAWN = """n => {
  const text = (selector) => document.querySelector(selector)?.textContent || "0";
  const number = (selector) => Number(text(selector).replace(/\\D/g, ""));
  const dropped = document.querySelector("[data-log-dropped]").hidden ? 0 : number("[data-log-dropped] span");
  return !document.querySelector("[data-log-end]").hidden && number("[data-log-count]") + dropped === n;
}"""


def wait_for_log(container, lines: int) -> None:
    # stdout and stderr are copied apart, so the last line written need not be the last one logged
    last = f"line {lines} ".encode()
    for _ in range(240):
        if last in container.logs():
            return
        time.sleep(0.5)
    raise SystemExit("the container did not finish writing its log")


def cli_seconds(name: str) -> float:
    start = time.perf_counter()
    subprocess.run(["docker", "logs", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def page_run(browser, server: Console, name: str, lines: int) -> dict:
    context = browser.new_context(base_url=server.origin, viewport={"width": 1360, "height": 860})
    page = context.new_page()
    page.set_default_timeout(300_000)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "bench")
    page.fill("input[name=password]", "x")
    page.click("button[type=submit]")
    page.wait_for_url("**/hosts/**")
    page.add_init_script(WATCH_FRAMES)
    start = time.perf_counter()
    page.goto(f"/hosts/local/containers/{name}/logs/?tail=all&follow=0")
    ended = "!document.querySelector('[data-log-end]').hidden"
    page.wait_for_function(f"n => ({DRAWN})(n) || {ended}", arg=lines)
    seconds = time.perf_counter() - start
    if not page.evaluate(f"n => ({DRAWN})(n)", lines):
        page.wait_for_timeout(500)  # the last frames may still be drawing
    if not page.evaluate(f"n => ({DRAWN})(n)", lines):
        ending = page.locator("[data-log-end]").inner_text().strip().splitlines()[0]
        context.close()
        return {"seconds": None, "ending": ending}
    numbers = page.evaluate("window.__bench")
    kept = page.locator(".ln").count()
    context.close()
    return {"seconds": seconds, "kept": kept, **numbers}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with session(LABEL, TAG) as bench:
        engine, server = bench.engine, bench.console()
        container = engine.containers.run(
            TAG,
            ["sh", "-c", WRITER.replace("{n}", str(args.lines))],
            labels=LABEL,
            detach=True,
            network_mode="none",
        )
        wait_for_log(container, args.lines)
        size = len(container.logs(stdout=True, stderr=True))
        print(f"log: {args.lines:,} lines, {size / 1e6:.1f} MB (stdout and stderr, ANSI colours)")
        cli, page, gaps, kept, long_ms = [], [], [], [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for run in range(args.repeat):
                cli.append(cli_seconds(container.name))
                result = page_run(browser, server, container.name, args.lines)
                if result["seconds"] is None:
                    print(f"run {run + 1}: the page's stream ended early: {result['ending']}")
                    continue
                page.append(result["seconds"])
                gaps.append(result["worstGap"])
                kept.append(result["kept"])
                long_ms.append(result["longTaskMs"])
                print(
                    f"run {run + 1}: docker logs {cli[-1]:.2f} s · page {page[-1]:.2f} s "
                    f"(ratio {page[-1] / cli[-1]:.2f}) · worst frame gap {gaps[-1]:.0f} ms · "
                    f"{result['longTasks']} long tasks, {result['longTaskMs']:.0f} ms · "
                    f"{kept[-1]:,} lines kept"
                )
            browser.close()
        if not page:
            raise SystemExit("no run drew the whole log")
        ratios = [p / c for p, c in zip(page, cli[-len(page) :], strict=False)]
        print()
        print(f"docker logs > /dev/null      {spread(cli)} s")
        print(f"logs page, last line drawn   {spread(page)} s")
        print(f"ratio page / CLI             {spread(ratios)}  (CLI speed = 1; the page also draws)")
        print(f"worst frame gap              {spread(gaps, '{:.0f}')} ms  (goal: well under 1,000)")
        print(f"long-task time               {spread(long_ms, '{:.0f}')} ms")
        print(f"lines kept in the page       {statistics.median(kept):,.0f}")


if __name__ == "__main__":
    main()
