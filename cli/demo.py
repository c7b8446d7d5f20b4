"""``capeval demo``: generate shapes data, train captioners, caption, score, print a leaderboard.

The models train in parallel worker processes, each an ordinary ``capeval train`` run on
the files the demo writes, with one BLAS thread apiece (a small LSTM gains little from more,
and two processes use two cores fully).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path

import click

REPORT_FILE = "report.html"
"""capeval's HTML leaderboard report (charts, best and worst images), linked from index.html."""
SINGLE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@click.command("demo")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory; default: a new capeval-demo-<time> under the current one.")
@click.option("--quick", is_flag=True,
              help="A smaller run: 1,000 training images, smaller models, 4 epochs (about 40 s "
                   "of CPU time; the full demo takes about 330 s).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--no-attention", is_flag=True, help="Skip the attention LSTM (the slowest model).")
@click.option("--workers", type=click.IntRange(1), default=2, show_default=True,
              help="Models trained at the same time (one core each).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def demo_command(out_dir, quick, seed, no_attention, workers, as_json):
    """Train small NumPy captioners on generated shapes scenes and compare them with every metric.

    Generates images of two coloured shapes with five reference captions each, trains an
    LSTM, a vanilla RNN, an attention LSTM and a blind LSTM (image features zeroed) for a
    fixed number of epochs (so a seed gives the same numbers however busy the machine is),
    captions the test images and scores them, with a nearest-neighbour baseline and the
    human references (each against the other four). Writes the data, models,
    captions (COCO results JSON), scores and an HTML page into the output directory.
    """
    from capeval.errors import CapevalUsageError
    from capeval.report import format_leaderboard
    from capeval.reference_models.demo import (
        QUICK,
        DemoConfig,
        evaluate_systems,
        generate_splits,
        training_jobs,
        write_dataset,
    )

    config = QUICK if quick else DemoConfig()
    config = replace(config, seed=seed, attention=not no_attention)
    out_dir = _fresh_directory() if out_dir is None else out_dir
    try:
        (out_dir / "models").mkdir(parents=True, exist_ok=True)
        (out_dir / "captions").mkdir(exist_ok=True)
    except OSError as error:  # before any work: a file in the way, no permission
        raise CapevalUsageError(f"--out {out_dir}: cannot create the folder "
                                f"({error.strerror or error})", option="out") from None
    click.echo(f"capeval demo: writing everything to {out_dir}", err=True)

    started = time.perf_counter()
    splits = generate_splits(config)
    features_path, captions_path = write_dataset(splits, out_dir)
    click.echo(f"generated {len(splits.train.features)} training, {len(splits.val.features)} "
               f"validation and {len(splits.test.features)} test images "
               f"({time.perf_counter() - started:.1f} s)", err=True)

    jobs = training_jobs(config)
    model_dir = (out_dir / "models").resolve()
    model_paths = {job.name: model_dir / f"{job.name}.npz" for job in jobs}
    common = ("--features", str(features_path.resolve()),
              "--captions", str(captions_path.resolve()))
    _run_training(jobs, common, model_paths, workers, model_dir)

    click.echo("captioning the test images and scoring every system...", err=True)
    result = evaluate_systems(splits, model_paths, config)
    _write_outputs(out_dir, result, config, captions_path)
    click.echo(f"done in {time.perf_counter() - started:.1f} s; open {out_dir / 'index.html'}",
               err=True)
    if as_json:
        click.echo(json.dumps({"systems": score_rows(result.board)}, indent=2))
    else:
        click.echo(format_leaderboard(result.board, "table"), nl=False)


def _fresh_directory() -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path.cwd() / f"capeval-demo-{stamp}"
    suffix = 1
    while path.exists():
        suffix += 1
        path = Path.cwd() / f"capeval-demo-{stamp}-{suffix}"
    return path


def _run_training(jobs, common_args, model_paths, workers: int, work_dir: Path) -> None:
    """Run ``capeval train`` for every job, `workers` at a time; stop all if one fails.

    Workers run in `work_dir` (the demo's own models folder): ``python -m`` puts its working
    directory first on the module path, so a ``capeval/`` folder in the user's working
    directory must not be where they start.
    """
    env = {**os.environ, **SINGLE_THREAD_ENV}
    pending = list(jobs)
    running: list[tuple[str, subprocess.Popen]] = []
    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.pop(0)
                command = [sys.executable, "-m", "capeval", "train", *common_args,
                           "--out", str(model_paths[job.name]), "--label", job.name,
                           "--progress", "epochs", *job.options]
                running.append((job.name, subprocess.Popen(
                    command, env=env, cwd=work_dir, stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL)))
            time.sleep(0.05)
            for name, process in list(running):
                code = process.poll()
                if code is None:
                    continue
                running.remove((name, process))
                if code != 0:
                    raise click.ClickException(f"training the {name} model failed (exit {code})")
    finally:
        for _, process in running:
            process.kill()
            process.wait()


def score_rows(board) -> list[dict]:
    """Return ``[{"name": ..., "BLEU-1": ..., ..., "CIDEr-D": ...}, ...]``, ranked.

    Names are lower case (the leaderboard's "Human" row is listed as "human").
    """
    return [{"name": name.lower(), **{score: float(value) for score, value in row.items()}}
            for name, row in board.scores.iterrows()]


def _write_outputs(out_dir: Path, result, config, captions_path: Path) -> None:
    from capeval.io import write_results
    from capeval.report import format_leaderboard
    from capeval.reference_models.html_page import demo_page

    for name, captions in result.captions.items():
        write_results(out_dir / "captions" / f"{_file_stem(name)}.json", result.test_ids, captions)
    summary = {
        **result.board.to_dict(),
        "protocol": "every system and each held-out human reference is scored against the same "
                    "4 of the 5 references per image; scores are means over the 5 choices",
        "config": asdict(config),
        "training": result.training,
        "rescore": f"capeval score --refs {captions_path} --split test --tokenizer none "
                   f"--hyps {out_dir / 'captions' / 'lstm_greedy.json'}",
    }
    (out_dir / "leaderboard.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    (out_dir / REPORT_FILE).write_text(format_leaderboard(result.board, "html"), encoding="utf-8")
    page = demo_page("capeval demo: captioning shapes scenes",
                     format_leaderboard(result.board, "table"), REPORT_FILE, result.examples)
    (out_dir / "index.html").write_text(page, encoding="utf-8")


def _file_stem(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name).strip("_").replace("__", "_")
