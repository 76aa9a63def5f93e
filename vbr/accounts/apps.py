from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vbr.accounts"
    label = "accounts"
    verbose_name = "Accounts and providers"
