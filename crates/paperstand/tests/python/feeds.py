"""Parses Paperstand's feeds with feedparser, a strict real-world parser.

Usage: feeds.py BASE_URL PATH EXPECTED_ENTRIES [PATH EXPECTED_ENTRIES ...].
Fails on the first feed that feedparser flags as malformed (bozo) or whose entries differ.
"""
import sys

import feedparser

base = sys.argv[1]
pairs = sys.argv[2:]
for path, expected in zip(pairs[::2], pairs[1::2]):
    feed = feedparser.parse(base + path)
    assert not feed.bozo, f"{path}: malformed: {feed.bozo_exception!r}"
    assert feed.version in ("atom10", "rss20"), f"{path}: version {feed.version!r}"
    assert len(feed.entries) == int(expected), f"{path}: {len(feed.entries)} entries, expected {expected}"
    for entry in feed.entries:
        assert entry.title and entry.link.startswith(base + "/papers/"), (path, entry.title, entry.link)
        assert entry.get("summary") is not None, (path, entry.title)
    print(f"{path}: {feed.version}, {len(feed.entries)} entries, not bozo")
print("feedparser OK")
