"""mt: English <-> Chinese neural machine translation, from Python.

The translator stays loaded between calls, so a program pays for the model once. Every call runs the
code ``mt translate`` runs, with its defaults: the same input gives the same bytes. The network runs
with the GIL released; calls from several threads are safe and take turns on the model.

Decoding options (keyword arguments of ``translate``, ``translate_document`` and
``translate_file``) are those of ``mt translate``, with ``_`` for ``-``:

- ``beam: int = 4``: beam size (1 = greedy)
- ``lenpen: float = 2.0``: length penalty alpha (higher favours longer output)
- ``reverse_weight: float = 0.7``: rerank the beam by score + this x log P(source | translation); 0 = off
- ``max_len_a: float = 1.5``, ``max_len_b: int = 10``: output length limit a * source length + b
- ``min_length: int = 0``, ``no_repeat_ngram: int = 0``
- ``batch_tokens: int = 4000``: source tokens x beam per batch
- ``zh_script: str = "simplified"``: or ``"traditional"``
- ``no_split: bool = False``: translate each text whole instead of sentence by sentence

Errors: a missing model, glossary or input file raises FileNotFoundError; a bad value, a corrupt
model or a bad glossary entry raises ValueError; a wrong type raises TypeError. Messages are the
CLI's one-line messages.
"""

import os
from typing import Iterable, Literal, Mapping, Optional, Sequence, Union, overload

__version__: str

_Text = Union[str, bytes]  # bytes are read as UTF-8, invalid sequences replaced by U+FFFD
_Path = Union[str, "os.PathLike[str]"]
_Glossary = Optional[Union[Mapping[str, str], _Path]]  # {source: target}, or a source<TAB>target file
_Target = Literal["auto", "zh", "en"]

class Translator:
    """A model loaded once (default: the shipped en-zh model, or $MT_MODEL)."""

    def __init__(
        self,
        model: Optional[_Path] = None,
        device: str = "cpu",
        compute_type: Literal["auto", "float32", "bfloat16", "int8"] = "auto",
        threads: int = 0,
    ) -> None:
        """Loads a model folder. ``compute_type`` as CTranslate2 names it (``auto``: the faster of
        float32 and bfloat16 on this CPU); ``threads``: CPU threads for the network, 0 = every core
        (a setting of the whole process)."""
    @property
    def model(self) -> str:
        """The model folder."""
    @property
    def compute_type(self) -> str:
        """The compute type that runs (what ``auto`` resolved to)."""
    @overload
    def translate(
        self, texts: Iterable[_Text], to: _Target = "auto", n_best: Literal[1] = 1, glossary: _Glossary = None,
        alignments: Literal[False] = False, **options
    ) -> list[str]:
        """One translation per text, in order, batched by length. ``to="auto"`` picks the direction
        per text from its script (Chinese to English, anything else to Chinese). With ``n_best > 1``
        each text gives its best hypotheses as ``(text, score)``, best first. ``glossary``: terms
        whose target every translation of a text that holds the source must contain. With
        ``alignments=True`` each text gives ``(translation, [(source word, target word), ...])``,
        the words counted as ``mt translate --alignments`` counts them (words, numbers, Han
        characters and punctuation, from 0)."""
    @overload
    def translate(
        self, texts: Iterable[_Text], to: _Target = "auto", n_best: Literal[1] = 1, glossary: _Glossary = None,
        *, alignments: Literal[True], **options
    ) -> list[tuple[str, list[tuple[int, int]]]]: ...
    @overload
    def translate(
        self, texts: Iterable[_Text], to: _Target = "auto", n_best: int = ..., glossary: _Glossary = None, **options
    ) -> list[list[tuple[str, float]]]: ...
    @overload
    def translate_document(
        self, text: _Text, format: Literal["html", "markdown", "srt", "vtt", "po"] = "html", to: _Target = "auto",
        overwrite: bool = False, glossary: _Glossary = None, **options
    ) -> str:
        """A document translated with its markup kept (as ``mt translate --format``): text formats
        take and give ``str``; packages (docx, pptx, odt, odp, epub) take and give ``bytes``.
        ``overwrite``: a catalogue's translated entries are translated again too. A document its
        parser rejects raises ValueError."""
    @overload
    def translate_document(
        self, text: bytes, format: Literal["docx", "pptx", "odt", "odp", "epub"], to: _Target = "auto",
        overwrite: bool = False, glossary: _Glossary = None, **options
    ) -> bytes: ...
    def translate_file(
        self, input: _Path, output: _Path,
        format: Optional[Literal["text", "markdown", "html", "srt", "vtt", "po", "docx", "pptx", "odt", "odp", "epub"]] = None,
        to: _Target = "auto", overwrite: bool = False, glossary: _Glossary = None, **options
    ) -> dict[str, int]:
        """A file translated as ``mt translate -i input -o output`` does: the format from the
        extension unless given; text line by line (one output line per input line). The output is
        written whole or not at all. Returns the counts: lines (or document pieces), source_tokens,
        target_tokens."""
    def score(
        self, sources: Sequence[_Text], targets: Sequence[_Text], to: _Target = "auto", normalize: bool = False
    ) -> list[float]:
        """log P(target | source) for each pair under the model, teacher-forced (as CTranslate2's
        ``score_batch``): the sum over the target's tokens and its end, or their mean with
        ``normalize=True``. ``to``: the targets' language, ``auto`` = from each target's script."""

class Tokenizer:
    """The model's SentencePiece vocabulary, with mt's normalization (full-width, Traditional ->
    Simplified, whitespace) applied before encoding."""

    def __init__(self, model: Optional[_Path] = None) -> None:
        """A model folder or a tokenizer ``.model`` file (default: the shipped model's)."""
    @overload
    def encode(self, text: _Text, out_type: type[str] = str) -> list[str]:
        """Pieces (``out_type=str``) or ids (``out_type=int``); no tags or end token."""
    @overload
    def encode(self, text: _Text, out_type: type[int]) -> list[int]: ...
    def decode(self, tokens: Iterable[Union[str, int]]) -> str:
        """Text from pieces or ids; special ids are skipped."""
    @property
    def vocab_size(self) -> int: ...

class BleuScore:
    """Corpus BLEU as sacreBLEU 2.x computes it; ``float(score)`` is its value."""

    score: float
    precisions: list[float]
    brevity_penalty: float
    sys_len: int
    ref_len: int
    signature: str
    def __float__(self) -> float: ...

class ChrfScore:
    """chrF2 as sacreBLEU 2.x computes it; ``float(score)`` is its value."""

    score: float
    signature: str
    def __float__(self) -> float: ...

def bleu(
    hypotheses: Sequence[_Text], references: Sequence[_Text], tokenize: Literal["13a", "zh", "none"] = "13a"
) -> BleuScore:
    """Corpus BLEU of one reference per hypothesis (``tokenize="zh"`` for Chinese)."""

def chrf(hypotheses: Sequence[_Text], references: Sequence[_Text]) -> ChrfScore:
    """Corpus chrF2 of one reference per hypothesis."""

def detect_language(text: _Text) -> Literal["zh", "en"]:
    """``"zh"`` for Chinese text, ``"en"`` otherwise (the guess ``to="auto"`` makes)."""
