"""Loaded by pytest before Django (`-p testsupport.pytest_env` in pytest.ini): test defaults
for the environment, so that a bare `pytest` works like `make test`. Real values win."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("LIAISON_VAR_DIR", os.path.join(os.getcwd(), "var", "test"))
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
