from django.apps import AppConfig


class PaConfig(AppConfig):
    name = "vbr.pa"
    label = "pa"
    verbose_name = "Personal assistants (individual employers)"
