import os

from django.core.wsgi import get_wsgi_application

from casework.core.process import die_with_server

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
die_with_server()
application = get_wsgi_application()
