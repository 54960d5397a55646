#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ (small valid inputs the
fuzzer mutates). The files are committed; rerun after changing this script:
    python3 fuzz/make_seeds.py
The model_json seeds come from kiln's own save_model instead:
    build-fuzz/fuzz/make-model-seeds fuzz/corpus/model_json   (fuzz/make_model_seeds.cpp)
"""
import json
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"

DTYPE_FORMAT = {"F32": "<f", "F64": "<d", "F16": "<e"}


def encode(dtype, values):
    if dtype == "BF16":  # the top half of each float32
        return b"".join(struct.pack("<f", v)[2:] for v in values)
    return b"".join(struct.pack(DTYPE_FORMAT[dtype], v) for v in values)


def safetensors(tensors, metadata=None):
    """tensors: [(name, dtype, shape, values)] in data order."""
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, values in tensors:
        raw = encode(dtype, values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def tokenizer(word_counts, oov=None, as_strings=True, **options):
    words = sorted(word_counts, key=lambda w: -word_counts[w])
    if oov:
        words = [oov] + [w for w in words if w != oov]
    word_index = {w: i + 1 for i, w in enumerate(words)}
    dicts = {
        "word_counts": word_counts,
        "word_docs": {w: 1 for w in word_counts},
        "index_docs": {str(word_index[w]): 1 for w in word_counts if w in word_index},
        "index_word": {str(i): w for w, i in word_index.items()},
        "word_index": word_index,
    }
    config = {"num_words": options.get("num_words"), "filters": options.get("filters", "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n"),
              "lower": options.get("lower", True), "split": options.get("split", " "),
              "char_level": options.get("char_level", False), "oov_token": oov, "document_count": 2}
    for key, value in dicts.items():
        config[key] = json.dumps(value) if as_strings else value
    return json.dumps({"class_name": "Tokenizer", "config": config}).encode()


def write(target, name, content):
    folder = ROOT / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)


def main():
    write("safetensors_loader", "gru_like.safetensors", safetensors(
        [("kernel", "F32", [2, 3], [0.5, -1.0, 2.0, 0.25, 3.0, -0.125]),
         ("bias", "F32", [3], [0.0, 1.0, -1.0])],
        {"source": "fuzz seed"}))
    write("safetensors_loader", "mixed_dtypes.safetensors", safetensors(
        [("f64", "F64", [2], [1.5, -2.25]), ("f16", "F16", [2, 2], [1.0, -0.5, 65504.0, 6e-8]),
         ("bf16", "BF16", [1, 3], [1.0, -3.0, 1e30]), ("scalar", "F32", [], [7.0])]))
    write("safetensors_loader", "zero_sized.safetensors", safetensors(
        [("empty", "F32", [0, 4], []), ("one", "F32", [1], [1.0])]))
    write("safetensors_loader", "empty_header.safetensors", safetensors([]))
    write("safetensors_loader", "metadata_only.safetensors", safetensors([], {"format": "pt", "k": "v"}))

    write("tokenizer_json", "keras_strings.json", tokenizer({"the": 3, "cat": 2, "sat": 1}))
    write("tokenizer_json", "oov_objects.json",
          tokenizer({"le": 2, "chat": 1, "l'été": 1}, oov="<unk>", as_strings=False, num_words=3))
    write("tokenizer_json", "char_level.json", tokenizer({"a": 2, "b": 1, " ": 1}, char_level=True, lower=False))
    write("tokenizer_json", "empty.json", json.dumps({"class_name": "Tokenizer", "config": {"word_index": "{}"}}).encode())

    write("parallel_corpus", "anki.tsv",
          "Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org\n"
          "Hi.\tSalut !\n\nI'm cold.\tJ'ai froid.\n".encode())
    write("parallel_corpus", "bom_crlf.tsv", "\ufeffnew jersey\tNew Jersey est calme\r\nparis\tParis\r\n".encode())
    write("parallel_corpus", "unicode.tsv", "Straße ÉTÉ\tΣίσυφος Привет\n\tempty source\nempty target\t\n".encode())


if __name__ == "__main__":
    main()
