import random

from pipeline.ingest.recorder import Occurrences, message_id


def test_occurrences_count_every_earlier_sighting_across_merges(monkeypatch):
    """Numbered as a dict of every id would number them, whether an id's earlier
    sightings sit in the recent dict, the merged array, or both."""
    monkeypatch.setattr(Occurrences, "RECENT", 7)
    rng = random.Random(3)
    pool = [message_id("g", f"2024-01-01T10:{i % 60:02d}", "A", "ok", 0) for i in range(40)]
    counter, expected, got = Occurrences(), [], []
    seen: dict[str, int] = {}
    for _ in range(30):
        batch = [rng.choice(pool) for _ in range(rng.randint(0, 9))]
        for first in batch:
            expected.append(seen.get(first, 0))
            seen[first] = seen.get(first, 0) + 1
        got.extend(counter.count(batch))
    assert got == expected
    assert len(counter.keys) > 0  # the array was used
    assert max(expected) > 2  # and ids repeated many times


def test_ids_hex_digits_fit_the_array():
    assert int("f" * 16, 16) == 2**64 - 1  # a 16-hex-digit id is a uint64
    assert len(message_id("g", "", "A", "x", 0)) == 16
