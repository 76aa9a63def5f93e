from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vbr.accounts"
    label = "accounts"
    verbose_name = "Accounts and providers"

    def ready(self) -> None:
        # Connects the sign-in receiver that records whether a code is owed.
        from vbr.accounts import twofactor  # noqa: F401
