from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "konbit.api"
    label = "konbit_api"
