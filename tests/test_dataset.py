import pyarrow.parquet as pq

from pipeline.dataset import RECORD_SCHEMA, dataset_parts, part_name, write_records
from pipeline.records import MESSAGE_FIELDS, Message


def message(i: int) -> Message:
    return Message(
        f"id{i}", "g", "whatsapp", "g.txt", i + 1, "2024-01-01T10:00", "A", "message", f"pesan {i}"
    )


def test_records_go_into_parts_in_order_and_read_back_as_they_were(tmp_path, monkeypatch):
    monkeypatch.setattr("pipeline.dataset.PART_ROWS", 4)
    messages = [message(i) for i in range(10)]
    parts = write_records(tmp_path, messages)
    assert [p.rows for p in parts] == [4, 4, 2]
    assert [p.records for p in parts] == [
        str(tmp_path / "records" / part_name(i)) for i in range(3)
    ]
    files = dataset_parts(tmp_path / "records")
    assert [str(f) for f in files] == [p.records for p in parts]
    rows = pq.read_table(tmp_path / "records").to_pylist()
    assert rows == [{f: getattr(m, f) for f in MESSAGE_FIELDS} for m in messages]


def test_no_messages_still_give_a_part_with_the_columns(tmp_path):
    (part,) = write_records(tmp_path, [])
    table = pq.read_table(part.records)
    assert part.rows == table.num_rows == 0 and table.schema == RECORD_SCHEMA
