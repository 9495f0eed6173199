"""Drives a running Paperstand with Hugging Face's own client, huggingface_hub.

Usage: hf_client.py BASE_URL. Exits non-zero with a message on the first failed check.
Expects the instance to hold the test fixture (tests/fixtures/papers.jsonl).
"""
import sys

from huggingface_hub import HfApi

api = HfApi(endpoint=sys.argv[1], token=False)

daily = list(api.list_daily_papers(date="2026-06-02", limit=100))
assert len(daily) == 19, f"19 papers listed on 2026-06-02, got {len(daily)}"
first = daily[0]
assert first.id and first.title and first.summary, first
assert first.authors and first.authors[0].name, first.authors
assert first.published_at is not None and first.submitted_at is not None
assert str(first.submitted_at.date()) == "2026-06-02", first.submitted_at

paged = list(api.list_daily_papers(date="2026-06-02", limit=5, p=3))
assert len(paged) == 4, f"page 3 of 5 holds the last 4 of 19, got {len(paged)}"

month = list(api.list_daily_papers(month="2026-06"))
assert len(month) == 19, len(month)
week = list(api.list_daily_papers(week="2026-W23", sort="trending"))
assert len(week) == 19, len(week)

info = api.paper_info("2606.00007")
assert info.id == "2606.00007", info.id
assert info.title.startswith("Deliberative Curation"), info.title
assert info.github_repo == "https://github.com/StevenJohnson998/AIngram", info.github_repo

found = list(api.list_papers(query="gaussian splatting", limit=10))
assert any(p.id == "2509.07021" for p in found), [p.id for p in found]

try:
    api.paper_info("2503.99999")
    raise AssertionError("an unknown paper must be an HTTP error")
except Exception as error:  # huggingface_hub raises its own HTTP error class
    assert "404" in str(error), error

print(f"huggingface_hub client OK: {len(daily)} daily papers, paper_info, list_papers ({len(found)} found)")
