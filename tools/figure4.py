"""He et al. 2018's figure 4 on a real dataset, through the same services the Compare page uses.

    python -m tools.figure4 --dataset flowers --seeds 3 [--out docs/figure4]

Ingests the dataset (`flowers`: ../shared/datasets/flowers-mini.zip; `faces`, `digits`: the
built-in samples; or a path to a zip of class folders), queues "Pretrained vs scratch" with the
page's defaults (dashboard/compare/experiments.py) and N seeds, waits, then prints what the Compare
page's summary shows: scratch's best (mean curve), the speed-up to 90% and to 100% of it in
epochs and seconds (mean ± spread over seed pairs), whether scratch caught up, and whether it
rose above the class prior at all. The last line is one JSON object. With --out, the curves (by
epoch and by seconds, mean ± std bands) are written as HTML and, where Chromium is installed,
as PNG.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TLAB_SHARED", ROOT.parent / "shared"))


def ingest(settings, name: str):
    from dashboard import datasets

    if name in ("faces", "digits"):
        return datasets.ingest_sample(settings, name).manifest
    path = SHARED / "datasets" / "flowers-mini.zip" if name == "flowers" else Path(name)
    with path.open("rb") as f:
        return datasets.ingest_zip(settings, f, path.stem).manifest


def wait_all(jm, ids: list[str]) -> list:
    done = 0
    while True:
        runs = [jm.runs.get(i) for i in ids]
        finished = sum(not r.active for r in runs)
        if finished != done:
            done = finished
            print(f"# {done}/{len(ids)} runs ended", flush=True)
        if done == len(ids):
            return runs
        time.sleep(1.0)


def write_curves(runs, histories, out: Path, dataset: str) -> list[Path]:
    from dashboard import compare

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for x_axis, suffix in (("epoch", "epochs"), ("wall-clock seconds", "seconds")):
        fig = compare.charts.curves(runs, histories, "val_acc", x_axis, bands=True)
        fig.update_layout(title=f"{dataset}: validation accuracy by {x_axis}", width=900)
        html = out / f"{dataset}_{suffix}.html"
        fig.write_html(html, include_plotlyjs=True)
        written.append(html)
        png = screenshot(html)
        if png:
            written.append(png)
    return written


def screenshot(html: Path) -> Path | None:
    """The chart as PNG through headless Chromium (Debian's), if present."""
    if not Path("/usr/bin/chromium").exists():
        return None
    from playwright.sync_api import sync_playwright

    png = html.with_suffix(".png")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
        page = browser.new_page(viewport={"width": 920, "height": 420})
        page.goto(html.resolve().as_uri())
        page.wait_for_selector(".main-svg")
        page.screenshot(path=str(png), full_page=True)
        browser.close()
    return png


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="flowers")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--backbone", default="MobileNet_0.25_224")
    parser.add_argument("--same-schedule", action="store_true")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--ladder", action="store_true", help="also run and check the ladder")
    parser.add_argument("--home", type=Path, default=None, help="TLAB_HOME (default: temporary)")
    args = parser.parse_args(argv)

    from dashboard import compare, datasets, training
    from dashboard.settings import Settings

    home = args.home or Path(tempfile.mkdtemp(prefix="figure4-"))
    weights = os.environ.get("TLAB_WEIGHTS_DIR") or str(SHARED / "keras-weights")
    settings = Settings.from_env(
        {"TLAB_HOME": str(home), "TLAB_WEIGHTS_DIR": weights, "TLAB_OFFLINE": "1"}
    )
    manifest = ingest(settings, args.dataset)
    jm = training.JobManager(settings)
    configs = compare.experiments.pretrained_vs_scratch(
        manifest.id,
        args.backbone,
        args.seeds,
        same_schedule_as_pretrained=args.same_schedule,
        epochs=args.epochs,
    )
    print(f"# {args.dataset}: {len(configs)} runs queued in {home}", flush=True)
    started = time.perf_counter()
    runs = wait_all(jm, [jm.submit(c)[0].id for c in configs])
    jm.shutdown()
    failed = [f"{r.name}: {r.message}" for r in runs if r.status != "finished"]
    if failed:
        print("\n".join(failed), file=sys.stderr)
        return 1
    histories = jm.runs.epochs([r.id for r in runs])
    pair = compare.pretrained_vs_scratch_groups(runs)
    n_val, prior = datasets.validation_prior(manifest)
    summary = {
        "dataset": args.dataset,
        "backbone": args.backbone,
        "seeds": args.seeds,
        "n_val": n_val,
        "class_prior": prior,
        "minutes": round((time.perf_counter() - started) / 60, 1),
    }
    for fraction in (0.9, 1.0):
        h2h = compare.head_to_head(*pair, histories, n_val, prior, fraction)
        print(f"# target {fraction:.0%} of scratch's best: {h2h.message}")
        key = f"{fraction:.0%}"
        summary[f"speedup_epochs@{key}"] = h2h.speedup_epochs and vars(h2h.speedup_epochs)
        summary[f"speedup_seconds@{key}"] = h2h.speedup_seconds and vars(h2h.speedup_seconds)
    summary.update(
        scratch_best=round(h2h.scratch_best, 4),
        pretrained_best=round(h2h.pretrained_best, 4),
        scratch_learnt=h2h.scratch_learnt,
        scratch_caught_up=h2h.caught_up,
    )
    if args.out:
        for path in write_curves(runs, histories, args.out, args.dataset):
            print(f"# wrote {path}")
    if args.ladder:
        summary["ladder"] = ladder(settings, manifest, args.backbone, n_val, prior)
    print(json.dumps(summary))
    return 0


def ladder(settings, manifest, backbone: str, n_val: int, prior: float) -> dict:
    """The advisor's advice, the strategy ladder at its defaults (seed 42; rungs 4 and 5 are the
    experiment's first seed, so they are not trained again) and the page's verdict."""
    from dashboard import advisor, compare, training

    advice = advisor.measure(settings, manifest, backbone)
    jm = training.JobManager(settings)
    runs = wait_all(
        jm,
        [jm.submit(c)[0].id for c in compare.experiments.strategy_ladder(manifest.id, backbone, 1)],
    )
    jm.shutdown()
    check = advisor.ladder.check(advice, runs, n_val, prior)
    for row in check.rows:
        print(
            f"# ladder: {row['strategy']}: best val acc {row['best val acc']} {row['best']}"
            f" {row['recommended']}"
        )
    print(f"# ladder verdict: {check.message}")
    return {
        "advice": advice.strategy,
        "best": check.best,
        "right": check.right,
        "rows": {r["strategy"]: r["best val acc"] for r in check.rows},
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
