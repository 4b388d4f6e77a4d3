import os

from django.core.asgi import get_asgi_application

from liaison.database import mark_web_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
mark_web_process()  # before the settings load: web connections get the web statement timeout
application = get_asgi_application()
