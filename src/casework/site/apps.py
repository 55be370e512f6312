from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top floor: what composes the whole product from the apps below it."""

    name = "casework.site"
    label = "site"
    verbose_name = "Casework"
