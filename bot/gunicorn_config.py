"""Gunicorn settings for serving the bot: `gunicorn "bot.web:create_app()"` (through
`gunicorn.conf.py`, which gunicorn reads from the working directory) and `faqbot
production` (as `-c python:bot.gunicorn_config`). Options given on the command line
(`--bind 0.0.0.0:8000`, `--workers 4`) override it. The bot's own settings stay in
FAQBOT_* variables (README, "Settings"). See README, "Production".
"""

import functools
import gc
import logging
import os
import time

import orjson
from gunicorn import glogging

bind = "127.0.0.1:8000"  # behind a reverse proxy or load balancer on the same host

# Answering is CPU work (the GIL leaves threads little to share), so one process per
# core, plus one to cover a worker that waits on a slow client. Sync workers close each
# connection after its response; measured against gthread (4 threads), they gave the
# same throughput with a lower 99th percentile.
workers = (  # the cores this process may use, which a container may restrict
    len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
) + 1
worker_class = "sync"

# Load the app, and with it the index, once in the master before forking: every worker
# shares those pages (copy-on-write, never written), and a stale index is rebuilt once,
# not per worker. A rebuilt index is picked up by each worker on its next request, each
# then holding its own copy; a restart shares one again.
preload_app = True

timeout = 30  # a worker silent this long is stuck: killed and replaced
graceful_timeout = 30  # on SIGTERM or HUP, in-flight requests get this long to finish

# Requests are small JSON; refuse oversized request lines and headers early.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

# Several gunicorns on one host (workers of other apps, test runs) must not share one
# control socket in $HOME; manage this one with signals (HUP, TERM, TTIN, TTOU).
control_socket_disable = True


# A line per request: collect only what the log lines show. No format here or in gunicorn
# shows a thread, a process name or the caller's file, line and function, so logging
# need not look them up for every record ("Optimization" in the logging HOWTO; process
# ids stay, gunicorn's syslog format shows them).
logging.logThreads = False
logging.logMultiprocessing = False
logging._srcfile = None


class JsonLines(logging.Formatter):
    """Each log record as one JSON line; the bot's request lines are JSON already."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": _stamp(int(record.created)),
            "level": record.levelname,
            "logger": record.name,
        }
        message = record.getMessage()
        if record.name == "bot.web" and message.startswith("{") and not record.exc_info:
            return orjson.dumps(line).decode()[:-1] + "," + message[1:]  # one object
        line["message"] = message
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


@functools.lru_cache(maxsize=4)
def _stamp(second: int) -> str:
    """The local time of a second, as the log lines show it (each second's is made once)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(second))


# One JSON line per request comes from the bot itself (request id, status, latency,
# reply kind, passage ids, message length; never the question unless
# FAQBOT_LOG_QUESTIONS=on), so gunicorn's own access log stays off. Turned on with
# `--access-logfile -`, it shows the path without its query string, never a body.
accesslog = None
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json_lines": {"()": JsonLines}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json_lines",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False}
    },
}


class Logger(glogging.Logger):
    """gunicorn's logger, making access lines only when an access log was asked for.

    With `logconfig_dict` set, gunicorn gathers every request's access fields (all its
    headers, times, sizes) even with no access log to write them to: about 6% of a
    worker's time under load, thrown away.
    """

    def access(self, resp, req, environ, request_time):
        if self.cfg.accesslog is not None:
            super().access(resp, req, environ, request_time)


logger_class = Logger


def when_ready(server):
    """Freeze the preloaded objects out of the garbage collector's sight before forking.

    A collection in a worker would otherwise write to every object the master made
    (their GC headers), copying the shared pages into each worker.
    """
    gc.freeze()
