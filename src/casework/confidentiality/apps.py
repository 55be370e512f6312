from django.apps import AppConfig


class ConfidentialityConfig(AppConfig):
    name = "casework.confidentiality"
    label = "confidentiality"
    verbose_name = "Confidentiality"
