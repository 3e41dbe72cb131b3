import json
import subprocess
import sys

from click.testing import CliRunner

from bot.cli import cli

from .conftest import CORPUS, ROOT, shared_eval_file


def run(*args, input=None):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result


def test_ask_prints_the_answer_with_title_and_section(index_dir):
    result = run("ask", "What is FOLFOX?", "--index", str(index_dir))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Here is what our documents say about FOLFOX:"
    assert "[1] Treatments for recurrent small intestine cancer" in result.output
    assert "FOLFOX – leucovorin" in result.output


def test_ask_json_prints_the_api_reply(index_dir):
    result = run(
        "ask",
        "Is Herceptin used for stomach cancer?",
        "--json",
        "--index",
        str(index_dir),
    )
    body = json.loads(result.output)
    assert body["kind"] == "answer"
    assert body["answers"][0]["citation"]["section"] == "Targeted Therapy"


def test_search_answers_one_json_line_per_question_in_order(index_dir):
    result = run(
        "search",
        "--top-k",
        "2",
        "--index",
        str(index_dir),
        input="What is FOLFOX?\n\nWhat is chemotherapy?\n",
    )
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [row["question"] for row in rows] == [
        "What is FOLFOX?",
        "",
        "What is chemotherapy?",
    ]
    assert rows[1]["results"] == []
    first = rows[2]["results"][0]
    assert list(first) == ["passage_id", "document_id", "score"]
    assert len(rows[2]["results"]) == 2


def test_index_reports_documents_passages_and_skipped_files(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in CORPUS.iterdir():
        (corpus / path.name).write_bytes(path.read_bytes())
    (corpus / "photo.png").write_bytes(b"\x89PNG")
    result = run("index", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert result.exit_code == 0
    assert "Indexed 2 documents" in result.output
    assert "skipped: photo.png: unsupported file type .png" in result.output


def test_index_of_an_empty_corpus_fails_with_an_error_line(tmp_path):
    (tmp_path / "corpus").mkdir()
    result = CliRunner().invoke(
        cli,
        ["index", "--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "i")],
    )
    assert result.exit_code == 1
    assert result.output.startswith("Error: nothing to index")


def test_eval_prints_the_four_metrics(index_dir, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"qid": "1", "question": "Is Herceptin used for stomach cancer?"}\n'
    )
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("1 0 002_eb0bcc748443e6dc 3\n")
    result = run(
        "eval",
        "--questions",
        str(questions),
        "--qrels",
        str(qrels),
        "--index",
        str(index_dir),
    )
    assert result.output.splitlines() == [
        "MRR@10 1.0000",
        "nDCG@10 1.0000",
        "Recall@10 1.0000",
        "MAP@10 1.0000",
    ]


def test_python_dash_m_bot_is_the_same_command(index_dir):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "ask",
            "What is HER2?",
            "--index",
            str(index_dir),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert "human epidermal growth factor receptor 2" in result.stdout


def test_search_works_on_the_medquad_corpus(tmp_path):
    path = shared_eval_file("medquad/corpus.jsonl")
    sample = tmp_path / "faq.jsonl"
    with path.open(encoding="utf-8") as source:
        sample.write_text(
            "".join(line for _, line in zip(range(300), source, strict=False)), "utf-8"
        )
    index_dir = tmp_path / "index"
    assert (
        run("index", "--corpus", str(sample), "--index", str(index_dir)).exit_code == 0
    )
    result = run(
        "search", "--index", str(index_dir), input="What is an abdominal CT scan?\n"
    )
    assert json.loads(result.output)["results"][0]["document_id"].startswith("ADAM_")


def test_index_verify_checks_every_byte(tmp_path):
    index_dir = tmp_path / "index"
    assert run("index", "--index", str(index_dir)).exit_code == 0
    result = run("index", "--verify", "--index", str(index_dir))
    assert result.exit_code == 0 and "verified" in result.output
    from bot.index import current_generation

    manifest = current_generation(index_dir) / "manifest.json"
    data = manifest.read_text()
    target = next(
        p for p in current_generation(index_dir).iterdir() if p.suffix == ".npy"
    )
    raw = bytearray(target.read_bytes())
    raw[-1] ^= 0xFF
    target.write_bytes(bytes(raw))
    assert manifest.read_text() == data
    result = CliRunner().invoke(cli, ["index", "--verify", "--index", str(index_dir)])
    assert result.exit_code == 1 and "Error:" in result.output
