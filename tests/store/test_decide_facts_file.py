"""`access-policy decide`: the facts file carries every kind and the register's picture; `--child` follows a former id."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from typer.testing import CliRunner

from access_policy.cli import app
from access_policy.facts import Representation
from access_policy.identity import make_person_id

from tests.store.conftest import CLINICIAN, REGISTER
from tests.store.helpers import FATHER, MOTHER, exemption

TEEN = make_person_id(datetime.date(2009, 8, 20), 60)
AT = "2026-11-30T12:00:00+01:00"


def _decide(*args: str) -> dict:
    result = CliRunner().invoke(app, ["decide", *args, "--at", AT, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["results"][0]


def test_a_facts_file_with_the_new_kinds_and_fields_decides(tmp_path: Path):
    father_before = make_person_id(datetime.date(1984, 3, 2), 61, d_number=True)
    facts = {
        "child": TEEN,
        "representation": {
            "status": "bosatt",
            "former_ids": [make_person_id(datetime.date(2009, 8, 20), 60, d_number=True)],
            "retrieved_at": "2026-11-30T06:00:00+01:00",
            "holders": [
                {"id": MOTHER, "responsibility": "felles", "valid_from": "2009-08-20T00:00:00+02:00"},
                {"id": FATHER, "responsibility": "felles", "former_ids": [father_before]},
            ],
        },
        "sharing_grants": [{"id": "sg-1", "grantee": MOTHER, "scope": {"all": True}, "author": {"person": TEEN}}],
        "exemptions": [{"id": "ex-1", "scope": {"pathway": "pw-1"}, "applies_to": [father_before],
                        "legal_basis": "pbrl-5-1-2", "reason": "r"}],
        "care_orders": [],
        "id_links": [{"former": father_before, "current": FATHER}],
    }
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts))
    shared = _decide("--facts", str(path), "--requester", MOTHER, "--item", "doc-1", "--kind", "note")
    assert (shared["decision"], shared["rule"]) == ("permit", "shared-by-adolescent")
    assert _decide("--facts", str(path), "--requester", FATHER, "--item", "doc-1", "--kind", "note")["rule"] == "child-16-17"
    died = facts | {"representation": facts["representation"] | {"status": "doed", "death_date": "2026-11-01"}}
    path.write_text(json.dumps(died))
    assert _decide("--facts", str(path), "--requester", MOTHER, "--item", "doc-1", "--kind", "note")["rule"] == "child-deceased"


def test_decide_from_the_store_by_a_former_id(tmp_path: Path, t0):
    from access_policy.store import open_store

    birth = datetime.date(2016, 1, 9)
    d_number, child = make_person_id(birth, 62, d_number=True), make_person_id(birth, 62)
    at = datetime.datetime.fromisoformat(AT)
    data = tmp_path / "data"
    data.mkdir()
    with open_store(data_dir=data) as store:
        holders = [{"id": MOTHER, "responsibility": "felles"}, {"id": FATHER, "responsibility": "felles"}]
        store.put_representation(d_number, Representation(holders=holders, retrieved_at=at - datetime.timedelta(hours=2)), REGISTER)
        store.create_fact(d_number, "exemptions", exemption("pw-1", applies_to=(FATHER,)), CLINICIAN)
        moved = Representation(holders=holders, former_ids=(d_number,), retrieved_at=at - datetime.timedelta(hours=1))
        store.put_representation(child, moved, REGISTER)
    for asked in (child, d_number):
        args = ["--child", asked, "--data-dir", str(data), "--requester", FATHER, "--item", "d", "--kind", "note", "--pathway", "pw-1"]
        assert _decide(*args)["rule"] == "exemption"
