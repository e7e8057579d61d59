"""Configuration by environment: one table of variables, covering every `serve` option, listed in the README."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest
import typer

from access_policy.cli import app as cli
from access_policy.service.settings import ENVIRONMENT, ConfigurationError, Settings, environment_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_has_exactly_one_variable():
    assert sorted(variable.field for variable in ENVIRONMENT) == sorted(item.name for item in fields(Settings))


def test_every_serve_option_can_be_set_by_the_environment():
    serve = typer.main.get_command(cli).commands["serve"]
    options = {opt for param in serve.params for opt in param.opts if opt.startswith("--")} - {"--help", "--demo"}
    assert options == {variable.option for variable in ENVIRONMENT if variable.option}


def test_serve_settings_are_read_from_the_environment(tmp_path):
    env = {
        "ACCESS_POLICY_DEV": "1",
        "ACCESS_POLICY_DATA_DIR": str(tmp_path),
        "ACCESS_POLICY_DATABASE_URL": "postgresql+psycopg://app@db:5432/access_policy",
        "ACCESS_POLICY_HOST": "0.0.0.0",
        "ACCESS_POLICY_PORT": "8080",
        "ACCESS_POLICY_WORKERS": "4",
        "ACCESS_POLICY_LOG_FORMAT": "json",
        "ACCESS_POLICY_METRICS_PORT": "9464",
        "ACCESS_POLICY_ISSUER": "https://idp.example",
        "ACCESS_POLICY_AUDIENCE": "access-policy",
    }
    settings = Settings.from_env(env)
    assert (settings.host, settings.port, settings.workers, settings.log_format, settings.metrics_port) == ("0.0.0.0", 8080, 4, "json", 9464)
    assert settings.database_url == env["ACCESS_POLICY_DATABASE_URL"] and settings.data_dir == tmp_path
    assert (settings.issuer, settings.audience) == ("https://idp.example", "access-policy")
    assert Settings.from_env(env, port=9000, log_format="text").port == 9000  # an option wins
    assert Settings.from_env(settings.to_env()) == settings


@pytest.mark.parametrize(
    ("name", "value"),
    [("PORT", "70000"), ("PORT", "http"), ("WORKERS", "0"), ("LOG_FORMAT", "xml"), ("METRICS_PORT", "-1")],
)
def test_a_bad_value_names_its_variable(name, value):
    with pytest.raises(ConfigurationError, match=f"ACCESS_POLICY_{name}"):
        Settings.from_env({"ACCESS_POLICY_DEV": "1", f"ACCESS_POLICY_{name}": value})


def test_the_readme_lists_every_variable_in_one_table():
    text = README.read_text(encoding="utf-8")
    operating = text.split("## Operating it", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `(ACCESS_POLICY_[A-Z_]+)` \|", operating, flags=re.MULTILINE)
    assert listed == [variable.name for variable in ENVIRONMENT]
    assert environment_table() in operating  # options and meanings too, word for word
