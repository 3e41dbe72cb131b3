"""The `faqbot` command: index, serve, production, ask, search, eval."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import click

from bot.config import Settings
from bot.errors import BrokenIndex, ConfigError


def _settings(corpus: str | None = None, index: str | None = None) -> Settings:
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    changes = {}
    if corpus:
        changes["corpus_dir"] = Path(corpus)
    if index:
        changes["index_dir"] = Path(index)
    return settings.with_changes(**changes)


def _load(settings: Settings, build_if_stale: bool):
    """The index; built first when missing, or (ask, serve) when older than the corpus.

    `search` and `eval` use the index as it is: they often look at an index built from
    another corpus (`faqbot index --corpus ...`), which must not be rebuilt under them.
    """
    from bot.index import (
        build_index,
        current_generation,
        ensure_fresh_index,
        load_index,
    )

    try:
        if build_if_stale:
            ensure_fresh_index(*_build_arguments(settings))
        elif current_generation(settings.index_dir) is None:
            build_index(*_build_arguments(settings))
        return load_index(settings.index_dir)
    except (BrokenIndex, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error


def _build_arguments(settings: Settings) -> tuple:
    """What an index build takes from the settings: corpus, index, a progress bar on a
    terminal and the per-file bounds."""
    return (
        settings.corpus_dir,
        settings.index_dir,
        _progress_bar(),
        settings.file_seconds,
        settings.file_memory,
    )


def _progress_bar():
    """A progress callback that draws a bar on a terminal and stays silent elsewhere."""
    if not sys.stderr.isatty():
        return None
    state = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            state["bar"] = click.progressbar(
                length=total, label="Indexing passages", file=sys.stderr
            )
            state["bar"].__enter__()
            state["done"] = 0
        state["bar"].update(done - state["done"])
        state["done"] = done
        if done >= total:
            state["bar"].__exit__(None, None, None)

    return update


@click.group()
def cli():
    """Clinic FAQ chatbot: cited answers from the clinic's own documents."""


