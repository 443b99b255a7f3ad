"""The Python module `mt` as a user calls it, checked against the `mt` executable.

Run by ctest with PYTHONPATH=build/python, MT_BINARY (the executable) and MT_SHARED_DATA set.
Assertions hold for any model: equality with the CLI, order, structure, error types.
"""

import concurrent.futures
import csv
import os
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

import mt

MT_BINARY = os.environ.get("MT_BINARY", "mt")
SHARED = Path(os.environ.get("MT_SHARED_DATA", Path(__file__).resolve().parents[2] / "../shared/data"))
TEST_SET = SHARED / "test" / "tatoeba-test.cmn_Hans"  # .en and .zh
SENTENCES = [
    "Where is the train station?",
    "I would like a cup of tea, please.",
    "我们明天在图书馆见面。",
    "",
    "The weather is nice today. Let's go for a walk!",
    "这本书很有意思。",
]


def cli(*args, stdin=""):
    result = subprocess.run([MT_BINARY, *args, "-q"], input=stdin.encode(), capture_output=True, check=True)
    return result.stdout.decode()


@pytest.fixture(scope="module")
def translator():
    return mt.Translator()


def test_translate_matches_the_cli_byte_for_byte(translator):
    expected = cli("translate", stdin="\n".join(SENTENCES) + "\n").split("\n")[:-1]
    assert translator.translate(SENTENCES) == expected
    assert translator.translate(SENTENCES, beam=1, no_split=True) == cli(
        "translate", "--beam", "1", "--no-split", stdin="\n".join(SENTENCES) + "\n").split("\n")[:-1]
    assert translator.translate([]) == []
    assert translator.translate(SENTENCES)[3] == ""  # an empty line stays an empty line


@pytest.mark.skipif(not Path(f"{TEST_SET}.en").exists(), reason=f"{TEST_SET}.en is absent (../shared/data)")
def test_public_test_set_matches_the_cli(translator):
    for source, target in (("en", "zh"), ("zh", "en")):
        lines = Path(f"{TEST_SET}.{source}").read_text(encoding="utf-8").split("\n")[:40]
        expected = cli("translate", "--to", target, stdin="\n".join(lines) + "\n").split("\n")[:-1]
        assert translator.translate(lines, to=target) == expected


def test_n_best_is_ordered_and_matches_the_cli(translator):
    texts = ["Congratulations!", "我很想你。"]
    results = translator.translate(texts, n_best=3)
    assert [len(r) for r in results] == [3, 3]
    for hypotheses in results:
        scores = [score for _, score in hypotheses]
        assert scores == sorted(scores, reverse=True)
        assert all(isinstance(text, str) and score <= 0 for text, score in hypotheses)
    # The best of the three is what the 1-best run prints (beam 4 either way).
    assert [r[0][0] for r in results] == translator.translate(texts)
    lines = cli("translate", "--n-best", "3", stdin="\n".join(texts) + "\n").split("\n")[:-1]
    cli_results = [line.split("\t") for line in lines]
    flat = [(str(i), text, score) for i, r in enumerate(results) for text, score in r]
    assert [(n, text) for n, _, text in cli_results] == [(n, text) for n, text, _ in flat]
    for (_, score, _), (_, _, ours) in zip(cli_results, flat):
        assert float(score) == pytest.approx(ours, abs=1e-4)


def test_alignments_match_the_cli(translator):
    texts = [t for t in SENTENCES if t]
    results = translator.translate(texts, alignments=True)
    lines = cli("translate", "--alignments", stdin="\n".join(texts) + "\n").split("\n")[:-1]
    assert len(results) == len(lines) == len(texts)
    for (text, links), line in zip(results, lines):
        printed, printed_links = line.split(" |||")
        assert text == printed
        assert [f"{s}-{t}" for s, t in links] == printed_links.split()
        assert all(isinstance(s, int) and isinstance(t, int) for s, t in links)
    with pytest.raises(ValueError, match="n_best=1"):
        translator.translate(texts, n_best=2, alignments=True)


def test_threads_translate_concurrently_with_the_same_results(translator):
    batches = [SENTENCES[i:] + SENTENCES[:i] for i in range(4)]
    sequential = [translator.translate(b, beam=2) for b in batches]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        concurrent_results = list(pool.map(lambda b: translator.translate(b, beam=2), batches))
    assert concurrent_results == sequential


