from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "casework.monitoring"
    label = "monitoring"
    verbose_name = "Tasks, appointments and alerts"
