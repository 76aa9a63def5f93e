from django.apps import AppConfig


class InvolvementConfig(AppConfig):
    """People who draw on care taking part before the interview: the advert and shortlisting."""

    name = "vbr.involvement"
    verbose_name = "Involvement: advert and shortlisting"