def test_documents_and_files_match_the_cli(translator, tmp_path):
    html = '<p>Open the <b>settings</b> page.</p><pre>make install</pre><p>Thank you!</p>\n'
    assert translator.translate_document(html, format="html") == cli("translate", "--format", "html", stdin=html)
    markdown = "# Getting started\n\nRun `make` in the *source* folder.\n"
    assert translator.translate_document(markdown, format="markdown") == cli(
        "translate", "--format", "markdown", stdin=markdown)

    source = tmp_path / "in.txt"
    source.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    counts = translator.translate_file(source, tmp_path / "out.txt")
    assert counts["lines"] == len(SENTENCES)
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == cli("translate", "-i", str(source))
    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    translator.translate_file(str(page), str(tmp_path / "page.zh.html"))  # format from the extension
    assert (tmp_path / "page.zh.html").read_text(encoding="utf-8") == cli("translate", "--format", "html", stdin=html)


def test_packages_are_bytes_and_match_the_cli(translator, tmp_path):
    data = Path(__file__).resolve().parents[1] / "data"
    docx = (data / "office_sample.docx").read_bytes()
    translated = translator.translate_document(docx, format="docx", beam=1)
    assert isinstance(translated, bytes) and translated[:2] == b"PK"
    subprocess.run([MT_BINARY, "translate", "-q", "--beam", "1", "-i", str(data / "office_sample.docx"), "-o",
                    str(tmp_path / "cli.docx")], check=True)
    (tmp_path / "module.docx").write_bytes(translated)
    ours, theirs = zipfile.ZipFile(tmp_path / "module.docx"), zipfile.ZipFile(tmp_path / "cli.docx")
    assert ours.namelist() == theirs.namelist()
    assert all(ours.read(name) == theirs.read(name) for name in ours.namelist())  # (the zip's timestamps differ)
    translator.translate_file(data / "sample.srt", tmp_path / "film.srt", beam=1)
    assert (tmp_path / "film.srt").read_bytes().decode("utf-8") == cli("translate", "--beam", "1", "-i", str(data / "sample.srt"))
    with pytest.raises(TypeError, match="bytes"):
        translator.translate_document("text", format="docx")


