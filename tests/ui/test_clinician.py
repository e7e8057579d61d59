"""A clinician, in a real browser: sets an exemption for one parent, previews both, revokes it."""

from __future__ import annotations

import json

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from tests.ui.conftest import Demo, assert_accessible, screenshot

ITEMS = [
    {"id": "UI-D1", "kind": "document", "pathway": "UI-BUP"},
    {"id": "UI-A1", "kind": "appointment"},
]


def _login(driver, service: Demo) -> None:
    driver.get(service.base + "/ui/login")
    # Keyboard first: the first Tab reaches the skip link, which moves focus to the content.
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert driver.switch_to.active_element.text == "Hopp til innholdet"
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    assert driver.switch_to.active_element.get_attribute("id") == "main"
    assert_accessible(driver, "login")
    screenshot(driver, "login")
    driver.find_element(By.ID, "demo-login").click()
    assert "/ui/" in driver.current_url and "Logget inn" in driver.find_element(By.CSS_SELECTOR, ".notice").text


def _open_child(driver, service: Demo, child: str | None = None) -> None:
    child = child or service.child
    driver.get(service.base + "/ui/")
    field = driver.find_element(By.ID, "child")
    field.send_keys(child)
    field.send_keys(Keys.ENTER)
    assert driver.current_url.endswith("/ui/child")
    # The number travels in the form body, never in the address.
    assert child not in driver.current_url


def _preview(driver, service: Demo, first: str | None = None, second: str | None = None, items_list=ITEMS) -> dict[str, object]:
    driver.get(service.base + "/ui/preview")
    Select(driver.find_element(By.ID, "requester_a")).select_by_value(first or service.mother)
    Select(driver.find_element(By.ID, "requester_b")).select_by_value(second or service.father)
    items = driver.find_element(By.ID, "items")
    items.clear()
    items.send_keys(json.dumps(items_list))
    driver.find_element(By.ID, "preview-submit").click()
    views = {}
    for section in driver.find_elements(By.CSS_SELECTOR, "section[data-requester]"):
        shown = [li.get_attribute("data-item") for li in section.find_elements(By.CSS_SELECTOR, ".shown li[data-item]")]
        hidden = {li.get_attribute("data-item"): li.text for li in section.find_elements(By.CSS_SELECTOR, ".hidden-items li[data-item]")}
        views[section.get_attribute("data-requester")] = (shown, hidden)
    return views


def test_exemption_for_one_parent_previewed_and_revoked(browser, service: Demo) -> None:
    """Create → the father alone loses the item, with its reason; revoke → he sees it again."""
    driver = browser
    _login(driver, service)
    assert_accessible(driver, "home")
    screenshot(driver, "home")
    _open_child(driver, service)

    driver.find_element(By.XPATH, "//summary[contains(., 'Nytt: unntak')]").click()
    form = driver.find_element(By.ID, "form-exemptions")
    Select(form.find_element(By.NAME, "scope.type")).select_by_value("pathway")
    form.find_element(By.NAME, "scope.id").send_keys("UI-BUP")
    Select(form.find_element(By.NAME, "applies_to")).select_by_value(service.father)
    Select(form.find_element(By.NAME, "legal_basis")).select_by_value("pbrl-3-4-3")
    form.find_element(By.NAME, "reason").send_keys("Samtale med barnet 30.11.")
    screenshot(driver, "create-exemption")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    notice = driver.find_element(By.CSS_SELECTOR, ".notice").text
    assert "er lagret" in notice, notice
    fact_id = notice.split()[1]
    assert driver.find_element(By.XPATH, f"//td[text()='{fact_id}']")
    assert_accessible(driver, "child")
    screenshot(driver, "child")

    views = _preview(driver, service)
    mother_shown, mother_hidden = views[service.mother]
    father_shown, father_hidden = views[service.father]
    assert mother_shown == ["UI-D1", "UI-A1"] and not mother_hidden
    assert father_shown == ["UI-A1"]
    reason = father_hidden["UI-D1"]
    for expected in ("exemption", "pbrl-3-4-3", fact_id, "HPR", "Samtale med barnet 30.11."):
        assert expected in reason, (expected, reason)
    assert_accessible(driver, "preview")
    screenshot(driver, "preview")

    driver.get(service.base + "/ui/child")
    driver.find_element(By.CSS_SELECTOR, f"button[aria-label='Trekk tilbake Unntak {fact_id}']").click()
    assert "trukket tilbake" in driver.find_element(By.CSS_SELECTOR, ".notice").text
    views = _preview(driver, service)
    assert views[service.father][0] == ["UI-D1", "UI-A1"]
    assert not views[service.father][1]


