"""No person number in any URL, log line or problem: every API test runs under the capture in conftest; this proves it sees them."""

from __future__ import annotations

import logging


def test_the_capture_sees_a_person_number_in_a_url_and_in_a_log_line(client, token, family, no_person_number_in_urls_or_logs):
    capture = no_person_number_in_urls_or_logs
    # The retired routes carried the child in the path: gone (404), and the capture notices the number.
    response = client.post(f"/v1/children/{family.child}/exemptions", json={}, headers=token("facts:write"))
    assert response.status_code == 404
    logging.getLogger("api.example").warning("a careless line about %s", family.mother)
    leaks = capture.person_numbers()
    assert any(family.child in line and "uvicorn.access" in line for line in leaks)  # the access log line
    assert family.child in capture.urls[-1]
    assert any(family.mother in line for line in leaks)
    capture.lines.clear()
    capture.urls.clear()
    capture.problems.clear()


def test_a_problem_never_echoes_a_person_number(client, token, family, no_person_number_in_urls_or_logs):
    typo = family.child[:-1] + str((int(family.child[-1]) + 1) % 10)  # one digit off: a wrong check digit
    response = client.post("/v1/exemptions/search", json={"child": typo}, headers=token("facts:read"))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "child"
    assert typo not in response.text and no_person_number_in_urls_or_logs.problems


def test_the_access_log_is_written_as_uvicorn_writes_it(client, token, no_person_number_in_urls_or_logs):
    capture = no_person_number_in_urls_or_logs
    assert client.get("/v1/changes", headers=token("facts:read")).status_code == 200
    assert any(line.startswith("INFO uvicorn.access ") and '"GET /v1/changes HTTP/1.1" 200' in line for line in capture.lines)


def test_a_random_id_with_eleven_digits_in_a_row_is_not_a_person_number(family, no_person_number_in_urls_or_logs):
    capture = no_person_number_in_urls_or_logs
    logging.getLogger("api.example").info("decision 3fa85f64-5717-4562-b3fc-e85937355500 logged")
    logging.getLogger("api.example").info("entry hash %s", "ab" * 4 + "93735550012" + "cd" * 12)
    assert capture.person_numbers() == []
    logging.getLogger("api.example").info("decision 3fa85f64-5717-4562-b3fc-e85937355500 for %s", family.father)
    assert len(capture.person_numbers()) == 1
    capture.lines.clear()


def test_a_person_number_sent_as_an_organisation_number_is_not_echoed(client, clinician, family, no_person_number_in_urls_or_logs):
    body = {"child": family.child, "organisation": family.mother, "valid_from": "2026-11-01T00:00:00+01:00"}
    response = client.post("/v1/care-orders", json=body, headers=clinician)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "organisation"
    assert "organisation number" in response.json()["errors"][0]["message"]
    assert family.mother not in response.text and no_person_number_in_urls_or_logs.problems


def test_a_bad_cursor_or_time_is_refused_without_echoing_it(client, token, family, no_person_number_in_urls_or_logs):
    odd = "x" + family.mother  # not a cursor, and it carries a person number
    response = client.post("/v1/audit/search", json={"child": family.child, "after": odd}, headers=token("audit:read"))
    assert response.status_code == 422 and family.mother not in response.text
    body = {"subject": {"type": "person", "id": family.mother}, "action": {"name": "can_read"},
            "resource": {"type": "note", "id": "n", "properties": {"child": family.child}}, "context": {"time": odd}}
    response = client.post("/access/v1/evaluation", json=body, headers=token("decisions"))
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "context.time"
    assert family.mother not in response.text