def test_a_csv_column_as_the_readme_shows(translator, tmp_path):
    table = tmp_path / "products.csv"
    table.write_text("id,name\n1,Green tea\n2,Wireless keyboard\n3,\n", encoding="utf-8")
    with open(table, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = translator.translate([row["name"] for row in rows], to="zh")
    assert len(names) == 3 and names[2] == ""
    assert all(mt.detect_language(name) == "zh" for name in names[:2])


def test_glossary_terms_appear(translator):
    texts = ["Restart the pod after you change the config map.", "The cluster is ready."]
    results = translator.translate(texts, to="zh", glossary={"config map": "配置映射", "cluster": "集群"})
    assert "配置映射" in results[0] and "集群" in results[1]
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", encoding="utf-8", delete=False) as f:
        f.write("config map\t配置映射\n")
    try:
        assert "配置映射" in translator.translate(texts[:1], to="zh", glossary=f.name)[0]
    finally:
        os.unlink(f.name)


def test_score_prefers_the_right_translation(translator):
    sources = ["Where is the train station?", "I like green tea.", "The door is open."]
    right = ["火车站在哪里？", "我喜欢绿茶。", "门开着。"]
    wrong = right[1:] + right[:1]
    right_scores = translator.score(sources, right, to="zh")
    wrong_scores = translator.score(sources, wrong)  # the targets' language from their script
    assert sum(r > w for r, w in zip(right_scores, wrong_scores)) >= 2
    means = translator.score(sources, right, normalize=True)
    tokenizer = mt.Tokenizer()
    for total, mean, target in zip(right_scores, means, right):
        assert total == pytest.approx(mean * (len(tokenizer.encode(target, out_type=int)) + 1), rel=1e-6)
    assert translator.score([], []) == []


def test_tokenizer_round_trip():
    tokenizer = mt.Tokenizer()
    assert tokenizer.vocab_size > 1000
    text = "Hello, world! 你好，世界！"
    pieces, ids = tokenizer.encode(text), tokenizer.encode(text, out_type=int)
    assert len(pieces) == len(ids) and all(isinstance(i, int) for i in ids)
    assert tokenizer.decode(ids) == tokenizer.decode(pieces) == text
    with pytest.raises(ValueError, match="outside the vocabulary"):
        tokenizer.decode([tokenizer.vocab_size])
    with pytest.raises(ValueError, match="out_type"):
        tokenizer.encode(text, out_type=float)


@pytest.mark.skipif(not (SHARED / "sacrebleu-fixtures").exists(), reason="../shared/data/sacrebleu-fixtures is absent")
def test_bleu_and_chrf_equal_sacrebleu():
    fixtures = SHARED / "sacrebleu-fixtures"
    with open(fixtures / "expected.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            hyps = (fixtures / f"{row['case']}.hyp").read_text(encoding="utf-8").split("\n")[:-1]
            refs = (fixtures / f"{row['case']}.ref").read_text(encoding="utf-8").split("\n")[:-1]
            bleu = mt.bleu(hyps, refs, tokenize=row["tokenize"])
            assert round(bleu.score, 4) == pytest.approx(float(row["bleu"]), abs=1e-4), row["case"]
            assert bleu.signature == row["bleu_signature"] and (bleu.sys_len, bleu.ref_len) == (
                int(row["bleu_sys_len"]), int(row["bleu_ref_len"]))
            assert round(float(mt.chrf(hyps, refs)), 4) == pytest.approx(float(row["chrf"]), abs=1e-4), row["case"]


def test_detect_language():
    assert mt.detect_language("今天天气很好") == "zh"
    assert mt.detect_language("The weather is nice") == "en"
    assert mt.detect_language(b"\xe4\xbd\xa0\xe5\xa5\xbd") == "zh"


def test_bad_input_raises_the_clis_messages(translator, tmp_path):
    with pytest.raises(TypeError, match="list of strings"):
        translator.translate("Hello")
    with pytest.raises(TypeError, match="list of strings"):
        translator.translate(None)
    with pytest.raises(TypeError, match=r"texts\[1\] must be str or bytes, not NoneType"):
        translator.translate(["Hello", None])
    # Invalid UTF-8 in bytes and lone surrogates in str are replaced, as the CLI replaces them.
    assert len(translator.translate([b"caf\xe9 au lait", "bad \udc80 text"])) == 2
    with pytest.raises(ValueError, match="--beam"):
        translator.translate(["Hello"], beam=0)
    with pytest.raises(ValueError, match="--to"):
        translator.translate(["Hello"], to="fr")
    with pytest.raises(ValueError, match="n_best"):
        translator.translate(["Hello"], n_best=0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'bream'"):
        translator.translate(["Hello"], bream=2)
    with pytest.raises(TypeError, match="unexpected keyword argument 'device'"):
        translator.translate(["Hello"], device="cuda")
    with pytest.raises(FileNotFoundError, match="cannot read glossary"):
        translator.translate(["Hello"], glossary=tmp_path / "missing.tsv")
    with pytest.raises(ValueError, match="empty term"):
        translator.translate(["Hello"], glossary={"Hello": ""})
    with pytest.raises(ValueError, match="format"):
        translator.translate_document("<p>Hi</p>", format="pdf")
    with pytest.raises(ValueError, match="not a valid zip archive"):
        translator.translate_document(b"PK not really", format="docx")
    with pytest.raises(ValueError, match="line 2: the cue ends before it starts"):
        translator.translate_document("1\n00:00:05,000 --> 00:00:04,000\nHi.\n", format="srt")
    with pytest.raises(ValueError, match="differ in length"):
        translator.score(["a", "b"], ["c"])
    with pytest.raises(ValueError, match="differ in length"):
        mt.bleu(["a"], [])
    with pytest.raises(ValueError, match="tokenize"):
        mt.bleu(["a"], ["a"], tokenize="intl")

    with pytest.raises(FileNotFoundError, match="cannot read"):
        translator.translate_file(tmp_path / "missing.txt", tmp_path / "out.txt")
    assert not (tmp_path / "out.txt").exists()

    with pytest.raises(FileNotFoundError, match="not found"):
        mt.Translator(tmp_path / "no-such-model")
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "model.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="corrupt"):
        mt.Translator(corrupt)
    with pytest.raises(ValueError, match="compute_type"):
        mt.Translator(compute_type="fp8")
    with pytest.raises(FileNotFoundError):
        mt.Tokenizer(tmp_path / "missing.model")
    (tmp_path / "bad.model").write_bytes(b"\x00garbage")
    with pytest.raises(ValueError, match="tokenizer"):
        mt.Tokenizer(tmp_path / "bad.model")
