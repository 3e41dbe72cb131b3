"""The web stage: the Flask app, its routes, request bodies, rate limit and the widget.

Its seam is `create_app`; `gunicorn "bot.web:create_app()"` serves it.
"""

from bot.web.app import create_app

__all__ = ["create_app"]
