import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vbr.settings")

app = Celery("vbr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="vbr.ping")
def ping() -> str:
    """A trivial task: proves that a worker receives work through the broker."""
    return "pong"
