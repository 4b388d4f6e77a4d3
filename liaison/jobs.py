"""The one seam between services and Celery tasks. Tasks call services; a service that wants work
done later asks for the task by its registered name, so it never imports the tasks module (which
imports the services: the circle this seam removes)."""

import logging
import threading

from liaison.celery import app

logger = logging.getLogger(__name__)
_importing = threading.Lock()


def task_named(name: str):
    """The registered task `name`. The web process imports the apps' tasks modules only when
    first asked (the worker imports them at start): Celery's autodiscovery, triggered here."""
    if name not in app.tasks:
        with _importing:  # threads asking at once (a threaded server, clerks in a burst) import once
            app.loader.import_default_modules()
    return app.tasks[name]


def enqueue(name: str, *args, countdown: float = 0) -> bool:
    """Send the task `name` with `args`; True when the broker took it. Never raises: whatever
    enqueues through here has an outbox row that its sweeper sends later if the broker is down."""
    try:
        task_named(name).apply_async(args=list(args), countdown=countdown, retry=False)
    except Exception:
        logger.warning("could not enqueue %s%r", name, tuple(args), exc_info=True)
        return False
    return True
