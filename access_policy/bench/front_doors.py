"""The same timeline through each front door: /v1/decisions/batch, AuthZEN evaluations, FHIR $filter.

Run: `python -m access_policy.bench.front_doors [ITEMS]` (default 1,000). In-process (Starlette's
test client over a temporary SQLite store), so the figures compare the front doors' own costs —
parsing, mapping, rendering — over one engine, not the network. Each door is timed in turns after
a warm-up; the median of the rounds is printed.
"""

from __future__ import annotations

import datetime
import json
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

KINDS = {"appointment": "Appointment", "test_result": "Observation", "document": "DocumentReference", "note": "DocumentReference"}
ROUNDS = 7


def _resource(n: int, kind: str) -> dict:
    base = {"id": f"i{n}"}
    if kind == "appointment":
        return {"resourceType": "Appointment", **base, "status": "booked", "participant": [{"status": "accepted"}],
                "start": "2026-10-01T10:00:00+02:00", "end": "2026-10-01T10:30:00+02:00"}
    if kind == "test_result":
        return {"resourceType": "Observation", **base, "status": "final", "code": {"text": "Hb"},
                "effectiveDateTime": "2026-10-01T08:00:00+02:00"}
    return {"resourceType": "DocumentReference", **base, "status": "current", "date": "2026-10-01T09:00:00+02:00",
            "content": [{"attachment": {"contentType": "text/plain"}}],
            **({"context": {"encounter": [{"reference": f"EpisodeOfCare/pw-{n % 5}"}]}} if n % 3 == 0 else {})}


def main(count: int = 1000) -> None:
    """Time the three doors for a timeline of `count` items and print a table."""
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

    from access_policy.facts import Author, Holder, Representation, Responsibility
    from access_policy.fhir import SYSTEM_FNR, item_from_resource, parse_resource
    from access_policy.identity import make_person_id
    from access_policy.policy import load_policy
    from access_policy.service.settings import Settings
    from access_policy.service.tokens import issue_dev_token
    from access_policy.store import open_store
    from access_policy.web import create_app

    data = Path(tempfile.mkdtemp()) / "data"
    settings = Settings(dev=True, data_dir=data).checked()
    store = open_store(data_dir=data, migrate=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    child = make_person_id(datetime.date(now.year - 10, 3, 14), 10)
    mother = make_person_id(datetime.date(1985, 6, 1), 20)
    store.put_representation(child, Representation(holders=(Holder(id=mother, responsibility=Responsibility.FELLES),),
                                                   retrieved_at=now), Author(system="bench"))
    kinds = list(KINDS)
    resources = [_resource(n, kinds[n % len(kinds)]) for n in range(count)]
    items = [item_from_resource(parse_resource(r)).model_dump(mode="json", exclude_none=True) for r in resources]
    headers = {"Authorization": "Bearer " + issue_dev_token(settings, ["decisions"])}
    at = now.isoformat()
    bodies = {
        "/v1/decisions/batch": {"requester": mother, "child": child, "items": items, "at": at},
        "/access/v1/evaluations": {
            "subject": {"type": "person", "id": mother}, "action": {"name": "can_read"}, "context": {"time": at},
            "evaluations": [{"resource": {"type": i["kind"], "id": i["id"],
                                          "properties": {"child": child, **({"pathway": i["pathway"]} if "pathway" in i else {})}}}
                            for i in items],
        },
        "/fhir/Bundle/$filter": {"resourceType": "Parameters", "parameter": [
            {"name": "bundle", "resource": {"resourceType": "Bundle", "type": "searchset", "total": count,
                                            "entry": [{"resource": r} for r in resources]}},
            {"name": "requester", "valueIdentifier": {"system": SYSTEM_FNR, "value": mother}},
            {"name": "child", "valueIdentifier": {"system": SYSTEM_FNR, "value": child}},
            {"name": "time", "valueDateTime": at}]},
    }
    raw = {path: json.dumps(body).encode() for path, body in bodies.items()}
    timings: dict[str, list[float]] = {path: [] for path in raw}
    with TestClient(create_app(settings, store=store, policy=load_policy())) as client:
        for round_ in range(ROUNDS + 1):
            for path, content in raw.items():
                start = time.perf_counter()
                response = client.post(path, content=content, headers={**headers, "Content-Type": "application/json"})
                elapsed = time.perf_counter() - start
                assert response.status_code == 200, (path, response.text[:200])
                if round_:  # the first round warms up
                    timings[path].append(elapsed)
    store.close()
    print(f"{count} items, median of {ROUNDS} rounds (in-process, SQLite):")
    for path, values in timings.items():
        median = statistics.median(values)
        print(f"  {path:28} {median * 1000:8.1f} ms   {median / count * 1e6:7.1f} µs/item")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
