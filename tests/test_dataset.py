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


def test_a_part_is_normalised_in_slices_that_read_back_as_one_table(tmp_path):
    import pyarrow as pa

    from pipeline.dataset import read_column, row_slices, slice_name, write_part

    # the slices cover the rows once, in order; an empty part still has one
    assert row_slices(7) == [(0, 3), (3, 7)]
    assert row_slices(1) == [(0, 1)]
    assert row_slices(0) == [(0, 0)]
    folder = tmp_path / "part-00000.parquet"
    folder.mkdir()
    # written in the order the tasks may finish: the second slice first
    for start, stop in reversed(row_slices(12)):
        write_part(folder / slice_name(start), pa.table({"n": list(range(start, stop))}))
    assert read_column(folder, "n").to_pylist() == list(range(12))
