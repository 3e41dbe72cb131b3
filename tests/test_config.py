from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ConfigError


def test_defaults_need_no_environment():
    settings = Settings.from_env({})
    assert settings.corpus_dir == Path("corpus")
    assert settings.index_dir == Path("index")
    assert settings.rate_limit == "30/minute"
    assert settings.allowed_origins == ()


def test_every_variable_is_read():
    settings = Settings.from_env(
        {
            "FAQBOT_CORPUS": "/data/docs",
            "FAQBOT_INDEX": "/data/index",
            "FAQBOT_ALLOWED_ORIGINS": "https://clinic.example, https://www.clinic.example/",
            "FAQBOT_RATE_LIMIT": "off",
            "FAQBOT_REDIS_URL": "redis://127.0.0.1:6379/0",
            "FAQBOT_EMERGENCY_NUMBER": "112",
            "FAQBOT_CRISIS_LINE": "116 123",
            "FAQBOT_LOG_QUESTIONS": "on",
            "FAQBOT_TRUSTED_PROXIES": "1",
            "FAQBOT_SECRET_KEY": "s3cret",
            "FAQBOT_POISON_LINE": "0344 892 0111",
            "FAQBOT_CARE_LINE": "+44 20 7946 0000",
            "FAQBOT_TRIAGE_RULES": __file__,  # a file; its rules are read by replies
            "FAQBOT_FILE_SECONDS": "2.5",
            "FAQBOT_FILE_MEMORY": "512",
        }
    )
    assert (settings.file_seconds, settings.file_memory) == (2.5, 512)
    assert settings.allowed_origins == (
        "https://clinic.example",
        "https://www.clinic.example",
    )
    assert (settings.rate_limit, settings.redis_url) == (
        "off",
        "redis://127.0.0.1:6379/0",
    )
    assert (settings.emergency_number, settings.crisis_line) == ("112", "116 123")
    assert settings.log_questions and settings.trusted_proxies == 1
    assert (settings.poison_line, settings.care_line) == (
        "0344 892 0111",
        "+44 20 7946 0000",
    )
    assert settings.triage_rules == Path(__file__)


def test_the_memory_bound_of_a_file_is_a_gigabyte_unless_set_or_off():
    assert Settings.from_env({}).file_memory == 1024
    assert Settings.from_env({"FAQBOT_FILE_MEMORY": " 256 "}).file_memory == 256
    assert Settings.from_env({"FAQBOT_FILE_MEMORY": "OFF"}).file_memory is None


def test_without_a_care_line_urgent_replies_name_none():
    settings = Settings.from_env({})
    assert (settings.care_line, settings.poison_line) == (None, "1-800-222-1222")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FAQBOT_ALLOWED_ORIGINS", "clinic.example"),
        ("FAQBOT_RATE_LIMIT", "lots"),
        ("FAQBOT_RATE_LIMIT", "0/minute"),
        ("FAQBOT_REDIS_URL", "localhost:6379"),
        ("FAQBOT_EMERGENCY_NUMBER", "call someone"),
        ("FAQBOT_CARE_LINE", "the ward"),
        ("FAQBOT_POISON_LINE", "poison control"),
        ("FAQBOT_TRIAGE_RULES", "/no/such/rules.toml"),
        ("FAQBOT_LOG_QUESTIONS", "maybe"),
        ("FAQBOT_TRUSTED_PROXIES", "-1"),
        ("FAQBOT_FILE_SECONDS", "0"),
        ("FAQBOT_FILE_SECONDS", "a minute"),
        ("FAQBOT_FILE_SECONDS", "inf"),
        ("FAQBOT_FILE_MEMORY", "0"),
        ("FAQBOT_FILE_MEMORY", "1.5"),
        ("FAQBOT_FILE_MEMORY", "a gigabyte"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value):
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env({variable: value})
