"""The WhatsApp scan in C (pipeline/ingest/_whatsapp.c) against parse_whatsapp and
Recorder.record in Python: for any export, the same records, ledger and errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline.ingest.whatsapp as whatsapp
from pipeline.config import IngestConfig, PrivacyConfig
from pipeline.ingest import IngestError, read_export
from pipeline.ingest.common import Document
from pipeline.ingest.recorder import Recorder, message_id
from pipeline.privacy import Privacy

compiled = whatsapp.scan_whatsapp
needs_extension = pytest.mark.skipif(compiled is None, reason="the C extension is not built")
FIXTURES = Path(__file__).parent.parent / "fixtures"

# Header lines of every layout, valid and impossible dates, and the lines between them:
# names with marks, `~`, quotes, emoji and phone numbers; placeholders of each kind,
# edited markers, system events, continuation lines that look like headers.
HEADS = [
    "13/03/24 19.45 - ",
    "3/13/24, 7:45\u202fPM - ",
    "13/03/2024, 19:45 - ",
    "2024-03-13 19:45 - ",
    "\u200e[13/03/24 19.45.12] ",
    "[3/13/24, 7:45:12\u202fp. m.] ",
    "31/02/24 10.00 - ",
    "12/12/24 25:00 - ",
    "13.03.24 7.45 a.m. - ",
    "05/06/24, 09:15 \u2013 ",
]
NAMES = [
    "Budi",
    "~ Siti",
    "\u200eAcil 😊",
    "+62 812-3456-7890",
    "Anne-Marie ",
    "Dr. \u201cRahmat\u201d",
    'You changed the subject to "a: b',
    "Ibu Hajjah Salmah binti Abdullah Banua",
    "UMKM Banua",
    "",
    "Ahmad\u00a0Fauzi",
    'Toko "Kopi"',
    "\tTab",
]
TEXTS = [
    "harga 25rb aja",
    "<Media omitted>",
    "<Media tidak disertakan>",
    "image omitted",
    "\u200eimage omitted",
    "IMG-2024.jpg (file attached)",
    "<attached: 00000012-PHOTO.jpg>",
    "This message was deleted",
    "Pesan ini telah dihapus.",
    "\u200eYou deleted this message.",
    "thanks semua",
    "pak, ada info?",
    "sudah <This message was edited>",
    "hubungi 0812 3456 7890 ya",
    "email: toko@contoh.id",
    "😂😂",
    "  spasi  ",
    "\u200e\u200ebisa",
    "ok :)",
    "a: b: c",
    "",
    "added Budi",
    "\u200eMessages and calls are end-to-end encrypted.",
    "١٢٣٤٥٦٧٨٩ nomor",
]
OTHER_LINES = ["", "  ", "lanjutan", "12/03/24 ini bukan header", "\t", "x" * 30]


@st.composite
def exports(draw):
    lines = []
    for _ in range(draw(st.integers(1, 14))):
        if draw(st.integers(0, 4)) == 0:
            lines.append(draw(st.sampled_from(OTHER_LINES)))
            continue
        head, name, text = (draw(st.sampled_from(options)) for options in (HEADS, NAMES, TEXTS))
        lines.append(head + (f"{name}: {text}" if name else text))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return ending.join(lines) + draw(st.sampled_from(["", ending, ending * 2]))


def read_both(tmp_path: Path, export: str, **config):
    """What read_export gives with the C scan and with the Python rules."""
    path = tmp_path / "WhatsApp Chat with UMKM Banua.txt"
    path.write_text(export, encoding="utf-8")
    ingest = IngestConfig(**config)
    privacy = PrivacyConfig(salt="test")
    results = []
    for scan in (compiled, None):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(whatsapp, "scan_whatsapp", scan)
            try:
                messages, report = read_export(path, ingest, Privacy(privacy))
                results.append((messages, report.as_dict()))
            except IngestError as err:
                results.append(str(err))
    return results


@needs_extension
@settings(max_examples=400, deadline=None)
@given(export=exports())
def test_the_compiled_scan_records_what_the_python_rules_record(tmp_path_factory, export):
    with_c, with_python = read_both(tmp_path_factory.mktemp("chat"), export)
    assert with_c == with_python


@needs_extension
@settings(max_examples=100, deadline=None)
@given(export=exports(), date_order=st.sampled_from(["dmy", "mdy", "ymd"]))
def test_the_same_with_the_date_order_given(tmp_path_factory, export, date_order):
    with_c, with_python = read_both(tmp_path_factory.mktemp("chat"), export, date_order=date_order)
    assert with_c == with_python


@needs_extension
@pytest.mark.parametrize(
    "fixture",
    [
        "Chat WhatsApp dengan UMKM Maju.txt",
        "Kopi Banua.txt",
        "WhatsApp Chat with Bazaar Team.txt",
        "WhatsApp Chat - Ibu Tangguh.txt",
    ],
)
def test_the_hand_checked_exports_read_the_same(tmp_path, fixture):
    export = (FIXTURES / fixture).read_bytes().decode("utf-8")  # CRLF kept
    with_c, with_python = read_both(tmp_path, export)
    assert with_c == with_python
    assert not isinstance(with_c, str) and len(with_c[0]) > 5


@needs_extension
def test_repeats_are_numbered_and_a_long_line_refused_as_in_python(tmp_path):
    repeats = "13/03/24 19.45 - Budi: ok\n" * 3 + "13/03/24 19.45 - ~ Budi: ok\n"
    with_c, with_python = read_both(tmp_path, repeats)
    assert with_c == with_python
    assert len({message.id for message in with_c[0]}) == 4  # repeats kept, ids unique
    long_line = "13/03/24 19.45 - Budi: ok\n" + "y" * 2000 + "\n"
    with_c, with_python = read_both(tmp_path, long_line, max_line_chars=1000)
    assert with_c == with_python
    assert with_c.endswith(
        ":2: a line of 2,000 characters; no chat export has one, so the file is refused"
    )


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=150)


@needs_extension
@settings(max_examples=300, deadline=None)
@given(parts=st.lists(TEXT, min_size=4, max_size=4), occurrence=st.integers(0, 10**6))
def test_ids_are_those_of_hashlib(parts, occurrence):
    from pipeline.ingest._whatsapp import message_id as compiled_id

    assert compiled_id(*parts, occurrence) == message_id(*parts, occurrence)


@needs_extension
def test_the_portable_sha1_gives_the_same_ids():
    # Where the processor has SHA instructions they hash; this checks the plain C too.
    script = (
        "from pipeline.ingest._whatsapp import message_id as m; "
        "print([m('c' * n, 't', 'a😊', 'x' * (n * 7), n) for n in range(0, 160, 3)])"
    )
    env = {**os.environ, "GUYUB_PORTABLE_SHA1": "1"}
    printed = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert printed.strip() == str(
        [message_id("c" * n, "t", "a😊", "x" * (n * 7), n) for n in range(0, 160, 3)]
    )


@needs_extension
def test_bad_arguments_are_refused_not_crashed_on():
    with pytest.raises(TypeError):
        compiled(b"bytes", False, 10, str, str, str, object())
    with pytest.raises(TypeError):
        compiled("13/03/24 19.45 - Budi: ok", False, 10, str, str, str)
    with pytest.raises(AttributeError):
        compiled("13/03/24 19.45 - Budi: ok", False, 10, str, str, str, object())


@pytest.mark.skipif(not os.environ.get("CI"), reason="only CI's machine must have a compiler")
def test_ci_builds_the_extension():
    assert compiled is not None


@needs_extension
def test_a_record_class_that_is_not_a_slots_dataclass_is_called():
    class Plain:
        def __init__(self, *fields):
            self.fields = fields

    recorder = Recorder("chat", "whatsapp", "chat.txt", Privacy(PrivacyConfig(salt="t")))
    recorder.message = Plain
    export = "13/03/24 19.45 - Budi: ok\n13/03/24 19.46 - Siti: halo\nsemua\n"
    document = Document("chat.txt", "chat", "chat.txt", export.encode())
    whatsapp.record_whatsapp(document, recorder)
    assert [record.fields[4:9] for record in recorder.records] == [
        (1, "2024-03-13T19:45", "Budi", "message", "ok"),
        (2, "2024-03-13T19:46", "Siti", "message", "halo\nsemua"),
    ]
