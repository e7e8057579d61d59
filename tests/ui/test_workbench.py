"""A guideline author, in a real browser: opens the workbench and follows a rule to its scenarios."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.ui.conftest import Demo, assert_accessible, screenshot


def test_author_follows_a_rule_to_its_scenarios(browser, service: Demo) -> None:
    driver = browser
    driver.set_page_load_timeout(180)  # the first request builds the site (every situation, every scenario)
    driver.get(service.base + "/guide/")
    assert "Regler, scenarioer og beslutningsmatrise" in driver.find_element(By.TAG_NAME, "h1").text
    assert driver.find_element(By.CSS_SELECTOR, ".matrix svg rect")
    assert_accessible(driver, "guide")
    screenshot(driver, "guide")

    driver.find_element(By.CSS_SELECTOR, "a[href='#rule-exemption']").click()
    assert driver.current_url.endswith("#rule-exemption")
    section = driver.find_element(By.ID, "rule-exemption")
    scenarios = section.find_elements(By.CSS_SELECTOR, ".scenario")
    assert len(scenarios) >= 5
    first = scenarios[0].text
    assert "✓ består" in first and "Gitt" in first
    # Every scenario listed under the rule decides by it (in a Then-step or an answer table).
    assert all("exemption" in scenario.text for scenario in scenarios)
    assert "tungtveiende hensyn" in section.text or "pbrl-5-1-4" in section.text

    driver.get(service.base + "/guide/diff.html")
    assert "helsenorge" in driver.find_element(By.TAG_NAME, "h1").text
    assert_accessible(driver, "diff")
    screenshot(driver, "diff")