def test_what_changes_when_and_the_change_feed(browser, service: Demo) -> None:
    """The child's page lists the birthdays ahead; the change feed lists what was set."""
    driver = browser
    driver.get(service.base + "/ui/child")
    if "/ui/login" in driver.current_url:
        _login(driver, service)
        _open_child(driver, service)
    timeline = driver.find_element(By.CSS_SELECTOR, "ol.timeline").text
    assert "Barnet fyller 18 år" in timeline
    driver.get(service.base + "/ui/changes")
    assert_accessible(driver, "changes")
    assert "exemptions" in driver.find_element(By.TAG_NAME, "table").text


def test_forms_need_the_csrf_token(service: Demo) -> None:
    """A form post without the session's CSRF token changes nothing."""
    import urllib.error
    import urllib.parse
    import urllib.request

    body = urllib.parse.urlencode({"role": "clinician"}).encode()
    try:
        urllib.request.urlopen(urllib.request.Request(service.base + "/ui/login", data=body), timeout=5)
    except urllib.error.HTTPError as error:
        assert error.code == 403
    else:
        raise AssertionError("a login without a CSRF token was accepted")


def _signed_in(driver, service: Demo) -> None:
    driver.get(service.base + "/ui/")
    if "/ui/login" in driver.current_url:
        _login(driver, service)


def test_grey_zone_wish_only_hides_from_parents_and_gives_no_own_access(browser, service: Demo) -> None:
    """A 13-year-old's wish alone: the parents see nothing of the pathway; the child has no own access (competence not assessed)."""
    driver = browser
    berg = service.berg
    _signed_in(driver, service)
    _open_child(driver, service, berg["child"])
    driver.find_element(By.XPATH, "//summary[contains(., 'Nytt: gråsonevurdering')]").click()
    form = driver.find_element(By.ID, "form-assessments")
    Select(form.find_element(By.NAME, "scope.type")).select_by_value("pathway")
    form.find_element(By.NAME, "scope.id").send_keys("UI-HS")
    # Radios, not a checkbox: "not assessed" is chosen until the clinician answers.
    assert form.find_element(By.ID, "assessments-adolescent_can_consent-none").is_selected()
    form.find_element(By.ID, "assessments-parents_informed-false").click()
    screenshot(driver, "create-assessment")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    notice = driver.find_element(By.CSS_SELECTOR, ".notice").text
    assert "er lagret" in notice, notice
    assert_accessible(driver, "child-grey-zone")

    items = [{"id": "UI-H1", "kind": "note", "pathway": "UI-HS"}, {"id": "UI-A2", "kind": "appointment"}]
    views = _preview(driver, service, berg["mother"], berg["child"], items)
    mother_shown, mother_hidden = views[berg["mother"]]
    assert mother_shown == ["UI-A2"] and "adolescent-wish" in mother_hidden["UI-H1"]
    child_shown, child_hidden = views[berg["child"]]
    assert "UI-H1" not in child_shown and "UI-H1" in child_hidden
    assert_accessible(driver, "preview-grey-zone")
    screenshot(driver, "preview-grey-zone")


def test_a_care_order_suspends_the_parents(browser, service: Demo) -> None:
    """The child welfare service takes over care: both parents lose digital access."""
    driver = browser
    _signed_in(driver, service)
    _open_child(driver, service)
    driver.find_element(By.XPATH, "//summary[contains(., 'Nytt: omsorgsovertakelse')]").click()
    form = driver.find_element(By.ID, "form-care-orders")
    form.find_element(By.NAME, "organisation").send_keys("974589028")
    form.find_element(By.NAME, "reference").send_keys("BV-UI-1")
    start = form.find_element(By.NAME, "valid_from")
    driver.execute_script("arguments[0].value = arguments[1]", start, "2026-01-05T08:00")
    screenshot(driver, "create-care-order")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    notice = driver.find_element(By.CSS_SELECTOR, ".notice").text
    assert "er lagret" in notice, notice
    views = _preview(driver, service)
    for parent in (service.mother, service.father):
        shown, hidden = views[parent]
        assert shown == [] and "care-order" in hidden["UI-A1"], (parent, hidden)