@cli.command("index")
@click.option("--corpus", help="Corpus folder (default: FAQBOT_CORPUS or corpus/).")
@click.option(
    "--index", "index_dir", help="Index folder (default: FAQBOT_INDEX or index/)."
)
@click.option("--verify", is_flag=True, help="Check every byte of the index in use.")
def index_command(corpus, index_dir, verify):
    """Build the index of the corpus (or, with --verify, check the one in use)."""
    from bot.index import build_index, verify_index

    settings = _settings(corpus, index_dir)
    if verify:
        try:
            verify_index(settings.index_dir)
        except BrokenIndex as error:
            raise click.ClickException(str(error)) from error
        click.echo(
            f"Index in {settings.index_dir} verified: every file matches its checksum."
        )
        return
    started = time.perf_counter()
    try:
        result = build_index(*_build_arguments(settings))
    except (BrokenIndex, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:  # a full disk, a folder that cannot be written
        raise click.ClickException(
            f"could not write the index: {error.strerror or error}"
            f"{f' ({error.filename})' if error.filename else ''}; "
            "the index in use is unchanged"
        ) from error
    from bot.index import read_manifest

    manifest = read_manifest(settings.index_dir) or {}
    for problem in result.problems:
        state = "skipped" if problem.skipped else "warning"
        click.echo(f"{state}: {problem.path}: {problem.reason}", err=True)
    skipped = sum(1 for p in result.problems if p.skipped)
    click.echo(
        f"Indexed {manifest.get('documents', 0)} documents, {manifest.get('passages', 0)} passages "
        f"into {settings.index_dir} in {time.perf_counter() - started:.1f}s"
        f" ({skipped} skipped)."
    )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host, port):
    """Serve the chat API, the widget and a demo page (development server)."""
    from bot.index import ensure_fresh_index
    from bot.web.app import create_app

    settings = _settings()
    # The request log is one JSON line per request (never the question's text).
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        # Built here, with a progress bar; create_app then finds the index fresh.
        ensure_fresh_index(*_build_arguments(settings))
        app = create_app(settings)
    except (ConfigError, BrokenIndex, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Clinic FAQ bot: open http://{host}:{port}/ to chat (Ctrl+C stops it).")
    app.run(host=host, port=port)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="gunicorn workers (default: one per core, plus one).",
)
def production(host, port, workers):
    """Serve behind nginx, in the foreground; SIGTERM stops everything it started."""
    from bot.index import ensure_fresh_index
    from bot.production import Plan, ProductionError, nginx_binary, run

    settings = _settings()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        nginx_binary()
        # Built here, with a progress bar and a clear error; gunicorn then finds it fresh.
        ensure_fresh_index(*_build_arguments(settings))
        status = run(Plan(host, port, workers), settings, say=click.echo)
    except (ProductionError, BrokenIndex, FileNotFoundError) as error:
        raise click.ClickException(str(error)) from error
    sys.exit(status)


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON reply.")
@click.option("--index", "index_dir", help="Index folder.")
def ask(question, as_json, index_dir):
    """Answer one question, as a person reads it (or as the API's JSON)."""
    from bot.answer.replies import NOT_ADVICE, ReplySettings, respond

    settings = _settings(index=index_dir)
    index = _load(settings, build_if_stale=index_dir is None)
    try:
        reply_settings = ReplySettings.from_settings(settings)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    reply = respond(index, question, None, reply_settings)
    if as_json:
        click.echo(json.dumps(reply.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(reply.reply)
    for number, answer in enumerate(reply.answers, start=1):
        citation = answer.hit.passage
        where = f"{citation.title}" + (
            f" > {citation.section}" if citation.section else ""
        )
        click.echo(f"\n[{number}] {where}")
        click.echo(answer.hit.passage.text)
    if reply.suggestions:
        click.echo("\nYou could also ask: " + " | ".join(reply.suggestions))
    if reply.answers:
        click.echo(f"\n{NOT_ADVICE}")


@cli.command()
@click.option("--top-k", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--index", "index_dir", help="Index folder.")
def search(top_k, index_dir):
    """Read one question per stdin line; print one JSON line of ranked passages each."""
    from bot.answer import passages_for

    index = _load(_settings(index=index_dir), build_if_stale=False)
    for line in sys.stdin:
        question = line.rstrip("\n")
        hits = passages_for(index, question, top_k=top_k) if question.strip() else []
        results = [
            {
                "passage_id": hit.passage.passage_id,
                "document_id": hit.passage.document_id,
                "score": round(hit.score, 6),
            }
            for hit in hits
        ]
        click.echo(
            json.dumps({"question": question, "results": results}, ensure_ascii=False)
        )


@cli.command("eval")
@click.option("--questions", required=True, type=click.File(encoding="utf-8"))
@click.option("--qrels", required=True, type=click.File(encoding="utf-8"))
@click.option("--index", "index_dir", help="Index folder.")
def eval_command(questions, qrels, index_dir):
    """Retrieval metrics: MRR@10, nDCG@10, Recall@10 and MAP@10."""
    from bot.answer import documents_for
    from bot.evaluation import evaluate, parse_qrels

    index = _load(_settings(index=index_dir), build_if_stale=False)
    try:
        judged = parse_qrels(qrels)
        asked = [json.loads(line) for line in questions if line.strip()]
        ranked = {
            str(q["qid"]): [doc for doc, _ in documents_for(index, q["question"])]
            for q in asked
        }
    except (ValueError, KeyError, TypeError) as error:
        raise click.ClickException(
            f"cannot read the questions or qrels: {error}"
        ) from error
    for name, value in evaluate(ranked, judged).items():
        click.echo(f"{name} {value:.4f}")


@cli.command()
@click.option(
    "--days",
    default=30,
    show_default=True,
    type=click.IntRange(1, 3650),
    help="How many days back, today included.",
)
@click.option("--csv", "as_csv", is_flag=True, help="Every table as CSV.")
def insights(days, as_csv):
    """What patients asked, for the clinic: the figures of /admin."""
    from bot.insights import open_store
    from bot.insights.report import summary_csv_all, summary_text

    settings = _settings()
    store = open_store(settings.insights_url)
    try:
        summary = store.summary(days)
    except Exception as error:  # a database that is down or refuses: said, no traceback
        raise click.ClickException(
            f"cannot read Insights ({type(error).__name__}); is the database "
            "(FAQBOT_DATABASE_URL) reachable?"
        ) from None
    finally:
        store.close()
    click.echo(summary_csv_all(summary) if as_csv else summary_text(summary), nl=False)


def main() -> None:
    """Entry point of `python -m bot`."""
    cli(prog_name="faqbot")
