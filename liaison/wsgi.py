import os

from django.core.wsgi import get_wsgi_application

from liaison.database import mark_web_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
mark_web_process()  # before the settings load: web connections get the web statement timeout
application = get_wsgi_application()
