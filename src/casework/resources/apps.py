from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "casework.resources"
    label = "resources"
    verbose_name = "Resource directory"
