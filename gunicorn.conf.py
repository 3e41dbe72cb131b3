"""Gunicorn reads this file from the working directory: `gunicorn "bot.web:create_app()"`.

The settings live in `bot/gunicorn_config.py`, which `faqbot production` uses too.
"""

from bot.gunicorn_config import *  # noqa: F403
