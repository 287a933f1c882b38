"""Fuzz: whatever bytes or JSON a file holds, reading it gives records or a clean error
naming the file, never a traceback, and every line stays accounted for."""

import io
import json
import os
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import IngestConfig, PrivacyConfig
from pipeline.ingest import read_exports

SUFFIXES = (".txt", ".json", ".csv", ".jsonl", ".parquet", ".zip")
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Pieces that steer random text into each parser's paths: headers, brackets, clocks.
PIECES = st.sampled_from(
    [
        "13/01/24 08.05 - ",
        "[29.01.18, 12:26:04] ",
        "1/30/18, 0:04 AM - ",
        "Budi: ",
        "\u200e",
        "\ufeff",
        "<Media omitted>",
        "[LINE] Chat history with X\n",
        "2021/01/01(金)\n",
        "午後11:59\t",
        "24:53 ",
        "\t",
        "\n",
        '"',
        "Peneliti: ",
        "Interviewer: X\n",
        "{",
        "}",
        "31/02/24 10.00 - ",
        "\r\n",
    ]
)
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=30).map("".join)


def read_one(path):
    result = read_exports([path], IngestConfig(), PrivacyConfig())
    (report,) = result.reports
    if report.error:
        assert report.error.startswith(str(path)), report.error
    else:
        assert report.accounted_lines == report.lines, report.as_dict()
    return result


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(SUFFIXES))
def test_random_bytes_in_any_kind_of_file(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"export{suffix}"
    path.write_bytes(data)
    read_one(path)


@FUZZ
@given(TEXT, st.sampled_from((".txt", ".csv", ".jsonl")))
def test_random_text_shaped_like_exports(tmp_path_factory, text, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"export{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    read_one(path)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)
MESSAGE = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON,
        "type": st.sampled_from(["message", "service"]) | JSON,
        "date": st.sampled_from(["2024-03-13T19:45:10", "2024-13-45T99:99:99", ""]) | JSON,
        "date_unixtime": st.sampled_from(["1710330310", "-5", "9" * 30]) | JSON,
        "from": JSON,
        "text": JSON,
        "photo": JSON,
        "actor": JSON,
        "action": JSON,
        "edited": JSON,
    },
)


@FUZZ
@given(
    st.one_of(
        st.fixed_dictionaries({"name": JSON, "messages": st.lists(MESSAGE, max_size=5) | JSON}),
        st.fixed_dictionaries({"chats": st.fixed_dictionaries({"list": JSON})}),
        JSON,
    ),
    st.booleans(),
)
def test_random_telegram_json(tmp_path_factory, data, pretty):
    path = tmp_path_factory.mktemp("fuzz") / "result.json"
    path.write_text(json.dumps(data, indent=1 if pretty else None), encoding="utf-8")
    read_one(path)


@FUZZ
@given(
    st.lists(
        st.dictionaries(st.sampled_from(["author", "text", "timestamp", "x"]), JSON), max_size=5
    )
)
def test_random_jsonl_tables(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("fuzz") / "table.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    read_one(path)


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["_chat.txt", "result.json", "chat.csv"]))
def test_zips_with_damaged_members(tmp_path_factory, damage, inner):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(inner, "13/01/24 08.05 - Budi: halo\n" * 20)
    data = bytearray(buffer.getvalue())
    for i, byte in enumerate(damage[: len(data)]):  # overwrite a stretch with noise
        data[(i * 7) % len(data)] ^= byte
    path = tmp_path_factory.mktemp("fuzz") / "export.zip"
    path.write_bytes(bytes(data))
    read_one(path)
