from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "casework.clients"
    label = "clients"
    verbose_name = "Clients and cases"
